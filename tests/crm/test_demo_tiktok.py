"""`make run`'s TikTok demo: the sandbox seeded from the demo catalogue, the shop connected over
real HTTP, and the demo order arriving through our webhook endpoint (live server)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from channels_sync.models import AccountStatus, ChannelOrder, InboundPayload, Listing
from channels_sync.sandbox.tiktok import TikTokSandbox
from channels_sync.sandbox.tiktok_cli import seed
from channels_sync.services.webhooks import webhook_drain
from crm.demo_tiktok import DEMO_PRODUCTS, DEMO_SHOP_ID, tiktok_demo_setup, tiktok_seed


@pytest.fixture
def demo_sandbox(transactional_db) -> Iterator[TikTokSandbox]:
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())
    sandbox = TikTokSandbox()
    seed(sandbox, tiktok_seed())
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_demo_setup_connects_the_shop_and_its_order_arrives(
    demo_sandbox, encryption_keys, live_server
):
    products = tiktok_seed()["shops"][0]["products"]
    assert len(products) == DEMO_PRODUCTS
    assert all(len(p["title"]) >= 25 for p in products)
    demo = tiktok_demo_setup(
        sandbox_url=demo_sandbox.base_url, webhook_url=f"{live_server.url}/webhooks/tiktok"
    )
    account = demo.account
    assert (account.platform, account.shop_id, account.status) == (
        "tiktok",
        DEMO_SHOP_ID,
        AccountStatus.ACTIVE,
    )
    assert account.shop_cipher == demo_sandbox.shops[DEMO_SHOP_ID].cipher
    assert account.warehouse is not None
    skus = sum(len(p["skus"]) for p in products)
    assert Listing.objects.filter(account=account, variant__isnull=False).count() == skus
    assert demo_sandbox.flush_webhooks(timeout=15)
    assert [(d.kind, d.status) for d in demo_sandbox.deliveries] == [(1, 200)]
    pushed = InboundPayload.objects.get(account=account)
    assert pushed.external_id == demo.order_id
    webhook_drain(account_id=account.pk)
    assert ChannelOrder.objects.get(account=account).external_id == demo.order_id


def test_the_demo_shop_offers_categories_to_publish_to(demo_sandbox, encryption_keys, live_server):
    from channels_sync.sandbox.tiktok_listings import listings_state
    from channels_sync.services.publishing_catalog import categories_search, category_info
    from crm.demo_tiktok import DEMO_AUDIT_SECONDS

    demo = tiktok_demo_setup(
        sandbox_url=demo_sandbox.base_url, webhook_url=f"{live_server.url}/webhooks/tiktok"
    )
    found = categories_search(demo.account, "chảo")
    assert [(c.category_id, c.path) for c in found] == [
        ("700438", "Nhà cửa & Đời sống > Nồi & Chảo")
    ]
    info = category_info(demo.account, "700438")
    assert info is not None
    assert [(a.name, a.mandatory) for a in info.attributes] == [("Xuất xứ", True)]
    assert listings_state(demo_sandbox).audit_seconds == DEMO_AUDIT_SECONDS
