"""The same per-line figures in Python with Decimal, for SQLite (the dev default): what the
SQL in .sql computes, row by row (SQLite lets one writer at a time in)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from orders.models import Order, OrderStatus, SalesTotal
from orders.services.sales_rollup.ranges import RollupRange
from orders.services.sales_rollup.sql import zone_name
from orders.services.sales_rollup.tables import CHANNELS, DAYS, MONTHS, TABLES, Table

_SIX = Decimal("0.000001")
_ZERO = Decimal(0)


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
    """(units, net revenue, VAT, cost) of a line with `units` sold: the SQL of .sql, in Decimal."""
    if subtotal == 0:
        net = _ZERO
    elif discount_total == 0:
        net = _round6(line_total * units / quantity)
    else:
        net = _round6(line_total * (subtotal - discount_total) * units / (subtotal * quantity))
    vat = _round6(vat_amount * units / quantity)
    return units, net, vat, unit_cost * units


_Cells = dict[str, dict[tuple[Any, ...], list[Any]]]  # table name -> key -> figures


def _zeros(width: int) -> Callable[[], list[Any]]:
    return lambda: [0] + [_ZERO] * (width - 1)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(zone_name())).date()


def _aggregate(orders: Iterable[Order], returned: Mapping[int, int]) -> _Cells:
    """The rows of `orders` (their lines prefetched); with `returned`, only the change that
    returning those units of those lines made."""
    cells: _Cells = {table.name: defaultdict(_zeros(len(table.figures))) for table in TABLES}

    def add(table: Table, key: tuple[Any, ...], figures: Iterable[Any]) -> None:
        cell = cells[table.name][key]
        for i, value in enumerate(figures):
            cell[i] += value

    for order in orders:
        day = _local_day(order.created_at)
        channel_key = (day, order.channel, order.warehouse_id, order.currency)
        if not returned:
            add(CHANNELS, channel_key, (1, _ZERO, order.shipping_fee))
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
            add(DAYS, (day, variant_id, order.channel, order.warehouse_id, order.currency), figures)
            add(MONTHS, (day.replace(day=1), variant_id, order.currency), figures)
            add(CHANNELS, channel_key, (0, figures[1], _ZERO))
    return cells


def _counted(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.filter(shipped_at__isnull=False).exclude(status=OrderStatus.CANCELLED)


def python_add(*, order_id: int, returned: Mapping[int, int]) -> None:
    orders = _counted(Order.objects.filter(pk=order_id)).prefetch_related("lines")
    cells = _aggregate(orders, returned)
    for table in TABLES:
        for key, figures in sorted(cells[table.name].items(), key=str):
            lookup: dict[str, Any] = dict(zip(table.keys, key, strict=True))
            row, _created = table.model.objects.get_or_create(**lookup)
            for name, value in zip(table.figures, figures, strict=True):
                setattr(row, name, getattr(row, name) + value)
            row.save()
    for (_month, variant_id, currency), figures in sorted(cells[MONTHS.name].items(), key=str):
        total, _created = SalesTotal.objects.get_or_create(variant_id=variant_id, currency=currency)
        for name, value in zip(MONTHS.figures, figures, strict=True):
            setattr(total, name, getattr(total, name) + value)
        total.save()


def fresh_figures(rollup: RollupRange) -> _Cells:
    start, end = rollup.bounds()
    orders = _counted(Order.objects.all())
    if start is not None:
        orders = orders.filter(created_at__gte=start)
    if end is not None:
        orders = orders.filter(created_at__lt=end)
    return _aggregate(orders.prefetch_related("lines").order_by("pk"), {})
