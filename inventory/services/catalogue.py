"""Products, their option attributes, the variant matrix, images, categories and brands."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from common.money import quantize
from common.text import fold
from inventory.errors import InventoryError
from inventory.models import (
    Brand,
    Category,
    Product,
    ProductImage,
    ProductOption,
    Variant,
)
from inventory.selectors.catalogue import variant_ids_with_history
from inventory.services.stock import Source, StockChange, stock_apply

MAX_OPTIONS = 3
# The editor shows every combination as a row; more than this is not a product, it is a catalogue.
MAX_VARIANTS = 250
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
THUMBNAIL_SIZE = (320, 320)
# VAT a new variant starts with: Vietnam 10 %, Thailand 7 %.
DEFAULT_VAT_RATE = {"VND": Decimal("10"), "THB": Decimal("7")}


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


# --- The variant plan: which rows the editor shows after the options change -------------------


@dataclass(frozen=True)
class PlanRow:
    """One row of the variant editor.

    kind: "existing" (a variant matching a combination), "new" (a combination the option change
    introduced: created unless unticked), "missing" (a combination that was already possible but
    has no variant: offered, not ticked), "orphan" (a variant whose values are no longer offered:
    it keeps its values and must be disabled, or deleted when it has no history).
    """

    options: tuple[str, ...]
    variant_id: int | None
    kind: str


def option_value_renames(
    old: Sequence[str], new: Sequence[str], *, same_option: bool = True
) -> dict[str, str]:
    """Spelling fixes made in place: same list length, and at that position the old value is
    gone, the new one is new and both read the same without accents and case ("Do, Xanh" ->
    "Đỏ, Xanh" renames Do to Đỏ). Anything else ("Xanh" -> "Đen") is a different value: its
    variants are kept as they are, never relabelled."""
    if not same_option or len(old) != len(new):
        return {}
    old_set, new_set = set(old), set(new)
    return {
        before: after
        for before, after in zip(old, new, strict=True)
        if before != after
        and before not in new_set
        and after not in old_set
        and fold(before) == fold(after)
    }


def options_pad(values: Sequence[str]) -> tuple[str, ...]:
    """Option values as the three option columns: ("Red",) -> ("Red", "", "")."""
    return tuple(values) + ("",) * (MAX_OPTIONS - len(values))


def options_trim(values: Sequence[str]) -> tuple[str, ...]:
    """The three option columns back to the values in use: ("Red", "", "") -> ("Red",)."""
    items = list(values)
    while items and not items[-1]:
        items.pop()
    return tuple(items)


def variant_plan(
    *,
    old_options: Sequence[tuple[str, Sequence[str]]],
    new_options: Sequence[tuple[str, Sequence[str], int | None]],
    existing: Sequence[tuple[int, Sequence[str]]],
) -> list[PlanRow]:
    """Rows for the editor when the options change from `old_options` to `new_options`.

    new_options carry the position (1-3) of the old option each one edits, or None for an added
    option. Existing variants follow renamed values; a variant gets the first value of an added
    option; when a removed option makes two variants equal, the older one keeps the combination.
    Variants are never dropped: those left without a combination come last as "orphan" rows.
    """
    # Per new option: (index of the old value it follows, value renames, value for added options)
    mapping: list[tuple[int | None, dict[str, str], str]] = []
    for name, values, source in new_options:
        if source is not None and 1 <= source <= len(old_options):
            old_name, old_values = old_options[source - 1]
            renames = option_value_renames(
                old_values, values, same_option=old_name.casefold() == name.casefold()
            )
            mapping.append((source - 1, renames, ""))
        else:
            mapping.append((None, {}, values[0] if values else ""))

    def remap(values: Sequence[str]) -> tuple[str, ...]:
        padded = options_pad(values)
        return tuple(
            fill if index is None else renames.get(padded[index], padded[index])
            for index, renames, fill in mapping
        )

    matrix = variant_matrix([(n, v) for n, v, _s in new_options])
    in_matrix = set(matrix)
    taken: dict[tuple[str, ...], int] = {}
    orphans: list[tuple[int, tuple[str, ...]]] = []
    for variant_id, values in sorted(existing, key=lambda item: item[0]):
        target = remap(values)
        if target in in_matrix and target not in taken:
            taken[target] = variant_id
        else:
            orphans.append((variant_id, options_trim(values)))
    before = (
        {remap(combo) for combo in variant_matrix(old_options)}
        if old_options or existing
        else set()
    )
    rows = []
    for combo in matrix:
        if combo in taken:
            rows.append(PlanRow(combo, taken[combo], "existing"))
        elif combo in before:
            rows.append(PlanRow(combo, None, "missing"))
        else:
            rows.append(PlanRow(combo, None, "new"))
    rows.extend(PlanRow(values, variant_id, "orphan") for variant_id, values in orphans)
    return rows


# --- Categories and brands --------------------------------------------------------------------


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
    siblings = Category.objects.filter(parent=parent).exclude(pk=target.pk)
    # Compared in Python: SQLite's UPPER() leaves Vietnamese letters alone.
    if any(n.casefold() == target.name.casefold() for n in siblings.values_list("name", flat=True)):
        raise InventoryError(
            _("There is already a category named %(name)s here.") % {"name": target.name}
        )
    target.full_name = category_full_name(target)
    target.full_clean(validate_constraints=False)
    target.save()
    # Children's full names include this one.
    for child in Category.objects.filter(parent=target):
        category_save(name=child.name, parent=target, category=child)
    return target


@transaction.atomic
def category_ensure_path(*, path: Sequence[str]) -> Category:
    """The category at "Fashion / Shirts" (names matched case-insensitively), created if needed."""
    parent: Category | None = None
    for name in path:
        wanted = name.strip().casefold()
        found = next(
            (
                c
                for c in Category.objects.filter(parent=parent).order_by("pk")
                if c.name.casefold() == wanted
            ),
            None,
        )
        parent = found or category_save(name=name, parent=parent)
    if parent is None:
        raise InventoryError(_("A category needs a name."))
    return parent


@transaction.atomic
def brand_save(*, name: str, brand: Brand | None = None) -> Brand:
    target = brand or Brand()
    target.name = name.strip()
    names = Brand.objects.exclude(pk=target.pk).values_list("name", flat=True)
    if any(n.casefold() == target.name.casefold() for n in names):
        raise InventoryError(_("There is already a brand named %(name)s.") % {"name": target.name})
    target.full_clean(validate_constraints=False)
    target.save()
    return target


# --- Search text ------------------------------------------------------------------------------


def search_text_for(variant: Variant, product: Product) -> str:
    parts = [variant.sku, variant.barcode, product.name, *variant.option_values]
    return fold(" ".join(p for p in parts if p))


def product_refresh_search_text(*, product: Product) -> None:
    variants = list(product.variants.all())
    for variant in variants:
        variant.search_text = search_text_for(variant, product)
    Variant.objects.bulk_update(variants, ["search_text"])


# --- Images -----------------------------------------------------------------------------------


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (scanners, some screenshot tools) as 8-bit grey: a plain convert("RGB")
    clips every value above 255, so the thumbnail came out blank white."""
    if not (image.mode.startswith("I;16") or image.mode in ("I", "F")):
        return image
    wide = image if image.mode in ("I", "F") else image.convert("I")
    high = wide.getextrema()[1]
    scale = 1 / 256 if isinstance(high, int | float) and high > 255 else 1  # 0-65535 -> 0-255
    return wide.point(lambda value: value * scale).convert("L")


