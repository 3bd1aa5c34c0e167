"""What the product editor reads before it builds its forms: the product's variants and options,
the warehouses it can put opening stock in, the suppliers it offers, and which variants have
history or stock (they cannot be removed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from inventory.models import Product, Supplier, Variant, Warehouse
from inventory.selectors.catalogue import variant_available, variant_ids_with_history


@dataclass(frozen=True)
class EditorData:
    warehouses: list[Warehouse]  # for opening stock: empty unless the user may add stock
    existing: dict[int, Variant]
    old_options: list[tuple[str, list[str]]]
    suppliers: list[tuple[Any, str]]  # choices: "—" first, then active and already used ones
    history: set[int]
    available: dict[int, int]


def product_editor_data(*, product: Product | None, can_stock: bool) -> EditorData:
    warehouses = (
        list(Warehouse.objects.filter(is_active=True).order_by("code", "pk")) if can_stock else []
    )
    existing: dict[int, Variant] = {v.pk: v for v in product.variants.all()} if product else {}
    old_options = [(o.name, list(o.values)) for o in product.options.all()] if product else []
    used = {v.preferred_supplier_id for v in existing.values() if v.preferred_supplier_id}
    suppliers: list[tuple[Any, str]] = [
        ("", "—"),
        *Supplier.objects.filter(Q(is_active=True) | Q(pk__in=used))
        .order_by("name", "pk")
        .values_list("pk", "name"),
    ]
    return EditorData(
        warehouses=warehouses,
        existing=existing,
        old_options=old_options,
        suppliers=suppliers,
        history=variant_ids_with_history(variant_ids=list(existing)),
        available=variant_available(variant_ids=list(existing)),
    )
