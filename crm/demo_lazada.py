"""The demo's Lazada shop: a Lazada sandbox seller selling part of the demo catalogue.

`make run` (scripts/run_dev.py) writes `lazada_seed()` to a file, starts the Lazada sandbox
with it (`python -m channels_sync.sandbox.lazada --seed ... --order-every 20`), then calls
`lazada_demo_setup` (manage.py demolazada): a ChannelApp pointing at the sandbox, the demo
seller connected through the real flow (a code from the sandbox, connect_finish, which finds
the seller in the token answer), its listings pulled and linked by SKU, our push URL registered
with the sandbox, and one order of a linked SKU placed (it arrives through the push). The demo
products overlap the Shopee and TikTok demo shops', so one sale moves the stock of all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from channels_sync.models import ChannelAccount, ChannelApp, Listing
from channels_sync.services.accounts import app_save, connect_finish
from channels_sync.services.listings import listings_pull
from inventory.models import Product, Warehouse

DEMO_APP_KEY = "100821"
DEMO_APP_SECRET = "demo_lazada_secret"
DEMO_SELLER_ID = 200188457
DEMO_SELLER_NAME = "Lazada demo shop"
DEMO_PRODUCTS = 3  # demo products 2-4: shared with the Shopee and the TikTok demo shops
DEMO_FIRST = 1
DEMO_STOCK = 25
# Publishing in the demo: the sandbox's category tree (lazada_catalog) has leaves for the demo
# catalogue and its brands; a new product waits in QC for a short while, then is approved.
DEMO_PUBLISHING = {"qc": "review", "qc_seconds": 30}


@dataclass(frozen=True)
class DemoLazada:
    account: ChannelAccount
    order_id: str


def lazada_seed(*, products: int = DEMO_PRODUCTS) -> dict[str, Any]:
    """The sandbox's seed: demo products (their active variants as SKUs, same seller SKUs)."""
    seeded: list[dict[str, Any]] = []
    catalogue = Product.objects.order_by("pk").prefetch_related("variants")
    for product in catalogue[DEMO_FIRST : DEMO_FIRST + products]:
        skus = [
            {"seller_sku": v.sku, "price": int(v.sale_price), "stock": DEMO_STOCK}
            for v in product.variants.all()
            if v.is_active
        ]
        if skus:
            seeded.append({"name": product.name, "skus": skus})
    return {
        "apps": [{"app_key": DEMO_APP_KEY, "app_secret": DEMO_APP_SECRET}],
        "sellers": [
            {
                "seller_id": DEMO_SELLER_ID,
                "name": DEMO_SELLER_NAME,
                "country": "VN",
                "products": seeded,
            }
        ],
        "publishing": dict(DEMO_PUBLISHING),
    }


def _control(sandbox_url: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{sandbox_url}/_sandbox/{name}", json=data, timeout=10)
    body = answer.json()
    if not body.get("ok"):
        raise RuntimeError(f"sandbox {name}: {body.get('error')}")
    return dict(body)


def _connect(sandbox_url: str) -> ChannelAccount:
    api_url = f"{sandbox_url}/rest"  # the APIs (and the auth host's /rest) under /rest
    existing = ChannelApp.objects.filter(platform="lazada", app_key=DEMO_APP_KEY).first()
    app = app_save(
        platform="lazada",
        name="Lazada sandbox (demo)",
        app_key=DEMO_APP_KEY,
        app_secret=DEMO_APP_SECRET,
        api_base_url=api_url,
        app_id=existing.pk if existing else None,
    )
    code = _control(
        sandbox_url, "authorize", {"app_key": DEMO_APP_KEY, "seller_id": DEMO_SELLER_ID}
    )
    account = connect_finish(app_id=app.pk, code=str(code["code"]), shop_id="")
    warehouse = Warehouse.objects.filter(kind=Warehouse.Kind.MAIN).order_by("pk").first()
    ChannelAccount.objects.filter(pk=account.pk).update(
        api_base_url=api_url, warehouse=account.warehouse or warehouse
    )
    account.refresh_from_db()
    return account


def lazada_demo_setup(*, sandbox_url: str, webhook_url: str) -> DemoLazada:
    """Connect the demo seller on a running sandbox (`sandbox_url`: its origin, seeded with
    `lazada_seed`), register our push URL and place one order of a linked SKU."""
    sandbox_url = sandbox_url.rstrip("/").removesuffix("/rest")
    _control(sandbox_url, "configure", {"callback_url": webhook_url})
    account = _connect(sandbox_url)
    listings_pull(account_id=account.pk)
    linked = (
        Listing.objects.filter(account=account, variant__isnull=False)
        .order_by("pk")
        .values_list("item_id", "model_id")
        .first()
    )
    if linked is None:
        raise RuntimeError("no listing of the Lazada demo shop is linked to our catalogue")
    line = [int(linked[0]), int(linked[1]), 1]
    placed = _control(sandbox_url, "place_order", {"seller_id": DEMO_SELLER_ID, "lines": [line]})
    if placed["failed"]:
        raise RuntimeError(f"sandbox place_order: {placed['failed']}")
    return DemoLazada(account=account, order_id=str(placed["order_ids"][0]))
