"""Categories (a tree, each with its full path name) and brands."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.errors import InventoryError
from inventory.models import Brand, Category


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
