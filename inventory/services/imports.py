"""Catalogue import and export as CSV or Excel: one row per variant.

Import runs in two steps. `catalogue_import_plan` validates every row and works out what would
change without writing anything (the dry run); `catalogue_import_apply` plans again inside one
transaction, refuses if anything is wrong, and applies everything or nothing. Variants are matched
by SKU (case-insensitive); stock columns ("stock:HCM01") give the on-hand quantity wanted, and
the difference is written to the ledger as a manual adjustment.

Blank cells: a blank number, flag or stock cell keeps the current value (new rows get the
default); a blank text cell (barcode, category, brand, supplier, description) clears it. A column
missing from the file leaves that field alone. Unknown categories and brands are created; an
unknown supplier is an error (suppliers carry more than a name).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from common.money import PRECISION, quantize
from inventory.errors import InventoryError
from inventory.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    StockLevel,
    Supplier,
    Variant,
    Warehouse,
)
from inventory.selectors.catalogue import (
    COST_COLUMNS,
    EXPORT_COLUMNS,
    STOCK_COLUMN_PREFIX,
    ExportValue,
)
from inventory.services.catalogue import (
    MAX_OPTIONS,
    brand_save,
    category_ensure_path,
    default_vat_rate,
    options_pad,
    options_trim,
    search_text_for,
    sku_validate,
)
from inventory.services.stock import Source, StockChange, stock_apply
from inventory.text import fold

MAX_ROWS = 100_000
MAX_FILE_BYTES = 25 * 1024 * 1024
IMPORT_DIR = "imports"
IMPORT_TTL = timedelta(days=1)
MAX_MONEY = Decimal("999999999999.99")
MAX_INT = 2_147_483_647
# Cells starting with these are formulas to a spreadsheet; exports put a ' in front.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ParseError(InventoryError):
    """A cell or form value that is not a number, amount or flag we understand."""


class ImportFileError(InventoryError):
    """The file cannot be read at all (wrong format, encoding, too big)."""


class ImportInvalid(InventoryError):
    """Apply found errors (the data changed since the dry run): nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(_("The file has errors; nothing was changed."))
        self.plan = plan


# --- Reading numbers the way shop staff type them ---------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _number_text(value: object) -> str:
    """A numeric cell as text; floats (what Excel stores) by their shortest repr, not binary."""
    if isinstance(value, float):
        return repr(value)
    return _cell_text(value)


_GROUPED = {".": re.compile(r"\d{1,3}(\.\d{3})+"), ",": re.compile(r"\d{1,3}(,\d{3})+")}


def parse_money(value: object, *, currency: str | None = None) -> Decimal:
    """An amount in the shop currency: "150000", "150.000" / "150,000" (thousands),
    "1.250.000,50", "1,250.50", "199.50", "199,5"; symbols and spaces are ignored.

    One separator followed by exactly three digits is a thousands separator in VND (no minor
    unit); in THB a lone "." is the decimal point. More decimals than the currency has is an error.
    """
    currency = currency or settings.SHOP_CURRENCY
    places = PRECISION[currency]
    if isinstance(value, bool):
        raise ParseError(_("Enter an amount."))
    text = _number_text(value)
    text = re.sub(r"(?i)(vnd|thb|₫|đ|฿|baht|bath|\s|\u00a0|\u202f)", "", text)
    if not text:
        raise ParseError(_("Enter an amount."))
    if text.startswith("-"):
        raise ParseError(_("An amount cannot be negative."))
    if not re.fullmatch(r"[0-9.,]+", text) or not text[0].isdigit() or not text[-1].isdigit():
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": _cell_text(value)})
    dots, commas = text.count("."), text.count(",")
    number: str | None = None
    if dots and commas:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _sep, fraction = text.rpartition(decimal_mark)
        if group_mark in fraction or not _GROUPED[group_mark].fullmatch(whole):
            number = None
        else:
            number = whole.replace(group_mark, "") + "." + fraction
    elif dots or commas:
        mark = "." if dots else ","
        parts = text.split(mark)
        if len(parts) > 2:
            number = text.replace(mark, "") if _GROUPED[mark].fullmatch(text) else None
        elif len(parts[1]) == 3 and (places == 0 or mark == ","):
            number = parts[0] + parts[1]
        else:
            number = parts[0] + "." + parts[1]
    else:
        number = text
    if number is None:
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": _cell_text(value)})
    amount = Decimal(number)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise ParseError(
                _("%(currency)s amounts have no decimals: “%(value)s”.")
                % {"currency": currency, "value": _cell_text(value)}
            )
        raise ParseError(
            _("%(currency)s amounts have at most %(places)d decimals: “%(value)s”.")
            % {"currency": currency, "places": places, "value": _cell_text(value)}
        )
    if amount > MAX_MONEY:
        raise ParseError(_("The amount is too large."))
    return quantize(amount, currency)


