"""`make run`'s marketplace demo: the sandbox seeded from the demo catalogue, the shop connected
over real HTTP, and the demo orders arriving through our webhook endpoint (live server)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from channels_sync.models import (
    AccountStatus,
    ChannelApp,
    ChannelOrder,
    InboundPayload,
    Listing,
    PayloadKind,
    PayloadStatus,
)
from channels_sync.sandbox.shopee import ShopeeSandbox
from channels_sync.sandbox.shopee_cli import seed
from channels_sync.services.webhooks import webhook_process
from crm.demo_marketplace import (
    DEMO_PRODUCTS,
    DEMO_SHOP_ID,
    UNKNOWN_SKU,
    marketplace_demo_setup,
    sandbox_seed,
)


@pytest.fixture
def demo_sandbox(transactional_db) -> Iterator[ShopeeSandbox]:
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())
    sandbox = ShopeeSandbox()
    seed(sandbox, sandbox_seed())
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_seed_sells_demo_skus_and_one_unknown(demo_sandbox):
    shop = sandbox_seed()["shops"][0]
    assert shop["shop_id"] == DEMO_SHOP_ID
    assert len(shop["items"]) == DEMO_PRODUCTS + 1
    assert [i["item_sku"] for i in shop["items"]][-1] == UNKNOWN_SKU


def test_demo_setup_connects_the_shop_and_its_orders_arrive(
    demo_sandbox, encryption_keys, live_server
):
    webhook_url = f"{live_server.url}/webhooks/shopee"
    demo = marketplace_demo_setup(sandbox_url=demo_sandbox.base_url, webhook_url=webhook_url)

    app = ChannelApp.objects.get()
    assert app.api_base_url == demo_sandbox.base_url
    account = demo.account
    assert (account.shop_id, account.status) == (str(DEMO_SHOP_ID), AccountStatus.ACTIVE)
    assert account.warehouse is not None
    assert account.warehouse.code == "HCM01"
    seeded_models = sum(len(i.get("models") or [1]) for i in sandbox_seed()["shops"][0]["items"])
    assert Listing.objects.filter(account=account).count() == seeded_models
    assert Listing.objects.filter(account=account, variant__isnull=True).count() == 1
    assert demo.linked_order_sn
    assert demo.unknown_order_sn

    # The sandbox pushes both orders to our endpoint over real HTTP; the worker's job follows.
    assert demo_sandbox.flush_pushes(timeout=15)
    assert [d.status for d in demo_sandbox.deliveries if d.code == 3] == [200, 200]
    assert all(d.ok for d in demo_sandbox.deliveries)  # the authorisation push too
    pushed = InboundPayload.objects.filter(kind=PayloadKind.WEBHOOK, account=account).exclude(
        external_id=""
    )
    assert sorted(pushed.values_list("external_id", flat=True)) == sorted(
        [demo.linked_order_sn, demo.unknown_order_sn]
    )
    for payload_id in pushed.values_list("pk", flat=True):
        webhook_process(payload_id=payload_id)

    arrived = ChannelOrder.objects.get(account=account, external_id=demo.linked_order_sn)
    assert arrived.order is not None
    assert arrived.order.channel_account == account.code
    held = InboundPayload.objects.get(
        kind=PayloadKind.ORDER, account=account, external_id=demo.unknown_order_sn
    )
    assert (held.status, held.reason) == (PayloadStatus.QUARANTINED, "unknown_sku")
    assert not ChannelOrder.objects.filter(external_id=demo.unknown_order_sn).exists()


@pytest.mark.postgres(
    why="the sandbox's pushes reach the live server while this thread writes, and SQLite's "
    "in-memory test database shares one connection between them"
)
def test_demo_setup_again_reuses_the_app_and_the_shop(demo_sandbox, encryption_keys, live_server):
    webhook_url = f"{live_server.url}/webhooks/shopee"
    first = marketplace_demo_setup(sandbox_url=demo_sandbox.base_url, webhook_url=webhook_url)
    again = marketplace_demo_setup(sandbox_url=demo_sandbox.base_url, webhook_url=webhook_url)
    assert again.account.pk == first.account.pk
    assert ChannelApp.objects.count() == 1
    assert again.unknown_order_sn == ""  # its only unit was sold by the first setup
