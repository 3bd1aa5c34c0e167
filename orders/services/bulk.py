"""Bulk actions of the order list: confirm, cancel, assign a warehouse, export.

Each order is handled by its own service call, which is its own transaction: one order that
cannot be confirmed (stock short, wrong status) is reported and left unchanged while the others
go through. Call these outside any transaction, so that each order commits on its own.

Orders are processed oldest first (created_at, id), so when stock runs short the orders placed
first get it, and the report lists them in that order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from common.money import PRECISION, quantize
from common.spreadsheets import XLSX_DATETIME, csv_datetime, shop_local
from orders.errors import OrderError, OrderStockShort, Shortage
from orders.models import Order
from orders.selectors.order_list import ExportLine, ExportOrder, order_export
from orders.services.orders.edit import order_update
from orders.services.orders.transitions import order_cancel, order_confirm

# How many orders one bulk action may touch.
MAX_ACTION_ORDERS = 500  # confirm, cancel, assign a warehouse
MAX_PICKING_ORDERS = 500  # picking list PDF
MAX_EXPORT_ORDERS = 50_000  # CSV and Excel

DONE = "done"
UNCHANGED = "unchanged"
REFUSED = "refused"

# Text cells starting with these are formulas to a spreadsheet: exported with a leading quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        except OrderStockShort as short:
            results.append(
                BulkResult(
                    order_id=target.order_id,
                    number=target.number,
                    outcome=REFUSED,
                    message=str(short),
                    shortages=short.shortages,
                )
            )
        except OrderError as error:
            results.append(
                BulkResult(
                    order_id=target.order_id,
                    number=target.number,
                    outcome=REFUSED,
                    message=str(error),
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


def money_data(value: Decimal, currency: str) -> Decimal | int:
    """An amount as a number in the currency's precision (VND: a whole number)."""
    amount = quantize(value, currency)
    return int(amount) if PRECISION.get(currency, 2) == 0 else amount


def _money_format(currency: str) -> str:
    return "#,##0" if PRECISION.get(currency, 2) == 0 else "#,##0.00"


def _rate(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral() else value.normalize()


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _local_text(moment: datetime) -> str:
    return csv_datetime(moment)


def lines_summary(lines: Sequence[ExportLine]) -> str:
    """ "SKU-1 x 2; SKU-2 x 1" """
    return "; ".join(f"{line.sku} x {line.quantity}" for line in lines)


def order_export_header() -> list[str]:
    return [
        _("Number"),
        _("Created"),
        _("Channel"),
        _("Channel order number"),
        _("Status"),
        _("Payment status"),
        _("Payment method"),
        _("Customer"),
        _("Customer phone"),
        _("Recipient"),
        _("Recipient phone"),
        _("Address"),
        _("Warehouse"),
        _("Currency"),
        _("Subtotal"),
        _("Order discount"),
        _("Shipping fee"),
        _("VAT"),
        _("Total"),
        _("Paid"),
        _("Lines"),
        _("Notes"),
    ]


def line_export_header() -> list[str]:
    return [
        _("Number"),
        _("SKU"),
        _("Product"),
        _("Quantity"),
        _("Unit price"),
        _("Discount"),
        pgettext("column heading", "VAT rate (%)"),
        _("Line total"),
        _("Currency"),
    ]


def _order_values(order: ExportOrder) -> list[Any]:
    """One order's cells: text as str, amounts as numbers, the time as an aware datetime."""
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
        money_data(order.subtotal, cur),
        money_data(order.discount_total, cur),
        money_data(order.shipping_fee, cur),
        money_data(order.vat_total, cur),
        money_data(order.total, cur),
        money_data(order.paid_amount, cur),
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
        money_data(line.unit_price, cur),
        money_data(line.discount, cur),
        _rate(line.vat_rate),
        money_data(line.line_total, cur),
        cur,
    ]


def _csv_cell(value: Any) -> str:
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, datetime):
        return _local_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def orders_export_csv(*, order_ids: Sequence[int]) -> Iterator[str]:
    """One row per order (its lines summed up in a "Lines" column), in pieces for a streaming
    response; UTF-8 with a BOM so Excel reads Vietnamese and Thai; amounts as plain numbers in
    the currency's precision; times shop-local."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(order_export_header())
    yield "\ufeff" + flush()
    for count, order in enumerate(order_export(order_ids=order_ids), start=1):
        writer.writerow([_csv_cell(v) for v in _order_values(order)])
        if count % 500 == 0:
            yield flush()
    yield flush()


def _xlsx_row(
    sheet: Any, values: Sequence[Any], *, currency: str, money: range | set[int]
) -> list[Any]:
    cells = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text, even "=..." or a phone number
        elif isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=shop_local(value))
            cell.number_format = XLSX_DATETIME
        else:
            cell = WriteOnlyCell(sheet, value=value)
            if index in money:
                cell.number_format = _money_format(currency)
        cells.append(cell)
    return cells


def _head(sheet: Any, titles: Sequence[str]) -> list[Any]:
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    return cells


def orders_export_xlsx(*, order_ids: Sequence[int], target: IO[bytes]) -> None:
    """An Excel workbook: sheet 1 one row per order (as the CSV), sheet 2 one row per line.
    Amounts are numbers with the currency's decimals, times shop-local."""
    workbook = Workbook(write_only=True)
    orders_sheet = workbook.create_sheet(_("Orders")[:31])
    lines_sheet = workbook.create_sheet(_("Order lines")[:31])
    orders_sheet.freeze_panes = "A2"
    lines_sheet.freeze_panes = "A2"
    order_header = order_export_header()
    orders_sheet.append(_head(orders_sheet, order_header))
    lines_sheet.append(_head(lines_sheet, line_export_header()))
    order_money = range(order_header.index(_("Subtotal")), order_header.index(_("Paid")) + 1)
    line_money = {4, 5, 7}  # unit price, discount, line total
    for order in order_export(order_ids=order_ids):
        orders_sheet.append(
            _xlsx_row(
                orders_sheet, _order_values(order), currency=order.currency, money=order_money
            )
        )
        for line in order.lines:
            lines_sheet.append(
                _xlsx_row(lines_sheet, _line_values(line), currency=line.currency, money=line_money)
            )
    workbook.save(target)
