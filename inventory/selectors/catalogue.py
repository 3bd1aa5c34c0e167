from __future__ import annotations

from django.db.models import Q, QuerySet

from inventory.models import Brand, Category, Variant


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
    from django.db.models import F, Sum, Value
    from django.db.models.functions import Coalesce, Upper

    from inventory.text import fold

    needle = q.strip()
    if not needle:
        return []
    base = Variant.objects.select_related("product").annotate(
        available_total=Coalesce(
            Sum(F("stock_levels__on_hand") - F("stock_levels__reserved")), Value(0)
        )
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
