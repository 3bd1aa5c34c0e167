"""Reads of the customer pages: the list, one customer with what the detail page shows, the
customer's orders and what a merge would move.

Each function decides its own select_related / prefetch_related so the templates never query,
and orders by a unique tiebreaker. The list and the customer's orders are paginated with
common.pagination (no COUNT).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import phonenumbers
from django.db.models import Prefetch, QuerySet

from common.phones import format_phone
from orders.models import (
    Customer,
    CustomerAddress,
    CustomerInvoiceDetails,
    CustomerPhone,
    Order,
    Tag,
)
from orders.selectors import customer_find_duplicates, search_words
from orders.validators import shop_country

SORT_NEWEST = "newest"
SORT_REVENUE = "revenue"
SORT_ORDERS = "orders"
# Sort key -> ORDER BY; each ends with the primary key, and newest / revenue have an index.
SORTS: dict[str, tuple[str, ...]] = {
    SORT_NEWEST: ("-created_at", "-id"),
    SORT_REVENUE: ("-revenue", "-id"),
    SORT_ORDERS: ("-orders_count", "-id"),
}
CUSTOMER_ORDERS_PER_PAGE = 20


def phone_display(e164: str, *, international: bool = False) -> str:
    """How staff read a stored number (common/phones.py: "0912 345 678" in the shop's country,
    else "+66 81 234 5678"), or when asked always international."""
    if not international:
        return format_phone(e164)
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == shop_country() and not international
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def _phones() -> Prefetch:
    return Prefetch("phones", queryset=CustomerPhone.objects.order_by("-is_primary", "pk"))


def _tags() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name", "pk"))


# --- List -------------------------------------------------------------------------------------


def customer_list(*, q: str = "", tag_id: int | None = None, sort: str = SORT_NEWEST) -> QuerySet:
    """Live (not merged) customers matching every word of `q` (see customer_search: name,
    company, tax code, e-mail, any part of a phone), having tag `tag_id`, sorted by `sort`.

    Three queries per page: the customers, their phones, their tags.
    """
    qs = Customer.objects.filter(merged_into__isnull=True)
    for word in search_words(q):
        qs = qs.filter(search_text__contains=word)
    if tag_id is not None:
        qs = qs.filter(tags__id=tag_id)  # one tag: the join cannot repeat a customer
    return (
        qs.only("pk", "name", "company", "orders_count", "revenue", "created_at")
        .prefetch_related(_phones(), _tags())
        .order_by(*SORTS.get(sort, SORTS[SORT_NEWEST]))
    )


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    phone: str  # the primary phone, for display ("" when none)
    more_phones: int  # how many others
    tags: list[Tag]


def customer_rows(customers: Any) -> list[CustomerRow]:
    """The list's rows from customers fetched by customer_list (no query)."""
    rows = []
    for customer in customers:
        phones = list(customer.phones.all())
        rows.append(
            CustomerRow(
                customer=customer,
                phone=phone_display(phones[0].e164) if phones else "",
                more_phones=max(len(phones) - 1, 0),
                tags=list(customer.tags.all()),
            )
        )
    return rows


def tag_choices() -> list[tuple[int, str]]:
    """Every tag as (id, name), by name: the list's tag filter. One query."""
    return list(Tag.objects.order_by("name", "pk").values_list("pk", "name"))


# --- Detail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneView:
    e164: str
    display: str
    is_primary: bool


def customer_detail(*, customer_id: int) -> Customer:
    """One customer (merged or not) with phones, tags, addresses and default invoice details;
    raises Customer.DoesNotExist. Four queries."""
    return (
        Customer.objects.select_related("merged_into", "invoice_details")
        .prefetch_related(
            _phones(),
            _tags(),
            Prefetch("addresses", queryset=CustomerAddress.objects.order_by("-is_default", "pk")),
        )
        .get(pk=customer_id)
    )


def customer_invoice_details(customer: Customer) -> CustomerInvoiceDetails | None:
    """The customer's default invoice details (read with the customer), or None."""
    try:
        return customer.invoice_details
    except CustomerInvoiceDetails.DoesNotExist:
        return None


