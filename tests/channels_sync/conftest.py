"""Fixtures for channels_sync tests: local marketplace sandboxes over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels_sync.sandbox.shopee import ShopeeSandbox

SHOPEE_PARTNER_ID = 2001887
SHOPEE_PARTNER_KEY = "test_partner_key"


@pytest.fixture
def shopee_sandbox() -> Iterator[ShopeeSandbox]:
    """A started Shopee sandbox with one partner (2001887 / "test_partner_key"), no shops."""
    sandbox = ShopeeSandbox()
    sandbox.add_partner(SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


# --- a connected Shopee shop (h-shopee) ------------------------------------------------------

SHOPEE_SHOP_ID = 727720655
SHOPEE_CALLBACK_URL = "http://127.0.0.1:9/webhooks/shopee"  # nothing listens: pushes are "lost"


@pytest.fixture
def shopee_app(db, encryption_keys, shopee_sandbox: ShopeeSandbox):
    """ChannelApp for the sandbox partner; the sandbox's pushes go to SHOPEE_CALLBACK_URL (where
    nothing listens, so each is kept as a lost push; tests read `shopee_sandbox.deliveries`)."""
    from channels_sync.services.accounts import app_save

    shopee_sandbox.configure(callback_url=SHOPEE_CALLBACK_URL)
    return app_save(
        platform="shopee",
        name="Sandbox partner",
        app_key=str(SHOPEE_PARTNER_ID),
        app_secret=SHOPEE_PARTNER_KEY,
        api_base_url=shopee_sandbox.base_url,
    )


@pytest.fixture
def shopee_account(shopee_app, shopee_sandbox: ShopeeSandbox):
    """A Vietnamese shop (SHOPEE_SHOP_ID) connected through connect_finish: active, tokens."""
    from channels_sync.services.accounts import connect_finish

    shopee_sandbox.add_shop(SHOPEE_SHOP_ID, "Sandbox Shop VN", "VN")
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)
    return connect_finish(app_id=shopee_app.pk, code=code, shop_id=str(SHOPEE_SHOP_ID))


@pytest.fixture
def shopee_shop_to_publish(settings, tmp_path, shopee_account, shopee_sandbox):
    """The Shopee shop the publishing tests publish to: our media in a temporary folder, the
    sandbox's wait between add_item and init_tier_variation shorter than our step delay."""
    settings.MEDIA_ROOT = tmp_path
    settings.MARKETPLACE_PUBLISH_STEP_DELAY = 0.25
    shopee_sandbox.publishing.tier_delay = 0.2
    return shopee_account


@pytest.fixture
def shopee_adapter(shopee_account):
    """A ShopeeAdapter for the connected shop (no database access of its own)."""
    from channels_sync.adapters.shopee import ShopeeAdapter
    from channels_sync.services.accounts import account_config

    return ShopeeAdapter(account_config(shopee_account))


@pytest.fixture
def shopee_shirt(shopee_account, shopee_sandbox: ShopeeSandbox):
    """One variant (SKU "TS-M", 1000 in stock in the shop's order warehouse) that the sandbox
    shop sells as item "TS" / model "TS-M": orders of it apply. -> (item_id, model_id, variant)"""
    from tests.inventory.factories import WarehouseFactory
    from tests.orders.factories import stocked_variant

    warehouse = WarehouseFactory()
    shopee_account.warehouse = warehouse
    shopee_account.save(update_fields=["warehouse"])
    variant = stocked_variant(warehouse, 1000, sku="TS-M", price="199000")
    item_id, models = shopee_sandbox.add_item(
        SHOPEE_SHOP_ID,
        "TS",
        "Áo thun",
        [{"model_sku": "TS-M", "price": 199000, "stock": 10_000}],
    )
    return item_id, models[0], variant


# --- pages engineer (h-pages): shared by test_pages*.py and test_tasks.py ------------------


