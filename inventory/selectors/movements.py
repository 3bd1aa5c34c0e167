"""Reads for the transfer and stock count pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Abs, Coalesce, Round

from common.money import PRECISION, quantize
from common.text import fold
from inventory.models import (
    MovementKind,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Transfer,
    TransferLine,
    Variant,
    available_units,
)

# --- Transfers --------------------------------------------------------------------------------


def transfer_list(
    *, q: str = "", status: str = "", warehouse_id: int | None = None
) -> QuerySet[Transfer]:
    """Transfers, newest first; `warehouse_id` matches either end; `q` searches the number."""
    qs = Transfer.objects.select_related("source", "destination", "created_by")
    if status:
        qs = qs.filter(status=status)
    if warehouse_id:
        qs = qs.filter(Q(source_id=warehouse_id) | Q(destination_id=warehouse_id))
    needle = q.strip()
    if needle:
        qs = qs.filter(number__icontains=needle)
    return qs.annotate(
        line_count=Count("lines"), units=Coalesce(Sum("lines__quantity"), Value(0))
    ).order_by("-pk")


def transfer_get(*, transfer_id: int) -> Transfer:
    return Transfer.objects.select_related("source", "destination", "created_by").get(
        pk=transfer_id
    )


def transfer_lines(*, transfer: Transfer) -> QuerySet[TransferLine]:
    """The lines in entry order, each with `available` = units available at the source now."""
    available = (
        StockLevel.objects.filter(
            variant_id=OuterRef("variant_id"), warehouse_id=transfer.source_id
        )
        .annotate(units=available_units())
        .values("units")[:1]
    )
    return (
        TransferLine.objects.filter(transfer_id=transfer.pk)
        .select_related("variant__product")
        .annotate(available=Coalesce(Subquery(available, output_field=IntegerField()), Value(0)))
        .order_by("pk")
    )


@dataclass(frozen=True)
class TransferEvent:
    kind: str  # "sent", "received" or "returned"
    warehouse_code: str
    units: int
    lines: int
    at: datetime
    by: str


def transfer_history(*, transfer: Transfer) -> list[TransferEvent]:
    """Who moved the stock and when, from the transfer's ledger rows (one query)."""
    rows = (
        StockMovement.objects.filter(source_type="transfer", source_id=str(transfer.pk))
        .values(
            "kind",
            "warehouse_id",
            "warehouse__code",
            "created_by__username",
            "created_by__first_name",
            "created_by__last_name",
        )
        .annotate(units=Sum("on_hand_delta"), lines=Count("pk"), at=Max("created_at"))
        .order_by("at", "kind", "warehouse_id")
    )
    events = []
    for row in rows:
        if row["kind"] == MovementKind.TRANSFER_OUT:
            kind = "sent"
        elif row["warehouse_id"] == transfer.destination_id:
            kind = "received"
        else:
            kind = "returned"
        full_name = f"{row['created_by__first_name']} {row['created_by__last_name']}".strip()
        events.append(
            TransferEvent(
                kind=kind,
                warehouse_code=row["warehouse__code"],
                units=abs(row["units"]),
                lines=row["lines"],
                at=row["at"],
                by=full_name or row["created_by__username"] or "",
            )
        )
    return events


def variants_for_rows(*, variant_ids: Sequence[int]) -> dict[int, Variant]:
    """Variants by id with their product, to show the lines of a form being re-displayed."""
    return Variant.objects.select_related("product").in_bulk(list(variant_ids))


# --- Stock counts -----------------------------------------------------------------------------

COUNT_SHOW = ("all", "uncounted", "counted", "variance")


def count_list(
    *, q: str = "", status: str = "", warehouse_id: int | None = None
) -> QuerySet[StockCount]:
    qs = StockCount.objects.select_related("warehouse", "created_by", "posted_by")
    if status:
        qs = qs.filter(status=status)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    needle = q.strip()
    if needle:
        qs = qs.filter(number__icontains=needle)
    return (
        qs.annotate(
            line_count=Count("lines"),
            counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
        )
        .prefetch_related("categories")
        .order_by("-pk")
    )


def count_get(*, count_id: int) -> StockCount:
    return (
        StockCount.objects.select_related("warehouse", "created_by", "posted_by")
        .prefetch_related("categories")
        .get(pk=count_id)
    )


def _variance() -> ExpressionWrapper:
    return ExpressionWrapper(F("counted") - F("expected"), output_field=IntegerField())


