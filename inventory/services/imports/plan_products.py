"""The dry run for one product: its own columns (name, category, brand...), the same on every
row of the product, and its options with the values each row gives."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import ParseError
from inventory.models import ProductOption
from inventory.services.catalogue import MAX_OPTIONS
from inventory.services.imports.parse import category_path, parse_bool, parse_specifications
from inventory.services.imports.plan_data import (
    PRODUCT_COLUMNS,
    FileRow,
    Pending,
    PlannerBase,
    ProductGroup,
    differs,
    norm_text,
    text_block,
)


class ProductSteps(PlannerBase):
    """Plans a product's fields and options, then each of its rows (`_plan_variant`, one of
    VariantSteps) once the options are known."""

    def _plan_product(self, group: ProductGroup) -> None:
        first = group.rows[0]
        for row in group.rows[1:]:
            for column in PRODUCT_COLUMNS:
                same = norm_text(row.text(column)) == norm_text(first.text(column))
                if self.has(column) and not same:
                    self.error(
                        row.number,
                        column,
                        _("Differs from row %(row)d of the same product.") % {"row": first.number},
                    )
        values = self._product_values(first)
        if group.product is not None:
            values = {k: v for k, v in values.items() if differs(group.product, k, v)}
        group.values = values
        self._plan_options(group)
        for row in group.rows:
            self._plan_variant(row, group)

    def _product_values(self, row: FileRow) -> dict[str, Any]:
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
            values["description"] = text_block(row.cells.get("description"))
        if self.has("specifications"):
            try:
                values["specifications"] = parse_specifications(row.text("specifications"))
            except ParseError as error:
                self.error(row.number, "specifications", str(error))
        self.parse_cell(row, "product_active", parse_bool, into=values, key="is_active")
        return values

    def _plan_options(self, group: ProductGroup) -> None:
        """The product's option names (from its first row) and every row's values; values
        keep the spelling they already have ("đỏ" in the file is the existing "Đỏ")."""
        product = group.product
        existing = self.options.get(product.pk, []) if product is not None else []
        if not any(self.has(f"option{i}_name") for i in range(1, MAX_OPTIONS + 1)):
            if product is None:
                for row in group.rows[1:]:
                    self.error(
                        row.number,
                        "sku",
                        _("A product with several variants needs option columns."),
                    )
            return
        first = group.rows[0]
        names = self._option_names(first)
        if names is None or not self._option_count_kept(group, names, existing):
            return
        ordered = [list(existing[i].values) if i < len(existing) else [] for i in range(len(names))]
        spelling = [{v.casefold(): v for v in values} for values in ordered]
        folded = tuple(n.casefold() for n in names)
        for row in group.rows:
            if row is not first and self._option_names(row, quiet=True) != folded:
                self.error(
                    row.number,
                    "option1_name",
                    _("Option names differ from row %(row)d of the same product.")
                    % {"row": first.number},
                )
                continue
            values = self._option_values(row, names, ordered, spelling)
            if len(values) == len(names):
                row.options = tuple(values)
        final = [(names[i], ordered[i]) for i in range(len(names))]
        if product is None or final != [(o.name, list(o.values)) for o in existing]:
            group.options = final
        self._check_combinations_free(group, names)

    def _option_count_kept(
        self, group: ProductGroup, names: tuple[str, ...], existing: list[ProductOption]
    ) -> bool:
        """A product that has variants keeps its number of options (the editor changes it)."""
        product = group.product
        if product is None or product.pk not in self.has_variants or len(names) == len(existing):
            return True
        self.error(
            group.rows[0].number,
            "option1_name",
            ngettext(
                "This product has %(count)d option; add or remove options in the product editor.",
                "This product has %(count)d options; add or remove options in the product editor.",
                len(existing),
            )
            % {"count": len(existing)},
        )
        return False

    def _option_values(
        self,
        row: FileRow,
        names: tuple[str, ...],
        ordered: list[list[str]],
        spelling: list[dict[str, str]],
    ) -> list[str]:
        """The row's value of each option as spelled before; a new value joins `ordered`."""
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
        return values

    def _check_combinations_free(self, group: ProductGroup, names: tuple[str, ...]) -> None:
        """No two variants of the product, in the file or not, with the same option values."""
        taken: dict[tuple[str, ...], str] = {}
        if group.product is not None:
            taken = {values: sku for sku, values in self.others.get(group.product.pk, [])}
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

    def _option_names(self, row: FileRow, *, quiet: bool = False) -> tuple[str, ...] | None:
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
