"""Tables written as CSV or Excel: the one place every export (catalogue, orders, order lines,
reports, follow-up outcomes) turns rows into a file.

A table is a sheet name, columns (a title and a kind) and rows of plain values. Each cell is
written by its value and its column's kind:

- text: a str; one that a spreadsheet would run as a formula ("=", "+", "-", "@", tab, CR)
  gets a leading quote in the CSV and is stored as text in the workbook (so are phone
  numbers and long barcodes, which Excel would turn into numbers).
- money: a `Money`, or a bare amount in the column's currency; a number in the currency's
  precision (VND: whole numbers, THB: two decimals), "#,##0" / "#,##0.00" in Excel.
- integer: a number as it is.
- percent: a computed percentage as it is ("34.2"); rate: a VAT rate without trailing zeros
  ("10", "8.5").
- date and datetime: in the shop's time zone, see below.

A str in any column is text (a totals row says "Total" in its date column); None is an empty
cell.

How dates and times are written, the same in every file we hand out:
- Excel: real date cells (sortable, filterable) shown day/month/year like every page
  (crm/formats/), in the shop's time zone (spreadsheets know no time zones).
- CSV: ISO text ("2026-12-07 00:48", "2026-12-07"), which every spreadsheet and script reads
  the same whatever its locale: "07/12/2026" would be 12 July to a US-English spreadsheet.

CSV files are UTF-8 with a BOM (so Excel reads Vietnamese and Thai) and CRLF line ends, written
in pieces for a streaming response; workbooks are openpyxl write-only (memory stays flat), the
header row bold and frozen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from common.money import PRECISION, quantize

XLSX_DATE = "dd/mm/yyyy"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
CSV_DATETIME = "%Y-%m-%d %H:%M"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 500

TEXT = "text"
MONEY = "money"
INTEGER = "integer"
PERCENT = "percent"
RATE = "rate"
DATE = "date"
DATETIME = "datetime"


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
class Column:
    title: str
    kind: str = TEXT
    currency: str | None = None  # money columns whose cells are bare amounts


@dataclass(frozen=True)
class Table:
    sheet: str  # the workbook's sheet name (Excel keeps 31 characters)
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def text_columns(titles: Iterable[str]) -> list[Column]:
    return [Column(title) for title in titles]


def shop_local(moment: datetime) -> datetime:
    """An instant as the naive shop-local wall time a spreadsheet cell holds."""
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def shop_date(moment: datetime) -> date:
    """The shop-local day of an instant."""
    return shop_local(moment).date()


def csv_datetime(moment: datetime) -> str:
    return shop_local(moment).strftime(CSV_DATETIME)


def csv_date(day: date) -> str:
    return day.isoformat()


def formula_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


# --- Cells ------------------------------------------------------------------------------------


def _money_currency(value: Any, column: Column) -> str | None:
    if isinstance(value, Money):
        return value.currency
    if column.kind == MONEY and isinstance(value, Decimal | int) and not isinstance(value, bool):
        return column.currency
    return None


def _plain(value: Any, column: Column) -> Any:
    """The value the cell holds: money in its precision, rates trimmed, times shop-local."""
    if isinstance(value, Money):
        return value.number
    currency = _money_currency(value, column)
    if currency is not None:
        return Money(Decimal(value), currency).number
    if column.kind == RATE and isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else value.normalize()
    if isinstance(value, datetime):
        return shop_local(value)
    return value


def _csv_cell(value: Any, column: Column) -> str:
    value = _plain(value, column)
    if value is None:
        return ""
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, datetime):  # already shop-local
        return value.strftime(CSV_DATETIME)
    if isinstance(value, date):
        return csv_date(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _xlsx_cell(sheet: Any, value: Any, column: Column) -> Any:
    currency = _money_currency(value, column)
    cell = WriteOnlyCell(sheet, value=_plain(value, column))
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even "=...", a phone number or a barcode
    elif currency is not None:
        cell.number_format = "#,##0" if PRECISION[currency] == 0 else "#,##0.00"
    elif isinstance(value, datetime):
        cell.number_format = XLSX_DATETIME
    elif isinstance(value, date):
        cell.number_format = XLSX_DATE
    return cell


# --- CSV --------------------------------------------------------------------------------------


def csv_stream(table: Table) -> Iterator[str]:
    """The CSV text in pieces (the header first, then every CSV_CHUNK_ROWS rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    columns = list(table.columns)
    writer.writerow([formula_safe(column.title) for column in columns])
    yield "\ufeff" + flush()
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_cell(v, c) for v, c in zip(row, columns, strict=False)])
        if count % CSV_CHUNK_ROWS == 0:
            yield flush()
    yield flush()


def csv_bytes(table: Table) -> bytes:
    return "".join(csv_stream(table)).encode("utf-8")


# --- Excel ------------------------------------------------------------------------------------


class XlsxSheet:
    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.sheet = workbook.create_sheet(title[:31])
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for column in self.columns:
            cell = WriteOnlyCell(self.sheet, value=column.title)
            cell.font = bold
            head.append(cell)
        self.sheet.append(head)

    def append(self, row: Sequence[Any]) -> None:
        self.sheet.append(
            [_xlsx_cell(self.sheet, v, c) for v, c in zip(row, self.columns, strict=False)]
        )


class XlsxBook:
    """A write-only workbook; sheets may be filled in turns (an order, then its lines)."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)

    def sheet(self, title: str, columns: Sequence[Column]) -> XlsxSheet:
        return XlsxSheet(self.workbook, title, columns)

    def save(self, target: IO[bytes]) -> None:
        self.workbook.save(target)


def xlsx_write(tables: Sequence[Table], target: IO[bytes]) -> None:
    book = XlsxBook()
    for table in tables:
        sheet = book.sheet(table.sheet, table.columns)
        for row in table.rows:
            sheet.append(row)
    book.save(target)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    target = io.BytesIO()
    xlsx_write(tables, target)
    return target.getvalue()


# --- Reading ----------------------------------------------------------------------------------


class SpreadsheetReadError(ValueError):
    """An uploaded table cannot be read at all (wrong format or encoding); the message is for
    staff."""


def read_rows(data: bytes, *, filename: str) -> list[list[object]]:
    """The non-empty rows of an uploaded .xlsx (its first sheet) or CSV file (UTF-8, with or
    without a BOM; comma, semicolon or tab separated), the header row first."""
    from django.utils.translation import gettext as _

    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data, _("This is not an Excel .xlsx file we can read."))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SpreadsheetReadError(
                _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
            ) from error
        first_line = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first_line.count)
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        except csv.Error as error:
            raise SpreadsheetReadError(
                _("The CSV file is malformed: %(error)s") % {"error": error}
            ) from error
    return [row for row in rows if any(cell not in (None, "") for cell in row)]


def _xlsx_rows(data: bytes, message: str) -> list[list[object]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise SpreadsheetReadError(message) from error
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
