"""Factories and small helpers for the orders tests.

Customers and orders are made through the services (so the tests exercise the real rules);
CustomerFactory is for tests that only need a customer row.
"""

from __future__ import annotations

from decimal import Decimal

import factory

from inventory.models import StockLevel, StockMovement, Variant, Warehouse
from inventory.services.stock import stock_receive
from orders.models import Customer, Order
from orders.services.customers import AddressInput, CustomerInput, customer_create
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from tests.inventory.factories import VariantFactory, WarehouseFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Khách hàng {n}")


HCM_ADDRESS = AddressInput(
    recipient_name="Nguyễn Văn An",
    recipient_phone="0912 345 678",
    street="12 Lê Lợi",
    ward="Phường Bến Nghé",
    district="Quận 1",
    province="TP. Hồ Chí Minh",
    country="VN",
)

BANGKOK_ADDRESS = AddressInput(
    recipient_name="Somchai Jaidee",
    recipient_phone="081-234-5678",
    street="99/1 Sukhumvit Soi 11",
    ward="Khlong Toei Nuea",
    district="Watthana",
    province="Bangkok",
    postcode="10110",
    country="TH",
)


def make_customer(name: str = "Nguyễn Văn An", phones=("0912 345 678",), **fields) -> Customer:
    addresses = fields.pop("addresses", (HCM_ADDRESS,))
    return customer_create(
        data=CustomerInput(name=name, phones=phones, **fields), addresses=addresses
    )


def stocked_variant(
    warehouse: Warehouse, quantity: int, *, price: str = "150000", vat: str = "10", **fields
) -> Variant:
    variant = VariantFactory(sale_price=Decimal(price), vat_rate=Decimal(vat), **fields)
    if quantity:
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=quantity)
    return variant


def make_order(
    customer: Customer,
    warehouse: Warehouse | None,
    lines: list[tuple[Variant, int]],
    *,
    user_id=None,
    **fields,
) -> Order:
    fields.setdefault("channel", Order.Channel.PHONE)
    fields.setdefault("payment_method", "cod")
    return order_create(
        customer_id=customer.pk,
        warehouse_id=warehouse.pk if warehouse else None,
        lines=[LineInput(variant_id=v.pk, quantity=q) for v, q in lines],
        user_id=user_id,
        **fields,
    )


def level(variant: Variant, warehouse: Warehouse) -> tuple[int, int]:
    """(on_hand, reserved) of a variant in a warehouse; (0, 0) when it has no row."""
    row = (
        StockLevel.objects.filter(variant=variant, warehouse=warehouse)
        .values_list("on_hand", "reserved")
        .first()
    )
    return row or (0, 0)


def order_ledger(order: Order) -> list[tuple[str, str, int, int]]:
    """The order's ledger rows: (sku, kind, on_hand_delta, reserved_delta), oldest first."""
    return [
        (m.variant.sku, m.kind, m.on_hand_delta, m.reserved_delta)
        for m in StockMovement.objects.filter(source_type="order", source_id=str(order.pk))
        .select_related("variant")
        .order_by("id")
    ]


__all__ = [
    "BANGKOK_ADDRESS",
    "HCM_ADDRESS",
    "CustomerFactory",
    "VariantFactory",
    "WarehouseFactory",
    "level",
    "make_customer",
    "make_order",
    "order_ledger",
    "stocked_variant",
]
