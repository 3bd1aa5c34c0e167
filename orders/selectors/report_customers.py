"""The sums behind the top customers report, from its two sources, which must agree
(tests/orders/test_customer_rollup.py): the orders of the period, and the customer rollup
(orders.services.sales_rollup.customers: per customer, day and currency, and per month).

The rollup serves a report asked in the shop's time zone without a channel or warehouse filter
(its rows have neither): the period's whole months from CustomerSalesMonth, the days around
them from CustomerSalesDay, summed per customer, sorted and cut to the top 100; only for the
customers whose bound can reach the top 100 when one serves (top_customers_from_rollup).
The time of each listed customer's last order in the period is read with their names (a
subquery per customer on the orders' (customer, created_at) index)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.models import (
    WINDOW_MONTHS,
    Customer,
    CustomerPhone,
    CustomerSalesDay,
    CustomerSalesMonth,
    CustomerSalesTotal,
    CustomerSalesWindow,
    Order,
)
from orders.selectors.report_scope import (
    NUMERIC,
    SORT_ORDERS,
    SORT_REVENUE,
    TOP_ROWS,
    ZERO,
    ReportFilters,
    month_plan,
    order_q,
    rollup_serves,
)
from orders.services.customers import CUSTOMER_ORDER, CUSTOMER_SALE, customer_net_revenue

_ORDER_BY = {
    SORT_REVENUE: ("-net_revenue", "-orders", "customer_id"),
    SORT_ORDERS: ("-orders", "-net_revenue", "customer_id"),
}
_BOUND = {SORT_REVENUE: ("revenue_bound", "net_revenue"), SORT_ORDERS: ("orders", "orders")}
SEEDS = 3 * TOP_ROWS
MAX_CANDIDATES = 5000
LONG_DAYS = 62  # shorter periods sum everyone: few rows, and lifetime bounds prune little

_ROLLUP_ORDER = {
    SORT_REVENUE: "net_revenue DESC, orders DESC, customer_id",
    SORT_ORDERS: "orders DESC, net_revenue DESC, customer_id",
}


def customer_rollup_serves(filters: ReportFilters) -> bool:
    """The rollup has no channel or warehouse, and its days are the shop's."""
    return rollup_serves() and not filters.channel and filters.warehouse_id is None


def period_orders(filters: ReportFilters) -> Q:
    """The orders a customer's figures count in the period (shipped or not)."""
    return order_q(filters, shipped=False) & CUSTOMER_ORDER


def top_customers_from_orders(filters: ReportFilters, *, sort: str) -> list[dict[str, Any]]:
    """customer_id, orders, shipped_orders, net_revenue and last_order_at of the top rows,
    aggregated from the period's orders."""
    rows = (
        Order.objects.filter(period_orders(filters))
        .values("customer_id")
        .annotate(
            orders=Count("id"),
            shipped_orders=Count("id", filter=CUSTOMER_SALE),
            net_revenue=Coalesce(
                Sum(customer_net_revenue(), filter=CUSTOMER_SALE, output_field=NUMERIC),
                Value(ZERO),
                output_field=NUMERIC,
            ),
            last_order_at=Max("created_at"),
        )
        .order_by(*_ORDER_BY[sort])[:TOP_ROWS]
    )
    return [dict(row) for row in rows]


