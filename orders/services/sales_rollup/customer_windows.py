"""CustomerSalesWindow: a customer's bounds over the WINDOW_MONTHS months ending with each month,
summed from CustomerSalesDay-shaped rows like CustomerSalesTotal (orders, and the net revenue of
the days whose net revenue is positive).

Kept by customer_sales_refresh in the same statement as the customer's day and month rows
(.customers), refilled from the stored day rows by the rebuild and compared with them by the
check (.customers_check). A change of a day row of month m moves the windows ending in m and
the months after it, up to 12 months later: a range of whole months from `first` is refilled
from the day rows 12 months before it.
"""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from orders.models import WINDOW_MONTHS, CustomerSalesDay, CustomerSalesWindow
from orders.services.sales_rollup.check import RollupMismatch
from orders.services.sales_rollup.ranges import RollupRange
from orders.services.sales_rollup.sql import changed_rows, postgres

_KEY = ("customer_id", "months", "month", "currency")
WINDOW_KEY = f"({', '.join(_KEY)})"
WINDOW_COLUMNS = "customer_id, months, month, currency, orders, revenue_bound"
_TABLE = "orders_customersaleswindow"
_LENGTHS = ", ".join(f"({int(n)})" for n in WINDOW_MONTHS)
_LONGEST = max(WINDOW_MONTHS)


def customer_windows_of(days: str) -> str:
    """CustomerSalesWindow rows (WINDOW_COLUMNS) from CustomerSalesDay-shaped rows (`days`: a
    table or subquery): each month's figures added to the windows of every length that end in
    it or in one of the months after it."""
    return (
        "SELECT p.customer_id, w.months,"
        " (p.month + make_interval(months => k.k))::date AS month, p.currency,"
        " SUM(p.orders) AS orders, SUM(p.bound) AS revenue_bound FROM (SELECT d.customer_id,"
        " date_trunc('month', d.day)::date AS month, d.currency, SUM(d.orders) AS orders,"
        f" SUM(GREATEST(d.net_revenue, 0)) AS bound FROM {days} d GROUP BY 1, 2, 3) p"
        f" CROSS JOIN (VALUES {_LENGTHS}) AS w(months)"
        " CROSS JOIN LATERAL generate_series(0, w.months - 1) AS k(k)"
        " GROUP BY 1, 2, 3, 4"
    )


def windows_upsert_sql(customers: str) -> str:
    """The CTE parts (after a `fresh` CTE of the customers' day rows) that delete the
    customers' windows that no longer have orders and upsert those that changed; `customers`
    matches their ids (e.g. "= ANY(%(ids)s)")."""
    return (
        f" windows AS ({customer_windows_of('fresh')}),"
        f" gone_windows AS (DELETE FROM {_TABLE} t WHERE t.customer_id {customers}"
        " AND NOT EXISTS (SELECT 1 FROM windows f WHERE f.customer_id = t.customer_id"
        " AND f.months = t.months AND f.month = t.month AND f.currency = t.currency)),"
        f" new_windows AS (INSERT INTO {_TABLE} AS t ({WINDOW_COLUMNS})"
        f" {changed_rows('windows', _TABLE, _KEY, ('orders', 'revenue_bound'), customers)}"
        f" ON CONFLICT {WINDOW_KEY} DO UPDATE SET orders = EXCLUDED.orders,"
        " revenue_bound = EXCLUDED.revenue_bound WHERE (t.orders, t.revenue_bound)"
        " IS DISTINCT FROM (EXCLUDED.orders, EXCLUDED.revenue_bound)),"
    )


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_Cells = dict[tuple[Any, ...], list[Any]]


def window_cells(days: _Cells, *, first: date | None = None) -> _Cells:
    """(customer_id, months, month, currency) -> [orders, revenue bound] from day cells keyed
    (customer_id, day, currency) with [orders, shipped_orders, net_revenue]; windows ending
    before `first` left out."""
    windows: _Cells = defaultdict(lambda: [0, Decimal(0)])
    for (customer_id, day, currency), (orders, _shipped, net) in days.items():
        month = day.replace(day=1)
        for length in WINDOW_MONTHS:
            for k in range(length):
                end = _shift(month, k)
                if first is not None and end < first:
                    continue
                cell = windows[(customer_id, length, end, currency)]
                cell[0] += orders
                cell[1] += max(Decimal(net), Decimal(0))
    return dict(windows)