def customer_phones(customer: Customer) -> list[PhoneView]:
    """The prefetched phones of `customer`, primary first, formatted (no query)."""
    return [
        PhoneView(e164=p.e164, display=phone_display(p.e164), is_primary=p.is_primary)
        for p in customer.phones.all()
    ]


@dataclass(frozen=True)
class AddressRow:
    address: CustomerAddress
    phone: str  # the recipient phone, for display


def address_rows(addresses: Any) -> list[AddressRow]:
    return [
        AddressRow(address=a, phone=phone_display(a.recipient_phone) if a.recipient_phone else "")
        for a in addresses
    ]


def customer_addresses(*, customer_id: int) -> list[AddressRow]:
    """The customer's addresses, default first. One query."""
    return address_rows(
        CustomerAddress.objects.filter(customer_id=customer_id).order_by("-is_default", "pk")
    )


def customer_orders(*, customer_id: int) -> QuerySet[Order]:
    """The customer's orders, newest first (index orders_order_customer_idx)."""
    return (
        Order.objects.filter(customer_id=customer_id)
        .only(
            "pk",
            "number",
            "channel",
            "status",
            "payment_status",
            "currency",
            "total",
            "created_at",
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class DuplicateRow:
    customer: Customer
    phones: list[PhoneView]
    shared: list[str]  # the numbers (display) it shares with the customer shown


def customer_duplicates(customer: Customer) -> list[DuplicateRow]:
    """Other live customers sharing a phone with `customer` (whose phones are prefetched).
    Two queries; none for a merged customer or one without phones."""
    own = {p.e164 for p in customer.phones.all()}
    if customer.merged_into_id is not None or not own:
        return []
    rows = []
    for duplicate in customer_find_duplicates(customer_id=customer.pk):
        phones = customer_phones(duplicate)
        rows.append(
            DuplicateRow(
                customer=duplicate,
                phones=phones,
                shared=[p.display for p in phones if p.e164 in own],
            )
        )
    return rows


# --- Merge preview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MergePreview:
    """What customer_merge(target, [duplicate]) would do, for the confirmation page."""

    target: Customer
    duplicate: Customer
    orders: list[Order]  # the duplicate's orders (at most ORDERS_SHOWN, newest first)
    orders_total: int  # how many orders move
    phones_moving: list[PhoneView]
    phones_dropped: list[PhoneView]  # the target already has them
    addresses: list[CustomerAddress]
    emails_added: list[str]
    tags_added: list[Tag]
    company_filled: str
    tax_code_filled: str
    notes_appended: bool
    orders_count_after: int
    revenue_after: Decimal


ORDERS_SHOWN = 10


def customer_merge_preview(*, target_id: int, duplicate_id: int) -> MergePreview:
    """Raises Customer.DoesNotExist when either is missing."""
    target = customer_detail(customer_id=target_id)
    duplicate = customer_detail(customer_id=duplicate_id)
    target_phones = {p.e164 for p in target.phones.all()}
    phones = customer_phones(duplicate)
    target_tags = {t.pk for t in target.tags.all()}
    target_emails = {e.casefold() for e in target.emails}
    orders = customer_orders(customer_id=duplicate.pk)
    # One customer's orders: a COUNT over the customer index is bounded by that customer.
    orders_total = orders.count()
    return MergePreview(
        target=target,
        duplicate=duplicate,
        orders=list(orders[:ORDERS_SHOWN]),
        orders_total=orders_total,
        phones_moving=[p for p in phones if p.e164 not in target_phones],
        phones_dropped=[p for p in phones if p.e164 in target_phones],
        addresses=list(duplicate.addresses.all()),
        emails_added=[e for e in duplicate.emails if e.casefold() not in target_emails],
        tags_added=[t for t in duplicate.tags.all() if t.pk not in target_tags],
        company_filled="" if target.company else duplicate.company,
        tax_code_filled="" if target.tax_code else duplicate.tax_code,
        notes_appended=bool(duplicate.notes),
        orders_count_after=target.orders_count + duplicate.orders_count,
        revenue_after=target.revenue + duplicate.revenue,
    )
