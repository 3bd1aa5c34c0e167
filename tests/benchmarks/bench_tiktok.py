r"""TikTok Shop sync benchmark: API calls against the minimum, and timings, in one process against
the TikTok sandbox over real HTTP (tests/benchmarks is not collected by default).

  1. Nightly reconciliation of --listings SKUs (products of 5 SKUs, one warehouse): the listings
     pull (products/search, 100 products a page) and the stock corrections of the products whose
     platform stock differs from ours (--drift percent of the products; one inventory call per
     product). Minimum: ceil(products / 100) + drifted products.
  2. Order pull of --orders orders: the search answers full orders, so the minimum is
     ceil(orders / 100) calls and no detail call; orders per second applied.
  3. Webhook path of --webhooks orders (signed bodies posted to /webhooks/tiktok with the Django
     test client, then the shop's drain): detail calls ceil(orders / 50); p50/p95 from the order's
     creation on the sandbox to its row here.

How to run (uses the pytest test database of DATABASE_URL):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_tiktok REDIS_URL=redis://127.0.0.1:6379/6 \
    .venv/bin/pytest -p no:cacheprovider -q -s tests/benchmarks/bench_tiktok.py \
    (sizes: BENCH_LISTINGS=50000 BENCH_ORDERS=2000 BENCH_WEBHOOKS=1000 in the environment)
"""

from __future__ import annotations

import math
import os
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

SHOP, KEY, SECRET = "7494049642642441621", "bench_app", "bench_secret"
SKUS_PER_PRODUCT = 5


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@pytest.fixture
def bench(db, encryption_keys, settings):
    from channels_sync.sandbox.tiktok import TikTokSandbox
    from channels_sync.services.accounts import app_save, connect_finish

    sandbox = TikTokSandbox(qps=50)
    sandbox.add_app(KEY, SECRET)
    sandbox.add_shop(SHOP, "Bench", "VN")
    sandbox.start()
    app = app_save(
        platform="tiktok",
        name="bench",
        app_key=KEY,
        app_secret=SECRET,
        api_base_url=sandbox.base_url,
    )
    account = connect_finish(app_id=app.pk, code=sandbox.authorize(KEY, [SHOP]), shop_id="")
    try:
        yield sandbox, account
    finally:
        sandbox.stop()


def catalogue(sandbox, listings: int, drift_every: int) -> int:
    """Our variants (no stock: we push 0) and the sandbox's products with the same SKUs; every
    `drift_every`-th product has 3 units on one SKU there. Returns the drifted products."""
    from inventory.models import Product, Variant

    products = listings // SKUS_PER_PRODUCT
    made = Product.objects.bulk_create(Product(name=f"Bench {n}") for n in range(products))
    Variant.objects.bulk_create(
        Variant(
            product=p,
            sku=f"B{n:05d}-{k}",
            cost_price=Decimal(1),
            sale_price=Decimal(1000),
            vat_rate=Decimal(10),
            option1=f"Size {k}",
        )
        for n, p in enumerate(made)
        for k in range(SKUS_PER_PRODUCT)
    )
    drifted = 0
    for n in range(products):
        drift = n % drift_every == 0
        drifted += drift
        specs = [
            {"seller_sku": f"B{n:05d}-{k}", "price": "1000", "stock": 3 if drift and k == 0 else 0}
            for k in range(SKUS_PER_PRODUCT)
        ]
        sandbox.add_product(SHOP, f"Bench product number {n:05d}", specs)
    return drifted


def per_api(sandbox) -> dict[str, int]:
    """The sandbox's calls per API (ids in paths folded), with how many were refused by 429."""
    from channels_sync.adapters.tiktok_pacing import api_name

    counts: dict[str, int] = {}
    for path, count in sandbox.call_counts().items():
        counts[api_name(path)] = counts.get(api_name(path), 0) + count
    counts["429"] = sandbox.call_count(status=429)
    return counts


def ratio(made: int, minimum: int) -> str:
    return f"{made} / min {minimum} = {made / minimum:.3f}x"


