"""The sales rollup: pre-aggregated daily figures that the sales reports read, kept exact in the
same transaction as the change, like a ledger.

(Over 500 lines on purpose: the same per-line figures written twice, in SQL for PostgreSQL and
in Python for SQLite, with the rebuild and the check that compare them; kept in one module so the
two definitions are read side by side.)

Tables (orders.models): SalesDay (day, variant, channel, warehouse, currency), SalesMonth
(month, variant, currency) and SalesDayChannel (day, channel, warehouse, currency). "day" is the
shop-local date (settings.TIME_ZONE) of the order's created_at; "month" its first day.

What counts (orders.selectors.reports): the lines of orders that were shipped (shipped_at set)
and not cancelled. Per line, with u = quantity_shipped - quantity_returned:
    units(u) = u
    net(u)   = 0 when the order's subtotal is 0, else
               round6(line_total x (subtotal - discount_total) x u / (subtotal x quantity))
    vat(u)   = round6(vat_amount x u / quantity)
    cost(u)  = unit_cost x u
(round6: half up to 6 decimals; the reports round the sums once, to the currency's precision).
A SalesDay / SalesMonth row is the sum of these over its lines; a SalesDayChannel row counts
its orders, sums net(u) over their lines and sums their shipping fees.

What changes them (checked against orders.transitions and every service that writes orders):
  order_ship     processing -> shipped: the order starts to count; sales_rollup_add_shipment
                 adds its lines (and the order, its shipping fee) right after the lines are
                 marked shipped, in the shipment's transaction.
  return_create  n more units of a line came back: sales_rollup_add_return adds
                 net(u) - net(u + n) (and the same for units, VAT and cost), u being the units
                 left after the return; orders and shipping fees do not move (a returned order
                 still counts in the reports, its lines with zero units).
Nothing else touches a counted order's figures: cancel only leaves new / processing, edits
(lines, discounts, warehouse, channel) are allowed only in new / processing, payments and
refunds do not enter these reports, and merging customers changes only the customer.

Because a return adds the difference of the same rounded per-line figures, each row always
equals what sales_rollup_rebuild computes from the orders, to the last decimal: that is what
check_sales_rollup verifies.

On PostgreSQL each change is one INSERT ... SELECT ... ON CONFLICT DO UPDATE per table. Two
transactions adding to the same row: the second waits on the first's row until it commits, then
adds to the committed value. Rows are written in key order and after the stock rows (both
order_ship and return_create lock stock first), so two transactions never wait on each other
crosswise. On SQLite (the dev default) the same figures are computed in Python with
Decimal and written row by row (SQLite lets one writer at a time in).
"""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.days import day_start
from orders.models import Order, OrderStatus, SalesDay, SalesDayChannel, SalesMonth

_SIX = Decimal("0.000001")
_ZERO = Decimal(0)

# --- The per-line figures in SQL (PostgreSQL) -------------------------------------------------

_COUNTED = "o.shipped_at IS NOT NULL AND o.status <> 'cancelled'"
_DAY = "(o.created_at AT TIME ZONE %(tz)s)::date"
_MONTH = "date_trunc('month', o.created_at AT TIME ZONE %(tz)s)::date"
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
_NOW = (_UNITS, _net_sql(_UNITS), _vat_sql(_UNITS), _cost_sql(_UNITS))
_BEFORE = f"({_UNITS} + r.quantity)"
_RETURNED = (
    "-r.quantity",
    f"{_net_sql(_UNITS)} - ({_net_sql(_BEFORE)})",
    f"{_vat_sql(_UNITS)} - {_vat_sql(_BEFORE)}",
    f"{_cost_sql(_UNITS)} - {_cost_sql(_BEFORE)}",
)
_LINES = "orders_order o JOIN orders_orderline l ON l.order_id = o.id"
_RETURN_LINES = (
    f"{_LINES} JOIN unnest(%(line_ids)s::bigint[], %(quantities)s::int[])"
    " AS r(line_id, quantity) ON r.line_id = l.id"
)

