"""What a variant row is and the rules for its codes and option values: the input dataclasses,
the option matrix, SKU rules and suggestions, and the search text kept on each variant."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from common.text import fold
from inventory.errors import InventoryError
from inventory.models import Product, Variant, VatCategory

MAX_OPTIONS = 3
# The editor shows every combination as a row; more than this is not a product, it is a catalogue.
MAX_VARIANTS = 250
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
# VAT a new variant starts with: Vietnam 10 %, Thailand 7 %.
DEFAULT_VAT_RATE = {"VND": Decimal("10"), "THB": Decimal("7")}
# The rates a variant of the VAT-rate category may have: Vietnam 0, 5, 8 (the temporary
# reduction of 10) and 10 %; Thailand 0 and 7 %.
VAT_RATES = {
    "VND": (Decimal(0), Decimal(5), Decimal(8), Decimal(10)),
    "THB": (Decimal(0), Decimal(7)),
}


class VariantError(InventoryError):
    """A variant row is invalid; `index` is its position in the rows given, `field` the culprit."""

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.index = index
        self.field = field


@dataclass(frozen=True)
class VariantInput:
    sku: str
    options: tuple[str, ...] = ()
    barcode: str = ""
    # None keeps the stored cost (0 for a new variant): the editor of a user who may not see
    # costs has no cost field.
    cost_price: Decimal | None = Decimal("0")
    sale_price: Decimal = Decimal("0")
    vat_rate: Decimal = Decimal("10")
    vat_category: str = VatCategory.RATE
    weight_grams: int = 0
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0
    low_stock_threshold: int = 0
    is_active: bool = True
    # warehouse_id -> initial quantity
    initial_stock: Mapping[int, int] = field(default_factory=dict)
    preferred_supplier_id: int | None = None


@dataclass(frozen=True)
class VariantUpdate(VariantInput):
    """A row of the product editor: an existing variant (variant_id) or a new one (None)."""

    variant_id: int | None = None
    # Remove the variant; refused when it has stock or history (disable it instead).
    delete: bool = False


def default_vat_rate() -> Decimal:
    return DEFAULT_VAT_RATE.get(settings.SHOP_CURRENCY, Decimal("10"))


def vat_rates() -> tuple[Decimal, ...]:
    return VAT_RATES.get(settings.SHOP_CURRENCY, VAT_RATES["VND"])


def vat_error(*, category: str, rate: Decimal) -> str | None:
    """Why a (VAT category, rate) pair cannot be a variant's, translated; None when it can.
    Only the VAT-rate category has a rate, one of vat_rates(); the others have rate 0."""
    if category not in VatCategory.values:
        return _("Choose how VAT applies.")
    if category != VatCategory.RATE:
        if rate != 0:
            return _("Goods not subject to VAT or not declared have no VAT rate: leave it at 0.")
        return None
    allowed = vat_rates()
    if rate not in allowed:
        return _("The VAT rate must be one of %(rates)s %%.") % {
            "rates": ", ".join(format(r.normalize(), "f") for r in allowed)
        }
    return None


def variant_matrix(options: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, ...]]:
    """Every combination of the option values, in the order given: [("Red", "S"), ...]."""
    if len(options) > MAX_OPTIONS:
        raise InventoryError(_("A product has at most 3 option attributes."))
    if not options:
        return [()]
    return list(itertools.product(*(values for _name, values in options)))


def sku_validate(sku: str) -> str:
    sku = sku.strip()
    if not SKU_RE.match(sku):
        raise InventoryError(
            _("SKU %(sku)s: use letters, digits and . _ / - (at most 64).") % {"sku": sku}
        )
    return sku


def sku_suggest(*, prefix: str, options: Sequence[str]) -> str:
    """ "AO-THUN" + ("Đỏ", "XL") -> "AO-THUN-DO-XL": ASCII, upper case, valid for sku_validate."""
    parts = [prefix, *options]
    cleaned = [re.sub(r"[^A-Za-z0-9]+", "", fold(p)).upper() for p in parts]
    sku = "-".join(p for p in cleaned if p)[:64].strip("-")
    return sku if SKU_RE.match(sku) else ""


def options_pad(values: Sequence[str]) -> tuple[str, ...]:
    """Option values as the three option columns: ("Red",) -> ("Red", "", "")."""
    return tuple(values) + ("",) * (MAX_OPTIONS - len(values))


def options_trim(values: Sequence[str]) -> tuple[str, ...]:
    """The three option columns back to the values in use: ("Red", "", "") -> ("Red",)."""
    items = list(values)
    while items and not items[-1]:
        items.pop()
    return tuple(items)


def search_text_for(variant: Variant, product: Product) -> str:
    parts = [variant.sku, variant.barcode, product.name, *variant.option_values]
    return fold(" ".join(p for p in parts if p))
