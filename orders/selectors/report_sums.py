"""The sums behind the best sellers and sales-by-channel reports, from their two sources, which
must agree (tests/orders/test_sales_rollup.py): the counted order lines, through per-line
expressions in unrounded NUMERIC, and the sales rollup (orders.services.sales_rollup). The
reports (orders.selectors.reports) read the rollup when it serves and round once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Trunc
from django.utils import timezone

from inventory.selectors.catalogue import category_descendant_ids
from orders.models import (
    SalesDay,
    SalesDayChannel,
)
from orders.selectors.report_scope import (
    GROUP_VARIANT,
    MONTH,
    NUMERIC,
    SORT_PROFIT,
    SORT_REVENUE,
    SORT_UNITS,
    TOP_ROWS,
    WEEK,
    ZERO,
    ReportFilters,
    counted_lines,
    counted_orders,
)

# --- Per-line expressions (unrounded NUMERIC) -------------------------------------------------
#
# Most lines were neither returned nor discounted at order level: for them the figures are the
# stored ones (line_total, vat_amount), and the CASE branches below skip the NUMERIC divisions
# (the general formula gives exactly the same value for them; the shortcut only saves time).


def _quotient(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, unrounded. SQLite keeps whole amounts as INTEGER and divides two
    integers as integers (7 / 2 = 3, every such line a fraction of a đồng short): there the
    numerator is made REAL first; PostgreSQL divides NUMERIC exactly."""
    if connection.vendor == "sqlite":
        numerator = ExpressionWrapper(numerator * Value(1.0), output_field=FloatField())
    return ExpressionWrapper(numerator / denominator, output_field=NUMERIC)


def _units() -> Any:
    return F("quantity_shipped") - F("quantity_returned")


def _all_units_sold() -> Q:
    return Q(quantity_returned=0, quantity_shipped=F("quantity"))


def _net_revenue() -> Any:
    """(line_total - line_total x discount_total / subtotal) x units / quantity, written with
    one division: line_total x (subtotal - discount_total) x units / (subtotal x quantity)."""
    return Case(
        When(order__subtotal=0, then=Value(ZERO)),
        When(_all_units_sold() & Q(order__discount_total=0), then=F("line_total")),
        When(
            order__discount_total=0,
            then=_quotient(F("line_total") * _units(), F("quantity")),
        ),
        default=_quotient(
            F("line_total") * (F("order__subtotal") - F("order__discount_total")) * _units(),
            F("order__subtotal") * F("quantity"),
        ),
        output_field=NUMERIC,
    )


def _vat() -> Any:
    return Case(
        When(_all_units_sold(), then=F("vat_amount")),
        default=_quotient(F("vat_amount") * _units(), F("quantity")),
        output_field=NUMERIC,
    )


def _cost() -> Any:
    return ExpressionWrapper(F("unit_cost") * _units(), output_field=NUMERIC)


def best_sellers_from_lines(
    filters: ReportFilters, *, group: str, sort: str
) -> list[dict[str, Any]]:
    """The top rows aggregated from the period's order lines."""
    key = "variant_id" if group == GROUP_VARIANT else "variant__product_id"
    profit = F("net_revenue") - F("vat") - F("cost")
    order_by = {
        SORT_UNITS: (F("units").desc(), F("net_revenue").desc(), F("key").asc()),
        SORT_REVENUE: (F("net_revenue").desc(), F("units").desc(), F("key").asc()),
        SORT_PROFIT: (profit.desc(), F("units").desc(), F("key").asc()),
    }[sort]
    rows = (
        counted_lines(filters)
        .values(key=F(key))
        .annotate(
            units=Sum(_units()),
            net_revenue=Sum(_net_revenue()),
            vat=Sum(_vat()),
            cost=Sum(_cost()),
        )
        .exclude(units=0)  # sold and all returned: nothing sold
        .order_by(*order_by)[:TOP_ROWS]
    )
    return [dict(row) for row in rows]


def _trunc(field_name: str, group: str) -> Trunc:
    return Trunc(
        field_name, group, output_field=DateField(), tzinfo=timezone.get_current_timezone()
    )


def sales_cells_from_orders(filters: ReportFilters, group: str) -> dict[tuple[date, str], Any]:
    """(period, channel) -> orders, shipping fees and net revenue, from the orders and their
    lines (two queries)."""
    order_figures = (
        counted_orders(filters)
        .annotate(period=_trunc("created_at", group))
        .values("period", "channel")
        .annotate(orders=Count("id"), shipping_fees=Sum("shipping_fee"))
        .order_by()
    )
    line_figures = (
        counted_lines(filters)
        .annotate(period=_trunc("order__created_at", group))
        .values("period", channel=F("order__channel"))
        .annotate(net_revenue=Sum(_net_revenue()))
        .order_by()
    )
    cells: dict[tuple[date, str], dict[str, Any]] = {}
    for row in order_figures:
        cell = cells.setdefault((row["period"], row["channel"]), {})
        cell["orders"] = row["orders"]
        cell["shipping_fees"] = row["shipping_fees"] or ZERO
    for line_row in line_figures:
        cell = cells.setdefault((line_row["period"], line_row["channel"]), {})
        cell["net_revenue"] = line_row["net_revenue"] or ZERO
    return cells


def _period_start(day: date, group: str) -> date:
    if group == WEEK:
        return day - timedelta(days=day.weekday())
    if group == MONTH:
        return day.replace(day=1)
    return day


def sales_cells_from_rollup(filters: ReportFilters, group: str) -> dict[tuple[date, str], Any]:
    """The same cells summed from SalesDayChannel (one query; with a category, the net revenue
    of that category's goods comes from SalesDay instead: a second query)."""
    days = Q(day__gte=filters.date_from, day__lte=filters.date_to, currency=filters.currency)
    if filters.channel:
        days &= Q(channel=filters.channel)
    if filters.warehouse_id is not None:
        days &= Q(warehouse_id=filters.warehouse_id)
    cells: dict[tuple[date, str], dict[str, Any]] = {}

    def cell(day: date, channel: str) -> dict[str, Any]:
        return cells.setdefault(
            (_period_start(day, group), channel),
            {"orders": 0, "shipping_fees": ZERO, "net_revenue": ZERO},
        )

    by_day = (
        SalesDayChannel.objects.filter(days)
        .values("day", "channel")
        .annotate(
            orders=Sum("orders"), net_revenue=Sum("net_revenue"), shipping_fees=Sum("shipping_fee")
        )
        .order_by()
    )
    for row in by_day:
        values = cell(row["day"], row["channel"])
        values["orders"] += row["orders"]
        values["shipping_fees"] += row["shipping_fees"]
        if filters.category_id is None:
            values["net_revenue"] += row["net_revenue"]
    if filters.category_id is not None:
        categories = category_descendant_ids(category_id=filters.category_id)
        goods = (
            SalesDay.objects.filter(days, variant__product__category_id__in=categories)
            .values("day", "channel")
            .annotate(net_revenue=Sum("net_revenue"))
            .order_by()
        )
        for goods_row in goods:
            cell(goods_row["day"], goods_row["channel"])["net_revenue"] += goods_row["net_revenue"]
    return cells
