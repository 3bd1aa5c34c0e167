r"""Nightly reconciliation of --listings listings per shop on each of the three platforms: API
calls against the minimum the documented batch limits allow, in one process against each
platform's sandbox over real HTTP (tests/benchmarks is not collected by default).

Each shop sells BENCH_LISTINGS SKUs as products of 5 SKUs (our variants, same seller SKUs, no
stock here: we want 0 everywhere); every 10th product has 3 units on its first SKU on the
platform (drift to correct). Minimum calls (marketplaces.md section 0):
  Shopee  get_item_list pages of 100 + get_item_base_info 50 items + get_model_list 1 item each
          + update_stock 1 item per drifted item
  Lazada  /products/get pages of 50 products + stock updates of 50 SKUs
  TikTok  products/search pages of 100 + one inventory update per drifted product

How to run (uses the pytest test database of DATABASE_URL):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_three REDIS_URL=redis://127.0.0.1:6379/5 \
    BENCH_LISTINGS=50000 .venv/bin/pytest -p no:cacheprovider -q -s \
    tests/benchmarks/bench_reconcile_three.py
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

SKUS_PER_PRODUCT = 5
DRIFT_EVERY = 10


def listings_wanted() -> int:
    return int(os.environ.get("BENCH_LISTINGS") or 5000)


def our_catalogue(products: int) -> None:
    from inventory.models import Product, Variant

    made = Product.objects.bulk_create(Product(name=f"Bench {n}") for n in range(products))
    Variant.objects.bulk_create(
        Variant(
            product=p,
            sku=sku(n, k),
            cost_price=Decimal(1),
            sale_price=Decimal(1000),
            vat_rate=Decimal(10),
            option1=f"Size {k}",
        )
        for n, p in enumerate(made)
        for k in range(SKUS_PER_PRODUCT)
    )


def sku(n: int, k: int) -> str:
    return f"B{n:05d}-{k}"


def stock_of(n: int, k: int) -> int:
    return 3 if n % DRIFT_EVERY == 0 and k == 0 else 0


def shopee(products: int) -> tuple[Any, Callable[[], int], Callable[[Any], dict[str, int]], int]:
    from channels_sync.sandbox.shopee import ShopeeSandbox
    from channels_sync.services.accounts import app_save, connect_finish

    sandbox = ShopeeSandbox()
    sandbox.add_partner(2001887, "bench_key")
    sandbox.add_shop(727720655, "Bench", "VN")
    for n in range(products):
        models = [
            {"model_sku": sku(n, k), "price": 1000, "stock": stock_of(n, k)}
            for k in range(SKUS_PER_PRODUCT)
        ]
        sandbox.add_item(727720655, f"I{n:05d}", f"Bench {n}", models)
    sandbox.start()
    app = app_save(
        platform="shopee",
        name="bench",
        app_key="2001887",
        app_secret="bench_key",
        api_base_url=sandbox.base_url,
    )
    code = sandbox.authorize(2001887, 727720655)
    account = connect_finish(app_id=app.pk, code=code, shop_id="727720655")
    drifted = math.ceil(products / DRIFT_EVERY)
    minimum = math.ceil(products / 100) + math.ceil(products / 50) + products + drifted
    return sandbox, lambda: account.pk, lambda sb: sb.call_counts(), minimum


def lazada(products: int) -> tuple[Any, Callable[[], int], Callable[[Any], dict[str, int]], int]:
    from channels_sync.sandbox.lazada import LazadaSandbox
    from channels_sync.services.accounts import app_save, connect_finish

    sandbox = LazadaSandbox()
    sandbox.add_app("100821", "bench_secret")
    sandbox.add_seller(200188457, "Bench", "VN")
    for n in range(products):
        skus = [
            {"seller_sku": sku(n, k), "price": 1000, "stock": stock_of(n, k)}
            for k in range(SKUS_PER_PRODUCT)
        ]
        sandbox.add_product(200188457, f"Bench {n}", skus)
    sandbox.start()
    app = app_save(
        platform="lazada",
        name="bench",
        app_key="100821",
        app_secret="bench_secret",
        api_base_url=sandbox.base_url,
    )
    code = sandbox.authorize("100821", 200188457)
    account = connect_finish(app_id=app.pk, code=code, shop_id="")
    drifted_skus = math.ceil(products / DRIFT_EVERY)
    minimum = math.ceil(products / 50) + math.ceil(drifted_skus / 50)
    return sandbox, lambda: account.pk, lambda sb: sb.call_counts(), minimum


def tiktok(products: int) -> tuple[Any, Callable[[], int], Callable[[Any], dict[str, int]], int]:
    from channels_sync.adapters.tiktok_pacing import api_name
    from channels_sync.sandbox.tiktok import TikTokSandbox
    from channels_sync.services.accounts import app_save, connect_finish

    shop = "7494049642642441621"
    sandbox = TikTokSandbox(qps=50)
    sandbox.add_app("bench_app", "bench_secret")
    sandbox.add_shop(shop, "Bench", "VN")
    for n in range(products):
        skus = [
            {"seller_sku": sku(n, k), "price": "1000", "stock": stock_of(n, k)}
            for k in range(SKUS_PER_PRODUCT)
        ]
        sandbox.add_product(shop, f"Bench product number {n:05d}", skus)
    sandbox.start()
    app = app_save(
        platform="tiktok",
        name="bench",
        app_key="bench_app",
        app_secret="bench_secret",
        api_base_url=sandbox.base_url,
    )
    account = connect_finish(app_id=app.pk, code=sandbox.authorize("bench_app", [shop]), shop_id="")

    def folded(sb: Any) -> dict[str, int]:
        counts: dict[str, int] = {}
        for path, count in sb.call_counts().items():
            counts[api_name(path)] = counts.get(api_name(path), 0) + count
        return counts

    minimum = math.ceil(products / 100) + math.ceil(products / DRIFT_EVERY)
    return sandbox, lambda: account.pk, folded, minimum


PLATFORMS = {"shopee": shopee, "lazada": lazada, "tiktok": tiktok}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_reconciliation_calls_against_the_minimum(platform, db, encryption_keys):
    from channels_sync.models import Listing
    from channels_sync.services.stock_reconcile import reconcile

    listings = listings_wanted()
    products = listings // SKUS_PER_PRODUCT
    our_catalogue(products)
    started = time.monotonic()
    sandbox, account_id, per_api, minimum = PLATFORMS[platform](products)
    seeded = time.monotonic() - started
    try:
        sandbox.reset_calls()
        started = time.monotonic()
        run = reconcile(account_id=account_id())
        took = time.monotonic() - started
        counts = per_api(sandbox)
    finally:
        sandbox.stop()
    made = sum(counts.values())
    print(
        f"\n{platform}: reconciliation of {listings} listings ({products} products, "
        f"{math.ceil(products / DRIFT_EVERY)} drifted): API calls {made} / min {minimum} = "
        f"{made / minimum:.3f}x in {took:.1f} s (seeding {seeded:.1f} s); per API {counts}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    linked = Listing.objects.filter(account_id=account_id(), variant__isnull=False).count()
    assert (run.status, linked) == ("succeeded", listings), run.counts
    assert made <= 1.1 * minimum