def test_reconciliation_calls(bench):
    from channels_sync.models import Listing
    from channels_sync.services.stock_reconcile import reconcile

    sandbox, account = bench
    listings = setting("BENCH_LISTINGS", 50_000)
    drifted = catalogue(sandbox, listings, drift_every=10)
    sandbox.reset_calls()
    started = time.monotonic()
    run = reconcile(account_id=account.pk)
    took = time.monotonic() - started
    products = listings // SKUS_PER_PRODUCT
    minimum = math.ceil(products / 100) + drifted
    print(f"\nreconciliation of {listings} listings ({products} products, {drifted} drifted)")
    print(f"  API calls {ratio(run.api_calls, minimum)}; sandbox saw {per_api(sandbox)}")
    print(f"  {took:.1f} s; run counts {run.counts}")
    assert Listing.objects.filter(account=account, variant__isnull=False).count() == listings
    assert run.api_calls <= 1.1 * minimum


def place(sandbox, count: int) -> list[str]:
    product_id, (sku_id,) = sandbox.add_product(
        SHOP,
        "Bench shirt for orders only",
        [{"seller_sku": "ORD-1", "price": "1000", "stock": 10**7}],
    )
    return [sandbox.place_order(SHOP, [(product_id, sku_id, 1)]) for _ in range(count)]


def our_variant():
    from inventory.services.stock import stock_receive
    from tests.inventory.factories import VariantFactory, WarehouseFactory

    warehouse = WarehouseFactory()
    variant = VariantFactory(sku="ORD-1")
    stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=10**7)
    return warehouse


def test_order_pull(bench, django_capture_on_commit_callbacks):
    from channels_sync.models import ChannelOrder
    from channels_sync.services.pull import orders_pull

    sandbox, account = bench
    account.warehouse = our_variant()
    account.save(update_fields=["warehouse"])
    count = setting("BENCH_ORDERS", 2_000)
    place(sandbox, count)
    sandbox.reset_calls()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        run = orders_pull(account_id=account.pk, now=timezone.now())
    took = time.monotonic() - started
    print(f"\norder pull of {count} orders: {count / took:.0f} orders/s ({took:.1f} s)")
    print(f"  API calls {ratio(run.api_calls, math.ceil(count / 100))}; {per_api(sandbox)}")
    assert ChannelOrder.objects.filter(account=account).count() == count


def test_webhook_path(bench, client, django_capture_on_commit_callbacks):
    from channels_sync.models import ChannelOrder
    from channels_sync.services.webhooks import webhook_drain

    sandbox, account = bench
    account.warehouse = our_variant()
    account.save(update_fields=["warehouse"])
    count = setting("BENCH_WEBHOOKS", 1_000)
    sandbox.configure(webhook_url="http://127.0.0.1:9/none")
    placed = place(sandbox, count)
    assert sandbox.flush_webhooks(60)
    deliveries = [d for d in sandbox.deliveries if d.kind == 1 and d.attempt == 0]
    sandbox.reset_calls()
    started = time.monotonic()
    url = reverse("channels_sync:webhook_tiktok")
    for d in deliveries:
        client.post(
            url, d.body, content_type="application/json", headers={"Authorization": d.signature}
        )
    with django_capture_on_commit_callbacks(execute=True):
        webhook_drain(account_id=account.pk)
    took = time.monotonic() - started
    rows = dict(
        ChannelOrder.objects.filter(account=account).values_list("external_id", "created_at")
    )
    assert sorted(rows) == sorted(placed)
    delays = sorted(
        (rows[o] - datetime.fromtimestamp(sandbox.orders[o].create_time, tz=UTC)).total_seconds()
        for o in placed
    )
    p50, p95 = delays[len(delays) // 2], delays[int(len(delays) * 0.95) - 1]
    print(f"\nwebhooks of {count} orders received and drained: {count / took:.0f} orders/s")
    print(
        f"  detail calls {ratio(sandbox.call_count('/order/202309/orders'), math.ceil(count / 50))}"
    )
    print(f"  sandbox order -> our row p50 {p50:.1f} s, p95 {p95:.1f} s (posting serially first)")
