"""The per-line figures in SQL (PostgreSQL): the fragments the keeping, the rebuild and the
check assemble their statements from (the rules: orders.services.sales_rollup)."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from django.conf import settings
from django.db import connection

COUNTED = "o.shipped_at IS NOT NULL AND o.status <> 'cancelled'"
DAY = "(o.created_at AT TIME ZONE %(tz)s)::date"
MONTH = "date_trunc('month', o.created_at AT TIME ZONE %(tz)s)::date"
_UNITS = "(l.quantity_shipped - l.quantity_returned)"


def _net_sql(units: str) -> str:
    return (
        "CASE WHEN o.subtotal = 0 THEN 0"
        f" WHEN o.discount_total = 0 THEN ROUND(l.line_total * {units} / l.quantity, 6)"
        f" ELSE ROUND(l.line_total * (o.subtotal - o.discount_total) * {units}"
        " / (o.subtotal * l.quantity), 6) END"
    )


def _vat_sql(units: str) -> str:
    return f"ROUND(l.vat_amount * {units} / l.quantity, 6)"


def _cost_sql(units: str) -> str:
    return f"l.unit_cost * {units}"


# (units, net, vat, cost) of a line as it stands / as a return of r.quantity changed it.
NOW = (_UNITS, _net_sql(_UNITS), _vat_sql(_UNITS), _cost_sql(_UNITS))
_BEFORE = f"({_UNITS} + r.quantity)"
RETURNED = (
    "-r.quantity",
    f"{_net_sql(_UNITS)} - ({_net_sql(_BEFORE)})",
    f"{_vat_sql(_UNITS)} - {_vat_sql(_BEFORE)}",
    f"{_cost_sql(_UNITS)} - {_cost_sql(_BEFORE)}",
)
LINES = "orders_order o JOIN orders_orderline l ON l.order_id = o.id"
RETURN_LINES = (
    f"{LINES} JOIN unnest(%(line_ids)s::bigint[], %(quantities)s::int[])"
    " AS r(line_id, quantity) ON r.line_id = l.id"
)

# The rows of a range computed from the orders (the rebuild and the check); {where} bounds
# created_at to the range (RollupRange.created_sql).
FRESH_DAYS = (
    f"SELECT {DAY} AS day, l.variant_id, o.channel, o.warehouse_id, o.currency,"
    f" SUM({NOW[0]}) AS units, SUM({NOW[1]}) AS net_revenue, SUM({NOW[2]}) AS vat,"
    f" SUM({NOW[3]}) AS cost"
    f" FROM {LINES} WHERE {COUNTED}{{where}}"
    " GROUP BY 1, 2, 3, 4, 5"
)
FRESH_ORDERS = (
    f"SELECT {DAY} AS day, o.channel, o.warehouse_id, o.currency, COUNT(*) AS orders,"
    " SUM(o.shipping_fee) AS shipping_fee"
    f" FROM orders_order o WHERE {COUNTED}{{where}}"
    " GROUP BY 1, 2, 3, 4"
)


def months_of(days: str) -> str:
    """SalesMonth rows summed from SalesDay-shaped rows (`days`: a table or a subquery)."""
    return (
        "SELECT date_trunc('month', d.day)::date AS month, d.variant_id, d.currency,"
        " SUM(d.units) AS units, SUM(d.net_revenue) AS net_revenue, SUM(d.vat) AS vat,"
        f" SUM(d.cost) AS cost FROM {days} d GROUP BY 1, 2, 3"
    )


def channels_of(days: str, orders: str) -> str:
    """SalesDayChannel rows: the orders' counts and fees, with the net revenue of the goods
    summed from SalesDay-shaped rows (`days`)."""
    return (
        "SELECT o.day, o.channel, o.warehouse_id, o.currency, o.orders,"
        " COALESCE(n.net_revenue, 0) AS net_revenue, o.shipping_fee"
        f" FROM ({orders}) o LEFT JOIN (SELECT d.day, d.channel, d.warehouse_id, d.currency,"
        f" SUM(d.net_revenue) AS net_revenue FROM {days} d GROUP BY 1, 2, 3, 4) n"
        " ON n.day = o.day AND n.channel = o.channel AND n.currency = o.currency"
        " AND COALESCE(n.warehouse_id, 0) = COALESCE(o.warehouse_id, 0)"
    )


def postgres() -> bool:
    return connection.vendor == "postgresql"


def zone_name() -> str:
    return str(settings.TIME_ZONE)


def changed_rows(
    source: str, table: str, key: tuple[str, ...], figures: tuple[str, ...], customers: str
) -> str:
    """The rows of `source` (a CTE of some customers' rows; `customers` matches their ids)
    that `table` lacks or holds with other `figures`, in key order: what an upsert of `source`
    into `table` must write. Upserting only these, rather than every row with ON CONFLICT ...
    WHERE, spares the unchanged rows their row lock (an ON CONFLICT DO UPDATE locks the row it
    finds even when its WHERE then skips the update). The stored rows are read by customer
    (the first column of the table's key), whatever the planner expects of `source`."""
    on = " AND ".join([f"s.customer_id {customers}", *(f"s.{k} = f.{k}" for k in key)])
    old = ", ".join(f"s.{c}" for c in figures)
    new = ", ".join(f"f.{c}" for c in figures)
    order = ", ".join(f"f.{k}" for k in key)
    return (
        f"SELECT f.* FROM {source} f LEFT JOIN {table} s ON {on}"
        f" WHERE ({old}) IS DISTINCT FROM ({new}) ORDER BY {order}"
    )