def _sums(filters: ReportFilters, *, sort: str, ids: list[int] | None) -> list[dict[str, Any]]:
    """customer_id, orders, shipped_orders and net_revenue of the top rows, summed from the
    customer rollup (of the customers `ids` only: PostgreSQL, an array parameter)."""
    # A customer's day rows barely compress into months (about an order a month): taking days
    # out of a month reads no fewer rows, so months are only added whole.
    plan = month_plan(
        date_from=filters.date_from,
        date_to=filters.date_to,
        today=timezone.localdate(),
        subtract=False,
    )
    only, only_params = ("", []) if ids is None else (" AND customer_id = ANY(%s)", [ids])
    parts, params = [], list[Any]()
    for spans, sign in ((plan.add, ""), (plan.subtract, "-")):
        if not spans:
            continue
        days = " OR ".join("(day >= %s AND day <= %s)" for _span in spans)
        parts.append(
            f"SELECT customer_id, {sign}orders AS orders,"  # noqa: S608
            f" {sign}shipped_orders AS shipped_orders, {sign}net_revenue AS net_revenue"
            f" FROM {CustomerSalesDay._meta.db_table} WHERE currency = %s AND ({days}){only}"
        )
        params.extend([filters.currency, *(day for span in spans for day in span), *only_params])
    if plan.months:
        parts.append(
            "SELECT customer_id, orders, shipped_orders, net_revenue"  # noqa: S608
            f" FROM {CustomerSalesMonth._meta.db_table} WHERE currency = %s"
            f" AND month IN ({', '.join(['%s'] * len(plan.months))}){only}"
        )
        params.extend([filters.currency, *plan.months, *only_params])
    sql = (
        "SELECT customer_id, SUM(orders) AS orders, SUM(shipped_orders) AS shipped_orders,"  # noqa: S608
        f" SUM(net_revenue) AS net_revenue FROM ({' UNION ALL '.join(parts)}) x"
        # Every day row has an order: a customer without orders in the period was taken out.
        f" GROUP BY customer_id HAVING SUM(orders) > 0"
        f" ORDER BY {_ROLLUP_ORDER[sort]} LIMIT {TOP_ROWS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = ("customer_id", "orders", "shipped_orders", "net_revenue")
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _bounds(filters: ReportFilters) -> tuple[str, list[Any]] | None:
    """Rows (customer_id, orders, revenue_bound) that no figure of the period can exceed, with
    their parameters: the customers' window of 2 or 13 months ending with the period's last
    month when the period lies in it and fills at least half of it (up to today), else (a long
    period only) their CustomerSalesTotal; None: no bound worth reading, sum everyone."""
    first, last = filters.date_from, filters.date_to
    spanned = (last.year - first.year) * 12 + last.month - first.month + 1
    fitting = [n for n in WINDOW_MONTHS if n >= spanned]
    if fitting:
        start = _shift_month(last.replace(day=1), 1 - fitting[0])
        end = min(_shift_month(last.replace(day=1), 1), timezone.localdate() + timedelta(days=1))
        # A window much longer than the period (a week in 2 months) bounds it loosely.
        if (end - start).days <= 2 * ((last - first).days + 1):
            return (
                f"{CustomerSalesWindow._meta.db_table} WHERE currency = %s AND months = %s"
                " AND month = %s",
                [filters.currency, fitting[0], last.replace(day=1)],
            )
    if (last - first).days >= LONG_DAYS:
        return f"{CustomerSalesTotal._meta.db_table} WHERE currency = %s", [filters.currency]
    return None


def _shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _by_bound(rows: tuple[str, list[Any]], bound: str, *, at_least: Any, limit: int) -> list[int]:
    """Up to `limit` customers of the bound `rows` by `bound`, highest first, those reaching
    `at_least` only (None: any)."""
    source, params = rows
    reach = "" if at_least is None else f" AND {bound} >= %s"
    sql = f"SELECT customer_id FROM {source}{reach} ORDER BY {bound} DESC LIMIT {int(limit)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *([] if at_least is None else [at_least])])
        return [row[0] for row in cursor.fetchall()]


def top_customers_from_rollup(filters: ReportFilters, *, sort: str) -> list[dict[str, Any]]:
    """The top rows summed from the customer rollup: the period's whole months from
    CustomerSalesMonth, the days around them from CustomerSalesDay.

    Only the customers who can reach the top 100 are summed when a bound serves (_bounds): no
    period's orders or net revenue exceed the customer's bounds over months that hold it. The
    SEEDS customers with the highest bounds are summed first; the 100th of them has the value
    L; a customer whose bound is below L cannot reach the top 100, so only those with a bound
    >= L are summed (when they are all seeds, the seeds' rows are the answer; more than
    MAX_CANDIDATES, or fewer than 100 seeds in the period, and everyone is summed)."""
    bounds = _bounds(filters) if connection.vendor == "postgresql" else None
    if bounds is None:
        return _sums(filters, sort=sort, ids=None)
    bound, value = _BOUND[sort]
    seeds = _by_bound(bounds, bound, at_least=None, limit=SEEDS)
    seeded = _sums(filters, sort=sort, ids=seeds)
    if len(seeded) < TOP_ROWS:
        return _sums(filters, sort=sort, ids=None)
    candidates = _by_bound(bounds, bound, at_least=seeded[-1][value], limit=MAX_CANDIDATES + 1)
    if set(candidates) <= set(seeds):
        return seeded
    if len(candidates) > MAX_CANDIDATES:
        return _sums(filters, sort=sort, ids=None)
    return _sums(filters, sort=sort, ids=candidates)


def customer_people(
    filters: ReportFilters, ids: list[int], *, last_order: bool
) -> dict[int, dict[str, Any]]:
    """The listed customers' name, company and primary phone; with `last_order`, the time of
    their last order in the period too (a subquery each on the (customer, created_at) index)."""
    if not ids:
        return {}
    primary_phone = CustomerPhone.objects.filter(
        customer_id=OuterRef("pk"), is_primary=True
    ).values("e164")[:1]
    people = Customer.objects.filter(pk__in=ids).annotate(phone=Subquery(primary_phone))
    fields = ["pk", "name", "company", "phone"]
    if last_order:
        last = (
            Order.objects.filter(period_orders(filters), customer_id=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        people = people.annotate(last_order_at=Subquery(last))
        fields.append("last_order_at")
    return {row["pk"]: dict(row) for row in people.values(*fields)}
