"""Reads of the order list page and its bulk actions: the filtered list, the ids a bulk action
works on, the picking list and the export rows.

Built to stay fast at a million orders:
  - one query per page, no COUNT(*) (common.pagination fetches one row more than the page);
  - every filter is an equality or a range on an indexed column, and the default order
    (created_at desc, id desc) is the order of the indexes (status|channel|warehouse|
    payment_status|customer, created_at, id) read backwards, so PostgreSQL stops after a page;
  - search is one trigram-indexed LIKE per word on Order.search_text (see search_words);
  - the date filter turns shop-local days into an aware half-open range on created_at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from common import markers
from common.days import day_start
from common.phones import format_phone
from common.text import fold
from inventory.models import Warehouse
from orders import transitions as t
from orders.models import (
    CustomerPhone,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    collected_amount,
)
from orders.selectors import search_words
from orders.selectors.lines import lines_by_order

PER_PAGE = 50
DEFAULT_SORT = "-created"
# sort parameter -> ORDER BY, always ending with the unique id.
SORTS: dict[str, tuple[str, str]] = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-total": ("-total", "-id"),
    "total": ("total", "id"),
    # Only with the due or scheduled marker (index (followup_state, next_contact_at, id)).
    "next_contact": ("next_contact_at", "id"),
}
NEXT_CONTACT_MARKERS = frozenset({markers.DUE, markers.SCHEDULED})
# Orders a picking list is made for: not shipped yet, not cancelled.
PICKABLE_STATUSES = frozenset({t.NEW, t.PROCESSING})
EXPORT_CHUNK = 1000

_LIST_FIELDS = (
    "id",
    "number",
    "channel",
    "external_number",
    "customer",
    "customer__name",
    "ship_name",
    "ship_phone",
    "status",
    "payment_status",
    "payment_method",
    "warehouse",
    "warehouse__code",
    "currency",
    "total",
    "created_at",
    "followup_state",
    "next_contact_at",
)


@dataclass(frozen=True)
class OrderListFilters:
    """What the list is filtered and sorted by (the GET parameters, cleaned)."""

    q: str = ""
    status: str = ""
    channel: str = ""
    payment_status: str = ""
    payment_method: str = ""
    warehouse_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = DEFAULT_SORT
    marker: str = ""  # common.markers code, "" for all
    today: date | None = None  # the shop-local day the markers are computed for


def _with_customer_phone(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Annotates `customer_phone` (the customer's primary phone, else the first one, E.164) and
    `ship_phone_is_customers` (the recipient phone is one of the customer's phones): two
    subqueries on the (customer, e164) index, evaluated for the rows returned only."""
    phones = CustomerPhone.objects.filter(customer=OuterRef("customer"))
    return qs.annotate(
        customer_phone=Subquery(phones.order_by("-is_primary", "id").values("e164")[:1]),
        ship_phone_is_customers=Exists(phones.filter(e164=OuterRef("ship_phone"))),
    )


@dataclass(frozen=True)
class Parties:
    """Who an order goes to and who bought it, each name with that same person's phone (as
    dialled). `buyer_differs`: the customer is not the recipient (another name, or a recipient
    phone that is not one of the customer's), so the list shows the buyer too."""

    recipient_name: str
    recipient_phone: str
    customer_name: str
    customer_phone: str
    buyer_differs: bool


def order_parties(
    *,
    customer_name: str,
    customer_phone: str | None,
    ship_name: str,
    ship_phone: str,
    ship_phone_is_customers: bool,
) -> Parties:
    """The recipient and the buyer of an order (phones in E.164 in, as dialled out). An order
    without a recipient (no ship name nor phone) goes to its customer."""
    buyer_phone = format_phone(customer_phone or "")
    if not ship_name.strip() and not ship_phone:
        return Parties(customer_name, buyer_phone, customer_name, buyer_phone, False)
    name = ship_name.strip() or customer_name
    differs = fold(name) != fold(customer_name) or bool(ship_phone and not ship_phone_is_customers)
    return Parties(name, format_phone(ship_phone), customer_name, buyer_phone, differs)


def order_list(*, filters: OrderListFilters) -> QuerySet[Order]:
    """Orders matching `filters`, in the chosen order, with the customer name, the customer's
    phone and the warehouse code joined (one query per page)."""
    qs = Order.objects.select_related("customer", "warehouse").only(*_LIST_FIELDS)
    qs = _with_customer_phone(qs)
    qs = qs.annotate(marker=markers.marker_expression(today=_today(filters)))
    return _filtered(qs, filters).order_by(*_ordering(filters))


def _today(filters: OrderListFilters) -> date:
    return filters.today or timezone.localdate()