_DAY_KEY = "(day, variant_id, channel, (COALESCE(warehouse_id, 0)), currency)"
_MONTH_KEY = "(month, variant_id, currency)"
_CHANNEL_KEY = "(day, channel, (COALESCE(warehouse_id, 0)), currency)"
_ADD_FIGURES = (
    "units = t.units + EXCLUDED.units, net_revenue = t.net_revenue + EXCLUDED.net_revenue,"
    " vat = t.vat + EXCLUDED.vat, cost = t.cost + EXCLUDED.cost"
)
_ADD_CHANNEL = (
    "orders = t.orders + EXCLUDED.orders, net_revenue = t.net_revenue + EXCLUDED.net_revenue,"
    " shipping_fee = t.shipping_fee + EXCLUDED.shipping_fee"
)


def _day_upsert(figures: tuple[str, str, str, str], source: str) -> str:
    units, net, vat, cost = figures
    return (
        "INSERT INTO orders_salesday AS t"
        " (day, variant_id, channel, warehouse_id, currency, units, net_revenue, vat, cost)"
        f" SELECT {_DAY}, l.variant_id, o.channel, o.warehouse_id, o.currency,"
        f" SUM({units}), SUM({net}), SUM({vat}), SUM({cost})"
        f" FROM {source} WHERE o.id = %(order_id)s AND {_COUNTED}"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        f" ON CONFLICT {_DAY_KEY} DO UPDATE SET {_ADD_FIGURES}"
    )


def _month_upsert(figures: tuple[str, str, str, str], source: str) -> str:
    units, net, vat, cost = figures
    return (
        "INSERT INTO orders_salesmonth AS t"
        " (month, variant_id, currency, units, net_revenue, vat, cost)"
        f" SELECT {_MONTH}, l.variant_id, o.currency,"
        f" SUM({units}), SUM({net}), SUM({vat}), SUM({cost})"
        f" FROM {source} WHERE o.id = %(order_id)s AND {_COUNTED}"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        f" ON CONFLICT {_MONTH_KEY} DO UPDATE SET {_ADD_FIGURES}"
    )


_SHIPMENT_SQL = (
    _day_upsert(_NOW, _LINES),
    _month_upsert(_NOW, _LINES),
    "INSERT INTO orders_salesdaychannel AS t"
    " (day, channel, warehouse_id, currency, orders, net_revenue, shipping_fee)"
    f" SELECT {_DAY}, o.channel, o.warehouse_id, o.currency, 1,"
    f" COALESCE((SELECT SUM({_NOW[1]}) FROM orders_orderline l WHERE l.order_id = o.id), 0),"
    " o.shipping_fee"
    f" FROM orders_order o WHERE o.id = %(order_id)s AND {_COUNTED}"
    f" ON CONFLICT {_CHANNEL_KEY} DO UPDATE SET {_ADD_CHANNEL}",
)

_RETURN_SQL = (
    _day_upsert(_RETURNED, _RETURN_LINES),
    _month_upsert(_RETURNED, _RETURN_LINES),
    "INSERT INTO orders_salesdaychannel AS t"
    " (day, channel, warehouse_id, currency, orders, net_revenue, shipping_fee)"
    f" SELECT {_DAY}, o.channel, o.warehouse_id, o.currency, 0, SUM({_RETURNED[1]}), 0"
    f" FROM {_RETURN_LINES} WHERE o.id = %(order_id)s AND {_COUNTED}"
    " GROUP BY 1, 2, 3, 4"
    f" ON CONFLICT {_CHANNEL_KEY} DO UPDATE SET {_ADD_CHANNEL}",
)

