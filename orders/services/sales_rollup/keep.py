"""Keeping the rollup: a shipment adds its order's lines, a return takes the returned units
out, in the same transaction as the change."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection

from orders.services.sales_rollup.in_python import python_add
from orders.services.sales_rollup.sql import (
    COUNTED,
    DAY,
    LINES,
    MONTH,
    NOW,
    RETURN_LINES,
    RETURNED,
    postgres,
    zone_name,
)

_DAY_KEY = "(day, variant_id, channel, (COALESCE(warehouse_id, 0)), currency)"
_MONTH_KEY = "(month, variant_id, currency)"
_TOTAL_KEY = "(variant_id, currency)"
_CHANNEL_KEY = "(day, channel, (COALESCE(warehouse_id, 0)), currency)"
_ADD_FIGURES = (
    "units = t.units + EXCLUDED.units, net_revenue = t.net_revenue + EXCLUDED.net_revenue,"
    " vat = t.vat + EXCLUDED.vat, cost = t.cost + EXCLUDED.cost"
)
_ADD_CHANNEL = (
    "orders = t.orders + EXCLUDED.orders, net_revenue = t.net_revenue + EXCLUDED.net_revenue,"
    " shipping_fee = t.shipping_fee + EXCLUDED.shipping_fee"
)


# A per-variant table's key columns and the values they take from the order (o) and line (l).
_DAY_COLUMNS = {
    "day": DAY,
    "variant_id": "l.variant_id",
    "channel": "o.channel",
    "warehouse_id": "o.warehouse_id",
    "currency": "o.currency",
}
_MONTH_COLUMNS = {"month": MONTH, "variant_id": "l.variant_id", "currency": "o.currency"}
_TOTAL_COLUMNS = {"variant_id": "l.variant_id", "currency": "o.currency"}


def _variant_upsert(
    table: str, columns: dict[str, str], conflict: str, figures: tuple[str, ...], source: str
) -> str:
    """Add the order's per-line `figures` (units, net, VAT, cost), summed per key, to a
    per-variant table (SalesDay, SalesMonth), rows in key order."""
    units, net, vat, cost = figures
    groups = ", ".join(str(n) for n in range(1, len(columns) + 1))
    return (
        f"INSERT INTO {table} AS t ({', '.join(columns)}, units, net_revenue, vat, cost)"
        f" SELECT {', '.join(columns.values())},"
        f" SUM({units}), SUM({net}), SUM({vat}), SUM({cost})"
        f" FROM {source} WHERE o.id = %(order_id)s AND {COUNTED}"
        f" GROUP BY {groups} ORDER BY {groups}"
        f" ON CONFLICT {conflict} DO UPDATE SET {_ADD_FIGURES}"
    )


_SHIPMENT_SQL = (
    _variant_upsert("orders_salesday", _DAY_COLUMNS, _DAY_KEY, NOW, LINES),
    _variant_upsert("orders_salesmonth", _MONTH_COLUMNS, _MONTH_KEY, NOW, LINES),
    _variant_upsert("orders_salestotal", _TOTAL_COLUMNS, _TOTAL_KEY, NOW, LINES),
    "INSERT INTO orders_salesdaychannel AS t"
    " (day, channel, warehouse_id, currency, orders, net_revenue, shipping_fee)"
    f" SELECT {DAY}, o.channel, o.warehouse_id, o.currency, 1,"
    f" COALESCE((SELECT SUM({NOW[1]}) FROM orders_orderline l WHERE l.order_id = o.id), 0),"
    " o.shipping_fee"
    f" FROM orders_order o WHERE o.id = %(order_id)s AND {COUNTED}"
    f" ON CONFLICT {_CHANNEL_KEY} DO UPDATE SET {_ADD_CHANNEL}",
)

_RETURN_SQL = (
    _variant_upsert("orders_salesday", _DAY_COLUMNS, _DAY_KEY, RETURNED, RETURN_LINES),
    _variant_upsert("orders_salesmonth", _MONTH_COLUMNS, _MONTH_KEY, RETURNED, RETURN_LINES),
    _variant_upsert("orders_salestotal", _TOTAL_COLUMNS, _TOTAL_KEY, RETURNED, RETURN_LINES),
    "INSERT INTO orders_salesdaychannel AS t"
    " (day, channel, warehouse_id, currency, orders, net_revenue, shipping_fee)"
    f" SELECT {DAY}, o.channel, o.warehouse_id, o.currency, 0, SUM({RETURNED[1]}), 0"
    f" FROM {RETURN_LINES} WHERE o.id = %(order_id)s AND {COUNTED}"
    " GROUP BY 1, 2, 3, 4"
    f" ON CONFLICT {_CHANNEL_KEY} DO UPDATE SET {_ADD_CHANNEL}",
)


def sales_rollup_add_shipment(*, order_id: int) -> None:
    """Add a just shipped order's lines to the rollup (call inside the shipment's transaction,
    after its lines are marked shipped with their unit cost). Does nothing for an order that
    does not count (not shipped, or cancelled)."""
    if not postgres():
        python_add(order_id=order_id, returned={})
        return
    params: dict[str, Any] = {"order_id": order_id, "tz": zone_name()}
    with connection.cursor() as cursor:
        for sql in _SHIPMENT_SQL:
            cursor.execute(sql, params)


def sales_rollup_add_return(*, order_id: int, returned: Mapping[int, int]) -> None:
    """Take returned units out of the rollup: `returned` maps order line ids to the units that
    just came back, already added to the lines' quantity_returned (call inside the return's
    transaction, after those updates)."""
    returned = {line_id: n for line_id, n in returned.items() if n}
    if not returned:
        return
    if not postgres():
        python_add(order_id=order_id, returned=returned)
        return
    ids = sorted(returned)
    params: dict[str, Any] = {
        "order_id": order_id,
        "tz": zone_name(),
        "line_ids": ids,
        "quantities": [returned[i] for i in ids],
    }
    with connection.cursor() as cursor:
        for sql in _RETURN_SQL:
            cursor.execute(sql, params)
