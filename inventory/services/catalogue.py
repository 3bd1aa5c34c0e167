"""Products, their option attributes and the variant matrix."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.errors import InventoryError
from inventory.models import Category, Product, ProductOption, Variant
from inventory.services.stock import Source, StockChange, stock_apply
from inventory.text import fold

MAX_OPTIONS = 3
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


@dataclass(frozen=True)
class VariantInput:
    sku: str
    options: tuple[str, ...] = ()
    barcode: str = ""
    cost_price: Decimal = Decimal("0")
    sale_price: Decimal = Decimal("0")
    vat_rate: Decimal = Decimal("10")
    weight_grams: int = 0
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0
    low_stock_threshold: int = 0
    is_active: bool = True
    # warehouse_id -> initial quantity
    initial_stock: Mapping[int, int] = field(default_factory=dict)


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


def category_full_name(category: Category) -> str:
    names = [category.name]
    parent = category.parent
    seen = {category.pk}
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        names.append(parent.name)
        parent = parent.parent
    return " / ".join(reversed(names))


@transaction.atomic
def category_save(
    *, name: str, parent: Category | None = None, category: Category | None = None
) -> Category:
    target = category or Category()
    target.name = name.strip()
    target.parent = parent
    if target.pk and parent is not None:
        node: Category | None = parent
        while node is not None:
            if node.pk == target.pk:
                raise InventoryError(_("A category cannot be placed inside itself."))
            node = node.parent
    target.full_name = category_full_name(target)
    target.full_clean()
    target.save()
    # Children's full names include this one.
    for child in Category.objects.filter(parent=target):
        category_save(name=child.name, parent=target, category=child)
    return target


def search_text_for(variant: Variant, product: Product) -> str:
    parts = [variant.sku, variant.barcode, product.name, *variant.option_values]
    return fold(" ".join(p for p in parts if p))


def product_refresh_search_text(*, product: Product) -> None:
    variants = list(product.variants.all())
    for variant in variants:
        variant.search_text = search_text_for(variant, product)
    Variant.objects.bulk_update(variants, ["search_text"])


@transaction.atomic
def product_create(
    *,
    name: str,
    variants: Sequence[VariantInput],
    options: Sequence[tuple[str, Sequence[str]]] = (),
    category: Category | None = None,
    brand_id: int | None = None,
    description: str = "",
    specifications: Sequence[Mapping[str, str]] = (),
    video_url: str = "",
    user_id: int | None = None,
) -> Product:
    """Create a product with its options and variants; initial stock goes into the ledger."""
    if len(options) > MAX_OPTIONS:
        raise InventoryError(_("A product has at most 3 option attributes."))
    if not variants:
        raise InventoryError(_("A product needs at least one variant."))
    currency = settings.SHOP_CURRENCY
    product = Product(
        name=name.strip(),
        category=category,
        brand_id=brand_id,
        description=description,
        specifications=[{"name": s["name"], "value": s["value"]} for s in specifications],
        video_url=video_url,
    )
    product.full_clean()
    product.save()
    for position, (option_name, values) in enumerate(options, start=1):
        ProductOption.objects.create(
            product=product, position=position, name=option_name.strip(), values=list(values)
        )
    rows = []
    for data in variants:
        if len(data.options) != len(options):
            raise InventoryError(
                _("Variant %(sku)s must have one value for each option.") % {"sku": data.sku}
            )
        padded = list(data.options) + [""] * (MAX_OPTIONS - len(data.options))
        variant = Variant(
            product=product,
            sku=sku_validate(data.sku),
            barcode=data.barcode.strip(),
            option1=padded[0],
            option2=padded[1],
            option3=padded[2],
            cost_price=quantize(data.cost_price, currency),
            sale_price=quantize(data.sale_price, currency),
            vat_rate=data.vat_rate,
            weight_grams=data.weight_grams,
            length_cm=data.length_cm,
            width_cm=data.width_cm,
            height_cm=data.height_cm,
            low_stock_threshold=data.low_stock_threshold,
            is_active=data.is_active,
        )
        variant.search_text = search_text_for(variant, product)
        variant.full_clean(exclude=["product"])
        rows.append(variant)
    created = Variant.objects.bulk_create(rows)
    changes = [
        StockChange.receive(
            variant.pk, warehouse_id, quantity, unit_cost=variant.cost_price, kind="initial"
        )
        for variant, data in zip(created, variants, strict=True)
        for warehouse_id, quantity in sorted(data.initial_stock.items())
        if quantity
    ]
    stock_apply(
        changes=changes,
        user_id=user_id,
        source=Source("product", str(product.pk), product.name[:120]),
    )
    return product