# The rows of a range computed from the orders (the rebuild and the check); {where} bounds
# created_at to the range (RollupRange.created_sql).
_FRESH_DAYS = (
    f"SELECT {_DAY} AS day, l.variant_id, o.channel, o.warehouse_id, o.currency,"
    f" SUM({_NOW[0]}) AS units, SUM({_NOW[1]}) AS net_revenue, SUM({_NOW[2]}) AS vat,"
    f" SUM({_NOW[3]}) AS cost"
    f" FROM {_LINES} WHERE {_COUNTED}{{where}}"
    " GROUP BY 1, 2, 3, 4, 5"
)
_FRESH_ORDERS = (
    f"SELECT {_DAY} AS day, o.channel, o.warehouse_id, o.currency, COUNT(*) AS orders,"
    " SUM(o.shipping_fee) AS shipping_fee"
    f" FROM orders_order o WHERE {_COUNTED}{{where}}"
    " GROUP BY 1, 2, 3, 4"
)


def _months_of(days: str) -> str:
    """SalesMonth rows summed from SalesDay-shaped rows (`days`: a table or a subquery)."""
    return (
        "SELECT date_trunc('month', d.day)::date AS month, d.variant_id, d.currency,"
        " SUM(d.units) AS units, SUM(d.net_revenue) AS net_revenue, SUM(d.vat) AS vat,"
        f" SUM(d.cost) AS cost FROM {days} d GROUP BY 1, 2, 3"
    )


def _channels_of(days: str, orders: str) -> str:
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


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _zone_name() -> str:
    return str(settings.TIME_ZONE)


# --- Keeping it -------------------------------------------------------------------------------


def sales_rollup_add_shipment(*, order_id: int) -> None:
    """Add a just shipped order's lines to the rollup (call inside the shipment's transaction,
    after its lines are marked shipped with their unit cost). Does nothing for an order that
    does not count (not shipped, or cancelled)."""
    if not _postgres():
        _python_add(order_id=order_id, returned={})
        return
    params: dict[str, Any] = {"order_id": order_id, "tz": _zone_name()}
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
    if not _postgres():
        _python_add(order_id=order_id, returned=returned)
        return
    ids = sorted(returned)
    params: dict[str, Any] = {
        "order_id": order_id,
        "tz": _zone_name(),
        "line_ids": ids,
        "quantities": [returned[i] for i in ids],
    }
    with connection.cursor() as cursor:
        for sql in _RETURN_SQL:
            cursor.execute(sql, params)


# --- Rebuilding and checking ------------------------------------------------------------------


@dataclass(frozen=True)
class RollupRange:
    """Whole shop-local months: [first, last] as days; None: unbounded on that side."""

    first: date | None
    last: date | None

    @property
    def everything(self) -> bool:
        return self.first is None and self.last is None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """created_at bounds [start, end) of the range, in the shop's time zone."""
        zone = ZoneInfo(_zone_name())
        start = end = None
        if self.first is not None:
            start = day_start(self.first, tz=zone)
        if self.last is not None:
            end = day_start(self.last + timedelta(days=1), tz=zone)
        return start, end

    def params(self) -> dict[str, Any]:
        start, end = self.bounds()
        return {
            "tz": _zone_name(),
            "start": start,
            "end": end,
            "first": self.first,
            "last": self.last,
        }

    def created_sql(self) -> str:
        """ " AND ..." bounding o.created_at (params: start, end)."""
        sql = " AND o.created_at >= %(start)s" if self.first is not None else ""
        return sql + (" AND o.created_at < %(end)s" if self.last is not None else "")

    def days_sql(self, column: str) -> str:
        """A condition on a date column (params: first, last)."""
        parts = ["TRUE"]
        if self.first is not None:
            parts.append(f"{column} >= %(first)s")
        if self.last is not None:
            parts.append(f"{column} <= %(last)s")
        return " AND ".join(parts)

    def day_q(self, field: str = "day") -> Q:
        condition = Q()
        if self.first is not None:
            condition &= Q(**{f"{field}__gte": self.first})
        if self.last is not None:
            condition &= Q(**{f"{field}__lte": self.last})
        return condition


