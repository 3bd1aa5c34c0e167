"""The demo's TikTok shop: a TikTok Shop sandbox shop selling part of the demo catalogue.

`make run` (scripts/run_dev.py) writes `tiktok_seed()` to a file, starts the TikTok sandbox with
it (`python -m channels_sync.sandbox.tiktok --seed ... --order-every 20`), then calls
`tiktok_demo_setup` (manage.py demotiktok): a ChannelApp pointing at the sandbox, the demo
shop connected through the real flow (a code from the sandbox, connect_finish, which finds the
shop and its cipher), its listings pulled and linked by SKU, our webhook URL registered with
the sandbox, and one order of a linked SKU placed (it arrives through the webhook). The
sandbox offers TikTok's listing calls too (categories, attributes, brands, image upload, create
and a 20-second audit), so "Publish to shop" works on the demo shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from channels_sync.models import ChannelAccount, ChannelApp
from channels_sync.services.accounts import app_save, connect_finish
from channels_sync.services.listings import listings_pull
from inventory.models import Product, Warehouse

DEMO_APP_KEY = "demo_tiktok_app"
DEMO_APP_SECRET = "demo_tiktok_secret"
DEMO_SHOP_ID = "7494049642642441621"
DEMO_SHOP_NAME = "TikTok Shop demo"
DEMO_PRODUCTS = 3  # demo products 3-5: two of them are also on the Shopee demo shop
DEMO_FIRST = 2
DEMO_STOCK = 25
DEMO_AUDIT_SECONDS = 20  # a published product stays "in review" this long, then is approved


@dataclass(frozen=True)
class DemoTikTok:
    account: ChannelAccount
    order_id: str


def tiktok_seed(*, products: int = DEMO_PRODUCTS) -> dict[str, Any]:
    """The sandbox's seed: demo products (their variants as SKUs, same seller SKUs)."""
    seeded: list[dict[str, Any]] = []
    catalogue = Product.objects.order_by("pk").prefetch_related("variants")
    for product in catalogue[DEMO_FIRST : DEMO_FIRST + products]:
        skus = [
            {"seller_sku": v.sku, "price": str(int(v.sale_price)), "stock": DEMO_STOCK}
            for v in product.variants.all()
            if v.is_active
        ]
        if skus:
            title = product.name if len(product.name) >= 25 else f"{product.name} - chính hãng"
            seeded.append({"title": title, "skus": skus})
    return {
        "apps": [{"app_key": DEMO_APP_KEY, "app_secret": DEMO_APP_SECRET}],
        "shops": [
            {"shop_id": DEMO_SHOP_ID, "name": DEMO_SHOP_NAME, "region": "VN", "products": seeded}
        ],
    }


def _control(sandbox_url: str, name: str, data: dict[str, Any] | None = None) -> Any:
    url = f"{sandbox_url}/_sandbox/{name}"
    answer = (
        requests.get(url, timeout=10) if data is None else requests.post(url, json=data, timeout=10)
    )
    body = answer.json()
    if not body.get("ok"):
        raise RuntimeError(f"sandbox {name}: {body.get('error')}")
    return body if data is None else body.get("result")


def _connect(sandbox_url: str) -> ChannelAccount:
    existing = ChannelApp.objects.filter(platform="tiktok", app_key=DEMO_APP_KEY).first()
    app = app_save(
        platform="tiktok",
        name="TikTok Shop sandbox (demo)",
        app_key=DEMO_APP_KEY,
        app_secret=DEMO_APP_SECRET,
        api_base_url=sandbox_url,
        app_id=existing.pk if existing else None,
    )
    code = _control(sandbox_url, "authorize", {"app_key": DEMO_APP_KEY, "shop_ids": [DEMO_SHOP_ID]})
    account = connect_finish(app_id=app.pk, code=str(code), shop_id="")
    warehouse = Warehouse.objects.filter(kind=Warehouse.Kind.MAIN).order_by("pk").first()
    ChannelAccount.objects.filter(pk=account.pk).update(
        api_base_url=sandbox_url, warehouse=account.warehouse or warehouse
    )
    account.refresh_from_db()
    return account


def tiktok_demo_setup(*, sandbox_url: str, webhook_url: str) -> DemoTikTok:
    """Connect the demo shop on a running sandbox (seeded with `tiktok_seed`), register our
    webhook URL and place one order of a linked SKU."""
    sandbox_url = sandbox_url.rstrip("/")
    _control(sandbox_url, "configure", {"webhook_url": webhook_url})
    _control(sandbox_url, "configure_listings", {"audit_seconds": DEMO_AUDIT_SECONDS})
    account = _connect(sandbox_url)
    listings_pull(account_id=account.pk)
    products = _control(sandbox_url, "state")["products"]
    sold = next(
        (p, s) for p in products if p["status"] == "ACTIVATE" for s in p["skus"] if s["inventory"]
    )
    line = [sold[0]["id"], sold[1]["id"], 1]
    order_id = _control(sandbox_url, "place_order", {"shop_id": DEMO_SHOP_ID, "lines": [line]})
    return DemoTikTok(account=account, order_id=str(order_id))
