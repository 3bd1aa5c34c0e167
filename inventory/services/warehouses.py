from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.errors import InventoryError
from inventory.models import StockLevel, Warehouse


@transaction.atomic
def warehouse_save(*, warehouse: Warehouse | None = None, data: dict[str, Any]) -> Warehouse:
    """Create or update a warehouse from cleaned form data."""
    target = warehouse or Warehouse()
    for field, value in data.items():
        setattr(target, field, value)
    target.full_clean()
    target.save()
    return target


def stock_level_set_threshold(
    *, variant_id: int, warehouse_id: int, threshold: int | None
) -> StockLevel:
    """Set (or clear, with None) the low-stock threshold of one variant in one warehouse.

    No stock moves, so no ledger row: a new level row starts at 0 on hand and 0 reserved.
    """
    if threshold is not None and threshold < 0:
        raise InventoryError(_("A threshold cannot be negative."))
    level, _created = StockLevel.objects.get_or_create(
        variant_id=variant_id, warehouse_id=warehouse_id
    )
    StockLevel.objects.filter(pk=level.pk).update(low_stock_threshold=threshold)
    level.low_stock_threshold = threshold
    return level