def rollup_range(*, day_from: date | None = None, day_to: date | None = None) -> RollupRange:
    """The whole months that cover [day_from, day_to] (SalesMonth rows are whole months)."""
    first = day_from.replace(day=1) if day_from is not None else None
    last = None
    if day_to is not None:
        next_month = (day_to.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = next_month - timedelta(days=1)
    return RollupRange(first, last)


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
        if not _postgres():
            return _python_rebuild(rollup)
        params = rollup.params()
        where = rollup.created_sql()
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE orders_salesday, orders_salesmonth, orders_salesdaychannel"
                " IN EXCLUSIVE MODE"
            )
            if truncate:
                cursor.execute(
                    "TRUNCATE orders_salesday, orders_salesmonth, orders_salesdaychannel"
                )
            else:
                for table, column in _TABLES:
                    cursor.execute(f"DELETE FROM {table} WHERE {rollup.days_sql(column)}", params)
            cursor.execute(
                "INSERT INTO orders_salesday"
                " (day, variant_id, channel, warehouse_id, currency, units, net_revenue, vat,"
                f" cost) {_FRESH_DAYS.format(where=where)} ORDER BY 1, 2",
                params,
            )
            days = cursor.rowcount
            new_days = f"(SELECT * FROM orders_salesday WHERE {rollup.days_sql('day')})"
            cursor.execute(
                "INSERT INTO orders_salesmonth"
                " (month, variant_id, currency, units, net_revenue, vat, cost)"
                f" {_months_of(new_days)}",
                params,
            )
            months = cursor.rowcount
            cursor.execute(
                "INSERT INTO orders_salesdaychannel"
                " (day, channel, warehouse_id, currency, orders, net_revenue, shipping_fee)"
                f" {_channels_of(new_days, _FRESH_ORDERS.format(where=where))}",
                params,
            )
            channel_days = cursor.rowcount
            if rollup.everything:  # fresh statistics for the planner
                cursor.execute("ANALYZE orders_salesday, orders_salesmonth, orders_salesdaychannel")
    return RebuildResult(rollup, days, months, channel_days)


_TABLES = (
    ("orders_salesday", "day"),
    ("orders_salesmonth", "month"),
    ("orders_salesdaychannel", "day"),
)


@dataclass(frozen=True)
class RollupMismatch:
    table: str  # "day", "month" or "channel"
    key: tuple[Any, ...]
    stored: tuple[Any, ...] | None  # None: the row is missing
    expected: tuple[Any, ...] | None  # None: the row should not be there


@dataclass(frozen=True)
class _Comparison:
    table: str
    keys: tuple[str, ...]
    figures: tuple[str, ...]
    stored: str
    period: str
    fresh: str


_DAY_FIGURES = ("units", "net_revenue", "vat", "cost")
_FRESH_TABLE = "pg_temp.rollup_fresh_days"


