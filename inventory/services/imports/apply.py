"""Apply a plan: everything in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import InventoryError
from inventory.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    Variant,
)
from inventory.services.catalogue import (
    brand_save,
    category_ensure_path,
    search_text_for,
)
from inventory.services.imports.plan import (
    ImportPlan,
    ImportSummary,
    Pending,
    catalogue_import_plan,
    pending_key,
)
from inventory.services.stock import Source, StockChange, stock_apply


class ImportInvalid(InventoryError):
    """Apply found errors (the data changed since the dry run): nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(_("The file has errors; nothing was changed."))
        self.plan = plan


def catalogue_import_apply(
    *,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    filename: str,
    user_id: int | None,
    reference: str = "",
    with_costs: bool = True,
) -> ImportSummary:
    """Plan again and apply it in one transaction: all or nothing.

    Raises ImportInvalid (with the plan's errors) or InventoryError; nothing is changed then.
    """
    with transaction.atomic():
        plan = catalogue_import_plan(header=header, rows=rows, lock=True, with_costs=with_costs)
        if not plan.ok:
            raise ImportInvalid(plan)
        try:
            with transaction.atomic():
                _execute(plan, filename=filename, reference=reference, user_id=user_id)
        except IntegrityError as error:
            raise InventoryError(
                _(
                    "Saving failed because two variants would share an SKU, barcode or option "
                    "values (for example two barcodes swapped). Nothing was changed."
                )
            ) from error
    return plan.summary


# --- Apply ------------------------------------------------------------------------------------


def _execute(plan: ImportPlan, *, filename: str, reference: str, user_id: int | None) -> None:
    now = timezone.now()
    created: dict[tuple[str, ...], Category | Brand] = {}

    def resolve(value: Any) -> Any:
        if not isinstance(value, Pending):
            return value
        key = (value.kind, *pending_key(value))
        if key not in created:
            if value.kind == "category":
                created[key] = category_ensure_path(path=value.name)
            else:
                wanted = value.name[0].casefold()
                found = next(
                    (b for b in Brand.objects.order_by("pk") if b.name.casefold() == wanted), None
                )
                created[key] = found or brand_save(name=value.name[0])
        return created[key]

    new_products: list[Product] = []
    changed_products: list[Product] = []
    product_fields: set[str] = set()
    renamed: list[Product] = []
    for group in plan.groups:
        values = {k: resolve(v) for k, v in group.values.items()}
        if group.product is None:
            group.product = Product(
                name=values.get("name", ""),
                category=values.get("category"),
                brand=values.get("brand"),
                description=values.get("description", ""),
                specifications=values.get("specifications", []),
                is_active=values.get("is_active", True),
            )
            new_products.append(group.product)
        elif values:
            for key, value in values.items():
                setattr(group.product, key, value)
            group.product.updated_at = now
            product_fields.update(values)
            changed_products.append(group.product)
            if "name" in values:
                renamed.append(group.product)
    Product.objects.bulk_create(new_products, batch_size=500)
    if changed_products:
        Product.objects.bulk_update(
            changed_products, sorted({*product_fields, "updated_at"}), batch_size=500
        )
    with_options = [g for g in plan.groups if g.options is not None]
    ProductOption.objects.filter(
        product_id__in=[g.product.pk for g in with_options if g.product is not None]
    ).delete()
    ProductOption.objects.bulk_create(
        [
            ProductOption(product=g.product, position=i, name=name, values=values)
            for g in with_options
            for i, (name, values) in enumerate(g.options or [], start=1)
        ],
        batch_size=500,
    )

    created_variants: dict[int, Variant] = {}  # id(row) -> new variant
    updated: list[Variant] = []
    moving: list[int] = []
    variant_fields: set[str] = set()
    for group in plan.groups:
        product = group.product
        assert product is not None
        for row in group.rows:
            if row.variant is None:
                variant = Variant(product=product, **row.values)
                variant.search_text = search_text_for(variant, product)
                created_variants[id(row)] = variant
            elif row.values:
                variant = row.variant
                if "barcode" in row.values:
                    moving.append(variant.pk)
                for key, value in row.values.items():
                    setattr(variant, key, value)
                variant.search_text = search_text_for(variant, product)
                variant.updated_at = now
                variant_fields.update(row.values)
                updated.append(variant)
    if moving:  # free the old barcodes first, so two variants can swap theirs
        Variant.objects.filter(pk__in=moving).exclude(barcode="").update(barcode="")
    if updated:
        Variant.objects.bulk_update(
            updated, sorted({*variant_fields, "search_text", "updated_at"}), batch_size=500
        )
    Variant.objects.bulk_create(list(created_variants.values()), batch_size=500)
    for product in renamed:
        variants = list(product.variants.all())
        for variant in variants:
            variant.search_text = search_text_for(variant, product)
        Variant.objects.bulk_update(variants, ["search_text"], batch_size=500)

    changes = []
    for row, warehouse_id, delta in plan.stock:
        variant = row.variant or created_variants[id(row)]
        # "Import <file>" (the source document), worded when shown.
        changes.append(StockChange.adjust(variant.pk, warehouse_id, delta, reason_code="import"))
    stock_apply(
        changes=changes,
        user_id=user_id,
        source=Source("import", reference[:64], filename[:120]),
        now=now,
    )
