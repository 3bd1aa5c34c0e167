"""Reads of the manual order form (orders/views/order_form*.py): customers found by a phone
fragment or a name, products with the stock available to sell, the order being edited.

Every function decides its own select_related / prefetch_related, so the templates never
query. Query counts are fixed: a customer search is 3 queries (customers, phones, addresses),
a product search 2 (exact SKU / barcode, then text), whatever they find.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Upper

from common.phones import format_phone
from common.text import fold
from inventory.models import StockLevel, Variant, Warehouse, available_units
from inventory.selectors.purchasing import default_warehouse, warehouse_choices
from orders import transitions as t
from orders.models import (
    Customer,
    CustomerAddress,
    CustomerPhone,
    Order,
    OrderInvoiceRequest,
    OrderLine,
)
from orders.selectors import search_words

# Shorter words have no trigram: the index cannot help and every row would be read.
MIN_SEARCH_LENGTH = 3
CUSTOMER_LIMIT = 8
VARIANT_LIMIT = 8


# --- Customers --------------------------------------------------------------------------------


def _customers() -> QuerySet[Customer]:
    return (
        Customer.objects.filter(merged_into__isnull=True)
        .annotate(order_count=F("orders_count"))  # the one definition: Customer
        .prefetch_related(
            Prefetch(
                "phones",
                queryset=CustomerPhone.objects.order_by("-is_primary", "pk"),
                to_attr="phone_list",
            ),
            Prefetch(
                "addresses",
                queryset=CustomerAddress.objects.order_by("-is_default", "pk"),
                to_attr="address_list",
            ),
        )
    )


def _decorate(customer: Customer) -> Customer:
    """Adds phones_local (the numbers as shown everywhere, primary first), default_address, and
    each address's phone_local."""
    phones = getattr(customer, "phone_list", [])
    addresses = getattr(customer, "address_list", [])
    customer.phones_local = [format_phone(p.e164) for p in phones]  # type: ignore[attr-defined]
    customer.default_address = next((a for a in addresses if a.is_default), None)  # type: ignore[attr-defined]
    for address in addresses:
        address.phone_local = format_phone(address.recipient_phone)
    return customer


def customer_candidates(*, q: str, limit: int = CUSTOMER_LIMIT) -> list[Customer]:
    """Live customers matching a phone fragment or words of a name (see customer_search),
    newest first, each with order_count (their orders_count: not cancelled), phone_list,
    phones_local, address_list (default first) and default_address. Nothing for fragments too
    short for the trigram index."""
    words = search_words(q)
    if not words or max(len(w) for w in words) < MIN_SEARCH_LENGTH:
        return []
    qs = _customers()
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return [_decorate(c) for c in qs.order_by("-created_at", "-id")[:limit]]


def customer_for_form(*, customer_id: int | None) -> Customer | None:
    """One live customer, shaped like customer_candidates' results; None if not found."""
    if not customer_id:
        return None
    customer = _customers().filter(pk=customer_id).first()
    return _decorate(customer) if customer is not None else None


def customer_address(*, customer_id: int, address_id: int) -> CustomerAddress | None:
    return CustomerAddress.objects.filter(customer_id=customer_id, pk=address_id).first()


# --- Products ---------------------------------------------------------------------------------


