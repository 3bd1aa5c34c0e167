"""`make run`'s marketplace demo: write the Shopee sandbox's seed, or connect the demo shop.

    python manage.py demomarketplace --write-seed var/shopee-seed.json
    python manage.py demomarketplace --sandbox-url http://127.0.0.1:8701 \
        --webhook-url http://127.0.0.1:8000/webhooks/shopee
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm.demo_marketplace import marketplace_demo_setup, sandbox_seed


class Command(BaseCommand):
    help = "Seed file for the Shopee sandbox, or connect the demo shop to a running sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write-seed", type=Path)
        parser.add_argument("--sandbox-url")
        parser.add_argument("--webhook-url")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write_seed"]:
            path: Path = options["write_seed"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(sandbox_seed(), ensure_ascii=False, indent=1))
            self.stdout.write(f"Shopee sandbox seed written to {path}")
        if options["sandbox_url"]:
            demo = marketplace_demo_setup(
                sandbox_url=options["sandbox_url"], webhook_url=options["webhook_url"]
            )
            self.stdout.write(
                f"Shopee demo shop {demo.account.code} connected; orders "
                f"{demo.linked_order_sn} (linked SKU) and {demo.unknown_order_sn or '-'} "
                "(unknown SKU, goes to quarantine) placed."
            )