def _value(quantity: F | ExpressionWrapper) -> Round:
    """quantity x unit cost, rounded to the shop currency per line (so totals add up)."""
    return Round(
        ExpressionWrapper(
            quantity * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2)
        ),
        precision=PRECISION[settings.SHOP_CURRENCY],
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def count_lines(
    *, count_id: int, show: str = "all", q: str = "", with_costs: bool = True
) -> QuerySet[StockCountLine]:
    """The count's lines in snapshot order (SKU; lines added by scanning at the end), each with
    `value` = variance x unit cost, currency-rounded (None when not counted; the model's
    `variance` property gives counted - expected). Without `with_costs`, no `value`."""
    qs = StockCountLine.objects.filter(count_id=count_id)
    if show == "uncounted":
        qs = qs.filter(counted__isnull=True)
    elif show == "counted":
        qs = qs.filter(counted__isnull=False)
    elif show == "variance":
        qs = qs.filter(counted__isnull=False).exclude(counted=F("expected"))
    needle = fold(q)
    if needle:
        qs = qs.filter(variant__search_text__contains=needle)
    qs = qs.select_related("variant__product")
    if with_costs:
        qs = qs.annotate(value=_value(_variance()))
    return qs.order_by("pk")


def count_line_row(*, line_id: int, with_costs: bool = True) -> StockCountLine:
    """One line shaped like the rows of `count_lines`, to re-render it after an edit."""
    qs = StockCountLine.objects.select_related("variant__product")
    if with_costs:
        qs = qs.annotate(value=_value(_variance()))
    return qs.get(pk=line_id)


def count_largest_variances(
    *, count_id: int, limit: int = 20, with_costs: bool = True
) -> list[StockCountLine]:
    """The counted lines whose variance is worth the most, either way (for the post review);
    without `with_costs`, the largest in units."""
    lines = count_lines(count_id=count_id, show="variance", with_costs=with_costs)
    by_value = [Abs("value").desc()] if with_costs else []
    return list(lines.order_by(*by_value, Abs(_variance()).desc(), "pk")[:limit])


@dataclass(frozen=True)
class CountSummary:
    lines: int
    counted: int
    with_variance: int
    units_over: int  # units found above expected (>= 0)
    units_short: int  # units missing below expected (<= 0)
    # The values are None for a user who may not see costs (count_summary(with_costs=False)).
    value_over: Decimal | None  # >= 0
    value_short: Decimal | None  # <= 0
    uncounted_units: int  # expected units on lines not counted yet
    uncounted_value: Decimal | None  # removed if posted with "uncounted as zero" (<= 0)

    @property
    def uncounted(self) -> int:
        return self.lines - self.counted

    @property
    def value_net(self) -> Decimal | None:
        if self.value_over is None or self.value_short is None:
            return None
        return self.value_over + self.value_short

    @property
    def units_missing(self) -> int:
        return -self.units_short

    @property
    def units_net(self) -> int:
        return self.units_over + self.units_short


def count_summary(*, count_id: int, with_costs: bool = True) -> CountSummary:
    """Totals of the count in one query; money rounded to the shop currency (no money
    without `with_costs`)."""
    currency = settings.SHOP_CURRENCY
    over = Q(counted__gt=F("expected"))
    short = Q(counted__lt=F("expected"))
    uncounted = Q(counted__isnull=True)
    row = StockCountLine.objects.filter(count_id=count_id).aggregate(
        n_lines=Count("pk"),
        n_counted=Count("pk", filter=Q(counted__isnull=False)),
        n_variance=Count("pk", filter=over | short),
        units_over=Sum(_variance(), filter=over),
        units_short=Sum(_variance(), filter=short),
        value_over=Sum(_value(_variance()), filter=over),
        value_short=Sum(_value(_variance()), filter=short),
        uncounted_units=Sum("expected", filter=uncounted),
        uncounted_value=Sum(_value(F("expected")), filter=uncounted),
    )
    return CountSummary(
        lines=row["n_lines"],
        counted=row["n_counted"],
        with_variance=row["n_variance"],
        units_over=row["units_over"] or 0,
        units_short=row["units_short"] or 0,
        value_over=quantize(row["value_over"] or 0, currency) if with_costs else None,
        value_short=quantize(row["value_short"] or 0, currency) if with_costs else None,
        uncounted_units=row["uncounted_units"] or 0,
        uncounted_value=quantize(0 - (row["uncounted_value"] or 0), currency)
        if with_costs
        else None,
    )