def _with_availability(qs: QuerySet[Variant], warehouse_id: int | None) -> QuerySet[Variant]:
    """Adds available_total (all warehouses) and available_here (the chosen warehouse):
    on hand minus reserved, as correlated subqueries on the (variant, warehouse) index."""
    total = (
        StockLevel.objects.filter(variant_id=OuterRef("pk"))
        .order_by()
        .values("variant_id")
        .annotate(units=Sum(available_units()))
        .values("units")
    )
    here: Coalesce | Value
    if warehouse_id:
        here = Coalesce(
            Subquery(
                StockLevel.objects.filter(
                    variant_id=OuterRef("pk"), warehouse_id=warehouse_id
                ).values(units=available_units())[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
    else:
        here = Value(0, output_field=IntegerField())
    return qs.select_related("product").annotate(
        available_total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        available_here=here,
    )


def variant_search(
    *,
    q: str,
    warehouse_id: int | None,
    held: dict[int, int] | None = None,
    limit: int = VARIANT_LIMIT,
) -> list[Variant]:
    """Active variants for the product search of the order form: an exact SKU or barcode match
    first (scanners), then variants whose search text contains `q`, by SKU. Two queries
    whatever they find (none for a blank `q`).

    Each result has available_here (in `warehouse_id`) and available_total; `held` adds back
    units the edited order itself holds reserved in that warehouse (see order_held)."""
    needle = q.strip()
    if not needle:
        return []
    base = _with_availability(
        Variant.objects.filter(is_active=True, product__is_active=True), warehouse_id
    )
    exact = list(
        base.annotate(sku_upper=Upper("sku"))
        .filter(Q(sku_upper=needle.upper()) | Q(barcode=needle))
        .order_by("sku", "pk")[:limit]
    )
    folded = fold(needle)
    more = list(
        base.filter(search_text__contains=folded)
        .exclude(pk__in=[v.pk for v in exact])
        .order_by("sku", "pk")[: max(limit - len(exact), 0)]
    )
    return _add_held([*exact, *more], held)


def pickable_variant(*, variant_id: int | None) -> Variant | None:
    """An active variant of an active product, with its sale price: a line the page may add."""
    if variant_id is None:
        return None
    return (
        Variant.objects.filter(pk=variant_id, is_active=True, product__is_active=True)
        .only("pk", "sale_price")
        .first()
    )


def variant_infos(
    *, ids: Iterable[int], warehouse_id: int | None, held: dict[int, int] | None = None
) -> dict[int, Variant]:
    """The variants of the form's lines (active or not) with their availability, by id.
    One query."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    found = _with_availability(Variant.objects.filter(pk__in=wanted), warehouse_id)
    return {v.pk: v for v in _add_held(list(found.order_by("pk")), held)}


def _add_held(variants: list[Variant], held: dict[int, int] | None) -> list[Variant]:
    for variant in variants:
        extra = (held or {}).get(variant.pk, 0)
        variant.available_here += extra  # type: ignore[attr-defined]
        variant.available_total += extra  # type: ignore[attr-defined]
    return variants


# --- Warehouses -------------------------------------------------------------------------------


def form_warehouses(*, include_id: int | None = None) -> QuerySet[Warehouse]:
    """Active warehouses (and the edited order's, even if inactive now), by code."""
    return warehouse_choices(include_id=include_id)


def form_default_warehouse_id(*, last_used_id: int | None) -> int | None:
    """The user's last used warehouse while it is active, else the first active main one."""
    if last_used_id and Warehouse.objects.filter(pk=last_used_id, is_active=True).exists():
        return last_used_id
    warehouse = default_warehouse()
    return warehouse.pk if warehouse is not None else None


def warehouse_code(*, warehouse_id: int | None) -> str:
    if not warehouse_id:
        return ""
    return Warehouse.objects.filter(pk=warehouse_id).values_list("code", flat=True).first() or ""


# --- The order being edited -------------------------------------------------------------------


@dataclass(frozen=True)
class EditedOrder:
    """The order on the edit page, with its lines (by id) and what it holds reserved."""

    order: Order
    lines: dict[int, OrderLine]

    @property
    def held(self) -> dict[int, int]:
        """Units per variant the order holds reserved in its own warehouse (processing)."""
        units: dict[int, int] = defaultdict(int)
        for line in self.lines.values():
            units[line.variant_id] += line.quantity_reserved
        return {v: q for v, q in units.items() if q}

    def held_in(self, warehouse_id: int | None) -> dict[int, int]:
        """What to add back to availability in `warehouse_id`: the order's own reservation,
        when it is processing and the warehouse is its warehouse."""
        if self.order.status not in t.RESERVED_STATUSES or warehouse_id != self.order.warehouse_id:
            return {}
        return self.held


def order_for_form(*, order_id: int) -> EditedOrder | None:
    order = Order.objects.select_related("customer", "warehouse").filter(pk=order_id).first()
    if order is None:
        return None
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order).order_by("pk")}
    return EditedOrder(order=order, lines=lines)


def invoice_request_for_form(*, order_id: int) -> OrderInvoiceRequest | None:
    """The e-invoice the order asked for (the edit page's E-invoice section), or None."""
    return OrderInvoiceRequest.objects.filter(order_id=order_id).first()
