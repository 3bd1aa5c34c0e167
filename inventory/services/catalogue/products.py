"""Saving a product: its details, options and variant rows in one go, initial stock included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.errors import InventoryError
from inventory.models import Category, Product, ProductOption, Variant
from inventory.selectors.catalogue import variant_ids_with_history
from inventory.services.catalogue.checks import check_options, clean_variant, validate_codes
from inventory.services.catalogue.images import add_images, delete_files
from inventory.services.catalogue.variants import (
    VariantError,
    VariantInput,
    VariantUpdate,
    options_pad,
    options_trim,
    search_text_for,
    variant_matrix,
)
from inventory.services.stock import Source, StockChange, stock_apply

# The Variant columns the product editor writes.
_VARIANT_FIELDS = [
    "sku",
    "barcode",
    "option1",
    "option2",
    "option3",
    "cost_price",
    "sale_price",
    "vat_rate",
    "vat_category",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "low_stock_threshold",
    "preferred_supplier",
    "is_active",
    "search_text",
]


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
    video: File | None = None,
    is_active: bool = True,
    images: Sequence[File] = (),
    user_id: int | None = None,
) -> Product:
    """Create a product with its options and variants; initial stock goes into the ledger."""
    check_options(options)
    if not variants:
        raise InventoryError(_("A product needs at least one variant."))
    product = Product()
    _fill_product(
        product,
        name=name,
        category=category,
        brand_id=brand_id,
        description=description,
        specifications=specifications,
        video_url=video_url,
        is_active=is_active,
    )
    _save_product(product, options=options, video=video)
    skus = validate_codes(variants, own_ids=set())
    rows = []
    for index, (data, sku) in enumerate(zip(variants, skus, strict=True)):
        if len(data.options) != len(options):
            raise VariantError(
                _("Variant %(sku)s must have one value for each option.") % {"sku": data.sku},
                index=index,
            )
        variant = Variant(product=product)
        _fill_variant(variant, data, sku=sku, product=product)
        clean_variant(variant, index)
        rows.append(variant)
    if len({tuple(v.option_values) for v in rows}) != len(rows):
        raise VariantError(_("Two variants have the same option values."))
    _create_variants(product, list(zip(rows, variants, strict=True)), user_id=user_id)
    add_images(product, images)
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    name: str,
    variants: Sequence[VariantUpdate],
    options: Sequence[tuple[str, Sequence[str]]] = (),
    category: Category | None = None,
    brand_id: int | None = None,
    description: str = "",
    specifications: Sequence[Mapping[str, str]] = (),
    video_url: str = "",
    video: File | None = None,
    video_clear: bool = False,
    is_active: bool = True,
    images: Sequence[File] = (),
    user_id: int | None = None,
) -> Product:
    """Save the product, its options and variant rows in one go.

    Rows with a variant_id update that variant; rows without one create a variant (with initial
    stock if given). Variants missing from `variants` are left as they are: nothing is deleted
    unless its row says so, and only when it has no stock and no history. An active variant
    must match the options; one whose values are no longer offered has to be disabled.
    """
    product = Product.objects.select_for_update().get(pk=product.pk)
    check_options(options)
    current = {v.pk: v for v in Variant.objects.filter(product=product).order_by("pk")}
    for index, row in enumerate(variants):
        if row.variant_id is not None and row.variant_id not in current:
            raise VariantError(_("This variant belongs to another product."), index=index)
    submitted = {row.variant_id for row in variants if row.variant_id is not None}
    skus = validate_codes(variants, own_ids=submitted)
    deleting = [row.variant_id for row in variants if row.delete and row.variant_id is not None]
    _check_deletable(deleting, current)

    _fill_product(
        product,
        name=name,
        category=category,
        brand_id=brand_id,
        description=description,
        specifications=specifications,
        video_url=video_url,
        is_active=is_active,
    )
    _save_product(product, options=options, video=video, video_clear=video_clear)
    changed, new_rows = _variants_from_rows(product, variants, skus, options, current=current)
    _delete_variants(deleting)
    _update_variants(changed)
    _create_variants(product, new_rows, user_id=user_id)
    # The name may have changed: variants not in `variants` need their search text too.
    product_refresh_search_text(product=product)
    add_images(product, images)
    return product


def product_refresh_search_text(*, product: Product) -> None:
    variants = list(product.variants.all())
    for variant in variants:
        variant.search_text = search_text_for(variant, product)
    Variant.objects.bulk_update(variants, ["search_text"], batch_size=500)


# --- The product row --------------------------------------------------------------------------


def _fill_product(
    product: Product,
    *,
    name: str,
    category: Category | None,
    brand_id: int | None,
    description: str,
    specifications: Sequence[Mapping[str, str]],
    video_url: str,
    is_active: bool,
) -> None:
    product.name = name.strip()
    product.category = category
    product.brand_id = brand_id
    product.description = description
    product.specifications = [
        {"name": s["name"].strip(), "value": s["value"].strip()}
        for s in specifications
        if s["name"].strip()
    ]
    product.video_url = video_url
    product.is_active = is_active


def _save_product(
    product: Product,
    *,
    options: Sequence[tuple[str, Sequence[str]]],
    video: File | None,
    video_clear: bool = False,
) -> None:
    """Validate and save the product with its new video (the old file is removed once the
    transaction commits), then replace its options."""
    old_video = (product.video.name or "") if (video is not None or video_clear) else ""
    if video is not None:
        product.video.save(video.name or "video", video, save=False)
    elif video_clear:
        product.video = ""
    product.full_clean()
    product.save()
    if old_video:
        transaction.on_commit(lambda: delete_files([old_video]))
    product.options.all().delete()
    ProductOption.objects.bulk_create(
        ProductOption(product=product, position=position, name=name.strip(), values=list(values))
        for position, (name, values) in enumerate(options, start=1)
    )


# --- Variant rows -----------------------------------------------------------------------------


def _fill_variant(variant: Variant, data: VariantInput, *, sku: str, product: Product) -> None:
    currency = settings.SHOP_CURRENCY
    padded = options_pad(data.options)
    variant.sku = sku
    variant.barcode = data.barcode.strip()
    variant.option1, variant.option2, variant.option3 = padded[0], padded[1], padded[2]
    if data.cost_price is not None:
        variant.cost_price = quantize(data.cost_price, currency)
    variant.sale_price = quantize(data.sale_price, currency)
    variant.vat_rate = data.vat_rate
    variant.vat_category = data.vat_category
    variant.weight_grams = data.weight_grams
    variant.length_cm = data.length_cm
    variant.width_cm = data.width_cm
    variant.height_cm = data.height_cm
    variant.low_stock_threshold = data.low_stock_threshold
    variant.preferred_supplier_id = data.preferred_supplier_id
    variant.is_active = data.is_active
    variant.search_text = search_text_for(variant, product)


def _variants_from_rows(
    product: Product,
    rows: Sequence[VariantUpdate],
    skus: Sequence[str],
    options: Sequence[tuple[str, Sequence[str]]],
    *,
    current: Mapping[int, Variant],
) -> tuple[list[Variant], list[tuple[Variant, VariantUpdate]]]:
    """The editor's rows applied to the product's variants: (changed variants, new variants
    with their rows). Deleted rows are skipped; an active row must match the options and no two
    variants, sent or not, may share option values."""
    matrix = set(variant_matrix(options))
    combos = _unsent_combinations(current, rows, matrix)
    changed: list[Variant] = []
    new_rows: list[tuple[Variant, VariantUpdate]] = []
    for index, (row, sku) in enumerate(zip(rows, skus, strict=True)):
        if row.delete:
            continue
        values = options_trim(row.options)
        if (row.is_active or row.variant_id is None) and (
            len(row.options) != len(options) or tuple(row.options) not in matrix
        ):
            raise VariantError(
                _("Variant %(sku)s no longer matches the options: disable it.") % {"sku": sku},
                index=index,
                field="is_active",
            )
        if values in combos:
            raise VariantError(
                _("Two variants have the same option values."), index=index, field=None
            )
        combos.add(values)
        variant = (
            current[row.variant_id] if row.variant_id is not None else Variant(product=product)
        )
        _fill_variant(variant, row, sku=sku, product=product)
        clean_variant(variant, index)
        if row.variant_id is None:
            new_rows.append((variant, row))
        else:
            changed.append(variant)
    return changed, new_rows


def _unsent_combinations(
    current: Mapping[int, Variant],
    rows: Sequence[VariantUpdate],
    matrix: set[tuple[str, ...]],
) -> set[tuple[str, ...]]:
    """The option values of the variants the editor did not send, which it leaves as they are;
    an active one must still match the options."""
    sent = {row.variant_id for row in rows if row.variant_id is not None}
    combos: set[tuple[str, ...]] = set()
    for variant_id, variant in current.items():
        if variant_id in sent:
            continue
        combos.add(tuple(variant.option_values))
        if variant.is_active and tuple(variant.option_values) not in matrix:
            raise VariantError(
                _("Variant %(sku)s no longer matches the options: disable it first.")
                % {"sku": variant.sku}
            )
    return combos


def _check_deletable(variant_ids: Sequence[int], current: Mapping[int, Variant]) -> None:
    kept = variant_ids_with_history(variant_ids=variant_ids)
    if kept:
        sku = current[min(kept)].sku
        raise VariantError(
            _("Variant %(sku)s has stock or history: disable it instead of deleting it.")
            % {"sku": sku}
        )


def _delete_variants(variant_ids: Sequence[int]) -> None:
    if not variant_ids:
        return
    try:
        with transaction.atomic():
            Variant.objects.filter(pk__in=variant_ids).delete()
    except ProtectedError as error:
        raise VariantError(
            _("A variant used on documents cannot be deleted: disable it instead.")
        ) from error


def _update_variants(variants: list[Variant]) -> None:
    now = timezone.now()
    for variant in variants:
        variant.updated_at = now
    try:
        with transaction.atomic():
            Variant.objects.bulk_update(variants, [*_VARIANT_FIELDS, "updated_at"])
    except IntegrityError as error:
        raise VariantError(
            _("Two variants would share an SKU, barcode or option values. Save in two steps.")
        ) from error


def _create_variants(
    product: Product, new_rows: Sequence[tuple[Variant, VariantInput]], *, user_id: int | None
) -> None:
    """Insert the new variants and put their initial stock into the ledger."""
    try:
        with transaction.atomic():
            created = Variant.objects.bulk_create([variant for variant, _row in new_rows])
    except IntegrityError as error:  # a concurrent save took the SKU or barcode first
        raise VariantError(
            _("Another user saved a variant with the same SKU or barcode. Check and try again.")
        ) from error
    changes = [
        StockChange.receive(
            variant.pk, warehouse_id, quantity, unit_cost=variant.cost_price, kind="initial"
        )
        for variant, (_unsaved, row) in zip(created, new_rows, strict=True)
        for warehouse_id, quantity in sorted(row.initial_stock.items())
        if quantity
    ]
    stock_apply(
        changes=changes,
        user_id=user_id,
        source=Source("product", str(product.pk), product.name[:120]),
    )
