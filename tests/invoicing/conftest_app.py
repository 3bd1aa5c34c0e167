"""Fixtures for the invoicing app's tests: provider accounts on the two sandboxes and an order
whose invoice figures are worked by hand (test_compute.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from inventory.models import ShopProfile, Variant
from invoicing.models import Provider, ProviderAccount
from invoicing.sandbox.misa import APP_ID as MISA_APP_ID
from invoicing.sandbox.misa import PASSWORD as MISA_PASSWORD
from invoicing.sandbox.misa import TAX_CODE as MISA_TAX_CODE
from invoicing.sandbox.misa import USERNAME as MISA_USERNAME
from invoicing.sandbox.misa import MisaSandbox
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME, SInvoiceSandbox
from orders.models import Order
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import order_confirm, order_ship
from tests.inventory.factories import VariantFactory, WarehouseFactory
from tests.orders.factories import make_customer

__all__ = ["HandOrder", "hand_order", "misa_account", "shop_profile", "sinvoice_account"]

D = Decimal


@pytest.fixture
def shop_profile(db) -> ShopProfile:
    return ShopProfile.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Công ty TNHH Cửa hàng Demo",
            "address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
            "phone": "024 3825 7670",
            "email": "ketoan@demo.vn",
        },
    )[0]


@pytest.fixture
def sinvoice_account(
    encryption_keys, shop_profile, sinvoice_sandbox: SInvoiceSandbox, sinvoice_series: str, settings
) -> ProviderAccount:
    settings.EINVOICE_TIMEOUT = (2.0, 5.0)
    return ProviderAccount.objects.create(
        provider=Provider.SINVOICE,
        name="S-Invoice demo",
        base_url=sinvoice_sandbox.api_base,
        username=USERNAME,
        password=PASSWORD,
        seller_tax_code=TAX_CODE,
        template="1/001",
        series=sinvoice_series,
        default_kind="1",
    )


@pytest.fixture
def misa_account(
    encryption_keys, shop_profile, misa_sandbox: MisaSandbox, settings
) -> ProviderAccount:
    settings.EINVOICE_TIMEOUT = (2.0, 5.0)
    template = misa_sandbox.templates[0]
    return ProviderAccount.objects.create(
        provider=Provider.MISA,
        name="MISA demo",
        base_url=misa_sandbox.api_base,
        app_id=MISA_APP_ID,
        username=MISA_USERNAME,
        password=MISA_PASSWORD,
        seller_tax_code=MISA_TAX_CODE,
        template=template.template_id,
        series=template.symbol[1:],
        default_kind="1",
    )


@dataclass
class HandOrder:
    order: Order
    shirt: Variant
    rice: Variant
    milk: Variant


@pytest.fixture
def hand_order(db) -> HandOrder:
    """Shipped: 2 x 165,000 at 10 %; 3 x 105,000 at 5 % less 15,000 on the line;
    4 x 27,000 at 8 %; order discount 73,800; shipping 22,000 (prices include VAT)."""
    from inventory.services.stock import stock_receive
    from orders.services.orders.create import order_create

    warehouse = WarehouseFactory()
    variants = []
    for name, price, vat in (
        ("Áo thun cotton", "165000", "10"),
        ("Gạo ST25 túi 5 kg", "105000", "5"),
        ("Sữa chua hộp", "27000", "8"),
    ):
        variant = VariantFactory(product__name=name, sale_price=D(price), vat_rate=D(vat))
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=20)
        variants.append(variant)
    customer = make_customer(
        "Nguyễn Văn An",
        company="Công ty TNHH Minh An",
        tax_code="0100233488",
        emails=["an@minhan.vn"],
    )
    shirt, rice, milk = variants
    order = order_create(
        customer_id=customer.pk,
        warehouse_id=warehouse.pk,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=2),
            LineInput(variant_id=rice.pk, quantity=3, discount=D(15000)),
            LineInput(variant_id=milk.pk, quantity=4),
        ],
        channel=Order.Channel.PHONE,
        payment_method="bank_transfer",
        user_id=None,
        discount_total=D(73800),
        shipping_fee=D(22000),
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order.refresh_from_db()
    return HandOrder(order=order, shirt=shirt, rice=rice, milk=milk)
