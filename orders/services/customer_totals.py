"""A customer's lifetime totals: their one definition and how services keep them.

Part of orders.services.customers (which re-exports these names): see its docstring for who
calls `customer_totals_refresh` and the lock order.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Sum, When

from common.money import quantize
from orders import transitions as t
from orders.models import Customer, Order
from orders.services.sales_rollup.customers import customer_sales_refresh

# --- Lifetime totals --------------------------------------------------------------------------
#
# The one definition of a customer's orders and revenue (the customer list and page, the top
# customers report, the order page's customer badge):
#   orders  = the customer's orders that were not cancelled (new, processing, shipped,
#             completed, returned);
#   revenue = over those orders that were shipped (shipped_at set), in the shop currency:
#             total (shipping included) - refunded_amount; for an order that came back
#             entirely (returned), only what was paid and kept: paid_amount - refunded_amount
#             (a refused COD delivery: 0).
CUSTOMER_ORDER = ~Q(status=t.CANCELLED)
CUSTOMER_SALE = CUSTOMER_ORDER & Q(shipped_at__isnull=False)


def customer_net_revenue() -> Case:
    """An order's contribution to its customer's revenue (for the orders in CUSTOMER_SALE)."""
    return Case(
        When(status=t.RETURNED, then=F("paid_amount") - F("refunded_amount")),
        default=F("total") - F("refunded_amount"),
    )


def customer_totals_refresh(*, customer_id: int) -> tuple[int, Decimal]:
    """Recompute orders_count and revenue (see above) under a lock on the customer row.

    Called inside the transaction of the service that changed an order, after that order's
    row was locked. Returns (orders_count, revenue).
    """
    with transaction.atomic():
        list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk"))
        figures = Order.objects.filter(customer_id=customer_id).aggregate(**_totals())
        count = int(figures["count"] or 0)
        revenue = quantize(Decimal(figures["revenue"] or 0), settings.SHOP_CURRENCY)
        Customer.objects.filter(pk=customer_id).update(orders_count=count, revenue=revenue)
        # The top customers report's rollup, under the same lock.
        customer_sales_refresh(customer_ids=[customer_id])
    return count, revenue


def _totals() -> dict[str, Any]:
    """The aggregates of orders_count and revenue over one customer's orders."""
    return {
        "count": Count("pk", filter=CUSTOMER_ORDER),
        "revenue": Sum(
            customer_net_revenue(), filter=CUSTOMER_SALE & Q(currency=settings.SHOP_CURRENCY)
        ),
    }


def customer_totals_recount(*, customer_id: int) -> None:
    """customer_totals_refresh for a customer whose row the caller's transaction already
    locked (SELECT ... FOR UPDATE, before this statement began, so its snapshot sees every
    order committed by anyone who held the lock before): one UPDATE recomputing both figures
    from the orders, with the same aggregates (_totals), compiled once per process, sent with
    the customer's rollup refresh as one statement (on PostgreSQL)."""
    sql, params, at = _recount_statement(connection.alias, settings.SHOP_CURRENCY)
    recount = (sql, [*params[:at], customer_id, *params[at + 1 :], customer_id])
    # The top customers report's rollup, in the same statement as the recount.
    customer_sales_refresh(customer_ids=[customer_id], along=recount)


# Stands for the customer id in the compiled aggregate (no customer has a negative id).
_CUSTOMER_PLACEHOLDER = -20261207


@functools.cache
def _recount_statement(alias: str, currency: str) -> tuple[str, tuple[Any, ...], int]:
    """The recount UPDATE for the database `alias` and shop `currency`: its SQL, its
    parameters, and the position of the customer id among them (the last one, the UPDATE's
    WHERE, comes after them). Compiling the aggregates costs more than running them."""
    aggregates = _totals()
    totals = (
        Order.objects.using(alias)
        .filter(customer_id=_CUSTOMER_PLACEHOLDER)
        .order_by()
        .values("customer_id")
        .annotate(count=aggregates["count"], revenue=aggregates["revenue"])
        .values("count", "revenue")
    )
    select, params = totals.query.sql_with_params()
    at = list(params).index(_CUSTOMER_PLACEHOLDER)
    # SUM over the one group (none: no order): 0 instead of no row. Only our own table name
    # and compiled SQL go into the text; the values are parameters.
    sql = (
        f"UPDATE {Customer._meta.db_table} SET (orders_count, revenue) = "  # noqa: S608
        f"(SELECT COALESCE(SUM(t.count), 0), COALESCE(SUM(t.revenue), 0) FROM ({select}) t) "
        "WHERE id = %s"
    )
    return sql, tuple(params), at
