"""Helpers for purchasing tests: orders are made through the services, as staff would."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from inventory.models import PurchaseOrder, Supplier, Variant, Warehouse
from inventory.services.purchasing import (
    PurchaseLineInput,
    PurchaseOrderInput,
    purchase_order_confirm,
    purchase_order_create,
)


def make_order(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Sequence[tuple[Variant, int, str] | tuple[Variant, int, str, str]],
    user=None,
    confirm: bool = False,
    notes: str = "",
) -> PurchaseOrder:
    """lines: (variant, quantity, unit cost[, VAT rate]) with money as strings."""
    order = purchase_order_create(
        data=PurchaseOrderInput(
            supplier_id=supplier.pk,
            warehouse_id=warehouse.pk,
            notes=notes,
            lines=[
                PurchaseLineInput(
                    variant_id=line[0].pk,
                    quantity=line[1],
                    unit_cost=Decimal(line[2]),
                    vat_rate=Decimal(line[3]) if len(line) > 3 else None,
                )
                for line in lines
            ],
        ),
        user_id=user.pk if user else None,
    )
    if confirm:
        purchase_order_confirm(order_id=order.pk, user_id=user.pk if user else None)
        order.refresh_from_db()
    return order
