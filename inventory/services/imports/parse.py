"""Reading an uploaded catalogue file: keeping it for the dry run and the apply, its rows, and
the cells that are not numbers (flags, specifications, category paths)."""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from common.money import ParseError
from common.text import cell_text
from inventory.errors import InventoryError
from inventory.models import VatCategory

MAX_ROWS = 100_000
MAX_FILE_BYTES = 25 * 1024 * 1024
IMPORT_DIR = "imports"
IMPORT_TTL = timedelta(days=1)


class ImportFileError(InventoryError):
    """The file cannot be read at all (wrong format, encoding, too big)."""


_TRUE = {"1", "true", "yes", "y", "x", "có", "co", "active", "ใช่", "เปิด"}
_FALSE = {"0", "false", "no", "n", "không", "khong", "inactive", "ไม่", "ปิด"}


def parse_bool(value: object) -> bool:
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(_("Write 1 for yes or 0 for no."))


# The codes the export writes, and the abbreviations on Vietnamese invoices.
_VAT_CATEGORY_ALIASES = {
    "kct": VatCategory.NOT_SUBJECT,
    "kkknt": VatCategory.NOT_DECLARED,
}


def parse_vat_category(value: object) -> str:
    """A VatCategory code from its code (as exported), KCT / KKKNT, or its label in English,
    Vietnamese or Thai (as a person may type it)."""
    text = " ".join(cell_text(value).split()).casefold()
    if text in VatCategory.values:
        return text
    if text in _VAT_CATEGORY_ALIASES:
        return _VAT_CATEGORY_ALIASES[text]
    for language in ("en", "vi", "th"):
        with translation.override(language):
            for code, label in VatCategory.choices:
                if text == str(label).casefold():
                    return str(code)
    raise ParseError(
        _("Write rate (a VAT rate), kct (not subject to VAT) or kkknt (VAT not declared).")
    )


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


def category_path(text: str) -> tuple[str, ...]:
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
    rows = [row for row in rows if any(cell_text(cell) for cell in row)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)d rows; split it into smaller files.")
            % {"max": MAX_ROWS}
        )
    header = [cell_text(cell) for cell in rows[0]]
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
