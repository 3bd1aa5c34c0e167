"""Best sellers from the sales rollup: the period's SalesDay / SalesMonth rows summed per
variant (or product), sorted and cut to the top 100 in SQL. Without a channel or warehouse
filter a month the period fills in part is read whole minus its days outside the period when
those are fewer (report_scope.month_plan: a year ending today reads 7 days, not 31).

A period sums many rows (a year: ~11 months of SalesMonth and ~30 days of SalesDay, each month
tens of thousands of variants). Grouped by variant, sorted by units or net revenue, without
channel or warehouse filter, only the variants that can reach the top 100 are summed (through
the (variant, day) and (variant, month) indexes), a threshold algorithm over the months the
period touches: every line's units and net revenue are >= 0 (the constraints of orders and
lines), so what a variant sold in the period is at most the sum of its SalesMonth rows of
those months.
  1. read the first `depth` variants of each of those months by the sort's figure (the
     (currency, month, figure DESC) indexes): a variant not read in a month sold at most the
     last value read there (0 when the month had fewer rows), so one never read sold at most
     T, the sum of those last values;
  2. sum the period for the variants read: when the 100th of them has more than T (or every
     variant of those months was read), no other can be in the top 100 and these rows are
     the answer; otherwise read 1.5 times deeper (up to MAX_DEPTH, then sum every variant).
Profit is not bounded that way (a line's cost has no constraint): it always sums everything,
as do the products and the channel or warehouse filters.
"""

# The SQL is assembled from constants and model table names; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from inventory.models import Product, Variant
from inventory.selectors.catalogue import category_descendant_ids
from orders.models import SalesDay, SalesMonth
from orders.selectors.report_scope import (
    GROUP_PRODUCT,
    GROUP_VARIANT,
    SORT_PROFIT,
    SORT_REVENUE,
    SORT_UNITS,
    TOP_ROWS,
    MonthPlan,
    ReportFilters,
    month_plan,
)

FIRST_DEPTH = 2 * TOP_ROWS  # 1.5 times deeper each round ...
MAX_DEPTH = 20 * TOP_ROWS  # ... up to this; deeper, and the whole period is summed

_ROLLUP_ORDER = {
    SORT_UNITS: "units DESC, net_revenue DESC, group_key",
    SORT_REVENUE: "net_revenue DESC, units DESC, group_key",
    SORT_PROFIT: "SUM(x.net_revenue) - SUM(x.vat) - SUM(x.cost) DESC, units DESC, group_key",
}
_BOUND = {SORT_UNITS: "units", SORT_REVENUE: "net_revenue"}


def _period_rows(filters: ReportFilters, ids: list[int] | None) -> tuple[str, list[Any]]:
    """The period's rollup rows (variant_id and figures) as one UNION ALL: SalesDay rows of the
    period's days, or, without a channel or warehouse filter, as month_plan says: SalesMonth
    rows of months, SalesDay rows of days added or taken out (figures negated); with `ids`,
    those variants' only (PostgreSQL: an array parameter)."""
    conditions, day_params = ["currency = %s"], list[Any]([filters.currency])
    if filters.channel:
        conditions.append("channel = %s")
        day_params.append(filters.channel)
    if filters.warehouse_id is not None:
        conditions.append("warehouse_id = %s")
        day_params.append(filters.warehouse_id)
    today = timezone.localdate()
    plan = MonthPlan([], [(filters.date_from, filters.date_to)], [])
    if not filters.channel and filters.warehouse_id is None:
        plan = month_plan(
            date_from=filters.date_from,
            date_to=filters.date_to,
            today=today,
            subtract=connection.vendor == "postgresql",
        )
    parts, params = [], list[Any]()
    for spans, sign in ((plan.add, ""), (plan.subtract, "-")):
        # Days after today (no rows yet, as a rule) are read by the day-leading unique key:
        # one empty range instead of one probe per variant in the (variant, day) index.
        for group, unindexed in (
            ([span for span in spans if span[0] <= today], False),
            ([span for span in spans if span[0] > today], True),
        ):
            if not group:
                continue
            within = " OR ".join("(day >= %s AND day <= %s)" for _span in group)
            only, only_params = _only(ids, unindexed=unindexed)
            parts.append(
                f"SELECT variant_id, {sign}units AS units, {sign}net_revenue AS net_revenue,"
                f" {sign}vat AS vat, {sign}cost AS cost"
                f" FROM {SalesDay._meta.db_table} WHERE {' AND '.join(conditions)}"
                f" AND ({within}){only}"
            )
            params.extend([*day_params, *(day for span in group for day in span), *only_params])
    if plan.months:
        only, only_params = _only(ids, unindexed=False)
        parts.append(
            f"SELECT variant_id, units, net_revenue, vat, cost FROM {SalesMonth._meta.db_table}"
            f" WHERE currency = %s AND month IN ({', '.join(['%s'] * len(plan.months))}){only}"
        )
        params.extend([filters.currency, *plan.months, *only_params])
    return " UNION ALL ".join(parts), params


