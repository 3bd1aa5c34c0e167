"""Delivery notes (order slips): one printed page per order, packed with the goods.

Each note carries what the packer and the recipient need: the order number and date, the
recipient's name, phone and address, the lines (SKU, name, options, quantity, unit price, line
amount), the totals, the cash-on-delivery amount the carrier collects, and the order's notes.
The shop's own details come from inventory.selectors.shop (the views add them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from common.phones import format_phone
from orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from orders.selectors.lines import lines_by_order


@dataclass(frozen=True)
class NoteLine:
    sku: str
    name: str
    options: list[str]
    quantity: int
    unit_price: Decimal
    discount: Decimal
    line_total: Decimal


@dataclass
class DeliveryNote:
    number: str
    created_at: datetime
    currency: str
    customer: str
    recipient: str
    phone: str
    address_lines: list[str]
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    total: Decimal
    payment_method_label: str
    is_cod: bool
    cod_to_collect: Decimal  # what the carrier collects (0 when the order is not COD)
    notes: str
    lines: list[NoteLine] = field(default_factory=list)


@dataclass(frozen=True)
class DeliveryNotes:
    notes: list[DeliveryNote]
    skipped: list[str]  # numbers of the cancelled orders left out


def _address_lines(order: Order) -> list[str]:
    area = ", ".join(p for p in (order.ship_ward, order.ship_district) if p)
    region = " ".join(p for p in (order.ship_province, order.ship_postcode) if p)
    if region and order.ship_country:
        region = f"{region}, {order.get_ship_country_display()}"
    return [p for p in (order.ship_street, area, region) if p]


def _options_not_in_name(line: OrderLine) -> list[str]:
    """The variant's options, unless the line's name already spells them ("Áo (Đỏ / XL)")."""
    options = line.variant.option_values
    return [] if all(option in line.name for option in options) else options


def delivery_notes(*, order_ids: Sequence[int]) -> DeliveryNotes:
    """The notes of the given orders, oldest first; cancelled orders are left out (listed in
    `skipped`). COD to collect = total - paid + refunded, never below 0, for COD orders.
    Two queries."""
    orders = list(
        Order.objects.filter(pk__in=list(order_ids))
        .select_related("customer")
        .order_by("created_at", "id")
    )
    skipped = [o.number for o in orders if o.status == OrderStatus.CANCELLED]
    orders = [o for o in orders if o.status != OrderStatus.CANCELLED]
    lines = lines_by_order(
        order_ids=[o.pk for o in orders],
        related="variant",
        fields=("unit_price", "discount", "line_total"),
    )
    notes = []
    for order in orders:
        is_cod = order.payment_method == PaymentMethod.COD
        note = DeliveryNote(
            number=order.number,
            created_at=order.created_at,
            currency=order.currency,
            customer=order.customer.name,
            recipient=order.ship_name or order.customer.name,
            phone=format_phone(order.ship_phone),
            address_lines=_address_lines(order),
            subtotal=order.subtotal,
            discount_total=order.discount_total,
            shipping_fee=order.shipping_fee,
            total=order.total,
            payment_method_label=order.get_payment_method_display(),
            is_cod=is_cod,
            cod_to_collect=max(order.balance_due, Decimal(0)) if is_cod else Decimal(0),
            notes=order.notes,
        )
        note.lines = [
            NoteLine(
                sku=line.sku,
                name=line.name,
                options=_options_not_in_name(line),
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                line_total=line.line_total,
            )
            for line in lines.get(order.pk, [])
        ]
        notes.append(note)
    return DeliveryNotes(notes=notes, skipped=skipped)
