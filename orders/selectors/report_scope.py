"""What a sales report counts: its filters and period, the counted orders and their lines (see
orders.selectors.reports for the rules), and the constants the reports and their forms share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from common.days import day_start
from inventory.models import Variant
from inventory.selectors.catalogue import category_descendant_ids
from orders.models import (
    Order,
    OrderLine,
    OrderStatus,
)

TOP_ROWS = 100
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366  # the longest period a report covers

GROUP_VARIANT = "variant"
GROUP_PRODUCT = "product"
BEST_SELLER_GROUPS = (GROUP_VARIANT, GROUP_PRODUCT)
SORT_UNITS = "units"
SORT_REVENUE = "revenue"
SORT_PROFIT = "profit"
BEST_SELLER_SORTS = (SORT_UNITS, SORT_REVENUE, SORT_PROFIT)
SORT_ORDERS = "orders"
CUSTOMER_SORTS = (SORT_REVENUE, SORT_ORDERS)
DAY = "day"
WEEK = "week"
MONTH = "month"
SALES_GROUPS = (DAY, WEEK, MONTH)

# Unbounded NUMERIC for the intermediate sums (Django only needs to know it is a decimal).
NUMERIC = DecimalField(max_digits=65, decimal_places=30)
ZERO = Decimal(0)


# --- Filters and the period -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What every report is filtered by; category only applies to best sellers."""

    date_from: date
    date_to: date
    currency: str
    channel: str = ""
    warehouse_id: int | None = None
    category_id: int | None = None


def default_period(*, today: date) -> tuple[date, date]:
    """The last 30 days including today."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def period_bounds(
    *, date_from: date, date_to: date, tz: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """[start, end): shop-local midnight of date_from to shop-local midnight after date_to."""
    return day_start(date_from, tz=tz), day_start(date_to + timedelta(days=1), tz=tz)


def rollup_serves() -> bool:
    """Whether the sales rollup can answer: its days are the shop's (settings.TIME_ZONE); a
    report asked in another time zone has other day boundaries and reads the orders."""
    return timezone.get_current_timezone_name() == settings.TIME_ZONE


@dataclass(frozen=True)
class MonthPlan:
    """How to sum a period from month rows and day rows: the months whose rows are added, the
    spans of days whose rows are added, and the spans of days whose rows are taken out again
    (the days of an added month outside the period)."""

    months: list[date]
    add: list[tuple[date, date]]
    subtract: list[tuple[date, date]]


def month_plan(*, date_from: date, date_to: date, today: date, subtract: bool = True) -> MonthPlan:
    """The plan that reads the fewest day rows: a month the period fills is added whole; one it
    fills partly either by its days in the period, or whole minus its days outside the period,
    whichever has fewer days up to `today` (later days have no rows yet: reading them costs
    nothing, and they are still taken out, so that the sum is exact whatever the rows).
    Without `subtract` (SQLite, whose sums of decimals are binary floats: a difference could
    leave a residue), only months the period fills are added whole."""
    plan = MonthPlan([], [], [])
    month = date_from.replace(day=1)
    while month <= date_to:
        last = _next_month(month) - timedelta(days=1)
        inside = (max(date_from, month), min(date_to, last))
        outside = [
            span
            for span in ((month, inside[0] - timedelta(days=1)), (inside[1] + timedelta(1), last))
            if span[0] <= span[1]
        ]
        if not outside:
            plan.months.append(month)
        elif subtract and _days_until(outside, today) < _days_until([inside], today):
            plan.months.append(month)
            plan.subtract.extend(outside)
        else:
            plan.add.append(inside)
        month = _next_month(month)
    return plan


def _days_until(spans: list[tuple[date, date]], today: date) -> int:
    return sum(max(0, (min(end, today) - start).days + 1) for start, end in spans)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def sum_decimal(value: Any) -> Decimal:
    """A sum as read from the database: Decimal on PostgreSQL, possibly a float from raw SQL on
    SQLite (whose numbers are binary), None for no rows."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def order_q(filters: ReportFilters, prefix: str = "", *, shipped: bool = True) -> Q:
    """The counted orders of the period, as a condition on Order (prefix "" ) or on a model
    that reaches the order through `prefix` ("order__"); `shipped` False: shipped or not."""
    start, end = period_bounds(date_from=filters.date_from, date_to=filters.date_to)
    condition = Q(
        **{
            f"{prefix}created_at__gte": start,
            f"{prefix}created_at__lt": end,
            f"{prefix}currency": filters.currency,
        }
    ) & ~Q(**{f"{prefix}status": OrderStatus.CANCELLED})
    if shipped:
        condition &= Q(**{f"{prefix}shipped_at__isnull": False})
    if filters.channel:
        condition &= Q(**{f"{prefix}channel": filters.channel})
    if filters.warehouse_id is not None:
        condition &= Q(**{f"{prefix}warehouse_id": filters.warehouse_id})
    return condition


def counted_orders(filters: ReportFilters) -> QuerySet[Order]:
    """The orders whose sales count for the period (see the module docstring)."""
    return Order.objects.filter(order_q(filters))


def counted_lines(filters: ReportFilters) -> QuerySet[OrderLine]:
    """The lines of the counted orders, reached from the orders (created_at index, then the
    lines' order_id index).

    The category condition is written on `variant_id + 0`, which no index serves: otherwise
    PostgreSQL may start from the category's variants and read every line they ever had
    (years of sales) before keeping the period's; this way the lines are still reached from
    the period's orders and the category only filters them (a hash semi-join on the few
    thousand variant ids).
    """
    lines = OrderLine.objects.filter(order_q(filters, "order__"))
    if filters.category_id is not None:
        categories = category_descendant_ids(category_id=filters.category_id)
        in_categories = Variant.objects.filter(product__category_id__in=categories).values("pk")
        lines = lines.alias(
            unindexed_variant_id=ExpressionWrapper(
                F("variant_id") + Value(0), output_field=BigIntegerField()
            )
        ).filter(unindexed_variant_id__in=in_categories)
    return lines
