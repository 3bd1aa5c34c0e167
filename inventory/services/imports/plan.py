"""The dry run: validate every row of the file and work out every change, writing nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import ParseError, parse_money, parse_percent, parse_quantity
from common.text import cell_text, fold
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
)
from inventory.services.catalogue import (
    MAX_OPTIONS,
    default_vat_rate,
    options_pad,
    options_trim,
    sku_validate,
)
from inventory.services.imports.parse import category_path, parse_bool, parse_specifications

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
        return cell_text(self.cells.get(column))


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
            if any(cell_text(v) for v in cells.values()):
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
                tuple(p.casefold() for p in category_path(c.full_name)): c
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
            path = category_path(row.text("category"))
            if any(len(part) > 120 for part in path):
                self.error(row.number, "category", _("At most %(max)d characters.") % {"max": 120})
            elif not path:
                values["category"] = None
            else:
                key = tuple(p.casefold() for p in path)
                values["category"] = self.categories.get(key) or Pending("category", path)
        if self.has("brand"):
            brand = row.text("brand")
            if len(brand) > 120:
                self.error(row.number, "brand", _("At most %(max)d characters.") % {"max": 120})
            else:
                values["brand"] = (
                    (self.brands.get(brand.casefold()) or Pending("brand", (brand,)))
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
                if isinstance(value, Pending) and value.kind == "category":
                    categories.setdefault(pending_key(value), " / ".join(value.name))
                elif isinstance(value, Pending):
                    brands.setdefault(pending_key(value)[0], value.name[0])
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
class Pending:
    """A category (its path) or brand (its name) that the import creates."""

    kind: str
    name: tuple[str, ...]


def pending_key(value: Pending) -> tuple[str, ...]:
    return tuple(part.casefold() for part in value.name)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _text_block(value: object) -> str:
    return cell_text(value).replace("\r\n", "\n").replace("\r", "\n")


def _differs(obj: Product | Variant, key: str, value: Any) -> bool:
    """Would setting `key` to `value` change the object? (related objects compared by id)"""
    if key in ("category", "brand", "preferred_supplier"):
        current = getattr(obj, f"{key}_id")
        return isinstance(value, Pending) or current != (value.pk if value is not None else None)
    if key == "description":
        return _text_block(getattr(obj, key)) != value
    return bool(getattr(obj, key) != value)
