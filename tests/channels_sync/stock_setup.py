"""Setup shared by the stock and listings tests: a shop connected to the Shopee sandbox over
real HTTP (through the real connect flow), our variants with stock, listings."""

from __future__ import annotations

from decimal import Decimal

from channels_sync.models import AccountStatus, ChannelAccount, ChannelApp, Listing
from channels_sync.sandbox.shopee import ShopeeSandbox
from channels_sync.services.accounts import app_save, connect_finish
from inventory.models import Variant, Warehouse
from inventory.services.stock import stock_receive
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY
from tests.inventory.factories import VariantFactory, WarehouseFactory

SHOP_ID = 727720655


def connect_shop(
    sandbox: ShopeeSandbox, *, shop_id: int = SHOP_ID, name: str = "Shop A"
) -> ChannelAccount:
    sandbox.add_shop(shop_id, name, "VN")
    app = ChannelApp.objects.filter(app_key=str(SHOPEE_PARTNER_ID)).first()
    if app is None:
        app = app_save(
            platform="shopee",
            name="Sandbox",
            app_key=str(SHOPEE_PARTNER_ID),
            app_secret=SHOPEE_PARTNER_KEY,
            api_base_url=sandbox.base_url,
        )
    code = sandbox.authorize(SHOPEE_PARTNER_ID, shop_id)
    return connect_finish(app_id=app.pk, code=code, shop_id=str(shop_id))


def offline_shop(*, code: str = "shopee-1", shop_id: str = "1") -> ChannelAccount:
    """A shop row that never talks to a platform (queue and rule tests)."""
    app = ChannelApp.objects.filter(app_key="offline").first() or ChannelApp.objects.create(
        platform="shopee",
        name="Offline",
        app_key="offline",
        app_secret="secret",
        api_base_url="http://127.0.0.1:9",
    )
    return ChannelAccount.objects.create(
        app=app,
        platform="shopee",
        code=code,
        shop_id=shop_id,
        currency="VND",
        api_base_url="http://127.0.0.1:9",
        status=AccountStatus.ACTIVE,
    )


def variant_with_stock(
    warehouse: Warehouse, quantity: int, *, sku: str | None = None, price: str = "150000"
) -> Variant:
    fields = {"sku": sku} if sku else {}
    variant = VariantFactory(sale_price=Decimal(price), **fields)
    if quantity:
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=quantity)
    return variant


def listing_for(
    account: ChannelAccount, variant: Variant | None, item_id: int, model_id: int = 0, **fields
) -> Listing:
    return Listing.objects.create(
        account=account,
        item_id=str(item_id),
        model_id=str(model_id) if model_id else "",
        seller_sku=variant.sku if variant else fields.pop("seller_sku", ""),
        variant=variant,
        **fields,
    )


__all__ = [
    "SHOP_ID",
    "WarehouseFactory",
    "connect_shop",
    "listing_for",
    "offline_shop",
    "variant_with_stock",
]
