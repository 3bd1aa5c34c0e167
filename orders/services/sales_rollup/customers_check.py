"""Rebuilding and checking the customer rollup (CustomerSalesDay, CustomerSalesMonth) for a range
of whole shop-local months or everything, like the variant rollup's rebuild and check."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from orders.models import CustomerSalesDay, CustomerSalesMonth
from orders.services.sales_rollup.check import RollupMismatch
from orders.services.sales_rollup.customers import (
    CUSTOMER_FIGURES,
    FRESH_CUSTOMER_DAYS,
    customer_cells,
    customer_months_of,
    write_cells,
)
from orders.services.sales_rollup.ranges import RollupRange, rollup_range
from orders.services.sales_rollup.sql import postgres

_TABLES: tuple[tuple[str, Any, str], ...] = (  # (RollupMismatch.table, model, date column)
    ("customer_day", CustomerSalesDay, "day"),
    ("customer_month", CustomerSalesMonth, "month"),
)
_LOCK = "LOCK TABLE orders_customersalesday, orders_customersalesmonth IN EXCLUSIVE MODE"


@dataclass(frozen=True)
class CustomerRebuildResult:
    range: RollupRange
    days: int  # CustomerSalesDay rows written
    months: int  # CustomerSalesMonth rows written


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
            return CustomerRebuildResult(rollup, len(days), len(months))
        params = rollup.params()
        with connection.cursor() as cursor:
            cursor.execute(_LOCK)
            if truncate:
                cursor.execute("TRUNCATE orders_customersalesday, orders_customersalesmonth")
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
            if rollup.everything:
                cursor.execute("ANALYZE orders_customersalesday, orders_customersalesmonth")
    return CustomerRebuildResult(rollup, days_written, months_written)


def customer_rollup_mismatches(
    *, day_from: date | None = None, day_to: date | None = None, limit: int = 100
) -> tuple[int, list[RollupMismatch]]:
    """Compare the customer rollup of the whole months covering [day_from, day_to] with a fresh
    aggregate of the orders: (number of differing rows, the first `limit` per table)."""
    rollup = rollup_range(day_from=day_from, day_to=day_to)
    if not postgres():
        return _python_mismatches(rollup, limit=limit)
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