def parse_percent(value: object) -> Decimal:
    """A VAT rate: "10", "10%", "8.5", "8,5"; between 0 and 100, at most 2 decimals."""
    text = re.sub(r"[\s%]", "", _number_text(value)).replace(",", ".")
    if not re.fullmatch(r"\d{1,3}(\.\d+)?", text):
        raise ParseError(_("“%(value)s” is not a percentage.") % {"value": _cell_text(value)})
    rate = Decimal(text)
    if rate > 100 or rate != rate.quantize(Decimal("0.01")):
        raise ParseError(_("Enter a rate from 0 to 100 with at most 2 decimals."))
    return rate.quantize(Decimal("0.01"))


def parse_quantity(value: object) -> int:
    """A whole number of units (or grams, cm): "12", "1.000" / "1,000" (thousands), "12.0"."""
    if isinstance(value, bool):
        raise ParseError(_("Enter a whole number."))
    if isinstance(value, int):
        number = value
    else:
        text = re.sub(r"[\s\u00a0]", "", _number_text(value))
        if re.fullmatch(r"\d+", text):
            number = int(text)
        elif _GROUPED["."].fullmatch(text) or _GROUPED[","].fullmatch(text):
            number = int(re.sub(r"[.,]", "", text))
        elif re.fullmatch(r"\d+[.,]0+", text):
            number = int(re.split(r"[.,]", text)[0])
        elif text.startswith("-") and re.fullmatch(r"-\d+", text):
            raise ParseError(_("Enter a number of 0 or more."))
        else:
            raise ParseError(_("“%(value)s” is not a whole number.") % {"value": _cell_text(value)})
    if number < 0:
        raise ParseError(_("Enter a number of 0 or more."))
    if number > MAX_INT:
        raise ParseError(_("The number is too large."))
    return number


_TRUE = {"1", "true", "yes", "y", "x", "có", "co", "active", "ใช่", "เปิด"}
_FALSE = {"0", "false", "no", "n", "không", "khong", "inactive", "ไม่", "ปิด"}


def parse_bool(value: object) -> bool:
    text = _cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(_("Write 1 for yes or 0 for no."))


def parse_specifications(text: str) -> list[dict[str, str]]:
    """One "Name: Value" per line."""
    specs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ParseError(
                _("Write one “Name: Value” per line (“%(line)s”).") % {"line": line.strip()}
            )
        specs.append({"name": name.strip(), "value": value.strip()})
    return specs


def _category_path(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("/") if part.strip())


# --- Files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredImport:
    token: str
    name: str  # storage name under IMPORT_DIR
    filename: str  # as uploaded, for messages and the ledger reason


def import_file_store(*, upload: File) -> StoredImport:
    """Keep an uploaded file for the dry run and the apply; drops files older than a day."""
    filename = PurePath(upload.name or "import").name[:120]
    extension = PurePath(filename).suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if upload.size and upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    _cleanup_old_imports()
    token = secrets.token_urlsafe(18)
    name = default_storage.save(f"{IMPORT_DIR}/{token}{extension}", upload)
    return StoredImport(token=token, name=name, filename=filename)


def import_file_discard(*, name: str) -> None:
    if name.startswith(f"{IMPORT_DIR}/"):
        default_storage.delete(name)


def _cleanup_old_imports() -> None:
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - IMPORT_TTL
    for name in files:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def read_table(*, name: str) -> tuple[list[str], list[list[object]]]:
    """Header and data rows of a stored .csv or .xlsx file (the first sheet)."""
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    rows = _read_xlsx(data) if name.lower().endswith(".xlsx") else _read_csv(data)
    rows = [row for row in rows if any(_cell_text(cell) for cell in row)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)d rows; split it into smaller files.")
            % {"max": MAX_ROWS}
        )
    header = [_cell_text(cell) for cell in rows[0]]
    return header, rows[1:]


def _read_csv(data: bytes) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed: %(error)s") % {"error": error}
        ) from error