def sales_rollup_mismatches(
    *, day_from: date | None = None, day_to: date | None = None, limit: int = 100
) -> tuple[int, list[RollupMismatch]]:
    # Over 60 lines: most of it is the three comparisons as data (table, key, figures) and the
    # one SQL statement that runs them; splitting it would scatter one query.
    """Compare the rollup of the whole months covering [day_from, day_to] (everything without
    bounds) with a fresh aggregate of the orders: (number of differing rows, the first `limit`
    of them per table). Writes nothing."""
    rollup = rollup_range(day_from=day_from, day_to=day_to)
    if not _postgres():
        return _python_mismatches(rollup, limit=limit)
    params = {**rollup.params(), "limit": limit}
    where = rollup.created_sql()
    comparisons = (
        _Comparison(
            "day",
            ("day", "variant_id", "channel", "warehouse_id", "currency"),
            _DAY_FIGURES,
            "orders_salesday",
            "day",
            _FRESH_TABLE,
        ),
        _Comparison(
            "month",
            ("month", "variant_id", "currency"),
            _DAY_FIGURES,
            "orders_salesmonth",
            "month",
            f"({_months_of(_FRESH_TABLE)})",
        ),
        _Comparison(
            "channel",
            ("day", "channel", "warehouse_id", "currency"),
            ("orders", "net_revenue", "shipping_fee"),
            "orders_salesdaychannel",
            "day",
            f"({_channels_of(_FRESH_TABLE, _FRESH_ORDERS.format(where=where))})",
        ),
    )
    found: list[RollupMismatch] = []
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # Dropped at the end too: inside an outer transaction (tests) the commit is not ours.
        cursor.execute(f"DROP TABLE IF EXISTS {_FRESH_TABLE}")
        cursor.execute(
            "CREATE TEMP TABLE rollup_fresh_days ON COMMIT DROP AS"
            f" {_FRESH_DAYS.format(where=where)}",
            params,
        )
        for c in comparisons:
            join = " AND ".join(
                f"COALESCE(s.{k}, 0) = COALESCE(f.{k}, 0)"
                if k == "warehouse_id"
                else f"s.{k} = f.{k}"
                for k in c.keys
            )
            differ = " OR ".join(f"s.{name} IS DISTINCT FROM f.{name}" for name in c.figures)
            columns = ", ".join(
                [f"COALESCE(s.{k}, f.{k})" for k in c.keys]
                + ["s.id IS NOT NULL", f"f.{c.keys[0]} IS NOT NULL"]
                + [f"s.{name}" for name in c.figures]
                + [f"f.{name}" for name in c.figures]
            )
            cursor.execute(
                f"SELECT {columns}, COUNT(*) OVER () FROM"
                f" (SELECT * FROM {c.stored} WHERE {rollup.days_sql(c.period)}) s"
                f" FULL JOIN {c.fresh} f ON {join}"
                f" WHERE s.id IS NULL OR f.{c.keys[0]} IS NULL OR {differ}"
                " ORDER BY 1, 2 LIMIT %(limit)s",
                params,
            )
            rows = cursor.fetchall()
            if rows:
                total += rows[0][-1]
            width = len(c.figures)
            for row in rows:
                key, (has_stored, has_fresh), values = (
                    row[: len(c.keys)],
                    row[len(c.keys) : len(c.keys) + 2],
                    row[len(c.keys) + 2 : -1],
                )
                found.append(
                    RollupMismatch(
                        table=c.table,
                        key=tuple(key),
                        stored=tuple(values[:width]) if has_stored else None,
                        expected=tuple(values[width:]) if has_fresh else None,
                    )
                )
        cursor.execute(f"DROP TABLE {_FRESH_TABLE}")
    return total, found


# --- SQLite: the same figures in Python -------------------------------------------------------


def _round6(value: Decimal) -> Decimal:
    return value.quantize(_SIX, rounding=ROUND_HALF_UP)


def line_figures(
    *,
    units: int,
    quantity: int,
    line_total: Decimal,
    vat_amount: Decimal,
    unit_cost: Decimal,
    subtotal: Decimal,
    discount_total: Decimal,
) -> tuple[int, Decimal, Decimal, Decimal]:
    """(units, net revenue, VAT, cost) of a line with `units` sold: the SQL above, in Decimal."""
    if subtotal == 0:
        net = _ZERO
    elif discount_total == 0:
        net = _round6(line_total * units / quantity)
    else:
        net = _round6(line_total * (subtotal - discount_total) * units / (subtotal * quantity))
    vat = _round6(vat_amount * units / quantity)
    return units, net, vat, unit_cost * units


@dataclass(frozen=True)
class _Table:
    name: str  # as in RollupMismatch.table
    model: Any  # SalesDay, SalesMonth or SalesDayChannel
    keys: tuple[str, ...]
    figures: tuple[str, ...]
    period: str  # the date field of the key


_DAYS = _Table(
    "day",
    SalesDay,
    ("day", "variant_id", "channel", "warehouse_id", "currency"),
    ("units", "net_revenue", "vat", "cost"),
    "day",
)
_MONTHS = _Table("month", SalesMonth, ("month", "variant_id", "currency"), _DAYS.figures, "month")
_CHANNELS = _Table(
    "channel",
    SalesDayChannel,
    ("day", "channel", "warehouse_id", "currency"),
    ("orders", "net_revenue", "shipping_fee"),
    "day",
)
_PY_TABLES = (_DAYS, _MONTHS, _CHANNELS)
_Cells = dict[str, dict[tuple[Any, ...], list[Any]]]  # table name -> key -> figures


