"""The dry run: validate every row of the file and work out every change, writing nothing.

This module reads the header, matches the rows to variants and products and loads what the
checks compare with; plan_products plans each product and its options, plan_variants each
variant row, the barcodes and the stock; plan_data holds what they share and produce.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from common.money import ParseError
from common.text import cell_text, fold
from inventory.errors import InventoryError
from inventory.models import Brand, Category, Product, ProductOption, Supplier, Variant, Warehouse
from inventory.selectors.catalogue import COST_COLUMNS, STOCK_COLUMN_PREFIX
from inventory.services.catalogue import MAX_OPTIONS, options_trim, sku_validate
from inventory.services.imports.parse import category_path
from inventory.services.imports.plan_data import (
    KNOWN_COLUMNS,
    FileRow,
    ImportPlan,
    ImportSummary,
    Pending,
    ProductGroup,
    RowError,
    pending_key,
)
from inventory.services.imports.plan_products import ProductSteps
from inventory.services.imports.plan_variants import VariantSteps

__all__ = [
    "ImportPlan",
    "ImportSummary",
    "Pending",
    "RowError",
    "catalogue_import_plan",
    "pending_key",
]


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


class _Planner(ProductSteps, VariantSteps):
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

    def _rows(self) -> list[FileRow]:
        rows = []
        for number, raw in enumerate(self.raw_rows, start=2):
            cells = {
                column: raw[i] if i < len(raw) else None
                for i, column in enumerate(self.header)
                if column
            }
            if any(cell_text(v) for v in cells.values()):
                rows.append(FileRow(number=number, cells=cells))
        return rows

    # variants by SKU, products by id or name ---------------------------------------------
    def _match_variants(self, rows: list[FileRow]) -> None:
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

    def _product_id(self, row: FileRow) -> int | None:
        text = row.text("product_id") if self.has("product_id") else ""
        if not text:
            return None
        if not text.isdigit():
            raise ParseError(_("Leave empty for a new product."))
        return int(text)

    def _group(self, rows: list[FileRow]) -> list[ProductGroup]:
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
        groups: dict[tuple[str, object], ProductGroup] = {}

        def add(key: tuple[str, object], product: Product | None, row: FileRow) -> None:
            groups.setdefault(key, ProductGroup(product=product)).rows.append(row)

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

    def _load(self, rows: list[FileRow], groups: list[ProductGroup]) -> None:
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

    def _summarise(self, groups: list[ProductGroup]) -> None:
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