def make_thumbnail(source: IO[bytes]) -> ContentFile[bytes]:
    """A WebP at most THUMBNAIL_SIZE, upright (EXIF orientation applied), transparency kept."""
    try:
        with Image.open(source) as original:
            original.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
            image = _eight_bit(ImageOps.exif_transpose(original))
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            image.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
            buffer = BytesIO()
            image.save(buffer, "WEBP", quality=80, method=4)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
        raise InventoryError(_("This file is not an image we can read.")) from error
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")


def _store_image(
    *, product: Product, upload: File, position: int, alt_text: str, saved: list[str]
) -> ProductImage:
    upload.seek(0)
    thumbnail = make_thumbnail(upload)
    upload.seek(0)
    image = ProductImage(product=product, position=position, alt_text=alt_text.strip()[:200])
    image.image.save(upload.name or "image", upload, save=False)
    saved.append(image.image.name or "")
    image.thumbnail.save(thumbnail.name or "thumb.webp", thumbnail, save=False)
    saved.append(image.thumbnail.name or "")
    image.save()
    return image


def _delete_files(names: Sequence[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _add_images(product: Product, images: Sequence[File]) -> list[ProductImage]:
    if not images:
        return []
    last = product.images.aggregate(last=Max("position"))["last"]
    position = 0 if last is None else last + 1
    saved: list[str] = []
    added = []
    try:
        for offset, upload in enumerate(images):
            added.append(
                _store_image(
                    product=product,
                    upload=upload,
                    position=position + offset,
                    alt_text="",
                    saved=saved,
                )
            )
    except BaseException:
        _delete_files(saved)
        raise
    return added


@transaction.atomic
def product_images_add(*, product: Product, uploads: Sequence[File]) -> list[ProductImage]:
    """Keep each original, write its thumbnail, put the images last in the given order."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    return _add_images(locked, uploads)


@transaction.atomic
def product_image_add(*, product: Product, upload: File, alt_text: str = "") -> ProductImage:
    locked = Product.objects.select_for_update().get(pk=product.pk)
    last = locked.images.aggregate(last=Max("position"))["last"]
    saved: list[str] = []
    try:
        return _store_image(
            product=locked,
            upload=upload,
            position=0 if last is None else last + 1,
            alt_text=alt_text,
            saved=saved,
        )
    except BaseException:
        _delete_files(saved)
        raise


def _renumber(images: Sequence[ProductImage]) -> None:
    for position, image in enumerate(images):
        image.position = position
    ProductImage.objects.bulk_update(images, ["position"])


@transaction.atomic
def product_image_move(*, image: ProductImage, offset: int) -> None:
    """Move an image `offset` places (-1: earlier, 1: later); the first image is the cover."""
    images = list(
        ProductImage.objects.select_for_update()
        .filter(product_id=image.product_id)
        .order_by("position", "pk")
    )
    index = next(i for i, item in enumerate(images) if item.pk == image.pk)
    target = max(0, min(len(images) - 1, index + offset))
    images.insert(target, images.pop(index))
    _renumber(images)


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    names = [image.image.name or "", image.thumbnail.name or ""]
    product_id = image.product_id
    image.delete()
    _renumber(list(ProductImage.objects.filter(product_id=product_id).order_by("position", "pk")))
    transaction.on_commit(lambda: _delete_files(names))


# --- Products ---------------------------------------------------------------------------------


def _check_options(options: Sequence[tuple[str, Sequence[str]]]) -> None:
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


def _validate_codes(rows: Sequence[VariantInput], *, own_ids: set[int]) -> list[str]:
    """SKUs valid and unique (case-insensitive), barcodes unique when set; returns clean SKUs."""
    skus: list[str] = []
    seen: dict[str, int] = {}
    barcodes: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            sku = sku_validate(row.sku)
        except InventoryError as error:
            raise VariantError(str(error), index=index, field="sku") from error
        skus.append(sku)
        if getattr(row, "delete", False):
            continue
        if sku.upper() in seen:
            raise VariantError(
                _("SKU %(sku)s is used by two variants.") % {"sku": sku}, index=index, field="sku"
            )
        seen[sku.upper()] = index
        barcode = row.barcode.strip()
        if barcode:
            if len(barcode) > 64 or any(ch.isspace() for ch in barcode):
                raise VariantError(
                    _("A barcode has at most 64 characters and no spaces."),
                    index=index,
                    field="barcode",
                )
            if barcode in barcodes:
                raise VariantError(
                    _("Barcode %(barcode)s is used by two variants.") % {"barcode": barcode},
                    index=index,
                    field="barcode",
                )
            barcodes[barcode] = index
    clash = (
        Variant.objects.annotate(sku_upper=Upper("sku"))
        .filter(sku_upper__in=list(seen))
        .exclude(pk__in=own_ids)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    if clash is not None:
        raise VariantError(
            _("SKU %(sku)s is already used by %(product)s.")
            % {"sku": clash.sku, "product": clash.product.name},
            index=seen[clash.sku.upper()],
            field="sku",
        )
    taken = (
        Variant.objects.filter(barcode__in=list(barcodes))
        .exclude(pk__in=own_ids)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    if taken is not None:
        raise VariantError(
            _("Barcode %(barcode)s is already used by %(sku)s.")
            % {"barcode": taken.barcode, "sku": taken.sku},
            index=barcodes[taken.barcode],
            field="barcode",
        )
    return skus


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
    variant.weight_grams = data.weight_grams
    variant.length_cm = data.length_cm
    variant.width_cm = data.width_cm
    variant.height_cm = data.height_cm
    variant.low_stock_threshold = data.low_stock_threshold
    variant.preferred_supplier_id = data.preferred_supplier_id
    variant.is_active = data.is_active
    variant.search_text = search_text_for(variant, product)


def _clean_variant(variant: Variant, index: int) -> None:
    try:
        variant.full_clean(exclude=["product"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field_name, messages = next(iter(error.message_dict.items()))
        raise VariantError(
            messages[0], index=index, field=None if field_name == "__all__" else field_name
        ) from error


def _initial_stock_changes(
    pairs: Sequence[tuple[Variant, VariantInput]],
) -> list[StockChange]:
    return [
        StockChange.receive(
            variant.pk, warehouse_id, quantity, unit_cost=variant.cost_price, kind="initial"
        )
        for variant, data in pairs
        for warehouse_id, quantity in sorted(data.initial_stock.items())
        if quantity
    ]


def _save_options(product: Product, options: Sequence[tuple[str, Sequence[str]]]) -> None:
    product.options.all().delete()
    ProductOption.objects.bulk_create(
        ProductOption(product=product, position=position, name=name.strip(), values=list(values))
        for position, (name, values) in enumerate(options, start=1)
    )


def _specifications(specifications: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    return [
        {"name": s["name"].strip(), "value": s["value"].strip()}
        for s in specifications
        if s["name"].strip()
    ]


def _insert_variants(rows: list[Variant]) -> list[Variant]:
    try:
        with transaction.atomic():
            return Variant.objects.bulk_create(rows)
    except IntegrityError as error:  # a concurrent save took the SKU or barcode first
        raise VariantError(
            _("Another user saved a variant with the same SKU or barcode. Check and try again.")
        ) from error


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
    _check_options(options)
    if not variants:
        raise InventoryError(_("A product needs at least one variant."))
    product = Product(
        name=name.strip(),
        category=category,
        brand_id=brand_id,
        description=description,
        specifications=_specifications(specifications),
        video_url=video_url,
        is_active=is_active,
    )
    if video is not None:
        product.video.save(video.name or "video", video, save=False)
    product.full_clean()
    product.save()
    _save_options(product, options)
    skus = _validate_codes(variants, own_ids=set())
    rows = []
    for index, (data, sku) in enumerate(zip(variants, skus, strict=True)):
        if len(data.options) != len(options):
            raise VariantError(
                _("Variant %(sku)s must have one value for each option.") % {"sku": data.sku},
                index=index,
            )
        variant = Variant(product=product)
        _fill_variant(variant, data, sku=sku, product=product)
        _clean_variant(variant, index)
        rows.append(variant)
    if len({tuple(v.option_values) for v in rows}) != len(rows):
        raise VariantError(_("Two variants have the same option values."))
    created = _insert_variants(rows)
    stock_apply(
        changes=_initial_stock_changes(list(zip(created, variants, strict=True))),
        user_id=user_id,
        source=Source("product", str(product.pk), product.name[:120]),
    )
    _add_images(product, images)
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
    _check_options(options)
    current = {v.pk: v for v in Variant.objects.filter(product=product).order_by("pk")}
    for index, row in enumerate(variants):
        if row.variant_id is not None and row.variant_id not in current:
            raise VariantError(_("This variant belongs to another product."), index=index)
    submitted = {row.variant_id for row in variants if row.variant_id is not None}
    skus = _validate_codes(variants, own_ids=submitted)
    matrix = set(variant_matrix(options))
    deleting = [row.variant_id for row in variants if row.delete and row.variant_id is not None]
    _check_deletable(deleting, current)

    product.name = name.strip()
    product.category = category
    product.brand_id = brand_id
    product.description = description
    product.specifications = _specifications(specifications)
    product.video_url = video_url
    product.is_active = is_active
    old_video = (product.video.name or "") if (video is not None or video_clear) else ""
    if video is not None:
        product.video.save(video.name or "video", video, save=False)
    elif video_clear:
        product.video = ""
    product.full_clean()
    product.save()
    if old_video:
        transaction.on_commit(lambda: _delete_files([old_video]))
    _save_options(product, options)

    combos: dict[tuple[str, ...], int] = {}
    changed: list[Variant] = []
    new_rows: list[tuple[Variant, VariantUpdate]] = []
    for variant_id, variant in current.items():
        if variant_id not in submitted:
            combos[tuple(variant.option_values)] = -1
            if variant.is_active and tuple(variant.option_values) not in matrix:
                raise VariantError(
                    _("Variant %(sku)s no longer matches the options: disable it first.")
                    % {"sku": variant.sku}
                )
    for index, (row, sku) in enumerate(zip(variants, skus, strict=True)):
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
        combos[values] = index
        variant = (
            current[row.variant_id] if row.variant_id is not None else Variant(product=product)
        )
        _fill_variant(variant, row, sku=sku, product=product)
        _clean_variant(variant, index)
        if row.variant_id is None:
            new_rows.append((variant, row))
        else:
            changed.append(variant)

    if deleting:
        try:
            with transaction.atomic():
                Variant.objects.filter(pk__in=deleting).delete()
        except ProtectedError as error:
            raise VariantError(
                _("A variant used on documents cannot be deleted: disable it instead.")
            ) from error
    now = timezone.now()
    for variant in changed:
        variant.updated_at = now
    try:
        with transaction.atomic():
            Variant.objects.bulk_update(changed, [*_VARIANT_FIELDS, "updated_at"])
    except IntegrityError as error:
        raise VariantError(
            _("Two variants would share an SKU, barcode or option values. Save in two steps.")
        ) from error
    created = _insert_variants([variant for variant, _row in new_rows])
    stock_apply(
        changes=_initial_stock_changes(
            [(variant, row) for variant, (_v, row) in zip(created, new_rows, strict=True)]
        ),
        user_id=user_id,
        source=Source("product", str(product.pk), product.name[:120]),
    )
    # The name may have changed: variants not in `variants` need their search text too.
    product_refresh_search_text(product=product)
    _add_images(product, images)
    return product


_VARIANT_FIELDS = [
    "sku",
    "barcode",
    "option1",
    "option2",
    "option3",
    "cost_price",
    "sale_price",
    "vat_rate",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "low_stock_threshold",
    "preferred_supplier",
    "is_active",
    "search_text",
]


def _check_deletable(variant_ids: Sequence[int], current: Mapping[int, Variant]) -> None:
    kept = variant_ids_with_history(variant_ids=variant_ids)
    if kept:
        sku = current[min(kept)].sku
        raise VariantError(
            _("Variant %(sku)s has stock or history: disable it instead of deleting it.")
            % {"sku": sku}
        )
