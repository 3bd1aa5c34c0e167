from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Upper

from common.pagination import FastPage, paginate
from common.text import fold
from inventory.models import (
    Brand,
    Category,
    Product,
    ProductImage,
    ProductOption,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
    available_units,
)


def category_descendant_ids(*, category_id: int) -> list[int]:
    """The category and everything below it (the tree is small: one query, walked in Python)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [category_id]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node, []))
    return sorted(found)


def category_choices() -> QuerySet[Category]:
    return Category.objects.order_by("full_name", "pk")


def brand_choices() -> QuerySet[Brand]:
    return Brand.objects.order_by("name", "pk")


def variant_lookup(*, q: str, limit: int = 10, active_only: bool = True) -> list[Variant]:
    """Variants for a picker: an exact SKU or barcode match first (scanners), then text matches.

    Each result carries `available_total` (units available over all warehouses).
    """
    needle = q.strip()
    if not needle:
        return []
    base = Variant.objects.select_related("product").annotate(
        available_total=Coalesce(Sum(available_units("stock_levels__")), Value(0))
    )
    if active_only:
        base = base.filter(is_active=True, product__is_active=True)
    exact: list[Variant] = list(
        base.annotate(sku_upper=Upper("sku"))
        .filter(Q(sku_upper=needle.upper()) | Q(barcode=needle))
        .order_by("sku", "pk")[:limit]
    )
    if len(exact) >= limit:
        return exact
    folded = fold(needle)
    more = (
        base.filter(search_text__contains=folded)
        .exclude(pk__in=[v.pk for v in exact])
        .order_by("sku", "pk")[: limit - len(exact)]
    )
    return exact + list(more)


# --- Product list -----------------------------------------------------------------------------

STOCK_OUT, STOCK_LOW, STOCK_IN = 2, 1, 0


def _variant_available() -> Coalesce:
    """Units available of the OuterRef variant over all warehouses."""
    total = (
        StockLevel.objects.filter(variant_id=OuterRef("pk"))
        .order_by()
        .values("variant_id")
        .annotate(units=Sum(available_units()))
        .values("units")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def product_filter(
    *,
    q: str = "",
    category_id: int | None = None,
    brand_id: int | None = None,
    state: str = "",
    active: bool | None = None,
) -> QuerySet[Product]:
    """The products matching the list filters, newest first (no figures yet).

    Search uses the trigram index on Variant.search_text. Stock states: "out" has no unit
    available anywhere, "in" has some, "low" has some and an active variant whose units over all
    warehouses are at or below its low-stock threshold.
    """
    qs = Product.objects.all()
    needle = fold(q)
    if needle:
        qs = qs.filter(
            pk__in=Variant.objects.filter(search_text__contains=needle).values("product_id")
        )
    if category_id:
        qs = qs.filter(category_id__in=category_descendant_ids(category_id=category_id))
    if brand_id:
        qs = qs.filter(brand_id=brand_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    # "Something to sell": one level with units. As a LIMIT 1 subquery it is checked row by row
    # (most products have stock); NOT EXISTS for "out" is one anti-join (few are out).
    positive = StockLevel.objects.filter(
        variant__product_id=OuterRef("pk"), on_hand__gt=F("reserved")
    ).order_by()
    if state in ("low", "in"):
        qs = qs.alias(first_unit=Subquery(positive.values("pk")[:1])).filter(
            first_unit__isnull=False
        )
    if state == "out":
        qs = qs.filter(~Exists(positive))
    elif state == "low":
        low_products = (
            Variant.objects.filter(is_active=True, low_stock_threshold__gt=0)
            .values("pk")
            .annotate(units=Coalesce(Sum(available_units("stock_levels__")), Value(0)))
            .filter(units__lte=F("low_stock_threshold"))
            .values("product_id")
        )
        qs = qs.filter(pk__in=low_products)
    return qs.order_by("-pk")


def with_list_figures(qs: QuerySet[Product]) -> QuerySet[Product]:
    """Adds variant_count, price_min / price_max (active variants), available (units over all
    variants and warehouses), thumb (first image's thumbnail) and low_variant_id (an active
    variant at or below its threshold, if any), each a correlated subquery per row."""
    variants = Variant.objects.filter(product_id=OuterRef("pk")).order_by().values("product_id")
    active_variants = variants.filter(is_active=True)
    available = (
        StockLevel.objects.filter(variant__product_id=OuterRef("pk"))
        .order_by()
        .values("variant__product_id")
        .annotate(units=Sum(available_units()))
        .values("units")
    )
    low_variant = (
        Variant.objects.filter(product_id=OuterRef("pk"), is_active=True, low_stock_threshold__gt=0)
        .annotate(units=_variant_available())
        .filter(units__lte=F("low_stock_threshold"))
        .order_by()
        .values("pk")[:1]
    )
    thumb = (
        ProductImage.objects.filter(product_id=OuterRef("pk"))
        .order_by("position", "pk")
        .values("thumbnail")[:1]
    )
    return qs.select_related("category", "brand").annotate(
        variant_count=Coalesce(
            Subquery(variants.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        price_min=Subquery(active_variants.annotate(p=Min("sale_price")).values("p")),
        price_max=Subquery(active_variants.annotate(p=Max("sale_price")).values("p")),
        available=Coalesce(Subquery(available, output_field=IntegerField()), Value(0)),
        thumb=Subquery(thumb),
        low_variant_id=Subquery(low_variant, output_field=IntegerField()),
    )


def product_list(**filters: Any) -> QuerySet[Product]:
    """product_filter() with the list figures: one row per product, newest first."""
    return with_list_figures(product_filter(**filters))


def product_page(*, page: int, per_page: int = 50, **filters: Any) -> FastPage[Product]:
    """A page of the product list in two queries: the page's ids (filters only, so an OFFSET
    skips bare rows), then the figures of those rows. Each product gets its `stock_state`."""
    ids: FastPage[int] = paginate(
        product_filter(**filters).values_list("pk", flat=True), page=page, per_page=per_page
    )
    rows = {p.pk: p for p in with_list_figures(Product.objects.filter(pk__in=list(ids.items)))}
    items = [rows[pk] for pk in ids.items if pk in rows]
    for product in items:
        product.stock_state = product_stock_state(product)  # type: ignore[attr-defined]
    return FastPage(items=items, number=ids.number, per_page=per_page, has_next=ids.has_next)


def product_stock_state(product: Product) -> int:
    """STOCK_OUT, STOCK_LOW or STOCK_IN for a row of product_list()."""
    if product.available <= 0:  # type: ignore[attr-defined]
        return STOCK_OUT
    return STOCK_LOW if product.low_variant_id else STOCK_IN  # type: ignore[attr-defined]


# --- One product ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantStock:
    """A variant's stock in each warehouse column (None: no stock row there)."""

    variant: Variant
    levels: list[StockLevel | None]
    available_total: int
    on_hand_total: int


