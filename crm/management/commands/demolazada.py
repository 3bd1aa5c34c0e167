"""`make run`'s Lazada demo: write the Lazada sandbox's seed, or connect the demo shop.

    python manage.py demolazada --write-seed var/lazada-seed.json
    python manage.py demolazada --sandbox-url http://127.0.0.1:8705 \
        --webhook-url http://127.0.0.1:8000/webhooks/lazada
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm.demo_lazada import lazada_demo_setup, lazada_seed


class Command(BaseCommand):
    help = "Seed file for the Lazada sandbox, or connect the demo seller to a running sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write-seed", type=Path)
        parser.add_argument("--sandbox-url")
        parser.add_argument("--webhook-url")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write_seed"]:
            path: Path = options["write_seed"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(lazada_seed(), ensure_ascii=False, indent=1))
            self.stdout.write(f"Lazada sandbox seed written to {path}")
        if options["sandbox_url"]:
            demo = lazada_demo_setup(
                sandbox_url=options["sandbox_url"], webhook_url=options["webhook_url"]
            )
            self.stdout.write(
                f"Lazada demo shop {demo.account.code} connected; order {demo.order_id} placed."
            )
