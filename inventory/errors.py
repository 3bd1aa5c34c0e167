"""Domain errors of the inventory app; their messages are translated for the staff UI."""

from __future__ import annotations

from django.utils.translation import gettext as _


class InventoryError(Exception):
    """A rule of the inventory was broken; `str(error)` is a message for the user."""


class InsufficientStock(InventoryError):
    def __init__(self, *, sku: str, warehouse: str, requested: int, available: int) -> None:
        self.sku = sku
        self.warehouse = warehouse
        self.requested = requested
        self.available = available
        super().__init__(
            _(
                "Insufficient stock for %(sku)s in %(warehouse)s: "
                "%(requested)d requested, %(available)d available."
            )
            % {"sku": sku, "warehouse": warehouse, "requested": requested, "available": available}
        )


class InvalidStockOperation(InventoryError):
    """E.g. releasing more than is reserved, or a non-positive quantity."""


class DocumentStateError(InventoryError):
    """A document (purchase order, transfer, count) is not in a state that allows the action."""