def _only(ids: list[int] | None, *, unindexed: bool) -> tuple[str, list[Any]]:
    """ " AND variant_id = ANY(ids)" (nothing without ids); `unindexed`: written so that no
    index on variant_id serves it."""
    if ids is None:
        return "", []
    return (" AND variant_id + 0 = ANY(%s)" if unindexed else " AND variant_id = ANY(%s)"), [ids]


def _category_sql(filters: ReportFilters, column: str) -> tuple[str, list[Any]]:
    """ " AND column IN (the variants of the chosen category and its descendants)"."""
    if filters.category_id is None:
        return "", []
    categories = category_descendant_ids(category_id=filters.category_id)
    return (
        f" AND {column} IN (SELECT v.id FROM {Variant._meta.db_table} v"
        f" JOIN {Product._meta.db_table} p ON p.id = v.product_id"
        f" WHERE p.category_id IN ({', '.join(['%s'] * len(categories))}))",
        list(categories),
    )


def _top(
    filters: ReportFilters, *, group: str, sort: str, ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """The top rows summed from the period's rollup rows (of the variants `ids` only)."""
    rows_sql, params = _period_rows(filters, ids)
    key, join = "x.variant_id", ""
    category_sql, category_params = _category_sql(filters, "x.variant_id")
    if group == GROUP_PRODUCT:
        join = f" JOIN {Variant._meta.db_table} v ON v.id = x.variant_id"
        key = "v.product_id"
    sql = (
        f"SELECT {key} AS group_key, SUM(x.units) AS units, SUM(x.net_revenue) AS net_revenue,"
        " SUM(x.vat) AS vat, SUM(x.cost) AS cost"
        f" FROM ({rows_sql}) x{join} WHERE TRUE{category_sql}"
        f" GROUP BY {key} HAVING SUM(x.units) <> 0"  # sold and all returned: nothing sold
        f" ORDER BY {_ROLLUP_ORDER[sort]} LIMIT {TOP_ROWS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *category_params])
        names = ("key", "units", "net_revenue", "vat", "cost")
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _month_tops(
    filters: ReportFilters, bound: str, months: list[date], *, depth: int
) -> tuple[list[int], Any, bool]:
    """The first `depth` variants of each month by `bound` (SalesMonth, one index range per
    month): their ids, the most a variant left out can have sold in those months (the sum of
    the last value read of each month that may have more rows), and whether no month had."""
    category_sql, params = _category_sql(filters, "s.variant_id")
    sql = (
        f"SELECT m.month, t.variant_id, t.value FROM unnest(%s::date[]) AS m(month)"
        f" CROSS JOIN LATERAL (SELECT s.variant_id, s.{bound} AS value"
        f" FROM {SalesMonth._meta.db_table} s WHERE s.currency = %s AND s.month = m.month"
        f"{category_sql} ORDER BY s.{bound} DESC LIMIT {int(depth)}) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [months, filters.currency, *params])
        rows = cursor.fetchall()
    ids, last, count = set[int](), dict[date, Any](), dict[date, int]()
    for month, variant_id, value in rows:
        ids.add(variant_id)
        count[month] = count.get(month, 0) + 1
        last[month] = value if month not in last else min(last[month], value)
    cut = [month for month in last if count[month] >= depth]
    return sorted(ids), sum((last[month] for month in cut), 0), not cut


def _covering_months(filters: ReportFilters) -> list[date]:
    """The first days of the months the period touches."""
    months, month = [], filters.date_from.replace(day=1)
    while month <= filters.date_to:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def best_sellers_from_rollup(
    filters: ReportFilters, *, group: str, sort: str
) -> list[dict[str, Any]]:
    """The top rows summed from the rollup (see the module docstring for the bounded path)."""
    prunable = (
        connection.vendor == "postgresql"
        and group == GROUP_VARIANT
        and sort in _BOUND
        and not filters.channel
        and filters.warehouse_id is None
    )
    if not prunable:
        return _top(filters, group=group, sort=sort)
    bound = _BOUND[sort]
    months = _covering_months(filters)
    depth = FIRST_DEPTH
    while depth <= MAX_DEPTH:
        ids, unseen, complete = _month_tops(filters, bound, months, depth=depth)
        rows = _top(filters, group=group, sort=sort, ids=ids)
        if complete or (len(rows) == TOP_ROWS and rows[-1][bound] > unseen):
            return rows
        depth = depth * 3 // 2
    return _top(filters, group=group, sort=sort)