@dataclass(frozen=True)
class ProductView:
    product: Product
    options: list[ProductOption]
    images: list[ProductImage]
    warehouses: list[Warehouse]
    variants: list[VariantStock]


def product_for_edit(*, product_id: int) -> Product:
    return (
        Product.objects.select_related("category", "brand")
        .prefetch_related(
            Prefetch("options", queryset=ProductOption.objects.order_by("position", "pk")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
            Prefetch(
                "variants",
                queryset=Variant.objects.select_related("preferred_supplier").order_by("pk"),
            ),
        )
        .get(pk=product_id)
    )


def variant_ids_with_history(*, variant_ids: Sequence[int]) -> set[int]:
    """Variants that have stock levels or ledger rows: they can be disabled, never deleted."""
    ids = list(variant_ids)
    if not ids:
        return set()
    levels = StockLevel.objects.filter(variant_id__in=ids).values_list("variant_id", flat=True)
    moves = StockMovement.objects.filter(variant_id__in=ids).values_list("variant_id", flat=True)
    return set(levels) | set(moves)


def product_images(*, product_id: int) -> list[ProductImage]:
    return list(ProductImage.objects.filter(product_id=product_id).order_by("position", "pk"))


def variant_available(*, variant_ids: list[int]) -> dict[int, int]:
    """Units available per variant over all warehouses."""
    rows = (
        StockLevel.objects.filter(variant_id__in=variant_ids)
        .order_by()
        .values("variant_id")
        .annotate(units=Sum(available_units()))
    )
    return {row["variant_id"]: row["units"] for row in rows}


def product_view(*, product_id: int) -> ProductView:
    """Everything the product page shows, in five queries."""
    product = product_for_edit(product_id=product_id)
    variants = list(product.variants.all())
    levels = StockLevel.objects.filter(variant__product_id=product.pk).order_by("pk")
    by_key = {(level.variant_id, level.warehouse_id): level for level in levels}
    used = {warehouse_id for _variant_id, warehouse_id in by_key}
    warehouses = list(
        Warehouse.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by("code", "pk")
    )
    rows = []
    for variant in variants:
        cells = [by_key.get((variant.pk, w.pk)) for w in warehouses]
        rows.append(
            VariantStock(
                variant=variant,
                levels=cells,
                available_total=sum(c.available for c in cells if c is not None),
                on_hand_total=sum(c.on_hand for c in cells if c is not None),
            )
        )
    return ProductView(
        product=product,
        options=list(product.options.all()),
        images=list(product.images.all()),
        warehouses=warehouses,
        variants=rows,
    )


# --- Categories and brands --------------------------------------------------------------------


def category_tree() -> list[Category]:
    """Every category in tree order (by full path), with `depth` and `product_count`."""
    categories: list[Category] = list(
        Category.objects.select_related("parent")
        .annotate(product_count=Count("products"))
        .order_by("full_name", "pk")
    )
    for category in categories:
        category.depth = category.full_name.count(" / ")  # type: ignore[attr-defined]
    return categories


def category_move_choices(*, category: Category | None) -> QuerySet[Category]:
    """Possible parents: every category except this one and those below it."""
    qs = Category.objects.order_by("full_name", "pk")
    if category is not None and category.pk:
        qs = qs.exclude(pk__in=category_descendant_ids(category_id=category.pk))
    return qs


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.annotate(product_count=Count("products")).order_by("name", "pk")


# --- Export -----------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "product_id",
    "product_name",
    "category",
    "brand",
    "description",
    "specifications",
    "product_active",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
    "sku",
    "barcode",
    "cost_price",
    "vat_category",
    "vat_rate",
    "sale_price",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "low_stock_threshold",
    "preferred_supplier",
    "variant_active",
]
COST_COLUMNS = ("cost_price",)  # left out for users who may not see costs
STOCK_COLUMN_PREFIX = "stock:"
ExportValue = str | int | Decimal


