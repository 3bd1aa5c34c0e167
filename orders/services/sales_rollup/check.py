"""Checking the rollup: compare it with a fresh aggregate of the orders; writes nothing."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from orders.services.sales_rollup.in_python import fresh_figures
from orders.services.sales_rollup.ranges import RollupRange, rollup_range
from orders.services.sales_rollup.sql import (
    FRESH_DAYS,
    FRESH_ORDERS,
    channels_of,
    months_of,
    postgres,
)
from orders.services.sales_rollup.tables import DAYS, MONTHS, TABLES, Table
from orders.services.sales_rollup.totals import totals_mismatches


@dataclass(frozen=True)
class RollupMismatch:
    table: str  # "day", "month", "channel", "total" (SalesTotal), "customer_day", "customer_month"
    key: tuple[Any, ...]
    stored: tuple[Any, ...] | None  # None: the row is missing
    expected: tuple[Any, ...] | None  # None: the row should not be there


_FRESH_TABLE = "pg_temp.rollup_fresh_days"


def sales_rollup_mismatches(
    *, day_from: date | None = None, day_to: date | None = None, limit: int = 100
) -> tuple[int, list[RollupMismatch]]:
    """Compare the rollup of the whole months covering [day_from, day_to] (everything without
    bounds) with a fresh aggregate of the orders, and SalesTotal with the sum of SalesMonth:
    (number of differing rows, the first `limit` of them per table). Writes nothing."""
    total, found = _mismatches(rollup_range(day_from=day_from, day_to=day_to), limit=limit)
    differing, totals = totals_mismatches(limit=limit)
    found.extend(RollupMismatch("total", *difference) for difference in totals)
    return total + differing, found


def _mismatches(rollup: RollupRange, *, limit: int) -> tuple[int, list[RollupMismatch]]:
    """The differences of the day, month and channel tables in the range."""
    if not postgres():
        return _python_mismatches(rollup, limit=limit)
    params = {**rollup.params(), "limit": limit}
    where = rollup.created_sql()
    found: list[RollupMismatch] = []
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # Dropped at the end too: inside an outer transaction (tests) the commit is not ours.
        cursor.execute(f"DROP TABLE IF EXISTS {_FRESH_TABLE}")
        cursor.execute(
            "CREATE TEMP TABLE rollup_fresh_days ON COMMIT DROP AS"
            f" {FRESH_DAYS.format(where=where)}",
            params,
        )
        for table in TABLES:
            cursor.execute(_differences_sql(table, rollup, fresh=_fresh_rows(table, where)), params)
            rows = cursor.fetchall()
            if rows:
                total += rows[0][-1]
            found.extend(_mismatch(table, row) for row in rows)
        cursor.execute(f"DROP TABLE {_FRESH_TABLE}")
    return total, found


def _fresh_rows(table: Table, where: str) -> str:
    """The table's rows as the orders give them, from the temporary table of fresh day rows."""
    if table is DAYS:
        return _FRESH_TABLE
    if table is MONTHS:
        return f"({months_of(_FRESH_TABLE)})"
    return f"({channels_of(_FRESH_TABLE, FRESH_ORDERS.format(where=where))})"


def _differences_sql(table: Table, rollup: RollupRange, *, fresh: str) -> str:
    """The stored rows of the range full-joined with the fresh ones, where they differ: the key,
    whether each side exists, the stored figures, the fresh figures and the total count."""
    keys, figures = table.keys, table.figures
    join = " AND ".join(
        f"COALESCE(s.{k}, 0) = COALESCE(f.{k}, 0)" if k == "warehouse_id" else f"s.{k} = f.{k}"
        for k in keys
    )
    differ = " OR ".join(f"s.{name} IS DISTINCT FROM f.{name}" for name in figures)
    columns = ", ".join(
        [f"COALESCE(s.{k}, f.{k})" for k in keys]
        + ["s.id IS NOT NULL", f"f.{keys[0]} IS NOT NULL"]
        + [f"s.{name}" for name in figures]
        + [f"f.{name}" for name in figures]
    )
    return (
        f"SELECT {columns}, COUNT(*) OVER () FROM"
        f" (SELECT * FROM {table.db_table} WHERE {rollup.days_sql(table.period)}) s"
        f" FULL JOIN {fresh} f ON {join}"
        f" WHERE s.id IS NULL OR f.{keys[0]} IS NULL OR {differ}"
        " ORDER BY 1, 2 LIMIT %(limit)s"
    )


def _mismatch(table: Table, row: tuple[Any, ...]) -> RollupMismatch:
    """A row of _differences_sql as a RollupMismatch."""
    n, width = len(table.keys), len(table.figures)
    has_stored, has_fresh = row[n : n + 2]
    values = row[n + 2 : -1]
    return RollupMismatch(
        table=table.name,
        key=tuple(row[:n]),
        stored=tuple(values[:width]) if has_stored else None,
        expected=tuple(values[width:]) if has_fresh else None,
    )


def _python_mismatches(rollup: RollupRange, *, limit: int) -> tuple[int, list[RollupMismatch]]:
    fresh = fresh_figures(rollup)
    total, found = 0, list[RollupMismatch]()
    for table in TABLES:
        stored = {
            tuple(row[k] for k in table.keys): [row[f] for f in table.figures]
            for row in table.model.objects.filter(rollup.day_q(table.period)).values()
        }
        expected = dict(fresh[table.name])
        differing = [
            key
            for key in sorted(set(stored) | set(expected), key=str)
            if stored.get(key) != expected.get(key)
        ]
        total += len(differing)
        found.extend(
            RollupMismatch(
                table=table.name,
                key=key,
                stored=tuple(stored[key]) if key in stored else None,
                expected=tuple(expected[key]) if key in expected else None,
            )
            for key in differing[:limit]
        )
    return total, found
