r"""Walking a 50,000-product shop past each platform's paging limit (Lazada: offset <= 10,000 on
/products/get, pages of 50; TikTok: 10,000 results per products/search, pages of 100), over real
HTTP against the sandboxes, with the real limits: products listed (all, each once) and API calls
against the minimum (ceil(products / page size)). No database.

How to run (tests/benchmarks is not collected by default):
  BENCH_PRODUCTS=50000 .venv/bin/pytest -p no:cacheprovider -q -s \
    tests/benchmarks/bench_listing_walk.py
"""

from __future__ import annotations

import math
import os
import random
import time

YEARS = 3 * 365 * 86400


def wanted() -> int:
    return int(os.environ.get("BENCH_PRODUCTS") or 50_000)


def report(name: str, products: int, listed: int, calls: int, page: int, seconds: float) -> None:
    minimum = math.ceil(products / page)
    print(
        f"\n{name}: {products} products, {listed} listed, {calls} calls, minimum {minimum}, "
        f"ratio {calls / minimum:.3f}, {seconds:.1f} s"
    )
    assert listed == products
    assert calls <= 1.1 * minimum


def test_lazada_walk():
    from channels_sync.adapters.base import AdapterConfig
    from channels_sync.adapters.lazada import LazadaAdapter
    from channels_sync.sandbox.lazada import LazadaSandbox

    products, rng = wanted(), random.Random(15)
    sandbox = LazadaSandbox()
    sandbox.add_app("100821", "bench_secret")
    sandbox.add_seller(200188457, "Bench", "VN")
    now = sandbox.now()
    for n in range(products):
        sku = [{"seller_sku": f"L{n}", "price": 1000, "stock": 1}]
        sandbox.add_product(200188457, f"P{n}", sku, created=now - rng.uniform(0, YEARS))
    sandbox.start()
    try:
        config = AdapterConfig(
            base_url=sandbox.base_url, app_key="100821", app_secret="bench_secret"
        )
        tokens = LazadaAdapter(config).tokens_from_code(
            code=sandbox.authorize("100821", 200188457), shop_id=""
        )
        adapter = LazadaAdapter(
            AdapterConfig(
                base_url=sandbox.base_url,
                app_key="100821",
                app_secret="bench_secret",
                shop_id=tokens.shop_id,
                access_token=tokens.access_token,
            )
        )
        started = time.monotonic()
        listed = {r.item_id for r in adapter.listings()}
        seconds = time.monotonic() - started
        report("Lazada", products, len(listed), sandbox.call_count("/products/get"), 50, seconds)
    finally:
        sandbox.stop()


def test_tiktok_walk():
    from channels_sync.adapters.base import AdapterConfig
    from channels_sync.adapters.tiktok import TikTokAdapter
    from channels_sync.sandbox.tiktok import TikTokSandbox

    products, rng, shop = wanted(), random.Random(15), "7494049642642441621"
    sandbox = TikTokSandbox()
    sandbox.add_app("bench_app", "bench_secret")
    cipher = sandbox.add_shop(shop, "Bench", "VN")
    now = int(sandbox.now())
    for n in range(products):
        sku = [{"seller_sku": f"T{n}", "price": "1000", "stock": 1}]
        sandbox.add_product(
            shop, f"Bench product number {n:05d}", sku, created=now - rng.randrange(YEARS)
        )
    sandbox.start()
    try:
        public = AdapterConfig(
            base_url=sandbox.base_url, app_key="bench_app", app_secret="bench_secret"
        )
        tokens = TikTokAdapter(public).tokens_from_code(
            code=sandbox.authorize("bench_app", [shop]), shop_id=""
        )
        adapter = TikTokAdapter(
            AdapterConfig(
                base_url=sandbox.base_url,
                app_key="bench_app",
                app_secret="bench_secret",
                shop_id=shop,
                access_token=tokens.access_token,
                shop_cipher=cipher,
            )
        )
        started = time.monotonic()
        listed = {r.item_id for r in adapter.listings()}
        seconds = time.monotonic() - started
        calls = sandbox.call_count("/product/202309/products/search")
        report("TikTok", products, len(listed), calls, 100, seconds)
    finally:
        sandbox.stop()
