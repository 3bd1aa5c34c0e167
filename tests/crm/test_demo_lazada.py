"""`make run`'s Lazada demo: the sandbox seeded from the demo catalogue, the seller connected
over real HTTP, and the demo order arriving through our push endpoint (live server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO

import pytest
import requests
from django.core.management import call_command

from channels_sync.models import AccountStatus, ChannelOrder, InboundPayload, Listing
from channels_sync.sandbox.lazada import LazadaSandbox
from channels_sync.sandbox.lazada_cli import seed
from channels_sync.services.publishing_catalog import categories_search, category_info
from channels_sync.services.webhooks import webhook_drain
from crm.demo_lazada import (
    DEMO_PRODUCTS,
    DEMO_SELLER_ID,
    DEMO_STOCK,
    lazada_demo_setup,
    lazada_seed,
)
from crm.demo_marketplace import sandbox_seed
from crm.demo_tiktok import tiktok_seed
from inventory.models import StockLevel


@pytest.fixture
def demo_sandbox(transactional_db) -> Iterator[LazadaSandbox]:
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())
    sandbox = LazadaSandbox(push_retry_interval=0.2, push_retry_count=2)
    seed(sandbox, lazada_seed())
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_the_lazada_demo_shares_skus_with_the_shopee_and_tiktok_demo_shops(demo_sandbox):
    products = lazada_seed()["sellers"][0]["products"]
    assert len(products) == DEMO_PRODUCTS
    lazada = {s["seller_sku"] for p in products for s in p["skus"]}
    assert {s["stock"] for p in products for s in p["skus"]} == {DEMO_STOCK}
    tiktok = {s["seller_sku"] for p in tiktok_seed()["shops"][0]["products"] for s in p["skus"]}
    shopee_items = sandbox_seed()["shops"][0]["items"]
    shopee = {m["model_sku"] for i in shopee_items for m in i.get("models", [])}
    assert lazada & tiktok & shopee  # at least one SKU sold on all three demo shops


def test_demo_setup_connects_the_seller_and_its_order_arrives(
    demo_sandbox, encryption_keys, live_server
):
    products = lazada_seed()["sellers"][0]["products"]
    url = f"{live_server.url}/webhooks/lazada"
    # the server's first request loads the project: warm it up so the push is acked in 500 ms
    assert requests.post(url, data=b"{}", timeout=10).status_code == 401
    demo = lazada_demo_setup(
        sandbox_url=demo_sandbox.origin, webhook_url=f"{live_server.url}/webhooks/lazada"
    )
    account = demo.account
    assert (account.platform, account.shop_id, account.status, account.region) == (
        "lazada",
        str(DEMO_SELLER_ID),
        AccountStatus.ACTIVE,
        "VN",
    )
    assert account.warehouse is not None
    reserved_before = sum(StockLevel.objects.values_list("reserved", flat=True))
    skus = sum(len(p["skus"]) for p in products)
    assert Listing.objects.filter(account=account, variant__isnull=False).count() == skus
    assert demo_sandbox.flush_pushes(15)
    first = [(d.message_type, d.status) for d in demo_sandbox.deliveries if d.attempt == 0]
    assert first == [(0, 200)]
    pushed = InboundPayload.objects.filter(account=account)
    assert {p.external_id for p in pushed} == {demo.order_id}
    webhook_drain(account_id=account.pk)
    order = ChannelOrder.objects.get(account=account)
    assert order.external_id == demo.order_id
    # with its delivery address (Lazada's "country": "Vietnam" once dropped it: unshippable)
    ours = order.order
    assert (ours.ship_name, ours.ship_country, ours.ship_province, ours.ship_ward) == (
        "Nguyễn Văn An",
        "VN",
        "Hà Nội",
        "Phường Hàng Bài",
    )
    assert sum(StockLevel.objects.values_list("reserved", flat=True)) == reserved_before + 1
    # publishing works in the demo: categories for the demo catalogue, its brands, a short QC
    found = categories_search(account, "áo thun")
    assert [c.path for c in found] == ["Thời trang nam > Áo > Áo thun"]
    info = category_info(account, "10111")
    assert info is not None
    assert "Sài Gòn Wear" in [b.name for b in info.brands.brands]
    assert (demo_sandbox.publishing.qc, demo_sandbox.publishing.qc_seconds) == ("review", 30)


def test_the_command_writes_the_seed(transactional_db, tmp_path):
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())
    out = StringIO()
    path = tmp_path / "lazada.json"
    call_command("demolazada", "--write-seed", str(path), stdout=out)
    assert out.getvalue() == f"Lazada sandbox seed written to {path}\n"
    assert json.loads(path.read_text()) == lazada_seed()
