"""The demo's marketplace: a Shopee sandbox shop selling part of the demo catalogue.

`make run` (scripts/run_dev.py) writes `sandbox_seed()` to a file, starts the Shopee sandbox
with it (`python -m channels_sync.sandbox.shopee --seed ... --order-every 20`), then calls
`marketplace_demo_setup` (manage.py demomarketplace): a ChannelApp pointing at the sandbox, the
demo shop connected through the real flow (a code from the sandbox, connect_finish), its
listings pulled and linked by SKU, our webhook URL registered with the sandbox, and two orders
placed: one of a linked SKU (it arrives through the webhook) and one of a SKU the catalogue does
not have (it waits in the quarantine list). The sandbox keeps placing orders afterwards, and
each order moves our stock, which is pushed back to the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from channels_sync.models import ChannelAccount, ChannelApp
from channels_sync.services.accounts import app_save, connect_finish
from channels_sync.services.listings import listings_pull
from inventory.models import Product, Warehouse

DEMO_PARTNER_ID = 2001887
DEMO_PARTNER_KEY = "demo_partner_key"
DEMO_SHOP_ID = 727720655
DEMO_SHOP_NAME = "Shopee demo shop"
UNKNOWN_SKU = "SHOPEE-ONLY-01"  # sold on the sandbox, unknown to our catalogue: quarantined
DEMO_PRODUCTS = 4  # how many demo products the sandbox shop sells
DEMO_STOCK = 25


@dataclass(frozen=True)
class DemoMarketplace:
    account: ChannelAccount
    linked_order_sn: str
    unknown_order_sn: str  # "" when the sandbox had already sold its only unit


def sandbox_seed(*, products: int = DEMO_PRODUCTS) -> dict[str, Any]:
    """The sandbox's seed: the first demo products (their variants as models, same SKUs) and
    one item whose SKU we do not have."""
    items: list[dict[str, Any]] = []
    for product in Product.objects.order_by("pk").prefetch_related("variants")[:products]:
        models = [
            {"model_sku": v.sku, "price": int(v.sale_price), "stock": DEMO_STOCK}
            for v in product.variants.all()
            if v.is_active
        ]
        if models:
            items.append({"item_sku": f"SP-{product.pk}", "name": product.name, "models": models})
    items.append(
        {"item_sku": UNKNOWN_SKU, "name": "Ốp lưng điện thoại", "price": 59000, "stock": 1}
    )
    return {
        "partners": [{"partner_id": DEMO_PARTNER_ID, "partner_key": DEMO_PARTNER_KEY}],
        "shops": [
            {"shop_id": DEMO_SHOP_ID, "name": DEMO_SHOP_NAME, "region": "VN", "items": items}
        ],
        "auto_authorize_shop_id": DEMO_SHOP_ID,
    }


def _control(sandbox_url: str, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{sandbox_url}/_sandbox/{name}"
    answer = (
        requests.get(url, timeout=10) if data is None else requests.post(url, json=data, timeout=10)
    )
    body = answer.json()
    if not body.get("ok"):
        raise RuntimeError(f"sandbox {name}: {body.get('error')}")
    return dict(body)


def _connect(sandbox_url: str) -> ChannelAccount:
    existing = ChannelApp.objects.filter(platform="shopee", app_key=str(DEMO_PARTNER_ID)).first()
    app = app_save(
        platform="shopee",
        name="Shopee sandbox (demo)",
        app_key=str(DEMO_PARTNER_ID),
        app_secret=DEMO_PARTNER_KEY,
        api_base_url=sandbox_url,
        app_id=existing.pk if existing else None,
    )
    code = _control(
        sandbox_url, "authorize", {"partner_id": DEMO_PARTNER_ID, "shop_id": DEMO_SHOP_ID}
    )
    account = connect_finish(app_id=app.pk, code=str(code["code"]), shop_id=str(DEMO_SHOP_ID))
    # The sandbox listens on a new port after a restart: the shop follows its app.
    warehouse = Warehouse.objects.filter(kind=Warehouse.Kind.MAIN).order_by("pk").first()
    ChannelAccount.objects.filter(pk=account.pk).update(
        api_base_url=sandbox_url, warehouse=account.warehouse or warehouse
    )
    account.refresh_from_db()
    return account


def _place(sandbox_url: str, item: dict[str, Any]) -> str:
    model = item["models"][0]
    spec = {
        "shop_id": DEMO_SHOP_ID,
        "lines": [[item["item_id"], model["model_id"], 1]],
        "buyer_username": "demo.buyer",
        "payment_method": "COD",
    }
    placed = _control(sandbox_url, "place_order", {"orders": [spec]})
    return str(placed["order_sn_list"][0]) if placed["order_sn_list"] else ""


def marketplace_demo_setup(*, sandbox_url: str, webhook_url: str) -> DemoMarketplace:
    """Connect the demo shop on a running sandbox (seeded with `sandbox_seed`), register our
    webhook URL and place one order of a linked SKU and one of the unknown SKU."""
    sandbox_url = sandbox_url.rstrip("/")
    _control(sandbox_url, "configure", {"callback_url": webhook_url})
    account = _connect(sandbox_url)
    listings_pull(account_id=account.pk)
    items = _control(sandbox_url, f"items?shop_id={DEMO_SHOP_ID}")["items"]
    linked = next(i for i in items if i["item_sku"] != UNKNOWN_SKU)
    unknown = next(i for i in items if i["item_sku"] == UNKNOWN_SKU)
    has_unit = sum(unknown["models"][0]["stock"].values()) > 0
    return DemoMarketplace(
        account=account,
        linked_order_sn=_place(sandbox_url, linked),
        unknown_order_sn=_place(sandbox_url, unknown) if has_unit else "",
    )
