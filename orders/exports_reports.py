"""CSV and Excel files of the sales reports: exactly the rows the page shows.

Each report becomes one ExportTable (a table of common.spreadsheets and its file name), written
by common.spreadsheets as CSV or as an .xlsx workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from common.spreadsheets import CSV_TYPE as CSV_TYPE
from common.spreadsheets import (
    DATE,
    INTEGER,
    MONEY,
    PERCENT,
    Column,
    Table,
    csv_bytes,
    shop_date,
    xlsx_bytes,
)
from common.spreadsheets import XLSX_TYPE as XLSX_TYPE
from orders.selectors.reports import (
    GROUP_VARIANT,
    BestSellers,
    ReportFilters,
    SalesCell,
    SalesReport,
    TopCustomers,
)


@dataclass(frozen=True)
class ExportTable:
    stem: str  # the file name before the period, e.g. "best-sellers"
    table: Table
    filters: ReportFilters

    def filename(self, extension: str) -> str:
        period = f"{self.filters.date_from:%Y-%m-%d}_{self.filters.date_to:%Y-%m-%d}"
        return f"{self.stem}_{period}.{extension}"


def export_csv(export: ExportTable) -> bytes:
    return csv_bytes(export.table)


def export_xlsx(export: ExportTable) -> bytes:
    return xlsx_bytes([export.table])


# --- The tables -------------------------------------------------------------------------------


def best_sellers_table(report: BestSellers) -> ExportTable:
    cur = report.filters.currency
    by_variant = report.group == GROUP_VARIANT
    columns = [Column(_("SKU"))] if by_variant else []
    columns += [
        Column(_("Product")),
        Column(_("Category")),
        Column(_("Units sold"), INTEGER),
        Column(_("Net revenue"), MONEY, cur),
        Column(_("VAT"), MONEY, cur),
        Column(_("Revenue excl. VAT"), MONEY, cur),
    ]
    if report.with_costs:
        columns += [
            Column(_("Cost"), MONEY, cur),
            Column(_("Profit"), MONEY, cur),
            Column(_("Margin (%)"), PERCENT),
        ]
    rows = []
    for row in report.rows:
        f = row.figures
        values: list[Any] = [row.sku] if by_variant else []
        values += [row.name, row.category, f.units, f.net_revenue, f.vat, f.revenue_ex_vat]
        if report.with_costs and f.cost is not None and f.profit is not None:
            values += [f.cost, f.profit, f.margin]
        rows.append(values)
    return ExportTable(
        stem="best-sellers",
        table=Table(sheet=_("Best sellers"), columns=columns, rows=rows),
        filters=report.filters,
    )


def top_customers_table(report: TopCustomers) -> ExportTable:
    cur = report.filters.currency
    columns = [
        Column(_("Customer")),
        Column(_("Company")),
        Column(_("Phone")),
        Column(_("Orders"), INTEGER),
        Column(_("Net revenue"), MONEY, cur),
        Column(_("Average order value"), MONEY, cur),
        Column(_("Last order"), DATE),
    ]
    rows = [
        [
            row.name,
            row.company,
            row.phone,
            row.orders,
            row.net_revenue,
            row.average_order,
            shop_date(row.last_order_at),
        ]
        for row in report.rows
    ]
    return ExportTable(
        stem="top-customers",
        table=Table(sheet=_("Top customers"), columns=columns, rows=rows),
        filters=report.filters,
    )


def _cell_columns(orders: str, revenue: str, fees: str, currency: str) -> list[Column]:
    return [
        Column(orders, INTEGER),
        Column(revenue, MONEY, currency),
        Column(fees, MONEY, currency),
    ]


def _cell_values(cell: SalesCell) -> list[Any]:
    return [cell.orders, cell.net_revenue, cell.shipping_fees]


def sales_table(report: SalesReport) -> ExportTable:
    cur = report.filters.currency
    columns = [Column(_("Period start"), DATE)]
    columns += _cell_columns(
        _("Total: orders"), _("Total: net revenue"), _("Total: shipping fees"), cur
    )
    for _code, label in report.channels:
        columns += _cell_columns(
            _("%(channel)s: orders") % {"channel": label},
            _("%(channel)s: net revenue") % {"channel": label},
            _("%(channel)s: shipping fees") % {"channel": label},
            cur,
        )
    rows: list[list[Any]] = []
    for row in report.rows:
        values: list[Any] = [row.period, *_cell_values(row.total)]
        for cell in row.cells:
            values += _cell_values(cell)
        rows.append(values)
    totals: list[Any] = [_("Total"), *_cell_values(report.grand_total)]
    for cell in report.totals:
        totals += _cell_values(cell)
    rows.append(totals)
    return ExportTable(
        stem=f"sales-by-{report.group}",
        table=Table(sheet=_("Sales by channel"), columns=columns, rows=rows),
        filters=report.filters,
    )
