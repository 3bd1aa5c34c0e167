"""`make run`'s TikTok demo: write the TikTok sandbox's seed, or connect the demo shop.

    python manage.py demotiktok --write-seed var/tiktok-seed.json
    python manage.py demotiktok --sandbox-url http://127.0.0.1:8703 \
        --webhook-url http://127.0.0.1:8000/webhooks/tiktok
"""

from __future__ import annotations

from typing import Any

from crm.demo_tiktok import tiktok_demo_setup, tiktok_seed
from crm.management.sandbox_demo import SandboxDemoCommand


class Command(SandboxDemoCommand):
    help = "Seed file for the TikTok sandbox, or connect the demo shop to a running sandbox."
    platform = "TikTok"

    def seed(self) -> dict[str, Any]:
        return tiktok_seed()

    def connect(self, *, sandbox_url: str, webhook_url: str) -> str:
        demo = tiktok_demo_setup(sandbox_url=sandbox_url, webhook_url=webhook_url)
        return f"TikTok demo shop {demo.account.code} connected; order {demo.order_id} placed."
