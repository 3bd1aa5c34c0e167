from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from common.text import fold
from inventory.models import StockLevel, StockMovement, Variant, available_units
from inventory.selectors.catalogue import category_descendant_ids


@dataclass(frozen=True)
class LedgerMismatch:
    variant_id: int
    warehouse_id: int
    on_hand: int
    on_hand_from_ledger: int
    reserved: int
    reserved_from_ledger: int


_LEDGER_CHECK_SQL = """
SELECT l.variant_id, l.warehouse_id, l.on_hand, COALESCE(m.on_hand, 0),
       l.reserved, COALESCE(m.reserved, 0)
FROM inventory_stocklevel l
LEFT JOIN (
    SELECT variant_id, warehouse_id, SUM(on_hand_delta) AS on_hand,
           SUM(reserved_delta) AS reserved
    FROM inventory_stockmovement GROUP BY variant_id, warehouse_id
) m ON m.variant_id = l.variant_id AND m.warehouse_id = l.warehouse_id
WHERE l.on_hand <> COALESCE(m.on_hand, 0) OR l.reserved <> COALESCE(m.reserved, 0)
UNION ALL
SELECT m.variant_id, m.warehouse_id, 0, SUM(m.on_hand_delta), 0, SUM(m.reserved_delta)
FROM inventory_stockmovement m
WHERE NOT EXISTS (
    SELECT 1 FROM inventory_stocklevel l
    WHERE l.variant_id = m.variant_id AND l.warehouse_id = m.warehouse_id
)
GROUP BY m.variant_id, m.warehouse_id
ORDER BY 1, 2
"""


def ledger_mismatches() -> list[LedgerMismatch]:
    """Stock levels whose on_hand or reserved differ from the sum of their movements."""
    with connection.cursor() as cursor:
        cursor.execute(_LEDGER_CHECK_SQL)
        return [LedgerMismatch(*row) for row in cursor.fetchall()]


# --- Pages ------------------------------------------------------------------------------------

STOCK_STATES = ("in", "low", "out")
# Shorter search text has no trigram, so the pg_trgm index cannot find its variants quickly.
_TRIGRAM_LENGTH = 3
# How many SKUs from the start _first_sku() walks before it looks at every match: a walk this
# long costs about what the minimum over a few thousand matches does (5-10 ms).
_HEAD = 5000


def stock_levels(
    *,
    q: str = "",
    warehouse_id: int | None = None,
    category_id: int | None = None,
    brand_id: int | None = None,
    state: str = "",
) -> QuerySet[StockLevel]:
    """Stock per variant and warehouse for the overview, filtered; ordered by SKU, warehouse."""
    threshold = Coalesce(F("low_stock_threshold"), F("variant__low_stock_threshold"))
    qs = StockLevel.objects.select_related("variant__product", "warehouse").annotate(
        units=available_units(), threshold=threshold
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    catalogue = Q()  # the same filters, on Variant, for _first_sku()
    if category_id:
        categories = category_descendant_ids(category_id=category_id)
        qs = qs.filter(variant__product__category_id__in=categories)
        catalogue &= Q(product__category_id__in=categories)
    if brand_id:
        qs = qs.filter(variant__product__brand_id=brand_id)
        catalogue &= Q(product__brand_id=brand_id)
    needle = fold(q)
    if needle:
        qs = qs.filter(variant__search_text__contains=needle)
        catalogue &= Q(search_text__contains=needle)
    if category_id or len(needle) >= _TRIGRAM_LENGTH:
        first_sku = _first_sku(catalogue)
        if first_sku is None:
            return StockLevel.objects.none()
        qs = qs.filter(variant__sku__gte=first_sku)
    if state == "out":
        qs = qs.filter(on_hand__lte=F("reserved"))
    elif state == "low":
        qs = qs.filter(on_hand__gt=F("reserved")).filter(
            Q(units__lte=threshold) & Q(threshold__gt=0)
        )
    elif state == "in":
        qs = qs.filter(on_hand__gt=F("reserved"))
    return qs.annotate(
        state=Case(
            When(on_hand__lte=F("reserved"), then=Value(2)),
            When(Q(threshold__gt=0) & Q(units__lte=threshold), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("variant__sku", "warehouse__code", "pk")


def _first_sku(catalogue: Q, *, head: int = _HEAD) -> str | None:
    """The smallest SKU among the variants matching `catalogue`; None when none match.

    The overview is ordered by SKU, so PostgreSQL reads the SKU index in order and tests each
    variant until the page is full. Shops prefix SKUs by kind of product, and a category or a
    search word names a few kinds, so the matches sit together, often far down the index: the
    walk then reads nearly every variant before the first match (0.1-0.3 s at 100k variants).
    stock_levels() starts its walk at this SKU instead, which cannot change its result.

    Cheap either way: an ordered walk of the first `head` SKUs only, which stops at the first
    match; if none matched there, the minimum over all matches, found through their own index
    (category and (product, SKU), or trigrams), at a cost in proportion to their number.
    """
    head_end = list(Variant.objects.order_by("sku").values_list("sku", flat=True)[head - 1 : head])
    matching = Variant.objects.filter(catalogue)
    if head_end:  # else there are fewer variants than `head`
        early = matching.filter(sku__lte=head_end[0]).order_by("sku")
        first: str | None = early.values_list("sku", flat=True).first()
        if first is not None:
            return first
    # FILTER stops PostgreSQL from turning this MIN() into an ordered walk of the whole index.
    return matching.aggregate(first=Min("sku", filter=catalogue))["first"]


def variant_movements(
    *, variant_id: int, warehouse_id: int | None = None
) -> QuerySet[StockMovement]:
    qs = StockMovement.objects.filter(variant_id=variant_id).select_related(
        "warehouse", "created_by"
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("-id")


def available_in_warehouse(*, warehouse_id: int, variant_ids: Iterable[int]) -> dict[int, int]:
    """variant id -> units available in one warehouse now (a variant without a stock row there
    is absent)."""
    return dict(
        StockLevel.objects.filter(warehouse_id=warehouse_id, variant_id__in=list(variant_ids))
        .annotate(units=available_units())
        .values_list("variant_id", "units")
    )


def variant_stock(*, variant_id: int) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.filter(variant_id=variant_id)
        .select_related("warehouse")
        .annotate(units=available_units())
        .order_by("warehouse__code", "pk")
    )
