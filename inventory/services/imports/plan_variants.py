"""The dry run for each variant row: its own columns, the stock wanted per warehouse, barcodes
unique in the file and the database, and the stock changes the import makes."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from common.money import parse_money, parse_percent, parse_quantity
from inventory.models import StockLevel, Variant, VatCategory
from inventory.services.catalogue import default_vat_rate, options_pad, vat_error
from inventory.services.imports.parse import parse_bool, parse_vat_category
from inventory.services.imports.plan_data import (
    VARIANT_NUMBERS,
    FileRow,
    PlannerBase,
    ProductGroup,
    differs,
)


class VariantSteps(PlannerBase):
    def _plan_variant(self, row: FileRow, group: ProductGroup) -> None:
        """The variant fields the row sets (for an existing variant only those that change)
        and the on-hand quantity it wants per warehouse."""
        values = self._variant_values(row)
        if row.options is not None:
            values["option1"], values["option2"], values["option3"] = options_pad(row.options)
        for column, warehouse in self.warehouse_columns.items():
            self.parse_cell(row, column, parse_quantity, into=row.stock, key=warehouse.pk)
        self._check_vat(row, values)
        if row.variant is None:
            values["sku"] = row.sku
            if (
                row.options is None
                and group.product is not None
                and self.options.get(group.product.pk)
            ):
                self.error(row.number, "sku", _("Give the option values of the new variant."))
        else:
            values = {k: v for k, v in values.items() if differs(row.variant, k, v)}
        row.values = values

    def _check_vat(self, row: FileRow, values: dict[str, Any]) -> None:
        """The VAT category and rate the variant ends with must go together. A blank cell keeps
        the variant's own (a new variant: the VAT-rate category at the shop's usual rate); a
        category without a rate has rate 0, so a blank rate beside it becomes 0."""
        current = row.variant
        if self.has("vat_category") and row.text("vat_category") and "vat_category" not in values:
            return  # the category did not parse: that error is enough
        if current is not None and "vat_category" not in values and "vat_rate" not in values:
            return  # the row leaves VAT as it is
        category = values.get("vat_category", current.vat_category if current else VatCategory.RATE)
        if "vat_rate" not in values and (current is None or "vat_category" in values):
            if category != VatCategory.RATE:
                values["vat_rate"] = Decimal(0)
            elif current is None:
                values["vat_rate"] = default_vat_rate()
        rate = values.get("vat_rate", current.vat_rate if current else Decimal(0))
        message = vat_error(category=category, rate=rate)
        if message is not None:
            # Blame the cell the user typed: the rate when the row has one, else the category.
            column = "vat_rate" if self.has("vat_rate") and row.text("vat_rate") else "vat_category"
            self.error(row.number, column, message)

    def _variant_values(self, row: FileRow) -> dict[str, Any]:
        """The row's variant columns parsed; blank number and flag cells are left out."""
        values: dict[str, Any] = {}
        if self.has("barcode"):
            barcode = row.text("barcode")
            if len(barcode) > 64 or any(ch.isspace() for ch in barcode):
                self.error(
                    row.number, "barcode", _("A barcode has at most 64 characters and no spaces.")
                )
            else:
                values["barcode"] = barcode
        money = partial(parse_money, currency=self.currency)
        for column in ("cost_price", "sale_price"):
            self.parse_cell(row, column, money, into=values)
        self.parse_cell(row, "vat_category", parse_vat_category, into=values)
        self.parse_cell(row, "vat_rate", parse_percent, into=values)
        for column in VARIANT_NUMBERS:
            self.parse_cell(row, column, parse_quantity, into=values)
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
        self.parse_cell(row, "variant_active", parse_bool, into=values, key="is_active")
        return values

    def _check_barcodes(self, rows: list[FileRow]) -> None:
        wanted: dict[str, FileRow] = {}
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

    def _plan_stock(self, rows: list[FileRow]) -> None:
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