def export_warehouses() -> list[Warehouse]:
    return list(Warehouse.objects.order_by("code", "pk"))


def specifications_text(specifications: list[dict[str, str]]) -> str:
    return "\n".join(f"{s.get('name', '')}: {s.get('value', '')}" for s in specifications)


def export_columns(*, with_costs: bool) -> list[str]:
    return [c for c in EXPORT_COLUMNS if with_costs or c not in COST_COLUMNS]


def catalogue_export_header(*, warehouses: list[Warehouse], with_costs: bool) -> list[str]:
    return export_columns(with_costs=with_costs) + [
        f"{STOCK_COLUMN_PREFIX}{w.code}" for w in warehouses
    ]


def catalogue_export_rows(
    *, warehouses: list[Warehouse], with_costs: bool, chunk_size: int = 2000
) -> Iterator[list[ExportValue]]:
    """One row per variant, grouped by product, read in keyset chunks (memory stays flat).
    Without `with_costs` the cost column is not written (see catalogue_export_header)."""
    last_product, last_variant = 0, 0
    while True:
        chunk = list(
            Variant.objects.select_related(
                "product__category", "product__brand", "preferred_supplier"
            )
            .filter(
                Q(product_id__gt=last_product) | Q(product_id=last_product, pk__gt=last_variant)
            )
            .order_by("product_id", "pk")[:chunk_size]
        )
        if not chunk:
            return
        last_product, last_variant = chunk[-1].product_id, chunk[-1].pk
        product_ids = {v.product_id for v in chunk}
        option_names: dict[int, dict[int, str]] = {}
        for option in ProductOption.objects.filter(product_id__in=product_ids).order_by("pk"):
            option_names.setdefault(option.product_id, {})[option.position] = option.name
        on_hand = {
            (level.variant_id, level.warehouse_id): level.on_hand
            for level in StockLevel.objects.filter(variant_id__in=[v.pk for v in chunk]).only(
                "variant_id", "warehouse_id", "on_hand"
            )
        }
        for variant in chunk:
            names = option_names.get(variant.product_id, {})
            stock = [on_hand.get((variant.pk, w.pk), 0) for w in warehouses]
            yield _export_row(variant, names, stock, with_costs=with_costs)


def _export_row(
    variant: Variant, names: dict[int, str], stock: list[int], *, with_costs: bool
) -> list[ExportValue]:
    """One variant's cells in the order of catalogue_export_header."""
    product = variant.product
    return [
        product.pk,
        product.name,
        product.category.full_name if product.category else "",
        product.brand.name if product.brand else "",
        product.description,
        specifications_text(product.specifications or []),
        1 if product.is_active else 0,
        names.get(1, ""),
        variant.option1,
        names.get(2, ""),
        variant.option2,
        names.get(3, ""),
        variant.option3,
        variant.sku,
        variant.barcode,
        *((variant.cost_price,) if with_costs else ()),
        variant.vat_category,
        variant.vat_rate,
        variant.sale_price,
        variant.weight_grams,
        variant.length_cm,
        variant.width_cm,
        variant.height_cm,
        variant.low_stock_threshold,
        variant.preferred_supplier.name if variant.preferred_supplier else "",
        1 if variant.is_active else 0,
        *stock,
    ]
