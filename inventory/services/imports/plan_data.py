"""What the import's dry run works on and produces: the file's rows grouped by product, the
plan with its errors and summary, and the state every planning step shares (PlannerBase)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from common.money import ParseError
from common.text import cell_text
from inventory.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    Supplier,
    Variant,
    Warehouse,
)
from inventory.selectors.catalogue import EXPORT_COLUMNS
from inventory.services.catalogue import MAX_OPTIONS

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
class FileRow:
    """One row of the file that is not empty; `number` as the spreadsheet numbers it."""

    number: int
    cells: dict[str, object]
    sku: str = ""
    variant: Variant | None = None
    values: dict[str, Any] = field(default_factory=dict)  # parsed variant fields to set
    options: tuple[str, ...] | None = None  # None: the file has no option columns
    stock: dict[int, int] = field(default_factory=dict)  # warehouse id -> on hand wanted

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))


@dataclass
class ProductGroup:
    """The rows of one product (existing or to create)."""

    product: Product | None
    rows: list[FileRow] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # product fields to set
    options: list[tuple[str, list[str]]] | None = None  # final options when they change


@dataclass
class ImportPlan:
    errors: list[RowError] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    groups: list[ProductGroup] = field(default_factory=list)
    stock: list[tuple[FileRow, int, int]] = field(default_factory=list)  # row, warehouse, delta

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Pending:
    """A category (its path) or brand (its name) that the import creates."""

    kind: str
    name: tuple[str, ...]


def pending_key(value: Pending) -> tuple[str, ...]:
    return tuple(part.casefold() for part in value.name)


def norm_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def text_block(value: object) -> str:
    return cell_text(value).replace("\r\n", "\n").replace("\r", "\n")


def differs(obj: Product | Variant, key: str, value: Any) -> bool:
    """Would setting `key` to `value` change the object? (related objects compared by id)"""
    if key in ("category", "brand", "preferred_supplier"):
        current = getattr(obj, f"{key}_id")
        return isinstance(value, Pending) or current != (value.pk if value is not None else None)
    if key == "description":
        return text_block(getattr(obj, key)) != value
    return bool(getattr(obj, key) != value)


class PlannerBase:
    """What the planning steps share: the file's header and rows, what was loaded to compare
    with, and the plan being built (its errors first of all)."""

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

    def parse_cell(
        self,
        row: FileRow,
        column: str,
        parse: Callable[[object], Any],
        *,
        into: dict[Any, Any],
        key: object = None,
    ) -> None:
        """Parse the row's `column` into `into[key]` (key: the column's name) when the file has
        the column and the cell is not blank; a cell that does not parse is an error."""
        if not (self.has(column) and row.text(column)):
            return
        try:
            into[column if key is None else key] = parse(row.cells[column])
        except ParseError as error:
            self.error(row.number, column, str(error))

    def _plan_variant(self, row: FileRow, group: ProductGroup) -> None:
        """One variant row of a product, planned once the product's options are known (see
        plan_variants.VariantSteps)."""
        raise NotImplementedError
