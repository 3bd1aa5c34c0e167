"""Apply a plan: everything in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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
    product_refresh_search_text,
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
    renamed = _save_products(plan, now=now)
    _save_options(plan)
    created = _save_variants(plan, now=now)
    # A new product name is in the search text of every variant of the product.
    for product in renamed:
        product_refresh_search_text(product=product)
    changes = [
        # "Import <file>" (the source document), worded when shown.
        StockChange.adjust(
            (row.variant or created[id(row)]).pk, warehouse_id, delta, reason_code="import"
        )
        for row, warehouse_id, delta in plan.stock
    ]
    stock_apply(
        changes=changes,
        user_id=user_id,
        source=Source("import", reference[:64], filename[:120]),
        now=now,
    )


class _Created:
    """The categories and brands the plan names but that do not exist yet, each created once."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, ...], Category | Brand] = {}

    def resolve(self, value: Any) -> Any:
        """`value` itself, or for a Pending the category or brand it stands for."""
        if not isinstance(value, Pending):
            return value
        key = (value.kind, *pending_key(value))
        if key not in self.made:
            if value.kind == "category":
                self.made[key] = category_ensure_path(path=value.name)
            else:
                wanted = value.name[0].casefold()
                found = next(
                    (b for b in Brand.objects.order_by("pk") if b.name.casefold() == wanted), None
                )
                self.made[key] = found or brand_save(name=value.name[0])
        return self.made[key]


def _save_products(plan: ImportPlan, *, now: datetime) -> list[Product]:
    """Create the new products and update the changed ones; returns those renamed."""
    created = _Created()
    new_products: list[Product] = []
    changed_products: list[Product] = []
    product_fields: set[str] = set()
    renamed: list[Product] = []
    for group in plan.groups:
        values = {k: created.resolve(v) for k, v in group.values.items()}
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
    return renamed


def _save_options(plan: ImportPlan) -> None:
    """Replace the options of the products whose options change."""
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


def _save_variants(plan: ImportPlan, *, now: datetime) -> dict[int, Variant]:
    """Update the changed variants and create the new ones: id(row) -> its new variant."""
    created: dict[int, Variant] = {}
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
                created[id(row)] = variant
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
    Variant.objects.bulk_create(list(created.values()), batch_size=500)
    return created