@pytest.fixture
def published():  # type: ignore[no-untyped-def]
    """Celery tasks published while the test runs, as (task name, kwargs)."""
    from celery.signals import before_task_publish

    seen: list[tuple[str, dict]] = []

    def record(sender=None, body=None, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((sender, body[1] if isinstance(body, tuple) else body))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


# --- a connected Lazada shop (h-lazada) -----------------------------------------------------

LAZADA_APP_KEY = "123456"
LAZADA_APP_SECRET = "helloworld"
LAZADA_SELLER_ID = 1234567
LAZADA_CALLBACK_URL = "http://127.0.0.1:9/webhooks/lazada"  # nothing listens


@pytest.fixture
def lazada_sandbox():  # type: ignore[no-untyped-def]
    """A started Lazada sandbox with one app (123456 / "helloworld") and one Vietnamese seller
    (LAZADA_SELLER_ID); pushes are retried 2 times, 0.2 s apart."""
    from channels_sync.sandbox.lazada import LazadaSandbox

    sandbox = LazadaSandbox(push_retry_interval=0.2, push_retry_count=2)
    sandbox.add_app(LAZADA_APP_KEY, LAZADA_APP_SECRET)
    sandbox.add_seller(LAZADA_SELLER_ID, "Lazada Shop VN", "VN")
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def lazada_app(db, encryption_keys, lazada_sandbox):  # type: ignore[no-untyped-def]
    from channels_sync.services.accounts import app_save

    lazada_sandbox.configure(callback_url=LAZADA_CALLBACK_URL)
    return app_save(
        platform="lazada",
        name="Lazada sandbox app",
        app_key=LAZADA_APP_KEY,
        app_secret=LAZADA_APP_SECRET,
        api_base_url=lazada_sandbox.base_url,
    )


@pytest.fixture
def lazada_account(lazada_app, lazada_sandbox):  # type: ignore[no-untyped-def]
    """The seller connected through connect_finish (no shop id in Lazada's callback)."""
    from channels_sync.services.accounts import connect_finish

    code = lazada_sandbox.authorize(LAZADA_APP_KEY, LAZADA_SELLER_ID)
    return connect_finish(app_id=lazada_app.pk, code=code, shop_id="")


@pytest.fixture
def lazada_shirt(lazada_account, lazada_sandbox):  # type: ignore[no-untyped-def]
    """Variant "LZ-M" (1000 in the shop's order warehouse) sold by the sandbox seller as one
    product SKU (10 000 sellable). -> (item_id, sku_id, variant)"""
    from tests.inventory.factories import WarehouseFactory
    from tests.orders.factories import stocked_variant

    warehouse = WarehouseFactory()
    lazada_account.warehouse = warehouse
    lazada_account.save(update_fields=["warehouse"])
    variant = stocked_variant(warehouse, 1000, sku="LZ-M", price="199000")
    item_id, skus = lazada_sandbox.add_product(
        LAZADA_SELLER_ID, "Áo thun", [{"seller_sku": "LZ-M", "price": 199000, "stock": 10_000}]
    )
    return item_id, skus[0], variant


# --- a connected TikTok shop (h-tiktok) ------------------------------------------------------

TIKTOK_APP_KEY = "29a39d"
TIKTOK_APP_SECRET = "e59af819cc"
TIKTOK_SHOP_ID = "7494049642642441621"
TIKTOK_WEBHOOK_URL = "http://127.0.0.1:9/webhooks/tiktok"  # nothing listens: retried, dropped
TIKTOK_REDIRECT_URL = "http://testserver/marketplaces/1/callback"


@pytest.fixture
def tiktok_sandbox() -> Iterator:
    """A started TikTok sandbox with one app (TIKTOK_APP_KEY / TIKTOK_APP_SECRET) whose webhooks
    go to TIKTOK_WEBHOOK_URL (where nothing listens; tests read `deliveries`), retries 1000x
    faster than documented, no shops."""
    from channels_sync.sandbox.tiktok import TikTokSandbox

    sandbox = TikTokSandbox(webhook_url=TIKTOK_WEBHOOK_URL, retry_scale=0.001)
    sandbox.add_app(TIKTOK_APP_KEY, TIKTOK_APP_SECRET, TIKTOK_REDIRECT_URL)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def tiktok_app(db, encryption_keys, tiktok_sandbox):
    from channels_sync.services.accounts import app_save

    return app_save(
        platform="tiktok",
        name="Sandbox TikTok app",
        app_key=TIKTOK_APP_KEY,
        app_secret=TIKTOK_APP_SECRET,
        api_base_url=tiktok_sandbox.base_url,
    )


@pytest.fixture
def tiktok_account(tiktok_app, tiktok_sandbox):
    """A Vietnamese TikTok shop connected through connect_finish (the callback names no shop)."""
    from channels_sync.services.accounts import connect_finish

    tiktok_sandbox.add_shop(TIKTOK_SHOP_ID, "Sandbox TikTok VN", "VN")
    code = tiktok_sandbox.authorize(TIKTOK_APP_KEY, [TIKTOK_SHOP_ID])
    return connect_finish(app_id=tiktok_app.pk, code=code, shop_id="")


@pytest.fixture
def tiktok_adapter(tiktok_account):
    from channels_sync.adapters.tiktok import TikTokAdapter
    from channels_sync.services.accounts import account_config

    return TikTokAdapter(account_config(tiktok_account))


@pytest.fixture
def tiktok_shirt(tiktok_account, tiktok_sandbox):
    """Variant "TT-M" (1000 in the shop's order warehouse) sold by the sandbox shop as one SKU
    of a product: -> (product_id, sku_id, variant)."""
    from tests.inventory.factories import WarehouseFactory
    from tests.orders.factories import stocked_variant

    warehouse = WarehouseFactory()
    tiktok_account.warehouse = warehouse
    tiktok_account.save(update_fields=["warehouse"])
    variant = stocked_variant(warehouse, 1000, sku="TT-M", price="199000")
    product_id, skus = tiktok_sandbox.add_product(
        TIKTOK_SHOP_ID,
        "Áo thun cotton cơ bản dáng suông",
        [{"seller_sku": "TT-M", "price": "199000", "stock": 10_000, "options": ["Đen", "M"]}],
    )
    return product_id, skus[0], variant
