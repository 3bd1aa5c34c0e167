"""The order export of the order list's bulk action: the chosen orders with their lines, read
a chunk at a time, labels and times as staff read them (orders.services.bulk writes the file)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone

from common.db import choice_label
from orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    collected_amount,
)
from orders.selectors.order_list import order_parties, with_customer_phone

EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class ExportLine:
    number: str
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    vat_rate: Decimal
    line_total: Decimal
    currency: str


@dataclass(frozen=True)
class ExportOrder:
    number: str
    created_at: datetime  # shop-local, aware
    channel: str
    external_number: str
    status: str
    payment_status: str
    payment_method: str
    customer: str
    customer_phone: str
    recipient: str
    recipient_phone: str
    address: str
    warehouse: str
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    vat_total: Decimal
    total: Decimal
    paid_amount: Decimal
    notes: str
    lines: tuple[ExportLine, ...]


_EXPORT_FIELDS = (
    "id",
    "number",
    "created_at",
    "channel",
    "external_number",
    "status",
    "payment_status",
    "payment_method",
    "customer__name",
    "ship_phone",
    "ship_name",
    "ship_street",
    "ship_ward",
    "ship_district",
    "ship_province",
    "ship_postcode",
    "warehouse__code",
    "currency",
    "subtotal",
    "discount_total",
    "shipping_fee",
    "vat_total",
    "total",
    "paid_amount",
    "notes",
)


def order_export(*, order_ids: Sequence[int], chunk: int = EXPORT_CHUNK) -> Iterator[ExportOrder]:
    """The orders (in the order of `order_ids`) with their lines, read `chunk` orders at a time
    (two queries per chunk), times in the shop's time zone."""
    tz = timezone.get_default_timezone()
    ids = list(order_ids)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = {
            row["id"]: row
            for row in with_customer_phone(Order.objects.filter(pk__in=part))
            .values(*_EXPORT_FIELDS, "customer_phone", "ship_phone_is_customers")
            .order_by()
        }
        lines = _export_lines(part)
        for pk in part:
            row = rows.get(pk)
            if row is not None:
                yield _export_order(row, lines=tuple(lines.get(pk, ())), tz=tz)


def _export_lines(order_ids: list[int]) -> dict[int, list[ExportLine]]:
    """The lines of the orders, per order id, in line order."""
    lines: dict[int, list[ExportLine]] = defaultdict(list)
    for line in (
        OrderLine.objects.filter(order_id__in=order_ids)
        .values(
            "order_id",
            "order__number",
            "order__currency",
            "sku",
            "name",
            "quantity",
            "unit_price",
            "discount",
            "vat_rate",
            "line_total",
        )
        .order_by("order_id", "id")
    ):
        lines[line["order_id"]].append(
            ExportLine(
                number=line["order__number"],
                sku=line["sku"],
                name=line["name"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                discount=line["discount"],
                vat_rate=line["vat_rate"],
                line_total=line["line_total"],
                currency=line["order__currency"],
            )
        )
    return lines


def _export_order(row: dict[str, Any], *, lines: tuple[ExportLine, ...], tz: tzinfo) -> ExportOrder:
    """An order row (values of _EXPORT_FIELDS and the customer's phone) as exported."""
    address_parts = ("ship_street", "ship_ward", "ship_district", "ship_province", "ship_postcode")
    parties = order_parties(
        customer_name=row["customer__name"],
        customer_phone=row["customer_phone"],
        ship_name=row["ship_name"],
        ship_phone=row["ship_phone"],
        ship_phone_is_customers=row["ship_phone_is_customers"],
    )
    return ExportOrder(
        number=row["number"],
        created_at=row["created_at"].astimezone(tz),
        channel=choice_label(Order.Channel, row["channel"]),
        external_number=row["external_number"],
        status=choice_label(OrderStatus, row["status"]),
        payment_status=choice_label(PaymentStatus, row["payment_status"]),
        payment_method=choice_label(PaymentMethod, row["payment_method"]),
        customer=parties.customer_name,
        customer_phone=parties.customer_phone,
        recipient=parties.recipient_name,
        recipient_phone=parties.recipient_phone,
        address=", ".join(row[name] for name in address_parts if row[name]),
        warehouse=row["warehouse__code"] or "",
        currency=row["currency"],
        subtotal=row["subtotal"],
        discount_total=row["discount_total"],
        shipping_fee=row["shipping_fee"],
        vat_total=row["vat_total"],
        total=row["total"],
        # what the buyer paid: a marketplace checkout counts in full
        paid_amount=collected_amount(
            payment_method=row["payment_method"], total=row["total"], paid=row["paid_amount"]
        ),
        notes=row["notes"],
        lines=lines,
    )
