"""Reads of the order list page and its bulk actions: the filtered list and the ids a bulk
action works on (the picking list and the export rows: .picking_list, .order_export).

Built to stay fast at a million orders:
  - one query per page, no COUNT(*) (common.pagination fetches one row more than the page);
  - every filter is an equality or a range on an indexed column, and the default order
    (created_at desc, id desc) is the order of the indexes (status|channel|warehouse|
    payment_status|customer, created_at, id) read backwards, so PostgreSQL stops after a page;
  - search: one GIN-indexed match of the search keys (first letters and trigrams of the words)
    of Order.search_text, then a LIKE per word of three characters or more (see .order_search);
  - the date filter turns shop-local days into an aware half-open range on created_at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from common import markers
from common.days import day_start
from common.phones import format_phone, shop_country
from common.text import fold
from inventory.models import Warehouse
from orders.models import (
    CustomerPhone,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from orders.selectors.order_search import order_search

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


def with_customer_phone(qs: QuerySet[Order]) -> QuerySet[Order]:
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
    buyer_phone = _phone_shown(customer_phone or "", shop_country())
    if not ship_name.strip() and not ship_phone:
        return Parties(customer_name, buyer_phone, customer_name, buyer_phone, False)
    name = ship_name.strip() or customer_name
    differs = fold(name) != fold(customer_name) or bool(ship_phone and not ship_phone_is_customers)
    return Parties(
        name, _phone_shown(ship_phone, shop_country()), customer_name, buyer_phone, differs
    )


@lru_cache(maxsize=16384)
def _phone_shown(e164: str, country: str) -> str:
    """format_phone, remembered: parsing a number costs ~0.1 ms and a list page shows up to
    100 of them, mostly the same from one render to the next. Keyed by the shop's country,
    which format_phone reads."""
    return format_phone(e164)


def order_list(*, filters: OrderListFilters) -> QuerySet[Order]:
    """Orders matching `filters`, in the chosen order, with the customer name, the customer's
    phone and the warehouse code joined (one query per page)."""
    return _columns(_filtered(Order.objects.all(), filters), filters)


def order_list_page(
    *, filters: OrderListFilters, page_ids: QuerySet[Order, Any]
) -> QuerySet[Order]:
    """The rows of the list for the orders of `page_ids` (the ids of one page: a sliced query),
    in list order. The page is chosen first on the bare table, so the joins and subqueries run
    for its rows only (over the whole filtered list, PostgreSQL would hash every customer phone
    for the recipient check)."""
    return _columns(Order.objects.filter(pk__in=page_ids), filters)


def _columns(qs: QuerySet[Order], filters: OrderListFilters) -> QuerySet[Order]:
    qs = qs.select_related("customer", "warehouse").only(*_LIST_FIELDS)
    qs = with_customer_phone(qs)
    qs = qs.annotate(marker=markers.marker_expression(today=_today(filters)))
    return qs.order_by(*list_ordering(filters))


def filtered_orders(filters: OrderListFilters, *, indexed: bool = True) -> QuerySet[Order]:
    """The orders matching `filters`, bare (no joins, no order): for counts and page keys.
    `indexed=False`: the search without its index keys (see .order_search)."""
    return _filtered(Order.objects.all(), filters, indexed=indexed)


def _today(filters: OrderListFilters) -> date:
    return filters.today or timezone.localdate()


def list_ordering(filters: OrderListFilters) -> tuple[str, str]:
    """The ORDER BY of the list: the sort field, then the id (unique)."""
    if filters.sort == "next_contact" and filters.marker not in NEXT_CONTACT_MARKERS:
        return SORTS[DEFAULT_SORT]
    return SORTS.get(filters.sort, SORTS[DEFAULT_SORT])


def _filtered(
    qs: QuerySet[Order], filters: OrderListFilters, *, indexed: bool = True
) -> QuerySet[Order]:
    qs = order_search(qs, q=filters.q, indexed=indexed)
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
    qs = filtered_orders(filters)
    return list(qs.order_by(*list_ordering(filters)).values_list("pk", flat=True)[:limit])


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
