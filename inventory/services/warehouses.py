from __future__ import annotations

from typing import Any

from django.db import transaction

from inventory.models import Warehouse


@transaction.atomic
def warehouse_save(*, warehouse: Warehouse | None = None, data: dict[str, Any]) -> Warehouse:
    """Create or update a warehouse from cleaned form data."""
    target = warehouse or Warehouse()
    for field, value in data.items():
        setattr(target, field, value)
    target.full_clean()
    target.save()
    return target
