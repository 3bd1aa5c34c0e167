"""The eval's catalogue and orders: Vietnamese, Thai and English products with options and
stock received through the ledger, and two orders whose status customers ask about. Also
used by the tests of the LLM engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from inventory.models import Product, Variant, Warehouse
from inventory.services.catalogue.variants import search_text_for
from inventory.services.stock import stock_receive
from orders.models import Order
from orders.services.customers import AddressInput, CustomerInput, customer_create
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput

# (product, sku, option1, option2, price, units)
PRODUCTS: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("Áo thun Basic", "AT-DO-M", "Đỏ", "M", "150000", 5),
    ("Áo thun Basic", "AT-DO-L", "Đỏ", "L", "150000", 0),
    ("Áo thun Basic", "AT-TRANG-M", "Trắng", "M", "160000", 3),
    ("Quần jean Slim", "QJ-32", "", "", "450000", 2),
    ("เสื้อยืดคอกลม", "TH-TEE-01", "", "", "199000", 4),
    ("Canvas Tote Bag", "BAG-01", "", "", "120000", 10),
)
ORDER_PHONE = "0912345678"
OTHER_PHONE = "0987654321"


@dataclass(frozen=True)
class Seeded:
    warehouse: Warehouse
    variants: dict[str, Variant]
    orders: dict[str, Order]  # "mine" (ORDER_PHONE), "other" (OTHER_PHONE)


def _variant(product: Product, sku: str, option1: str, option2: str, price: str) -> Variant:
    variant = Variant(
        product=product,
        sku=sku,
        option1=option1,
        option2=option2,
        sale_price=Decimal(price),
        cost_price=Decimal(price) / 2,
        vat_rate=Decimal("10"),
    )
    variant.search_text = search_text_for(variant, product)
    variant.save()
    return variant


def _order(variant: Variant, phone: str, name: str, warehouse: Warehouse, now: datetime) -> Order:
    address = AddressInput(
        recipient_name=name,
        recipient_phone=phone,
        street="12 Lê Lợi",
        ward="Phường Bến Nghé",
        district="Quận 1",
        province="Hồ Chí Minh",
    )
    customer = customer_create(
        data=CustomerInput(name=name, phones=[phone]), addresses=[address], now=now
    )
    return order_create(
        customer_id=customer.pk,
        lines=[LineInput(variant_id=variant.pk, quantity=1)],
        channel=Order.Channel.PHONE,
        payment_method="cod",
        user_id=None,
        warehouse_id=warehouse.pk,
        shipping=address,
        now=now,
    )


def seed(*, now: datetime) -> Seeded:
    warehouse = Warehouse.objects.create(code="EVAL", name="Kho eval", kind=Warehouse.Kind.MAIN)
    products: dict[str, Product] = {}
    variants: dict[str, Variant] = {}
    for name, sku, option1, option2, price, units in PRODUCTS:
        product = products.get(name) or Product.objects.create(name=name)
        products[name] = product
        variants[sku] = _variant(product, sku, option1, option2, price)
        if units:
            stock_receive(variant_id=variants[sku].pk, warehouse_id=warehouse.pk, quantity=units)
    orders = {
        "mine": _order(variants["QJ-32"], ORDER_PHONE, "Nguyễn Văn An", warehouse, now),
        "other": _order(variants["BAG-01"], OTHER_PHONE, "Trần Thị Bình", warehouse, now),
    }
    return Seeded(warehouse, variants, orders)
