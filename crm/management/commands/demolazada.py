"""`make run`'s Lazada demo: write the Lazada sandbox's seed, or connect the demo shop.

    python manage.py demolazada --write-seed var/lazada-seed.json
    python manage.py demolazada --sandbox-url http://127.0.0.1:8705 \
        --webhook-url http://127.0.0.1:8000/webhooks/lazada
"""

from __future__ import annotations

from typing import Any

from crm.demo_lazada import lazada_demo_setup, lazada_seed
from crm.management.sandbox_demo import SandboxDemoCommand


class Command(SandboxDemoCommand):
    help = "Seed file for the Lazada sandbox, or connect the demo seller to a running sandbox."
    platform = "Lazada"

    def seed(self) -> dict[str, Any]:
        return lazada_seed()

    def connect(self, *, sandbox_url: str, webhook_url: str) -> str:
        demo = lazada_demo_setup(sandbox_url=sandbox_url, webhook_url=webhook_url)
        return f"Lazada demo shop {demo.account.code} connected; order {demo.order_id} placed."