def _zeros(width: int) -> Callable[[], list[Any]]:
    return lambda: [0] + [_ZERO] * (width - 1)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(_zone_name())).date()


def _aggregate(orders: Iterable[Order], returned: Mapping[int, int]) -> _Cells:
    """The rows of `orders` (their lines prefetched); with `returned`, only the change that
    returning those units of those lines made."""
    cells: _Cells = {table.name: defaultdict(_zeros(len(table.figures))) for table in _PY_TABLES}

    def add(table: _Table, key: tuple[Any, ...], figures: Iterable[Any]) -> None:
        cell = cells[table.name][key]
        for i, value in enumerate(figures):
            cell[i] += value

    for order in orders:
        day = _local_day(order.created_at)
        channel_key = (day, order.channel, order.warehouse_id, order.currency)
        if not returned:
            add(_CHANNELS, channel_key, (1, _ZERO, order.shipping_fee))
        for line in order.lines.all():
            if returned and line.pk not in returned:
                continue
            common = {
                "quantity": line.quantity,
                "line_total": line.line_total,
                "vat_amount": line.vat_amount,
                "unit_cost": line.unit_cost,
                "subtotal": order.subtotal,
                "discount_total": order.discount_total,
            }
            units = line.quantity_shipped - line.quantity_returned
            figures: tuple[Any, ...] = line_figures(units=units, **common)
            if returned:
                before = line_figures(units=units + returned[line.pk], **common)
                figures = tuple(a - b for a, b in zip(figures, before, strict=True))
            variant_id = line.variant_id
            add(
                _DAYS, (day, variant_id, order.channel, order.warehouse_id, order.currency), figures
            )
            add(_MONTHS, (day.replace(day=1), variant_id, order.currency), figures)
            add(_CHANNELS, channel_key, (0, figures[1], _ZERO))
    return cells


def _counted(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.filter(shipped_at__isnull=False).exclude(status=OrderStatus.CANCELLED)


def _python_add(*, order_id: int, returned: Mapping[int, int]) -> None:
    orders = _counted(Order.objects.filter(pk=order_id)).prefetch_related("lines")
    cells = _aggregate(orders, returned)
    for table in _PY_TABLES:
        for key, figures in sorted(cells[table.name].items(), key=str):
            lookup: dict[str, Any] = dict(zip(table.keys, key, strict=True))
            row, _created = table.model.objects.get_or_create(**lookup)
            for name, value in zip(table.figures, figures, strict=True):
                setattr(row, name, getattr(row, name) + value)
            row.save()


def _fresh(rollup: RollupRange) -> _Cells:
    start, end = rollup.bounds()
    orders = _counted(Order.objects.all())
    if start is not None:
        orders = orders.filter(created_at__gte=start)
    if end is not None:
        orders = orders.filter(created_at__lt=end)
    return _aggregate(orders.prefetch_related("lines").order_by("pk"), {})


def _python_rebuild(rollup: RollupRange) -> RebuildResult:
    fresh = _fresh(rollup)
    for table in _PY_TABLES:
        table.model.objects.filter(rollup.day_q(table.period)).delete()
        table.model.objects.bulk_create(
            table.model(
                **dict(zip(table.keys, key, strict=True)),
                **dict(zip(table.figures, figures, strict=True)),
            )
            for key, figures in fresh[table.name].items()
        )
    return RebuildResult(rollup, *(len(fresh[table.name]) for table in _PY_TABLES))


def _python_mismatches(rollup: RollupRange, *, limit: int) -> tuple[int, list[RollupMismatch]]:
    fresh = _fresh(rollup)
    total, found = 0, list[RollupMismatch]()
    for table in _PY_TABLES:
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