def _read_xlsx(data: bytes) -> list[list[object]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ImportFileError(_("This is not an Excel .xlsx file we can read.")) from error
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- Export -----------------------------------------------------------------------------------


def _export_cell(value: ExportValue, column: str) -> ExportValue:
    """Money in the currency's precision, rates without trailing zeros."""
    if isinstance(value, Decimal):
        if column == "vat_rate":
            return value.normalize() if value != value.to_integral() else int(value)
        amount = quantize(value, settings.SHOP_CURRENCY)
        return int(amount) if PRECISION[settings.SHOP_CURRENCY] == 0 else amount
    return value


def _safe_text(value: ExportValue) -> ExportValue:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_csv_lines(
    *, header: Sequence[str], rows: Iterable[Sequence[ExportValue]]
) -> Iterator[str]:
    """CSV text in pieces for a streaming response; a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield "\ufeff" + flush()
    for count, row in enumerate(rows, start=1):
        writer.writerow(
            [
                _safe_text(v) if isinstance(v, str) else _number_out(_export_cell(v, col))
                for v, col in zip(row, header, strict=True)
            ]
        )
        if count % 500 == 0:
            yield flush()
    yield flush()


def _number_out(value: ExportValue) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def export_xlsx(
    *, header: Sequence[str], rows: Iterable[Sequence[ExportValue]], target: IO[bytes]
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Catalogue")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells: list[Any] = []
        for value, column in zip(row, header, strict=True):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text stays text, even "=..." or a long barcode
                cells.append(cell)
            else:
                cells.append(_export_cell(value, column))
        sheet.append(cells)
    workbook.save(target)


# --- The plan ---------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "product_name",
    "category",
    "brand",
    "description",
    "specifications",
    "product_active",
)
OPTION_COLUMNS = tuple(
    f"option{i}_{part}" for i in range(1, MAX_OPTIONS + 1) for part in ("name", "value")
)
VARIANT_NUMBERS = (
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "low_stock_threshold",
)
KNOWN_COLUMNS = set(EXPORT_COLUMNS)


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class ImportSummary:
    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_unchanged: int = 0
    stock_changes: int = 0
    categories_created: list[str] = field(default_factory=list)
    brands_created: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.products_created
            or self.products_updated
            or self.variants_created
            or self.variants_updated
            or self.stock_changes
        )


@dataclass
class _Row:
    number: int
    cells: dict[str, object]
    sku: str = ""
    variant: Variant | None = None
    values: dict[str, Any] = field(default_factory=dict)  # parsed variant fields to set
    options: tuple[str, ...] | None = None  # None: the file has no option columns
    stock: dict[int, int] = field(default_factory=dict)  # warehouse id -> on hand wanted

    def text(self, column: str) -> str:
        return _cell_text(self.cells.get(column))


@dataclass
class _Group:
    """The rows of one product (existing or to create)."""

    product: Product | None
    rows: list[_Row] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # product fields to set
    options: list[tuple[str, list[str]]] | None = None  # final options when they change


@dataclass
class ImportPlan:
    errors: list[RowError] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    groups: list[_Group] = field(default_factory=list)
    stock: list[tuple[_Row, int, int]] = field(default_factory=list)  # row, warehouse, delta

    @property
    def ok(self) -> bool:
        return not self.errors


def catalogue_import_plan(
    *,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    lock: bool = False,
    with_costs: bool = True,
) -> ImportPlan:
    """Validate the file and work out every change; writes nothing.

    Without `with_costs` (a user who may not see costs) a file with a cost column is refused:
    the column is an error of the header row, so nothing of the file is applied.
    """
    return _Planner(header, rows, lock=lock, with_costs=with_costs).run()


def catalogue_import_apply(
    *,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    filename: str,
    user_id: int | None,
    reference: str = "",
    with_costs: bool = True,
) -> ImportSummary:
    """Plan again and apply it in one transaction: all or nothing.

    Raises ImportInvalid (with the plan's errors) or InventoryError; nothing is changed then.
    """
    with transaction.atomic():
        plan = catalogue_import_plan(header=header, rows=rows, lock=True, with_costs=with_costs)
        if not plan.ok:
            raise ImportInvalid(plan)
        try:
            with transaction.atomic():
                _execute(plan, filename=filename, reference=reference, user_id=user_id)
        except IntegrityError as error:
            raise InventoryError(
                _(
                    "Saving failed because two variants would share an SKU, barcode or option "
                    "values (for example two barcodes swapped). Nothing was changed."
                )
            ) from error
    return plan.summary


class _Planner:
    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        lock: bool,
        with_costs: bool = True,
    ):
        self.with_costs = with_costs
        self.header = [h.strip().lower() for h in header]
        # Errors name a column as the file spells it.
        self.labels = {norm: raw.strip() for norm, raw in zip(self.header, header, strict=True)}
        self.raw_rows = rows
        self.lock = lock
        self.plan = ImportPlan()
        self.currency = settings.SHOP_CURRENCY
        self.columns: set[str] = set()
        self.warehouse_columns: dict[str, Warehouse] = {}
        self.suppliers: dict[str, Supplier] = {}
        self.categories: dict[tuple[str, ...], Category] = {}
        self.brands: dict[str, Brand] = {}
        self.options: dict[int, list[ProductOption]] = {}
        # Variants of the file's products that the file does not list: (sku, values).
        self.others: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
        self.has_variants: set[int] = set()

    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append(RowError(row, self.labels.get(column, column), message))

    def has(self, column: str) -> bool:
        return column in self.columns

    def run(self) -> ImportPlan:
        if self._check_header():
            rows = self._rows()
            self.plan.summary.rows = len(rows)
            self._match_variants(rows)
            groups = self._group(rows)
            self._load(rows, groups)
            for group in groups:
                self._plan_product(group)
            self._check_barcodes(rows)
            self._plan_stock(rows)
            self.plan.groups = groups
            self._summarise(groups)
        order = {self.labels[column]: i for i, column in enumerate(self.header)}
        self.plan.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        return self.plan

    # header and rows ---------------------------------------------------------------------
    def _check_header(self) -> bool:
        codes = {w.code.upper(): w for w in Warehouse.objects.order_by("pk")}
        ok = True
        for column in self.header:
            if not column:
                continue
            if column in self.columns:
                self.error(1, column, _("The column appears twice."))
                ok = False
            self.columns.add(column)
            if column.startswith(STOCK_COLUMN_PREFIX):
                code = column[len(STOCK_COLUMN_PREFIX) :].strip().upper()
                if code in codes:
                    self.warehouse_columns[column] = codes[code]
                else:
                    self.error(1, column, _("No warehouse has the code %(code)s.") % {"code": code})
                    ok = False
            elif column not in KNOWN_COLUMNS:
                self.error(1, column, _("Unknown column."))
                ok = False
            elif column in COST_COLUMNS and not self.with_costs:
                self.error(1, column, _("You may not import cost prices."))
                ok = False
        for required in ("sku", "product_name"):
            if required not in self.columns:
                self.error(1, required, _("This column is required."))
                ok = False
        for i in range(1, MAX_OPTIONS + 1):
            name, value = f"option{i}_name", f"option{i}_value"
            if (name in self.columns) != (value in self.columns):
                self.error(
                    1,
                    name,
                    _("Option columns come in pairs: %(a)s and %(b)s.") % {"a": name, "b": value},
                )
                ok = False
        return ok

    def _rows(self) -> list[_Row]:
        rows = []
        for number, raw in enumerate(self.raw_rows, start=2):
            cells = {
                column: raw[i] if i < len(raw) else None
                for i, column in enumerate(self.header)
                if column
            }
            if any(_cell_text(v) for v in cells.values()):
                rows.append(_Row(number=number, cells=cells))
        return rows

    # variants by SKU, products by id or name ---------------------------------------------
    def _match_variants(self, rows: list[_Row]) -> None:
        seen: dict[str, int] = {}
        for row in rows:
            text = row.text("sku")
            if not text:
                self.error(row.number, "sku", _("Enter the SKU."))
                continue
            try:
                sku = sku_validate(text)
            except InventoryError as error:
                self.error(row.number, "sku", str(error))
                continue
            if sku.upper() in seen:
                self.error(
                    row.number,
                    "sku",
                    _("SKU %(sku)s is also on row %(row)d.")
                    % {"sku": sku, "row": seen[sku.upper()]},
                )
                continue
            seen[sku.upper()] = row.number
            row.sku = sku
        found: dict[str, Variant] = {}
        keys = list(seen)
        for start in range(0, len(keys), 500):
            qs = (
                Variant.objects.annotate(sku_upper=Upper("sku"))
                .filter(sku_upper__in=keys[start : start + 500])
                .select_related("product")
            )
            if self.lock:
                qs = qs.select_for_update(of=("self",))
            for variant in qs.order_by("pk"):
                found[variant.sku.upper()] = variant
        for row in rows:
            if row.sku:
                row.variant = found.get(row.sku.upper())

    def _product_id(self, row: _Row) -> int | None:
        text = row.text("product_id") if self.has("product_id") else ""
        if not text:
            return None
        if not text.isdigit():
            raise ParseError(_("Leave empty for a new product."))
        return int(text)

    def _group(self, rows: list[_Row]) -> list[_Group]:
        wanted: set[int] = set()
        for row in rows:
            try:
                product_id = self._product_id(row)
            except ParseError as error:
                self.error(row.number, "product_id", str(error))
                row.sku = ""
                continue
            if product_id is not None and row.variant is None:
                wanted.add(product_id)
        products = {p.pk: p for p in Product.objects.filter(pk__in=list(wanted)).order_by("pk")}
        # A sheet without product ids: a new SKU joins the existing product of the same name.
        by_name: dict[str, Product] = {}
        for row in rows:
            if row.sku and row.variant is not None:
                by_name.setdefault(fold(row.text("product_name")), row.variant.product)
        groups: dict[tuple[str, object], _Group] = {}

        def add(key: tuple[str, object], product: Product | None, row: _Row) -> None:
            groups.setdefault(key, _Group(product=product)).rows.append(row)

        for row in rows:
            if not row.sku:
                continue
            product_id = self._product_id(row)
            if row.variant is not None:
                if product_id is not None and product_id != row.variant.product_id:
                    self.error(
                        row.number,
                        "product_id",
                        _("SKU %(sku)s belongs to product %(id)d.")
                        % {"sku": row.sku, "id": row.variant.product_id},
                    )
                    continue
                add(("id", row.variant.product_id), row.variant.product, row)
            elif product_id is not None:
                if product_id not in products:
                    self.error(
                        row.number,
                        "product_id",
                        _("There is no product %(id)d; leave empty for a new product.")
                        % {"id": product_id},
                    )
                    continue
                add(("id", product_id), products[product_id], row)
            else:
                name = fold(row.text("product_name"))
                if not name:
                    self.error(row.number, "product_name", _("Enter the product name."))
                elif name in by_name:
                    add(("id", by_name[name].pk), by_name[name], row)
                else:
                    add(("new", name), None, row)
        return list(groups.values())

    def _load(self, rows: list[_Row], groups: list[_Group]) -> None:
        """Everything the checks compare with, in a few queries whatever the file's size."""
        if self.has("category"):
            self.categories = {
                tuple(p.casefold() for p in _category_path(c.full_name)): c
                for c in Category.objects.order_by("pk")
            }
        if self.has("brand"):
            self.brands = {b.name.casefold(): b for b in Brand.objects.order_by("-pk")}
        if self.has("preferred_supplier"):
            names = {row.text("preferred_supplier").casefold() for row in rows}
            self.suppliers = {
                s.name.casefold(): s
                for s in Supplier.objects.order_by("-pk")
                if s.name.casefold() in names
            }
        ids = [g.product.pk for g in groups if g.product is not None]
        in_file = {row.variant.pk for row in rows if row.variant is not None}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for option in ProductOption.objects.filter(product_id__in=chunk).order_by(
                "product_id", "position"
            ):
                self.options.setdefault(option.product_id, []).append(option)
            for pk, product_id, sku, *values in (
                Variant.objects.filter(product_id__in=chunk)
                .order_by("pk")
                .values_list("pk", "product_id", "sku", "option1", "option2", "option3")
            ):
                self.has_variants.add(product_id)
                if pk not in in_file:
                    self.others.setdefault(product_id, []).append((sku, options_trim(values)))

    # one product ---------------------------------------------------------------------------
    def _plan_product(self, group: _Group) -> None:
        first = group.rows[0]
        for row in group.rows[1:]:
            for column in PRODUCT_COLUMNS:
                if self.has(column) and _norm(row.text(column)) != _norm(first.text(column)):
                    self.error(
                        row.number,
                        column,
                        _("Differs from row %(row)d of the same product.") % {"row": first.number},
                    )
        values = self._product_values(first)
        if group.product is not None:
            values = {k: v for k, v in values.items() if _differs(group.product, k, v)}
        group.values = values
        self._plan_options(group)
        for row in group.rows:
            self._plan_variant(row, group)

    def _product_values(self, row: _Row) -> dict[str, Any]:
        values: dict[str, Any] = {}
        name = row.text("product_name")
        if not name:
            self.error(row.number, "product_name", _("Enter the product name."))
        elif len(name) > 255:
            self.error(row.number, "product_name", _("At most %(max)d characters.") % {"max": 255})
        else:
            values["name"] = name
        if self.has("category"):
            path = _category_path(row.text("category"))
            if any(len(part) > 120 for part in path):
                self.error(row.number, "category", _("At most %(max)d characters.") % {"max": 120})
            elif not path:
                values["category"] = None
            else:
                key = tuple(p.casefold() for p in path)
                values["category"] = self.categories.get(key) or _Pending("category", path)
        if self.has("brand"):
            brand = row.text("brand")
            if len(brand) > 120:
                self.error(row.number, "brand", _("At most %(max)d characters.") % {"max": 120})
            else:
                values["brand"] = (
                    (self.brands.get(brand.casefold()) or _Pending("brand", (brand,)))
                    if brand
                    else None
                )
        if self.has("description"):
            values["description"] = _text_block(row.cells.get("description"))
        if self.has("specifications"):
            try:
                values["specifications"] = parse_specifications(row.text("specifications"))
            except ParseError as error:
                self.error(row.number, "specifications", str(error))
        if self.has("product_active") and row.text("product_active"):
            try:
                values["is_active"] = parse_bool(row.cells["product_active"])
            except ParseError as error:
                self.error(row.number, "product_active", str(error))
        return values

    def _plan_options(self, group: _Group) -> None:
        product = group.product
        existing = self.options.get(product.pk, []) if product is not None else []
        if not any(self.has(f"option{i}_name") for i in range(1, MAX_OPTIONS + 1)):
            if product is None and len(group.rows) > 1:
                for row in group.rows[1:]:
                    self.error(
                        row.number,
                        "sku",
                        _("A product with several variants needs option columns."),
                    )
            return
        first = group.rows[0]
        names = self._option_names(first)
        if names is None:
            return
        if product is not None and product.pk in self.has_variants and len(names) != len(existing):
            self.error(
                first.number,
                "option1_name",
                ngettext(
                    "This product has %(count)d option; add or remove options in the product "
                    "editor.",
                    "This product has %(count)d options; add or remove options in the product "
                    "editor.",
                    len(existing),
                )
                % {"count": len(existing)},
            )
            return
        # Values keep the spelling they already have ("đỏ" in the file is the existing "Đỏ").
        ordered = [list(existing[i].values) if i < len(existing) else [] for i in range(len(names))]
        spelling = [{v.casefold(): v for v in values} for values in ordered]
        for row in group.rows:
            folded = tuple(n.casefold() for n in names)
            if row is not first and self._option_names(row, quiet=True) != folded:
                self.error(
                    row.number,
                    "option1_name",
                    _("Option names differ from row %(row)d of the same product.")
                    % {"row": first.number},
                )
                continue
            values: list[str] = []
            for i in range(MAX_OPTIONS):
                column = f"option{i + 1}_value"
                value = row.text(column) if self.has(column) else ""
                if i >= len(names):
                    if value:
                        self.error(row.number, column, _("This value has no option name."))
                    continue
                if not value:
                    self.error(
                        row.number, column, _("Enter a value for %(name)s.") % {"name": names[i]}
                    )
                elif len(value) > 60 or "," in value:
                    self.error(row.number, column, _("At most 60 characters, without commas."))
                else:
                    if value.casefold() not in spelling[i]:
                        spelling[i][value.casefold()] = value
                        ordered[i].append(value)
                    values.append(spelling[i][value.casefold()])
            if len(values) == len(names):
                row.options = tuple(values)
        final = [(names[i], ordered[i]) for i in range(len(names))]
        if product is None or final != [(o.name, list(o.values)) for o in existing]:
            group.options = final
        taken: dict[tuple[str, ...], str] = {}
        if product is not None:
            taken = {values: sku for sku, values in self.others.get(product.pk, [])}
        for row in group.rows:
            if row.options is None:
                continue
            if row.options in taken:
                self.error(
                    row.number,
                    "option1_value" if names else "sku",
                    _("Variant %(sku)s already has these option values.")
                    % {"sku": taken[row.options]},
                )
            else:
                taken[row.options] = row.sku

    def _option_names(self, row: _Row, *, quiet: bool = False) -> tuple[str, ...] | None:
        names: list[str] = []
        for i in range(1, MAX_OPTIONS + 1):
            column = f"option{i}_name"
            name = row.text(column) if self.has(column) else ""
            if not name:
                continue
            if quiet:
                names.append(name.casefold())
                continue
            if len(names) != i - 1:
                self.error(row.number, column, _("Fill the options in order, from option 1."))
                return None
            if len(name) > 60:
                self.error(row.number, column, _("At most %(max)d characters.") % {"max": 60})
                return None
            names.append(name)
        if quiet:
            return tuple(names)
        if len({n.casefold() for n in names}) != len(names):
            self.error(row.number, "option1_name", _("Two options have the same name."))
            return None
        return tuple(names)

    # one variant ---------------------------------------------------------------------------
    def _plan_variant(self, row: _Row, group: _Group) -> None:
        values: dict[str, Any] = {}
        if self.has("barcode"):
            barcode = row.text("barcode")
            if len(barcode) > 64 or any(ch.isspace() for ch in barcode):
                self.error(
                    row.number, "barcode", _("A barcode has at most 64 characters and no spaces.")
                )
            else:
                values["barcode"] = barcode
        for column in ("cost_price", "sale_price"):
            if self.has(column) and row.text(column):
                try:
                    values[column] = parse_money(row.cells[column], currency=self.currency)
                except ParseError as error:
                    self.error(row.number, column, str(error))
        if self.has("vat_rate") and row.text("vat_rate"):
            try:
                values["vat_rate"] = parse_percent(row.cells["vat_rate"])
            except ParseError as error:
                self.error(row.number, "vat_rate", str(error))
        for column in VARIANT_NUMBERS:
            if self.has(column) and row.text(column):
                try:
                    values[column] = parse_quantity(row.cells[column])
                except ParseError as error:
                    self.error(row.number, column, str(error))
        if self.has("preferred_supplier"):
            name = row.text("preferred_supplier")
            if not name:
                values["preferred_supplier"] = None
            elif name.casefold() in self.suppliers:
                values["preferred_supplier"] = self.suppliers[name.casefold()]
            else:
                self.error(
                    row.number,
                    "preferred_supplier",
                    _("There is no supplier named %(name)s.") % {"name": name},
                )
        if self.has("variant_active") and row.text("variant_active"):
            try:
                values["is_active"] = parse_bool(row.cells["variant_active"])
            except ParseError as error:
                self.error(row.number, "variant_active", str(error))
        if row.options is not None:
            values["option1"], values["option2"], values["option3"] = options_pad(row.options)
        for column, warehouse in self.warehouse_columns.items():
            if row.text(column):
                try:
                    row.stock[warehouse.pk] = parse_quantity(row.cells[column])
                except ParseError as error:
                    self.error(row.number, column, str(error))
        if row.variant is None:
            values["sku"] = row.sku
            values.setdefault("vat_rate", default_vat_rate())
            if (
                row.options is None
                and group.product is not None
                and self.options.get(group.product.pk)
            ):
                self.error(row.number, "sku", _("Give the option values of the new variant."))
        else:
            values = {k: v for k, v in values.items() if _differs(row.variant, k, v)}
        row.values = values

    def _check_barcodes(self, rows: list[_Row]) -> None:
        wanted: dict[str, _Row] = {}
        for row in rows:
            if not row.sku:
                continue
            barcode = row.values.get("barcode", row.variant.barcode if row.variant else "")
            if not barcode:
                continue
            if barcode in wanted:
                self.error(
                    row.number,
                    "barcode",
                    _("Barcode %(barcode)s is also on row %(row)d.")
                    % {"barcode": barcode, "row": wanted[barcode].number},
                )
            else:
                wanted[barcode] = row
        in_file = {row.variant.pk for row in rows if row.variant is not None}
        codes = list(wanted)
        for start in range(0, len(codes), 500):
            holders = (
                Variant.objects.filter(barcode__in=codes[start : start + 500])
                .exclude(pk__in=in_file)
                .order_by("pk")
            )
            for holder in holders:
                self.error(
                    wanted[holder.barcode].number,
                    "barcode",
                    _("Barcode %(barcode)s is already used by %(sku)s.")
                    % {"barcode": holder.barcode, "sku": holder.sku},
                )

    def _plan_stock(self, rows: list[_Row]) -> None:
        ids = sorted(row.variant.pk for row in rows if row.variant is not None and row.stock)
        levels: dict[tuple[int, int], StockLevel] = {}
        for start in range(0, len(ids), 500):
            qs = StockLevel.objects.filter(variant_id__in=ids[start : start + 500])
            if self.lock:  # same order as stock_apply takes its locks
                qs = qs.select_for_update()
            for level in qs.order_by("variant_id", "warehouse_id"):
                levels[(level.variant_id, level.warehouse_id)] = level
        columns = {w.pk: column for column, w in self.warehouse_columns.items()}
        for row in rows:
            if not row.sku:
                continue
            for warehouse_id, wanted in sorted(row.stock.items()):
                found = levels.get((row.variant.pk, warehouse_id)) if row.variant else None
                on_hand, reserved = (found.on_hand, found.reserved) if found else (0, 0)
                if wanted < reserved:
                    self.error(
                        row.number,
                        columns[warehouse_id],
                        _("%(reserved)d units are reserved for orders; on hand cannot be lower.")
                        % {"reserved": reserved},
                    )
                elif wanted != on_hand:
                    self.plan.stock.append((row, warehouse_id, wanted - on_hand))

    def _summarise(self, groups: list[_Group]) -> None:
        summary = self.plan.summary
        categories: dict[tuple[str, ...], str] = {}
        brands: dict[str, str] = {}
        for group in groups:
            if group.product is None:
                summary.products_created += 1
            elif group.values or group.options is not None:
                summary.products_updated += 1
            for value in group.values.values():
                if isinstance(value, _Pending) and value.kind == "category":
                    categories.setdefault(_pending_key(value), " / ".join(value.name))
                elif isinstance(value, _Pending):
                    brands.setdefault(_pending_key(value)[0], value.name[0])
            for row in group.rows:
                if row.variant is None:
                    summary.variants_created += 1
                elif row.values:
                    summary.variants_updated += 1
                else:
                    summary.variants_unchanged += 1
        summary.stock_changes = len(self.plan.stock)
        summary.categories_created = sorted(categories.values(), key=str.casefold)
        summary.brands_created = sorted(brands.values(), key=str.casefold)


@dataclass(frozen=True)
class _Pending:
    """A category (its path) or brand (its name) that the import creates."""

    kind: str
    name: tuple[str, ...]


def _pending_key(value: _Pending) -> tuple[str, ...]:
    return tuple(part.casefold() for part in value.name)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _text_block(value: object) -> str:
    return _cell_text(value).replace("\r\n", "\n").replace("\r", "\n")


def _differs(obj: Product | Variant, key: str, value: Any) -> bool:
    """Would setting `key` to `value` change the object? (related objects compared by id)"""
    if key in ("category", "brand", "preferred_supplier"):
        current = getattr(obj, f"{key}_id")
        return isinstance(value, _Pending) or current != (value.pk if value is not None else None)
    if key == "description":
        return _text_block(getattr(obj, key)) != value
    return bool(getattr(obj, key) != value)


# --- Apply ------------------------------------------------------------------------------------


def _execute(plan: ImportPlan, *, filename: str, reference: str, user_id: int | None) -> None:
    now = timezone.now()
    created: dict[tuple[str, ...], Category | Brand] = {}

    def resolve(value: Any) -> Any:
        if not isinstance(value, _Pending):
            return value
        key = (value.kind, *_pending_key(value))
        if key not in created:
            if value.kind == "category":
                created[key] = category_ensure_path(path=value.name)
            else:
                wanted = value.name[0].casefold()
                found = next(
                    (b for b in Brand.objects.order_by("pk") if b.name.casefold() == wanted), None
                )
                created[key] = found or brand_save(name=value.name[0])
        return created[key]

    new_products: list[Product] = []
    changed_products: list[Product] = []
    product_fields: set[str] = set()
    renamed: list[Product] = []
    for group in plan.groups:
        values = {k: resolve(v) for k, v in group.values.items()}
        if group.product is None:
            group.product = Product(
                name=values.get("name", ""),
                category=values.get("category"),
                brand=values.get("brand"),
                description=values.get("description", ""),
                specifications=values.get("specifications", []),
                is_active=values.get("is_active", True),
            )
            new_products.append(group.product)
        elif values:
            for key, value in values.items():
                setattr(group.product, key, value)
            group.product.updated_at = now
            product_fields.update(values)
            changed_products.append(group.product)
            if "name" in values:
                renamed.append(group.product)
    Product.objects.bulk_create(new_products, batch_size=500)
    if changed_products:
        Product.objects.bulk_update(
            changed_products, sorted({*product_fields, "updated_at"}), batch_size=500
        )
    with_options = [g for g in plan.groups if g.options is not None]
    ProductOption.objects.filter(
        product_id__in=[g.product.pk for g in with_options if g.product is not None]
    ).delete()
    ProductOption.objects.bulk_create(
        [
            ProductOption(product=g.product, position=i, name=name, values=values)
            for g in with_options
            for i, (name, values) in enumerate(g.options or [], start=1)
        ],
        batch_size=500,
    )

    created_variants: dict[int, Variant] = {}  # id(row) -> new variant
    updated: list[Variant] = []
    moving: list[int] = []
    variant_fields: set[str] = set()
    for group in plan.groups:
        product = group.product
        assert product is not None
        for row in group.rows:
            if row.variant is None:
                variant = Variant(product=product, **row.values)
                variant.search_text = search_text_for(variant, product)
                created_variants[id(row)] = variant
            elif row.values:
                variant = row.variant
                if "barcode" in row.values:
                    moving.append(variant.pk)
                for key, value in row.values.items():
                    setattr(variant, key, value)
                variant.search_text = search_text_for(variant, product)
                variant.updated_at = now
                variant_fields.update(row.values)
                updated.append(variant)
    if moving:  # free the old barcodes first, so two variants can swap theirs
        Variant.objects.filter(pk__in=moving).exclude(barcode="").update(barcode="")
    if updated:
        Variant.objects.bulk_update(
            updated, sorted({*variant_fields, "search_text", "updated_at"}), batch_size=500
        )
    Variant.objects.bulk_create(list(created_variants.values()), batch_size=500)
    for product in renamed:
        variants = list(product.variants.all())
        for variant in variants:
            variant.search_text = search_text_for(variant, product)
        Variant.objects.bulk_update(variants, ["search_text"], batch_size=500)

    changes = []
    for row, warehouse_id, delta in plan.stock:
        variant = row.variant or created_variants[id(row)]
        # "Import <file>" (the source document), worded when shown.
        changes.append(StockChange.adjust(variant.pk, warehouse_id, delta, reason_code="import"))
    stock_apply(
        changes=changes,
        user_id=user_id,
        source=Source("import", reference[:64], filename[:120]),
        now=now,
    )
