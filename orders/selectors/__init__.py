"""Reads of the orders app: customer lookup, duplicates, and the demand of open orders."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from common.text import fold
from inventory.models import StockLevel, available_units
from orders import transitions as t
from orders.errors import InvalidPhoneNumber
from orders.models import Customer, CustomerPhone, OrderLine
from orders.validators import phone_normalize, phone_search_digits


def customer_search(*, q: str, limit: int = 20) -> QuerySet[Customer]:
    """Live customers whose name, company, tax code, e-mail or any part of a phone number
    contain every word of `q`; newest first. Each word is one trigram-indexed LIKE on
    PostgreSQL. A query without letters is one phone fragment ("+84 912-34" -> "8491234")."""
    qs = Customer.objects.filter(merged_into__isnull=True)
    for word in search_words(q):
        qs = qs.filter(search_text__contains=word)
    return qs.prefetch_related("phones").order_by("-created_at", "-id")[:limit]


def search_words(q: str) -> list[str]:
    """The substrings a customer or order search requires (see customer_search)."""
    if not any(ch.isalpha() for ch in q):
        digits = phone_search_digits(q)
        return [digits] if digits else []
    words = []
    for word in fold(q).split():
        if not any(ch.isalpha() for ch in word):
            word = phone_search_digits(word)
        if word:
            words.append(word)
    return words


def customer_find_duplicates(*, customer_id: int) -> list[Customer]:
    """Other live customers sharing one of this customer's phone numbers (oldest first)."""
    phones = CustomerPhone.objects.filter(customer_id=customer_id).values("e164")
    ids = (
        CustomerPhone.objects.filter(e164__in=phones)
        .exclude(customer_id=customer_id)
        .values("customer_id")
    )
    return list(
        Customer.objects.filter(pk__in=ids, merged_into__isnull=True)
        .prefetch_related("phones")
        .order_by("created_at", "id")
    )


def customers_with_phone(*, phone: str, region: str | None = None) -> list[Customer]:
    """Live customers having this phone number (any format the validators accept)."""
    try:
        e164 = phone_normalize(phone, region=region).e164
    except InvalidPhoneNumber:
        return []
    return list(
        Customer.objects.filter(phones__e164=e164, merged_into__isnull=True)
        .distinct()
        .order_by("created_at", "id")
    )


def open_orders_shortage() -> dict[int, int]:
    """Units short for open orders: for the lines of orders still `new` (nothing reserved yet),
    per variant, units ordered minus units available (on hand - reserved, all warehouses),
    where positive. Registered as a demand provider for the reorder suggestions. Two queries."""
    ordered = dict(
        OrderLine.objects.filter(order__status=t.NEW)
        .values("variant_id")
        .annotate(units=Sum("quantity"))
        .values_list("variant_id", "units")
    )
    if not ordered:
        return {}
    available = dict(
        StockLevel.objects.filter(variant_id__in=list(ordered))
        .values("variant_id")
        .annotate(units=Sum(available_units()))
        .values_list("variant_id", "units")
    )
    short = {v: int(units) - int(available.get(v) or 0) for v, units in ordered.items()}
    return {v: units for v, units in short.items() if units > 0}
