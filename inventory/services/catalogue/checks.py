"""The checks a product's options and variant rows pass before anything is saved: option names
and values, the number of combinations, SKUs and barcodes (well-formed, unique among the rows
and not used by another product), and each variant's own field rules."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from inventory.errors import InventoryError
from inventory.models import Variant
from inventory.services.catalogue.variants import (
    MAX_OPTIONS,
    MAX_VARIANTS,
    VariantError,
    VariantInput,
    sku_validate,
    vat_error,
)


def check_options(options: Sequence[tuple[str, Sequence[str]]]) -> None:
    if len(options) > MAX_OPTIONS:
        raise InventoryError(_("A product has at most 3 option attributes."))
    names = [name.strip().casefold() for name, _values in options]
    if any(not name for name in names):
        raise InventoryError(_("Every option needs a name."))
    if len(set(names)) != len(names):
        raise InventoryError(_("Two options have the same name."))
    for name, values in options:
        if not values:
            raise InventoryError(_("Option %(name)s needs at least one value.") % {"name": name})
        folded = [v.casefold() for v in values]
        if len(set(folded)) != len(folded):
            raise InventoryError(_("Option %(name)s lists a value twice.") % {"name": name})
    size = 1
    for _name, values in options:
        size *= len(values)
    if size > MAX_VARIANTS:
        raise InventoryError(
            _("These options make %(count)d combinations; a product has at most %(max)d.")
            % {"count": size, "max": MAX_VARIANTS}
        )


def validate_codes(rows: Sequence[VariantInput], *, own_ids: set[int]) -> list[str]:
    """SKUs valid and unique (case-insensitive), barcodes unique when set; returns clean SKUs.

    `own_ids` are the variants the rows stand for: their stored codes are not a clash."""
    skus, sku_rows, barcode_rows = _codes_among_rows(rows)
    _check_codes_free(sku_rows, barcode_rows, own_ids=own_ids)
    return skus


def _codes_among_rows(
    rows: Sequence[VariantInput],
) -> tuple[list[str], dict[str, int], dict[str, int]]:
    """The clean SKUs, and the row index of each upper-cased SKU and of each barcode kept
    (rows marked for deletion keep none); a malformed or repeated code raises VariantError."""
    skus: list[str] = []
    sku_rows: dict[str, int] = {}
    barcode_rows: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            sku = sku_validate(row.sku)
        except InventoryError as error:
            raise VariantError(str(error), index=index, field="sku") from error
        skus.append(sku)
        if getattr(row, "delete", False):
            continue
        if sku.upper() in sku_rows:
            raise VariantError(
                _("SKU %(sku)s is used by two variants.") % {"sku": sku}, index=index, field="sku"
            )
        sku_rows[sku.upper()] = index
        barcode = row.barcode.strip()
        if barcode:
            _check_barcode(barcode, index=index, taken=barcode_rows)
            barcode_rows[barcode] = index
    return skus, sku_rows, barcode_rows


def _check_barcode(barcode: str, *, index: int, taken: dict[str, int]) -> None:
    if len(barcode) > 64 or any(ch.isspace() for ch in barcode):
        raise VariantError(
            _("A barcode has at most 64 characters and no spaces."), index=index, field="barcode"
        )
    if barcode in taken:
        raise VariantError(
            _("Barcode %(barcode)s is used by two variants.") % {"barcode": barcode},
            index=index,
            field="barcode",
        )


def _check_codes_free(
    sku_rows: dict[str, int], barcode_rows: dict[str, int], *, own_ids: set[int]
) -> None:
    """No other variant in the database has one of these SKUs or barcodes."""
    others = Variant.objects.exclude(pk__in=own_ids).select_related("product").order_by("pk")
    clash = others.annotate(sku_upper=Upper("sku")).filter(sku_upper__in=list(sku_rows)).first()
    if clash is not None:
        raise VariantError(
            _("SKU %(sku)s is already used by %(product)s.")
            % {"sku": clash.sku, "product": clash.product.name},
            index=sku_rows[clash.sku.upper()],
            field="sku",
        )
    taken = others.filter(barcode__in=list(barcode_rows)).first()
    if taken is not None:
        raise VariantError(
            _("Barcode %(barcode)s is already used by %(sku)s.")
            % {"barcode": taken.barcode, "sku": taken.sku},
            index=barcode_rows[taken.barcode],
            field="barcode",
        )


def clean_variant(variant: Variant, index: int) -> None:
    """The variant's own field rules, raised as a VariantError for row `index`."""
    try:
        variant.full_clean(exclude=["product"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field_name, messages = next(iter(error.message_dict.items()))
        raise VariantError(
            messages[0], index=index, field=None if field_name == "__all__" else field_name
        ) from error
    message = vat_error(category=variant.vat_category, rate=variant.vat_rate)
    if message is not None:
        raise VariantError(message, index=index, field="vat_rate")
