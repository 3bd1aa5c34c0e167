"""`make run`'s TikTok demo: write the TikTok sandbox's seed, or connect the demo shop.

    python manage.py demotiktok --write-seed var/tiktok-seed.json
    python manage.py demotiktok --sandbox-url http://127.0.0.1:8703 \
        --webhook-url http://127.0.0.1:8000/webhooks/tiktok
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm.demo_tiktok import tiktok_demo_setup, tiktok_seed


class Command(BaseCommand):
    help = "Seed file for the TikTok sandbox, or connect the demo shop to a running sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write-seed", type=Path)
        parser.add_argument("--sandbox-url")
        parser.add_argument("--webhook-url")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write_seed"]:
            path: Path = options["write_seed"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(tiktok_seed(), ensure_ascii=False, indent=1))
            self.stdout.write(f"TikTok sandbox seed written to {path}")
        if options["sandbox_url"]:
            demo = tiktok_demo_setup(
                sandbox_url=options["sandbox_url"], webhook_url=options["webhook_url"]
            )
            self.stdout.write(
                f"TikTok demo shop {demo.account.code} connected; order {demo.order_id} placed."
            )
