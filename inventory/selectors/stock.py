from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from inventory.models import StockLevel, StockMovement
from inventory.selectors.catalogue import category_descendant_ids
from inventory.text import fold


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
        units=F("on_hand") - F("reserved"), threshold=threshold
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if category_id:
        qs = qs.filter(
            variant__product__category_id__in=category_descendant_ids(category_id=category_id)
        )
    if brand_id:
        qs = qs.filter(variant__product__brand_id=brand_id)
    needle = fold(q)
    if needle:
        qs = qs.filter(variant__search_text__contains=needle)
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


def variant_movements(
    *, variant_id: int, warehouse_id: int | None = None
) -> QuerySet[StockMovement]:
    qs = StockMovement.objects.filter(variant_id=variant_id).select_related(
        "warehouse", "created_by"
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("-id")


def variant_stock(*, variant_id: int) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.filter(variant_id=variant_id)
        .select_related("warehouse")
        .annotate(units=F("on_hand") - F("reserved"))
        .order_by("warehouse__code", "pk")
    )
