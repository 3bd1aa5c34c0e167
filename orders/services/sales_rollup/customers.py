"""The customer rollup: what the top customers report counts, per customer and shop-local day
(CustomerSalesDay) and month (CustomerSalesMonth), with each customer's bounds over all days
(CustomerSalesTotal) and over a few months (CustomerSalesWindow, .customer_windows), kept exact
in the transaction of every change.

The figures are those of orders.services.customers (CUSTOMER_ORDER, CUSTOMER_SALE,
customer_net_revenue), per customer, day of created_at (settings.TIME_ZONE) and currency:
    orders          the orders that are not cancelled, shipped or not
    shipped_orders  those of them that were shipped (shipped_at set)
    net_revenue     over the shipped ones: total - refunded_amount, or for a returned order
                    paid_amount - refunded_amount (exact amounts, no rounding)

Unlike the variant rollup (a shipment adds, a return takes out), these figures move with many
changes (creation, cancellation, shipment, payments and refunds of a returned order, a change of
customer, a merge), and every service making one already calls customer_totals_refresh under a
lock on the customer row. That function calls customer_sales_refresh, which recomputes all the
rows of the customer from their orders (the orders_order_customer_idx index: a customer's few
orders) and writes only the rows that changed. The lock on the customer row serialises two
transactions refreshing the same customer; the recomputation runs after the lock was granted,
in a new snapshot (READ COMMITTED), so it sees what the other one committed: the rows always
equal a fresh aggregate of the committed orders, which check_customer_rollup verifies.
On SQLite the same figures are computed in Python with Decimal.
"""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from common.db import prepared_cursor
from orders.models import (
    CustomerSalesDay,
    CustomerSalesMonth,
    CustomerSalesTotal,
    CustomerSalesWindow,
    Order,
    OrderStatus,
)
from orders.services.sales_rollup.customer_windows import (
    window_cells,
    windows_upsert_sql,
    write_windows,
)
from orders.services.sales_rollup.sql import DAY, changed_rows, postgres, zone_name

CUSTOMER_FIGURES = ("orders", "shipped_orders", "net_revenue")
_DAY_KEY, _MONTH_KEY = ("customer_id", "day", "currency"), ("customer_id", "month", "currency")
_TOTAL_KEY, _BOUNDS = ("customer_id", "currency"), ("orders", "revenue_bound")
_DAYS, _MONTHS = "orders_customersalesday", "orders_customersalesmonth"

# One order's contribution to its customer's net revenue (orders.services.customers).
_NET = (
    "CASE WHEN o.status = 'returned' THEN o.paid_amount - o.refunded_amount"
    " ELSE o.total - o.refunded_amount END"
)

# CustomerSalesDay rows from the orders; {where} narrows the orders (" AND ...").
FRESH_CUSTOMER_DAYS = (
    f"SELECT o.customer_id, {DAY} AS day, o.currency, COUNT(*) AS orders,"
    " COUNT(*) FILTER (WHERE o.shipped_at IS NOT NULL) AS shipped_orders,"
    f" COALESCE(SUM({_NET}) FILTER (WHERE o.shipped_at IS NOT NULL), 0) AS net_revenue"
    " FROM orders_order o WHERE o.status <> 'cancelled'{where}"
    " GROUP BY 1, 2, 3"
)


def customer_months_of(days: str) -> str:
    """CustomerSalesMonth rows summed from CustomerSalesDay-shaped rows (a table or subquery)."""
    return (
        "SELECT d.customer_id, date_trunc('month', d.day)::date AS month, d.currency,"
        " SUM(d.orders) AS orders, SUM(d.shipped_orders) AS shipped_orders,"
        f" SUM(d.net_revenue) AS net_revenue FROM {days} d GROUP BY 1, 2, 3"
    )


def customer_totals_of(days: str) -> str:
    """CustomerSalesTotal rows (the bounds) from CustomerSalesDay-shaped rows."""
    return (
        "SELECT d.customer_id, d.currency, SUM(d.orders) AS orders,"
        " SUM(GREATEST(d.net_revenue, 0)) AS revenue_bound"
        f" FROM {days} d GROUP BY 1, 2"
    )


