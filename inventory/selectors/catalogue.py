from __future__ import annotations

from django.db.models import QuerySet

from inventory.models import Brand, Category


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
