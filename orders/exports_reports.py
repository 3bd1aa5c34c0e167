"""CSV and Excel files of the sales reports: exactly the rows the page shows.

Each report becomes one ExportTable (a header and rows of plain values), written as CSV
(UTF-8 with a BOM so Excel reads Vietnamese and Thai, CRLF line ends) or as an .xlsx workbook
(openpyxl, write-only). Amounts are numbers in the currency's precision (VND: whole numbers,
THB: two decimals), never text; dates are real dates; a text cell that a spreadsheet would take
for a formula ("=", "+", "-", "@") gets a leading quote in the CSV and is stored as text in the
workbook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from common.money import PRECISION, quantize
from common.spreadsheets import XLSX_DATE, XLSX_DATETIME, csv_date, csv_datetime, shop_local
from orders.selectors.reports import (
    GROUP_VARIANT,
    BestSellers,
    ReportFilters,
    SalesCell,
    SalesReport,
    TopCustomers,
)

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Money:
    """An amount to be written as a number in its currency's precision."""

    amount: Decimal
    currency: str

    @property
    def number(self) -> Decimal | int:
        value = quantize(self.amount, self.currency)
        return int(value) if PRECISION[self.currency] == 0 else value


@dataclass(frozen=True)
class ExportTable:
    stem: str  # the file name before the period, e.g. "best-sellers"
    sheet: str
    header: list[str]
    rows: list[list[Any]]
    filters: ReportFilters

    def filename(self, extension: str) -> str:
        period = f"{self.filters.date_from:%Y-%m-%d}_{self.filters.date_to:%Y-%m-%d}"
        return f"{self.stem}_{period}.{extension}"


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# --- The tables -------------------------------------------------------------------------------


def best_sellers_table(report: BestSellers) -> ExportTable:
    cur = report.filters.currency
    by_variant = report.group == GROUP_VARIANT
    header = [_("SKU")] if by_variant else []
    header += [
        _("Product"),
        _("Category"),
        _("Units sold"),
        _("Net revenue"),
        _("VAT"),
        _("Revenue excl. VAT"),
    ]
    if report.with_costs:
        header += [_("Cost"), _("Profit"), _("Margin (%)")]
    rows = []
    for row in report.rows:
        f = row.figures
        values: list[Any] = [row.sku] if by_variant else []
        values += [
            row.name,
            row.category,
            f.units,
            Money(f.net_revenue, cur),
            Money(f.vat, cur),
            Money(f.revenue_ex_vat, cur),
        ]
        if report.with_costs and f.cost is not None and f.profit is not None:
            values += [Money(f.cost, cur), Money(f.profit, cur), f.margin]
        rows.append(values)
    return ExportTable(
        stem="best-sellers",
        sheet=_("Best sellers"),
        header=header,
        rows=rows,
        filters=report.filters,
    )


def top_customers_table(report: TopCustomers) -> ExportTable:
    cur = report.filters.currency
    return ExportTable(
        stem="top-customers",
        sheet=_("Top customers"),
        header=[
            _("Customer"),
            _("Company"),
            _("Phone"),
            _("Orders"),
            _("Net revenue"),
            _("Average order value"),
            _("Last order"),
        ],
        rows=[
            [
                row.name,
                row.company,
                row.phone,
                row.orders,
                Money(row.net_revenue, cur),
                Money(row.average_order, cur),
                _local_date(row.last_order_at),
            ]
            for row in report.rows
        ],
        filters=report.filters,
    )


def _cell_values(cell: SalesCell, currency: str) -> list[Any]:
    return [cell.orders, Money(cell.net_revenue, currency), Money(cell.shipping_fees, currency)]


def sales_table(report: SalesReport) -> ExportTable:
    cur = report.filters.currency
    header = [_("Period start"), _("Total: orders"), _("Total: net revenue")]
    header.append(_("Total: shipping fees"))
    for _code, label in report.channels:
        header += [
            _("%(channel)s: orders") % {"channel": label},
            _("%(channel)s: net revenue") % {"channel": label},
            _("%(channel)s: shipping fees") % {"channel": label},
        ]
    rows: list[list[Any]] = []
    for row in report.rows:
        values: list[Any] = [row.period, *_cell_values(row.total, cur)]
        for cell in row.cells:
            values += _cell_values(cell, cur)
        rows.append(values)
    totals: list[Any] = [_("Total"), *_cell_values(report.grand_total, cur)]
    for cell in report.totals:
        totals += _cell_values(cell, cur)
    rows.append(totals)
    return ExportTable(
        stem=f"sales-by-{report.group}",
        sheet=_("Sales by channel"),
        header=header,
        rows=rows,
        filters=report.filters,
    )


# --- Writers ----------------------------------------------------------------------------------


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return format(value.number, "f") if isinstance(value.number, Decimal) else str(value.number)
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    if isinstance(value, datetime):
        return csv_datetime(value)
    if isinstance(value, date):
        return csv_date(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def export_csv(table: ExportTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_value(v) for v in table.header])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cells(sheet: Any, values: Sequence[Any], *, bold: bool = False) -> list[Any]:
    cells = []
    for value in values:
        if isinstance(value, Money):
            cell = WriteOnlyCell(sheet, value=value.number)
            cell.number_format = "#,##0" if PRECISION[value.currency] == 0 else "#,##0.00"
        elif isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text, even "=..." or a phone number
        elif isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=shop_local(value))
            cell.number_format = XLSX_DATETIME
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = XLSX_DATE
        else:
            cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def export_xlsx(table: ExportTable) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.sheet[:31])
    sheet.freeze_panes = "A2"
    sheet.append(_xlsx_cells(sheet, table.header, bold=True))
    for row in table.rows:
        sheet.append(_xlsx_cells(sheet, row))
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()