_CHANGED = (
    "orders = EXCLUDED.orders, shipped_orders = EXCLUDED.shipped_orders,"
    " net_revenue = EXCLUDED.net_revenue"
    " WHERE (t.orders, t.shipped_orders, t.net_revenue)"
    " IS DISTINCT FROM (EXCLUDED.orders, EXCLUDED.shipped_orders, EXCLUDED.net_revenue)"
)


def _refresh_sql(customers: str) -> str:
    """One statement: the customers' fresh rows upserted (only those that changed), their
    rows that no longer have orders deleted, for the three tables; `customers` matches their
    ids."""
    fresh = FRESH_CUSTOMER_DAYS.format(where=f" AND o.customer_id {customers}")
    return (
        f"WITH fresh AS ({fresh}),"
        f" months AS ({customer_months_of('fresh')}),"
        " gone_days AS (DELETE FROM orders_customersalesday t"
        f" WHERE t.customer_id {customers} AND NOT EXISTS (SELECT 1 FROM fresh f"
        " WHERE f.customer_id = t.customer_id AND f.day = t.day AND f.currency = t.currency)),"
        " gone_months AS (DELETE FROM orders_customersalesmonth t"
        f" WHERE t.customer_id {customers} AND NOT EXISTS (SELECT 1 FROM months f"
        " WHERE f.customer_id = t.customer_id AND f.month = t.month"
        " AND f.currency = t.currency)),"
        f" totals AS ({customer_totals_of('fresh')}),"
        " gone_totals AS (DELETE FROM orders_customersalestotal t"
        f" WHERE t.customer_id {customers} AND NOT EXISTS (SELECT 1 FROM totals f"
        " WHERE f.customer_id = t.customer_id AND f.currency = t.currency)),"
        " new_totals AS (INSERT INTO orders_customersalestotal AS t"
        " (customer_id, currency, orders, revenue_bound)"
        f" {changed_rows('totals', 'orders_customersalestotal', _TOTAL_KEY, _BOUNDS, customers)}"
        " ON CONFLICT (customer_id, currency) DO UPDATE SET orders = EXCLUDED.orders,"
        " revenue_bound = EXCLUDED.revenue_bound WHERE (t.orders, t.revenue_bound)"
        " IS DISTINCT FROM (EXCLUDED.orders, EXCLUDED.revenue_bound)),"
        f"{windows_upsert_sql(customers)}"
        " new_days AS (INSERT INTO orders_customersalesday AS t"
        " (customer_id, day, currency, orders, shipped_orders, net_revenue)"
        f" {changed_rows('fresh', _DAYS, _DAY_KEY, CUSTOMER_FIGURES, customers)}"
        f" ON CONFLICT (customer_id, day, currency) DO UPDATE SET {_CHANGED})"
        " INSERT INTO orders_customersalesmonth AS t"
        " (customer_id, month, currency, orders, shipped_orders, net_revenue)"
        f" {changed_rows('months', _MONTHS, _MONTH_KEY, CUSTOMER_FIGURES, customers)}"
        f" ON CONFLICT (customer_id, month, currency) DO UPDATE SET {_CHANGED}"
    )


# Several customers, and one. Run as prepared statements (common.db.prepared_cursor): with a
# single id PostgreSQL estimates the generic plan as well as a custom one, and settles on it
# after five runs on a connection (planning this statement cost more than running it); with an
# array of unknown length it keeps planning every run.
_REFRESH_SQL = _refresh_sql("= ANY(%(ids)s)")
_REFRESH_ONE_SQL = _refresh_sql("= %(ids)s")


_POSITIONAL = re.compile(r"(?<!%)%s")


