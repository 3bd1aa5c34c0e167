"""`make run`'s marketplace demo: write the Shopee sandbox's seed, or connect the demo shop.

    python manage.py demomarketplace --write-seed var/shopee-seed.json
    python manage.py demomarketplace --sandbox-url http://127.0.0.1:8701 \
        --webhook-url http://127.0.0.1:8000/webhooks/shopee
"""

from __future__ import annotations

from typing import Any

from crm.demo_marketplace import marketplace_demo_setup, sandbox_seed
from crm.management.sandbox_demo import SandboxDemoCommand


class Command(SandboxDemoCommand):
    help = "Seed file for the Shopee sandbox, or connect the demo shop to a running sandbox."
    platform = "Shopee"

    def seed(self) -> dict[str, Any]:
        return sandbox_seed()

    def connect(self, *, sandbox_url: str, webhook_url: str) -> str:
        demo = marketplace_demo_setup(sandbox_url=sandbox_url, webhook_url=webhook_url)
        return (
            f"Shopee demo shop {demo.account.code} connected; orders "
            f"{demo.linked_order_sn} (linked SKU) and {demo.unknown_order_sn or '-'} "
            "(unknown SKU, goes to quarantine) placed."
        )
