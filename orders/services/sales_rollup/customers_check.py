"""Rebuilding and checking the customer rollup (CustomerSalesDay, CustomerSalesMonth) for a range
of whole shop-local months or everything, like the variant rollup's rebuild and check; with the
bounds from the stored day rows (CustomerSalesTotal, CustomerSalesWindow)."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from orders.models import CustomerSalesDay, CustomerSalesMonth, CustomerSalesTotal
from orders.services.sales_rollup.check import RollupMismatch
from orders.services.sales_rollup.customer_windows import windows_mismatches, windows_refill
from orders.services.sales_rollup.customers import (
    CUSTOMER_FIGURES,
    FRESH_CUSTOMER_DAYS,
    customer_cells,
    customer_months_of,
    customer_totals_of,
    total_cells,
    write_cells,
    write_totals,
)
from orders.services.sales_rollup.ranges import RollupRange, rollup_range
from orders.services.sales_rollup.sql import postgres

_TABLES: tuple[tuple[str, Any, str], ...] = (  # (RollupMismatch.table, model, date column)
    ("customer_day", CustomerSalesDay, "day"),
    ("customer_month", CustomerSalesMonth, "month"),
)
_ALL = (
    "orders_customersalesday, orders_customersalesmonth, orders_customersalestotal,"
    " orders_customersaleswindow"
)


@dataclass(frozen=True)
class CustomerRebuildResult:
    range: RollupRange
    days: int  # CustomerSalesDay rows written
    months: int  # CustomerSalesMonth rows written
    windows: int = 0  # CustomerSalesWindow rows written


def _range_q(rollup: RollupRange) -> Q:
    start, end = rollup.bounds()
    condition = Q()
    if start is not None:
        condition &= Q(created_at__gte=start)
    if end is not None:
        condition &= Q(created_at__lt=end)
    return condition


def customer_rollup_rebuild(
    *, day_from: date | None = None, day_to: date | None = None
) -> CustomerRebuildResult:
    """Recompute the customer rollup of the whole months covering [day_from, day_to]
    (everything without bounds) from the orders, in one transaction, the tables locked
    against writers (a refresh waiting on the lock recomputes its customer afterwards)."""
    rollup = rollup_range(day_from=day_from, day_to=day_to)
    truncate = rollup.everything and not connection.in_atomic_block
    with transaction.atomic():
        if not postgres():
            days, months = customer_cells(_range_q(rollup))
            for _name, model, period in _TABLES:
                model.objects.filter(rollup.day_q(period)).delete()
            write_cells(CustomerSalesDay, "day", days)
            write_cells(CustomerSalesMonth, "month", months)
            CustomerSalesTotal.objects.all().delete()
            write_totals(_stored_totals())
            windows = windows_refill(rollup)
            return CustomerRebuildResult(rollup, len(days), len(months), windows)
        params = rollup.params()
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_ALL} IN EXCLUSIVE MODE")
            if truncate:
                cursor.execute(f"TRUNCATE {_ALL}")
            else:
                for _name, model, period in _TABLES:
                    cursor.execute(
                        f"DELETE FROM {model._meta.db_table} WHERE {rollup.days_sql(period)}",
                        params,
                    )
            cursor.execute(
                "INSERT INTO orders_customersalesday"
                " (customer_id, day, currency, orders, shipped_orders, net_revenue)"
                f" {FRESH_CUSTOMER_DAYS.format(where=rollup.created_sql())} ORDER BY 1, 2, 3",
                params,
            )
            days_written = cursor.rowcount
            new_days = f"(SELECT * FROM orders_customersalesday WHERE {rollup.days_sql('day')})"
            cursor.execute(
                "INSERT INTO orders_customersalesmonth"
                " (customer_id, month, currency, orders, shipped_orders, net_revenue)"
                f" {customer_months_of(new_days)} ORDER BY 1, 2, 3",
                params,
            )
            months_written = cursor.rowcount
            cursor.execute("DELETE FROM orders_customersalestotal")
            cursor.execute(
                "INSERT INTO orders_customersalestotal (customer_id, currency, orders,"
                f" revenue_bound) {customer_totals_of('orders_customersalesday')} ORDER BY 1, 2"
            )
            windows = windows_refill(rollup)
            if rollup.everything:
                cursor.execute(f"ANALYZE {_ALL}")
    return CustomerRebuildResult(rollup, days_written, months_written, windows)


def _stored_totals() -> dict[tuple[int, str], list[Any]]:
    """The bounds as the stored CustomerSalesDay rows give them."""
    days = {
        (row["customer_id"], row["day"], row["currency"]): [row[f] for f in CUSTOMER_FIGURES]
        for row in CustomerSalesDay.objects.values(
            "customer_id", "day", "currency", *CUSTOMER_FIGURES
        )
    }
    return total_cells(days)


def _totals_mismatches(limit: int) -> tuple[int, list[RollupMismatch]]:
    """CustomerSalesTotal rows that differ from the bounds of the stored day rows."""
    if not postgres():
        stored = {
            (row["customer_id"], row["currency"]): [row["orders"], row["revenue_bound"]]
            for row in CustomerSalesTotal.objects.values()
        }
        expected = _stored_totals()
        keys = sorted(k for k in set(stored) | set(expected) if stored.get(k) != expected.get(k))
        return len(keys), [
            RollupMismatch(
                "customer_total",
                key,
                tuple(stored[key]) if key in stored else None,
                tuple(expected[key]) if key in expected else None,
            )
            for key in keys[:limit]
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(s.customer_id, f.customer_id), COALESCE(s.currency, f.currency),"
            " s.id IS NOT NULL, f.customer_id IS NOT NULL, s.orders, s.revenue_bound,"
            " f.orders, f.revenue_bound, COUNT(*) OVER () FROM orders_customersalestotal s"
            f" FULL JOIN ({customer_totals_of('orders_customersalesday')}) f"
            " ON s.customer_id = f.customer_id AND s.currency = f.currency"
            " WHERE s.id IS NULL OR f.customer_id IS NULL OR s.orders <> f.orders"
            " OR s.revenue_bound <> f.revenue_bound ORDER BY 1, 2 LIMIT %s",
            [limit],
        )
        rows = cursor.fetchall()
    found = [
        RollupMismatch(
            "customer_total",
            (row[0], row[1]),
            tuple(row[4:6]) if row[2] else None,
            tuple(row[6:8]) if row[3] else None,
        )
        for row in rows
    ]
    return (rows[0][-1] if rows else 0), found


def customer_rollup_mismatches(
    *, day_from: date | None = None, day_to: date | None = None, limit: int = 100
) -> tuple[int, list[RollupMismatch]]:
    """Compare the customer rollup of the whole months covering [day_from, day_to] with a fresh
    aggregate of the orders, and the bounds (CustomerSalesTotal) with the stored days: (number
    of differing rows, the first `limit` per table)."""
    rollup = rollup_range(day_from=day_from, day_to=day_to)
    if not postgres():
        total, found = _python_mismatches(rollup, limit=limit)
    else:
        total, found = _range_mismatches(rollup, limit=limit)
    differing, totals = _totals_mismatches(limit)
    window_total, windows = windows_mismatches(rollup, limit=limit)
    return total + differing + window_total, found + totals + windows


def _range_mismatches(rollup: RollupRange, *, limit: int) -> tuple[int, list[RollupMismatch]]:
    params = {**rollup.params(), "limit": limit}
    fresh_days = FRESH_CUSTOMER_DAYS.format(where=rollup.created_sql())
    fresh = {"day": f"({fresh_days})", "month": f"({customer_months_of(f'({fresh_days})')})"}
    total, found = 0, list[RollupMismatch]()
    with connection.cursor() as cursor:
        for name, model, period in _TABLES:
            cursor.execute(_differences_sql(model, period, rollup, fresh[period]), params)
            rows = cursor.fetchall()
            if rows:
                total += rows[0][-1]
            for row in rows:
                stored = tuple(row[5:8]) if row[3] else None
                expected = tuple(row[8:11]) if row[4] else None
                found.append(RollupMismatch(name, tuple(row[:3]), stored, expected))
    return total, found


def _differences_sql(model: Any, period: str, rollup: RollupRange, fresh: str) -> str:
    keys = ("customer_id", period, "currency")
    join = " AND ".join(f"s.{k} = f.{k}" for k in keys)
    differ = " OR ".join(f"s.{name} IS DISTINCT FROM f.{name}" for name in CUSTOMER_FIGURES)
    columns = ", ".join(
        [f"COALESCE(s.{k}, f.{k})" for k in keys]
        + ["s.id IS NOT NULL", "f.customer_id IS NOT NULL"]
        + [f"s.{name}" for name in CUSTOMER_FIGURES]
        + [f"f.{name}" for name in CUSTOMER_FIGURES]
    )
    return (
        f"SELECT {columns}, COUNT(*) OVER () FROM"
        f" (SELECT * FROM {model._meta.db_table} WHERE {rollup.days_sql(period)}) s"
        f" FULL JOIN {fresh} f ON {join}"
        f" WHERE s.id IS NULL OR f.customer_id IS NULL OR {differ}"
        " ORDER BY 1, 2, 3 LIMIT %(limit)s"
    )


def _python_mismatches(rollup: RollupRange, *, limit: int) -> tuple[int, list[RollupMismatch]]:
    fresh = dict(zip(("day", "month"), customer_cells(_range_q(rollup)), strict=True))
    total, found = 0, list[RollupMismatch]()
    for name, model, period in _TABLES:
        values: list[dict[str, Any]] = list(model.objects.filter(rollup.day_q(period)).values())
        stored = {
            (row["customer_id"], row[period], row["currency"]): [row[f] for f in CUSTOMER_FIGURES]
            for row in values
        }
        expected = fresh[period]
        differing = [
            key
            for key in sorted(set(stored) | set(expected), key=str)
            if stored.get(key) != expected.get(key)
        ]
        total += len(differing)
        found.extend(
            RollupMismatch(
                table=name,
                key=key,
                stored=tuple(stored[key]) if key in stored else None,
                expected=tuple(expected[key]) if key in expected else None,
            )
            for key in differing[:limit]
        )
    return total, found
