"""The catalogue as CSV or Excel: one row per variant, the columns the import reads (written by
common.spreadsheets)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from django.conf import settings

from common.spreadsheets import INTEGER, MONEY, RATE, TEXT, Column, Table, csv_stream, xlsx_write
from inventory.selectors.catalogue import STOCK_COLUMN_PREFIX, ExportValue

_KINDS = {
    "product_id": INTEGER,
    "product_active": INTEGER,
    "cost_price": MONEY,
    "sale_price": MONEY,
    "vat_rate": RATE,
    "weight_grams": INTEGER,
    "length_cm": INTEGER,
    "width_cm": INTEGER,
    "height_cm": INTEGER,
    "low_stock_threshold": INTEGER,
    "variant_active": INTEGER,
}


def _columns(header: Sequence[str]) -> list[Column]:
    """Prices in the shop currency, VAT rates without trailing zeros, stock as numbers."""
    currency = settings.SHOP_CURRENCY
    return [
        Column(
            name,
            INTEGER if name.startswith(STOCK_COLUMN_PREFIX) else _KINDS.get(name, TEXT),
            currency if _KINDS.get(name) == MONEY else None,
        )
        for name in header
    ]


def export_csv_lines(
    *, header: Sequence[str], rows: Iterable[Sequence[ExportValue]]
) -> Iterator[str]:
    """CSV text in pieces for a streaming response."""
    return csv_stream(Table(sheet="Catalogue", columns=_columns(header), rows=rows))


def export_xlsx(
    *, header: Sequence[str], rows: Iterable[Sequence[ExportValue]], target: IO[bytes]
) -> None:
    xlsx_write([Table(sheet="Catalogue", columns=_columns(header), rows=rows)], target)
