"""Best sellers from the sales rollup: the period's SalesDay / SalesMonth rows summed per
variant (or product), sorted and cut to the top 100 in SQL.

A long period sums many rows (a year: ~11 months of SalesMonth and ~30 days of SalesDay). When
it spans LONG_DAYS or more, the report is grouped by variant, sorted by units or net revenue,
without channel or warehouse filter, only the variants that can reach the top 100 are summed
(through the (variant, day) and (variant, month) indexes): every line's units and net
revenue are >= 0 (the constraints of orders and lines), so a variant's SalesTotal (its sales
ever) bounds what it sold in the period.
  1. sum the period for the SEEDS variants with the highest totals: the 100th of them has the
     value L, and at least 100 variants reach L;
  2. a variant whose total is below L sold less than L in the period: only those with a total
     >= L can be in the top 100 (ties included), and when they are among the seeds, step 1's
     rows are the answer; otherwise their period is summed (up to MAX_CANDIDATES of them; more,
     or fewer than 100 seeds that sold, and the whole period is summed as before).
Profit is not bounded that way (a line's cost has no constraint): it always sums everything.
"""

# The SQL is assembled from constants and model table names; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from inventory.models import Product, Variant
from inventory.selectors.catalogue import category_descendant_ids
from orders.models import SalesDay, SalesMonth, SalesTotal
from orders.selectors.report_scope import (
    GROUP_PRODUCT,
    GROUP_VARIANT,
    SORT_PROFIT,
    SORT_REVENUE,
    SORT_UNITS,
    TOP_ROWS,
    ReportFilters,
    whole_months,
)

SEEDS = 3 * TOP_ROWS
MAX_CANDIDATES = 5000
LONG_DAYS = 62  # shorter periods sum everything: few rows, and recent sales bound nothing

_ROLLUP_ORDER = {
    SORT_UNITS: "units DESC, net_revenue DESC, group_key",
    SORT_REVENUE: "net_revenue DESC, units DESC, group_key",
    SORT_PROFIT: "SUM(x.net_revenue) - SUM(x.vat) - SUM(x.cost) DESC, units DESC, group_key",
}
_BOUND = {SORT_UNITS: "units", SORT_REVENUE: "net_revenue"}


def _period_rows(filters: ReportFilters, ids: list[int] | None) -> tuple[str, list[Any]]:
    """The period's rollup rows (variant_id and figures) as one UNION ALL: SalesDay rows of the
    period's days, or, without a channel or warehouse filter, SalesMonth rows for its whole
    months and SalesDay rows for the days around them; with `ids`, those variants' only
    (PostgreSQL: an array parameter)."""
    figures = "variant_id, units, net_revenue, vat, cost"
    only, only_params = ("", []) if ids is None else (" AND variant_id = ANY(%s)", [ids])
    conditions, day_params = ["currency = %s"], list[Any]([filters.currency])
    if filters.channel:
        conditions.append("channel = %s")
        day_params.append(filters.channel)
    if filters.warehouse_id is not None:
        conditions.append("warehouse_id = %s")
        day_params.append(filters.warehouse_id)
    months: tuple[date, date] | None = None
    spans = [(filters.date_from, filters.date_to)]
    if not filters.channel and filters.warehouse_id is None:
        months, spans = whole_months(date_from=filters.date_from, date_to=filters.date_to)
    parts, params = [], list[Any]()
    if spans:
        conditions.append("(" + " OR ".join("(day >= %s AND day <= %s)" for _s in spans) + ")")
        day_sql = " AND ".join(conditions)
        parts.append(f"SELECT {figures} FROM {SalesDay._meta.db_table} WHERE {day_sql}{only}")
        params.extend([*day_params, *(day for span in spans for day in span), *only_params])
    if months is not None:
        parts.append(
            f"SELECT {figures} FROM {SalesMonth._meta.db_table}"
            f" WHERE currency = %s AND month >= %s AND month < %s{only}"
        )
        params.extend([filters.currency, *months, *only_params])
    return " UNION ALL ".join(parts), params


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


def _by_total(filters: ReportFilters, bound: str, *, at_least: Any, limit: int) -> list[int]:
    """Up to `limit` variants by their SalesTotal `bound` (highest first), those reaching
    `at_least` only (None: any)."""
    category_sql, params = _category_sql(filters, "variant_id")
    reach = "" if at_least is None else f" AND {bound} >= %s"
    sql = (
        f"SELECT variant_id FROM {SalesTotal._meta.db_table} WHERE currency = %s{reach}"
        f"{category_sql} ORDER BY {bound} DESC, variant_id LIMIT {int(limit)}"
    )
    values = [filters.currency, *([] if at_least is None else [at_least]), *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [row[0] for row in cursor.fetchall()]


def best_sellers_from_rollup(
    filters: ReportFilters, *, group: str, sort: str
) -> list[dict[str, Any]]:
    """The top rows summed from the rollup (see the module docstring for the bounded path)."""
    prunable = (
        connection.vendor == "postgresql"
        and (filters.date_to - filters.date_from).days >= LONG_DAYS
        and group == GROUP_VARIANT
        and sort in _BOUND
        and not filters.channel
        and filters.warehouse_id is None
    )
    if not prunable:
        return _top(filters, group=group, sort=sort)
    bound = _BOUND[sort]
    seeds = _by_total(filters, bound, at_least=None, limit=SEEDS)
    seeded = _top(filters, group=group, sort=sort, ids=seeds)
    if len(seeded) < TOP_ROWS:  # fewer than 100 of them sold in the period
        return _top(filters, group=group, sort=sort)
    candidates = _by_total(filters, bound, at_least=seeded[-1][bound], limit=MAX_CANDIDATES + 1)
    if set(candidates) <= set(seeds):
        return seeded
    if len(candidates) > MAX_CANDIDATES:
        return _top(filters, group=group, sort=sort)
    return _top(filters, group=group, sort=sort, ids=candidates)