def _ordering(filters: OrderListFilters) -> tuple[str, str]:
    if filters.sort == "next_contact" and filters.marker not in NEXT_CONTACT_MARKERS:
        return SORTS[DEFAULT_SORT]
    return SORTS.get(filters.sort, SORTS[DEFAULT_SORT])


def _filtered(qs: QuerySet[Order], filters: OrderListFilters) -> QuerySet[Order]:
    for word in search_words(filters.q):
        qs = qs.filter(search_text__contains=word)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.payment_status:
        qs = qs.filter(payment_status=filters.payment_status)
    if filters.payment_method:
        qs = qs.filter(payment_method=filters.payment_method)
    if filters.warehouse_id is not None:
        qs = qs.filter(warehouse_id=filters.warehouse_id)
    if filters.date_from is not None:
        qs = qs.filter(created_at__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        qs = qs.filter(created_at__lt=day_start(filters.date_to + timedelta(days=1)))
    if filters.marker in markers.MARKERS:
        qs = qs.filter(markers.marker_q(filters.marker, today=_today(filters)))
    return qs


def order_ids_matching(*, filters: OrderListFilters, limit: int) -> list[int]:
    """Ids of at most `limit` orders matching `filters`, in the list's order."""
    qs = _filtered(Order.objects.all(), filters)
    return list(qs.order_by(*_ordering(filters)).values_list("pk", flat=True)[:limit])


def list_rows(orders: Iterable[Order]) -> list[Order]:
    """The page's orders, each with what the table shows besides its fields: `parties` (the
    recipient's name and phone, and the buyer's when another person) and the labels of its
    channel, status, payment status and payment method (translated once per page, not once
    per row)."""
    labels = {
        "channel": {k: str(v) for k, v in Order.Channel.choices},
        "status": {k: str(v) for k, v in OrderStatus.choices},
        "payment_status": {k: str(v) for k, v in PaymentStatus.choices},
        "payment_method": {k: str(v) for k, v in PaymentMethod.choices},
    }
    rows = list(orders)
    icons: dict[str, str] = {}
    for order in rows:
        code = getattr(order, "marker", "")
        if code not in icons:
            icons[code] = render_to_string("common/followup_marker.html", {"marker": code})
        # Our own SVG, no user data: rendered once per marker, not once per row.
        order.marker_html = mark_safe(icons[code])  # type: ignore[attr-defined]  # noqa: S308
        order.parties = order_parties(  # type: ignore[attr-defined]
            customer_name=order.customer.name,
            customer_phone=getattr(order, "customer_phone", None),
            ship_name=order.ship_name,
            ship_phone=order.ship_phone,
            ship_phone_is_customers=getattr(order, "ship_phone_is_customers", False),
        )
        for field_name, names in labels.items():
            value = getattr(order, field_name)
            setattr(order, f"{field_name}_label", names.get(value, value))
    return rows


def warehouse_choices() -> list[tuple[int, str]]:
    """(id, "CODE · name") of every warehouse, active ones first, for the filter and the bulk
    assign select."""
    return [
        (pk, f"{code} · {name}")
        for pk, code, name in Warehouse.objects.order_by("-is_active", "code", "id").values_list(
            "pk", "code", "name"
        )
    ]


def active_warehouse_choices() -> list[tuple[int, str]]:
    return [
        (pk, f"{code} · {name}")
        for pk, code, name in Warehouse.objects.filter(is_active=True)
        .order_by("code", "id")
        .values_list("pk", "code", "name")
    ]


# --- Picking list -----------------------------------------------------------------------------


@dataclass
class PickingSku:
    sku: str
    product: str
    options: list[str]
    barcode: str
    quantity: int


@dataclass
class PickingLine:
    sku: str
    name: str
    quantity: int


@dataclass
class PickingOrder:
    number: str
    created_at: datetime
    status: str
    status_label: str
    recipient: str
    phone: str
    channel_label: str
    external_number: str
    lines: list[PickingLine] = field(default_factory=list)


@dataclass
class PickingGroup:
    """One warehouse (None: orders without a warehouse yet)."""

    code: str | None
    name: str
    skus: list[PickingSku] = field(default_factory=list)
    orders: list[PickingOrder] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(s.quantity for s in self.skus)


@dataclass(frozen=True)
class SkippedOrder:
    number: str
    status_label: str


@dataclass
class PickingList:
    groups: list[PickingGroup]
    skipped: list[SkippedOrder]

    @property
    def order_count(self) -> int:
        return sum(len(g.orders) for g in self.groups)


def picking_list(*, order_ids: Sequence[int]) -> PickingList:
    """What to pick for the given orders, per warehouse (by code; orders without a warehouse
    last): per SKU the total units with product, options and barcode, then each order (oldest
    first) with its lines. Orders already shipped, completed, cancelled or returned are left out
    and listed in `skipped`. Two queries."""
    orders = list(
        Order.objects.filter(pk__in=list(order_ids))
        .select_related("warehouse")
        .only(
            "id",
            "number",
            "status",
            "channel",
            "external_number",
            "ship_name",
            "ship_phone",
            "created_at",
            "warehouse",
            "warehouse__code",
            "warehouse__name",
        )
        .order_by("created_at", "id")
    )
    skipped = [
        SkippedOrder(number=o.number, status_label=o.get_status_display())
        for o in orders
        if o.status not in PICKABLE_STATUSES
    ]
    orders = [o for o in orders if o.status in PICKABLE_STATUSES]
    order_lines = lines_by_order(
        order_ids=[o.pk for o in orders],
        related="variant__product",
        fields=("variant__barcode", "variant__product__id", "variant__product__name"),
    )

    groups: dict[int | None, PickingGroup] = {}
    skus: dict[int | None, dict[str, PickingSku]] = defaultdict(dict)
    for order in orders:
        key = order.warehouse_id
        if key not in groups:
            warehouse = order.warehouse
            groups[key] = PickingGroup(
                code=warehouse.code if warehouse else None,
                name=warehouse.name if warehouse else "",
            )
        picking_order = PickingOrder(
            number=order.number,
            created_at=order.created_at,
            status=order.status,
            status_label=order.get_status_display(),
            recipient=order.ship_name,
            phone=format_phone(order.ship_phone),
            channel_label=order.get_channel_display(),
            external_number=order.external_number,
        )
        for line in order_lines.get(order.pk, []):
            picking_order.lines.append(
                PickingLine(sku=line.sku, name=line.name, quantity=line.quantity)
            )
            total = skus[key].get(line.sku)
            if total is None:
                variant = line.variant
                skus[key][line.sku] = PickingSku(
                    sku=line.sku,
                    product=variant.product.name,
                    options=variant.option_values,
                    barcode=variant.barcode,
                    quantity=line.quantity,
                )
            else:
                total.quantity += line.quantity
        groups[key].orders.append(picking_order)
    for key, group in groups.items():
        group.skus = sorted(skus[key].values(), key=lambda s: s.sku)
    ordered = sorted(groups.values(), key=lambda g: (g.code is None, g.code or ""))
    return PickingList(groups=ordered, skipped=skipped)


# --- Export -----------------------------------------------------------------------------------


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


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def order_export(*, order_ids: Sequence[int], chunk: int = EXPORT_CHUNK) -> Iterator[ExportOrder]:
    """The orders (in the order of `order_ids`) with their lines, read `chunk` orders at a time
    (two queries per chunk), times in the shop's time zone."""
    tz = timezone.get_default_timezone()
    ids = list(order_ids)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = {
            row["id"]: row
            for row in _with_customer_phone(Order.objects.filter(pk__in=part))
            .values(*_EXPORT_FIELDS, "customer_phone", "ship_phone_is_customers")
            .order_by()
        }
        lines: dict[int, list[ExportLine]] = defaultdict(list)
        for line in (
            OrderLine.objects.filter(order_id__in=part)
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
        for pk in part:
            row = rows.get(pk)
            if row is None:
                continue
            address = ", ".join(
                p
                for p in (
                    row["ship_street"],
                    row["ship_ward"],
                    row["ship_district"],
                    row["ship_province"],
                    row["ship_postcode"],
                )
                if p
            )
            parties = order_parties(
                customer_name=row["customer__name"],
                customer_phone=row["customer_phone"],
                ship_name=row["ship_name"],
                ship_phone=row["ship_phone"],
                ship_phone_is_customers=row["ship_phone_is_customers"],
            )
            yield ExportOrder(
                number=row["number"],
                created_at=row["created_at"].astimezone(tz),
                channel=_choice_label(Order.Channel, row["channel"]),
                external_number=row["external_number"],
                status=_choice_label(OrderStatus, row["status"]),
                payment_status=_choice_label(PaymentStatus, row["payment_status"]),
                payment_method=_choice_label(PaymentMethod, row["payment_method"]),
                customer=parties.customer_name,
                customer_phone=parties.customer_phone,
                recipient=parties.recipient_name,
                recipient_phone=parties.recipient_phone,
                address=address,
                warehouse=row["warehouse__code"] or "",
                currency=row["currency"],
                subtotal=row["subtotal"],
                discount_total=row["discount_total"],
                shipping_fee=row["shipping_fee"],
                vat_total=row["vat_total"],
                total=row["total"],
                # what the buyer paid: a marketplace checkout counts in full
                paid_amount=collected_amount(
                    payment_method=row["payment_method"],
                    total=row["total"],
                    paid=row["paid_amount"],
                ),
                notes=row["notes"],
                lines=tuple(lines.get(pk, ())),
            )
