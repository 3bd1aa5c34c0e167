"""Helpers for the transfer and stock count tests."""

from __future__ import annotations

from inventory.models import StockLevel, StockMovement
from inventory.services.stock import stock_receive


def put(variant, warehouse, quantity: int) -> None:
    """Initial stock, as the ledger would have it."""
    stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=quantity, initial=True)


def level(variant, warehouse) -> tuple[int, int] | None:
    """(on_hand, reserved) of the variant in the warehouse; None when it has no stock row."""
    row = StockLevel.objects.filter(variant=variant, warehouse=warehouse).first()
    return None if row is None else (row.on_hand, row.reserved)


def levels() -> dict[tuple[str, str], tuple[int, int]]:
    """Every stock row as {(sku, warehouse code): (on_hand, reserved)}."""
    return {
        (r.variant.sku, r.warehouse.code): (r.on_hand, r.reserved)
        for r in StockLevel.objects.select_related("variant", "warehouse")
    }


def ledger(source_type: str) -> list[tuple]:
    """The ledger rows of one kind of document, oldest first, as comparable tuples."""
    return [
        (m.kind, m.warehouse.code, m.variant.sku, m.on_hand_delta, m.on_hand_after, m.source_label)
        for m in StockMovement.objects.filter(source_type=source_type)
        .select_related("warehouse", "variant")
        .order_by("pk")
    ]
