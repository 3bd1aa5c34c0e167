"""Rebuilding the rollup from the orders, for a range of whole months or everything."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
from orders.services.sales_rollup.tables import TABLES
from orders.services.sales_rollup.totals import totals_refill

_TABLES = "orders_salesday, orders_salesmonth, orders_salesdaychannel, orders_salestotal"


@dataclass(frozen=True)
class RebuildResult:
    range: RollupRange
    days: int  # SalesDay rows written
    months: int  # SalesMonth rows written
    channel_days: int  # SalesDayChannel rows written


def sales_rollup_rebuild(
    *, day_from: date | None = None, day_to: date | None = None
) -> RebuildResult:
    """Recompute the rollup from the orders for the whole months covering [day_from, day_to]
    (everything without bounds), in one transaction.

    The tables are locked against writers meanwhile (EXCLUSIVE; reports still read them, except
    during a full rebuild, which empties them with TRUNCATE): a shipment that committed before
    the lock is counted by the recomputation, one that comes after waits and adds itself on
    top, so none is lost or counted twice.
    """
    rollup = rollup_range(day_from=day_from, day_to=day_to)
    # TRUNCATE (fast, no dead rows) only in a transaction of our own: inside an outer one the
    # rows it wrote may have pending foreign key checks, which TRUNCATE refuses.
    truncate = rollup.everything and not connection.in_atomic_block
    with transaction.atomic():
        if not postgres():
            return _python_rebuild(rollup)
        params = rollup.params()
        where = rollup.created_sql()
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_TABLES} IN EXCLUSIVE MODE")
            if truncate:
                cursor.execute(f"TRUNCATE {_TABLES}")
            else:
                for table in TABLES:
                    where_days = rollup.days_sql(table.period)
                    cursor.execute(f"DELETE FROM {table.db_table} WHERE {where_days}", params)
            cursor.execute(
                "INSERT INTO orders_salesday"
                " (day, variant_id, channel, warehouse_id, currency, units, net_revenue, vat,"
                f" cost) {FRESH_DAYS.format(where=where)} ORDER BY 1, 2",
                params,
            )
            days = cursor.rowcount
            new_days = f"(SELECT * FROM orders_salesday WHERE {rollup.days_sql('day')})"
            cursor.execute(
                "INSERT INTO orders_salesmonth"
                " (month, variant_id, currency, units, net_revenue, vat, cost)"
                f" {months_of(new_days)}",
                params,
            )
            months = cursor.rowcount
            cursor.execute(
                "INSERT INTO orders_salesdaychannel"
                " (day, channel, warehouse_id, currency, orders, net_revenue, shipping_fee)"
                f" {channels_of(new_days, FRESH_ORDERS.format(where=where))}",
                params,
            )
            channel_days = cursor.rowcount
            totals_refill()
            if rollup.everything:  # fresh statistics for the planner
                cursor.execute(f"ANALYZE {_TABLES}")
    return RebuildResult(rollup, days, months, channel_days)


def _python_rebuild(rollup: RollupRange) -> RebuildResult:
    fresh = fresh_figures(rollup)
    for table in TABLES:
        table.model.objects.filter(rollup.day_q(table.period)).delete()
        table.model.objects.bulk_create(
            table.model(
                **dict(zip(table.keys, key, strict=True)),
                **dict(zip(table.figures, figures, strict=True)),
            )
            for key, figures in fresh[table.name].items()
        )
    totals_refill()
    return RebuildResult(rollup, *(len(fresh[table.name]) for table in TABLES))