def write_windows(cells: _Cells) -> None:
    CustomerSalesWindow.objects.bulk_create(
        CustomerSalesWindow(
            customer_id=c, months=n, month=m, currency=cur, orders=orders, revenue_bound=bound
        )
        for (c, n, m, cur), (orders, bound) in sorted(cells.items())
    )


def _stored_days(since: date | None) -> _Cells:
    rows = CustomerSalesDay.objects.all()
    if since is not None:
        rows = rows.filter(day__gte=since)
    return {
        (r["customer_id"], r["day"], r["currency"]): [
            r["orders"],
            r["shipped_orders"],
            r["net_revenue"],
        ]
        for r in rows.values(
            "customer_id", "day", "currency", "orders", "shipped_orders", "net_revenue"
        )
    }


def _since(rollup: RollupRange) -> date | None:
    """The first day whose rows reach the windows from rollup.first on."""
    return None if rollup.first is None else _shift(rollup.first, 1 - _LONGEST)


def windows_refill(rollup: RollupRange) -> int:
    """Replace the windows ending from the range's first month on by those the stored day rows
    give (inside the rebuild's transaction, the tables locked); returns the rows written."""
    first, since = rollup.first, _since(rollup)
    if not postgres():
        stale = CustomerSalesWindow.objects.all()
        if first is not None:
            stale = stale.filter(month__gte=first)
        stale.delete()
        cells = window_cells(_stored_days(since), first=first)
        write_windows(cells)
        return len(cells)
    days, ends = "orders_customersalesday", ""
    if first is not None:
        days = "(SELECT * FROM orders_customersalesday WHERE day >= %(since)s)"
        ends = " WHERE w.month >= %(first)s"
    with connection.cursor() as cursor:
        params = {"first": first, "since": since}
        cursor.execute(f"DELETE FROM {_TABLE} w{ends}", params)
        cursor.execute(
            f"INSERT INTO {_TABLE} ({WINDOW_COLUMNS}) SELECT * FROM"
            f" ({customer_windows_of(days)}) w{ends} ORDER BY 1, 2, 3, 4",
            params,
        )
        return int(cursor.rowcount)


def windows_mismatches(rollup: RollupRange, *, limit: int) -> tuple[int, list[RollupMismatch]]:
    """The windows ending from the range's first month on that differ from what the stored day
    rows give: (how many, the first `limit`)."""
    first, since = rollup.first, _since(rollup)
    if not postgres():
        stored_rows = CustomerSalesWindow.objects.all()
        if first is not None:
            stored_rows = stored_rows.filter(month__gte=first)
        stored = {
            (r["customer_id"], r["months"], r["month"], r["currency"]): [
                r["orders"],
                r["revenue_bound"],
            ]
            for r in stored_rows.values()
        }
        expected = window_cells(_stored_days(since), first=first)
        keys = sorted(k for k in set(stored) | set(expected) if stored.get(k) != expected.get(k))
        return len(keys), [
            RollupMismatch(
                "customer_window",
                key,
                tuple(stored[key]) if key in stored else None,
                tuple(expected[key]) if key in expected else None,
            )
            for key in keys[:limit]
        ]
    days, ends, stored_sql = "orders_customersalesday", "", _TABLE
    if first is not None:
        days = "(SELECT * FROM orders_customersalesday WHERE day >= %(since)s)"
        ends = " WHERE w.month >= %(first)s"
        stored_sql = f"(SELECT * FROM {_TABLE} WHERE month >= %(first)s)"
    columns = ("customer_id", "months", "month", "currency")
    same = " AND ".join(f"s.{k} = f.{k}" for k in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'COALESCE(s.{k}, f.{k})' for k in columns)},"
            " s.id IS NOT NULL, f.customer_id IS NOT NULL, s.orders, s.revenue_bound,"
            f" f.orders, f.revenue_bound, COUNT(*) OVER () FROM {stored_sql} s FULL JOIN"
            f" (SELECT * FROM ({customer_windows_of(days)}) w{ends}) f ON {same}"
            " WHERE s.id IS NULL OR f.customer_id IS NULL OR s.orders <> f.orders"
            " OR s.revenue_bound <> f.revenue_bound ORDER BY 1, 2, 3, 4 LIMIT %(limit)s",
            {"first": first, "since": since, "limit": limit},
        )
        rows = cursor.fetchall()
    found = [
        RollupMismatch(
            "customer_window",
            tuple(row[:4]),
            tuple(row[6:8]) if row[4] else None,
            tuple(row[8:10]) if row[5] else None,
        )
        for row in rows
    ]
    return (rows[0][-1] if rows else 0), found
