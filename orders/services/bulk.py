"""Bulk actions of the order list: confirm, cancel, assign a warehouse, export.

Each order is handled by its own service call, which is its own transaction: one order that
cannot be confirmed (stock short, wrong status) is reported and left unchanged while the others
go through. Call these outside any transaction, so that each order commits on its own.

Orders are processed oldest first (created_at, id), so when stock runs short the orders placed
first get it, and the report lists them in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.spreadsheets import (
    DATETIME,
    INTEGER,
    MONEY,
    RATE,
    Column,
    Money,
    Table,
    XlsxBook,
    csv_stream,
)
from common.spreadsheets import XLSX_TYPE as XLSX_TYPE  # the views' content type
from orders.errors import OrderError, OrderStockShort, Shortage
from orders.models import Order
from orders.selectors.order_export import ExportLine, ExportOrder, order_export
from orders.services.orders.edit import order_update
from orders.services.orders.transitions import order_cancel, order_confirm

# How many orders one bulk action may touch.
MAX_ACTION_ORDERS = 500  # confirm, cancel, assign a warehouse
MAX_PICKING_ORDERS = 500  # picking list PDF
MAX_EXPORT_ORDERS = 50_000  # CSV and Excel

Progress = Callable[[int], None]

DONE = "done"
UNCHANGED = "unchanged"
REFUSED = "refused"


@dataclass(frozen=True)
class BulkResult:
    """What happened to one order: done, unchanged (nothing to do) or refused, with the
    translated reason and, when stock was short, what is missing."""

    order_id: int
    number: str
    outcome: str
    message: str = ""
    shortages: tuple[Shortage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome != REFUSED


@dataclass(frozen=True)
class _Target:
    order_id: int
    number: str
    warehouse_id: int | None


def _targets(order_ids: Iterable[int]) -> list[_Target]:
    """The existing orders among `order_ids`, oldest first (ids that do not exist are left
    out: nothing can be done to them and there is no number to report)."""
    return [
        _Target(order_id=pk, number=number, warehouse_id=warehouse_id)
        for pk, number, warehouse_id in Order.objects.filter(pk__in=list(order_ids))
        .order_by("created_at", "id")
        .values_list("pk", "number", "warehouse_id")
    ]


def _run(targets: Sequence[_Target], act: Callable[[_Target], str]) -> list[BulkResult]:
    results = []
    for target in targets:
        try:
            outcome = act(target)
        except OrderError as error:  # refused: why, and what is missing when stock was short
            results.append(
                BulkResult(
                    order_id=target.order_id,
                    number=target.number,
                    outcome=REFUSED,
                    message=str(error),
                    shortages=error.shortages if isinstance(error, OrderStockShort) else (),
                )
            )
        else:
            results.append(
                BulkResult(order_id=target.order_id, number=target.number, outcome=outcome)
            )
    return results


def orders_bulk_confirm(
    *, order_ids: Iterable[int], user_id: int | None, now: datetime | None = None
) -> list[BulkResult]:
    """Confirm each order (new -> processing, reserving its stock) on its own."""

    def confirm(target: _Target) -> str:
        order_confirm(order_id=target.order_id, user_id=user_id, now=now)
        return DONE

    return _run(_targets(order_ids), confirm)


def orders_bulk_cancel(
    *, order_ids: Iterable[int], user_id: int | None, reason: str, now: datetime | None = None
) -> list[BulkResult]:
    """Cancel each order (releasing what it holds reserved) on its own, with `reason`."""

    def cancel(target: _Target) -> str:
        order_cancel(order_id=target.order_id, user_id=user_id, reason=reason, now=now)
        return DONE

    return _run(_targets(order_ids), cancel)


def orders_bulk_assign_warehouse(
    *,
    order_ids: Iterable[int],
    warehouse_id: int,
    user_id: int | None,
    now: datetime | None = None,
) -> list[BulkResult]:
    """Ship each order from `warehouse_id`, through order_update: only new and processing
    orders can change warehouse, and a processing order's reservations move with it (refused,
    unchanged, when the new warehouse is short). An order already there is left unchanged."""

    def assign(target: _Target) -> str:
        if target.warehouse_id == warehouse_id:
            # Still let order_update refuse a shipped or cancelled order: the report should
            # not call an order that cannot be edited "unchanged" by accident of its warehouse.
            order_update(order_id=target.order_id, user_id=user_id, now=now)
            return UNCHANGED
        order_update(order_id=target.order_id, user_id=user_id, warehouse_id=warehouse_id, now=now)
        return DONE

    return _run(_targets(order_ids), assign)


# --- Export -----------------------------------------------------------------------------------


def lines_summary(lines: Sequence[ExportLine]) -> str:
    """ "SKU-1 x 2; SKU-2 x 1" """
    return "; ".join(f"{line.sku} x {line.quantity}" for line in lines)


def order_export_columns() -> list[Column]:
    return [
        Column(_("Number")),
        Column(_("Created"), DATETIME),
        Column(_("Channel")),
        Column(_("Channel order number")),
        Column(_("Status")),
        Column(_("Payment status")),
        Column(_("Payment method")),
        Column(_("Customer")),
        Column(_("Customer phone")),
        Column(_("Recipient")),
        Column(_("Recipient phone")),
        Column(_("Address")),
        Column(_("Warehouse")),
        Column(_("Currency")),
        Column(_("Subtotal"), MONEY),
        Column(_("Order discount"), MONEY),
        Column(_("Shipping fee"), MONEY),
        Column(_("VAT"), MONEY),
        Column(_("Total"), MONEY),
        Column(_("Paid"), MONEY),
        Column(_("Lines")),
        Column(_("Notes")),
    ]


def line_export_columns() -> list[Column]:
    return [
        Column(_("Number")),
        Column(_("SKU")),
        Column(_("Product")),
        Column(_("Quantity"), INTEGER),
        Column(_("Unit price"), MONEY),
        Column(_("Discount"), MONEY),
        Column(pgettext("column heading", "VAT rate (%)"), RATE),
        Column(_("Line total"), MONEY),
        Column(_("Currency")),
    ]


def _order_values(order: ExportOrder) -> list[Any]:
    """One order's cells: text as str, amounts in the order's currency, the time as an aware
    datetime."""
    cur = order.currency
    return [
        order.number,
        order.created_at,
        order.channel,
        order.external_number,
        order.status,
        order.payment_status,
        order.payment_method,
        order.customer,
        order.customer_phone,
        order.recipient,
        order.recipient_phone,
        order.address,
        order.warehouse,
        cur,
        Money(order.subtotal, cur),
        Money(order.discount_total, cur),
        Money(order.shipping_fee, cur),
        Money(order.vat_total, cur),
        Money(order.total, cur),
        Money(order.paid_amount, cur),
        lines_summary(order.lines),
        order.notes,
    ]


def _line_values(line: ExportLine) -> list[Any]:
    cur = line.currency
    return [
        line.number,
        line.sku,
        line.name,
        line.quantity,
        Money(line.unit_price, cur),
        Money(line.discount, cur),
        line.vat_rate,
        Money(line.line_total, cur),
        cur,
    ]


def _exported(order_ids: Sequence[int], progress: Progress | None) -> Iterator[ExportOrder]:
    for count, order in enumerate(order_export(order_ids=order_ids), start=1):
        if progress is not None:
            progress(count)
        yield order


def orders_export_csv(
    *, order_ids: Sequence[int], progress: Progress | None = None
) -> Iterator[str]:
    """One row per order (its lines summed up in a "Lines" column), in pieces for a streaming
    response (see common.spreadsheets). `progress` is told how many orders were written."""
    rows = (_order_values(order) for order in _exported(order_ids, progress))
    return csv_stream(Table(sheet=_("Orders"), columns=order_export_columns(), rows=rows))


def orders_export_xlsx(
    *, order_ids: Sequence[int], target: IO[bytes], progress: Progress | None = None
) -> None:
    """An Excel workbook: sheet 1 one row per order (as the CSV), sheet 2 one row per line."""
    book = XlsxBook()
    orders_sheet = book.sheet(_("Orders"), order_export_columns())
    lines_sheet = book.sheet(_("Order lines"), line_export_columns())
    for order in _exported(order_ids, progress):
        orders_sheet.append(_order_values(order))
        for line in order.lines:
            lines_sheet.append(_line_values(line))
    book.save(target)