def customer_sales_refresh(
    *, customer_ids: Sequence[int], along: tuple[str, Sequence[Any]] | None = None
) -> None:
    """Recompute the customers' rollup rows from their orders (call inside the transaction
    that changed their orders, with the customer rows locked: customer_totals_refresh does).

    `along`: a data-modifying statement of the caller (SQL with %s parameters, and those),
    run as part of the same statement on PostgreSQL (a CTE: the same snapshot, one round trip
    instead of two), before it elsewhere."""
    ids = sorted(set(customer_ids))
    if not ids:
        if along is not None:
            with connection.cursor() as cursor:
                cursor.execute(*along)
        return
    if not postgres():
        if along is not None:
            with connection.cursor() as cursor:
                cursor.execute(*along)
        _python_refresh(ids)
        return
    if len(ids) == 1:
        sql, params = _REFRESH_ONE_SQL, dict[str, Any](ids=ids[0], tz=zone_name())
    else:
        sql, params = _REFRESH_SQL, dict[str, Any](ids=ids, tz=zone_name())
    if along is not None:
        # Its %s become named parameters, to sit beside this statement's own.
        names = iter(range(len(along[1])))
        named = _POSITIONAL.sub(lambda _m: f"%(along{next(names)})s", along[0])
        sql = f"WITH along AS ({named}), {sql.removeprefix('WITH ')}"
        params.update({f"along{i}": value for i, value in enumerate(along[1])})
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)


# --- The same in Python (SQLite) --------------------------------------------------------------

_Cells = dict[tuple[Any, ...], list[Any]]  # key -> [orders, shipped_orders, net_revenue]


def _net(order: Mapping[str, Any]) -> Decimal:
    if order["status"] == OrderStatus.RETURNED:
        return Decimal(order["paid_amount"]) - Decimal(order["refunded_amount"])
    return Decimal(order["total"]) - Decimal(order["refunded_amount"])


def customer_cells(orders: Q) -> tuple[_Cells, _Cells]:
    """(day rows, month rows) keyed (customer_id, day or month, currency), from the orders
    matching `orders`."""
    zone = ZoneInfo(zone_name())
    days: _Cells = defaultdict(lambda: [0, 0, Decimal(0)])
    rows = (
        Order.objects.filter(orders)
        .exclude(status=OrderStatus.CANCELLED)
        .values(
            "customer_id",
            "created_at",
            "currency",
            "status",
            "shipped_at",
            "total",
            "paid_amount",
            "refunded_amount",
        )
    )
    for order in rows:
        day = timezone.localtime(order["created_at"], zone).date()
        cell = days[(order["customer_id"], day, order["currency"])]
        cell[0] += 1
        if order["shipped_at"] is not None:
            cell[1] += 1
            cell[2] += _net(order)
    months: _Cells = defaultdict(lambda: [0, 0, Decimal(0)])
    for (customer_id, day, currency), figures in days.items():
        month = months[(customer_id, _month(day), currency)]
        for i, value in enumerate(figures):
            month[i] += value
    return dict(days), dict(months)


def _month(day: date) -> date:
    return day.replace(day=1)


def write_cells(model: Any, period: str, cells: _Cells) -> None:
    model.objects.bulk_create(
        model(
            customer_id=customer_id,
            currency=currency,
            **{period: key_day},
            **dict(zip(CUSTOMER_FIGURES, figures, strict=True)),
        )
        for (customer_id, key_day, currency), figures in sorted(cells.items(), key=str)
    )


def _python_refresh(ids: Iterable[int]) -> None:
    ids = list(ids)
    days, months = customer_cells(Q(customer_id__in=ids))
    for model in (CustomerSalesDay, CustomerSalesMonth, CustomerSalesTotal, CustomerSalesWindow):
        model.objects.filter(customer_id__in=ids).delete()
    write_cells(CustomerSalesDay, "day", days)
    write_cells(CustomerSalesMonth, "month", months)
    write_totals(total_cells(days))
    write_windows(window_cells(days))


def total_cells(days: _Cells) -> dict[tuple[int, str], list[Any]]:
    """(customer_id, currency) -> [orders, revenue bound] from day cells."""
    totals: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for (customer_id, _day, currency), (orders, _shipped, net) in days.items():
        cell = totals[(customer_id, currency)]
        cell[0] += orders
        cell[1] += max(net, Decimal(0))
    return dict(totals)


def write_totals(cells: dict[tuple[int, str], list[Any]]) -> None:
    CustomerSalesTotal.objects.bulk_create(
        CustomerSalesTotal(customer_id=c, currency=cur, orders=n, revenue_bound=bound)
        for (c, cur), (n, bound) in sorted(cells.items())
    )
