"""Random sequences of stock operations keep the ledger invariant and never oversell."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.errors import InsufficientStock, InvalidStockOperation
from inventory.models import StockLevel, StockMovement
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import StockChange, stock_apply
from tests.inventory.factories import VariantFactory, WarehouseFactory

OPERATIONS = [
    "receive",
    "reserve",
    "release",
    "ship",
    "ship_unreserved",
    "restock",
    "write_off",
    "adjust",
    "transfer",
]

operation = st.tuples(
    st.sampled_from(OPERATIONS),
    st.integers(min_value=0, max_value=1),  # variant
    st.integers(min_value=0, max_value=1),  # warehouse
    st.integers(min_value=1, max_value=6),  # quantity
    st.booleans(),  # sign for adjustments
)


def build(op, v, w, q, positive, variants, warehouses):
    vid, wid, other = variants[v].pk, warehouses[w].pk, warehouses[1 - w].pk
    match op:
        case "receive":
            return [StockChange.receive(vid, wid, q)]
        case "reserve":
            return [StockChange.reserve(vid, wid, q)]
        case "release":
            return [StockChange.release(vid, wid, q)]
        case "ship":
            return [StockChange.ship(vid, wid, q)]
        case "ship_unreserved":
            return [StockChange.ship(vid, wid, q, from_reserved=False)]
        case "restock":
            return [StockChange.restock(vid, wid, q)]
        case "write_off":
            return [StockChange.write_off(vid, wid, q)]
        case "adjust":
            return [StockChange.adjust(vid, wid, q if positive else -q, reason="test")]
        case "transfer":
            return [
                StockChange.transfer_out(vid, wid, q),
                StockChange.receive(vid, other, q, kind="transfer_in"),
            ]
    raise AssertionError(op)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operation, min_size=1, max_size=25))
def test_random_operations_keep_the_ledger_and_never_oversell(ops):
    StockMovement.objects.all().delete()
    StockLevel.objects.all().delete()
    variants = [VariantFactory(), VariantFactory()]
    warehouses = [WarehouseFactory(), WarehouseFactory()]
    model: dict[tuple[int, int], list[int]] = {}
    for op, v, w, q, positive in ops:
        changes = build(op, v, w, q, positive, variants, warehouses)
        # The expected outcome, computed independently of the service.
        trial = {k: list(val) for k, val in model.items()}
        ok = True
        for c in changes:
            on_hand, reserved = trial.setdefault((c.variant_id, c.warehouse_id), [0, 0])
            on_hand, reserved = on_hand + c.on_hand_delta, reserved + c.reserved_delta
            if on_hand < 0 or reserved < 0 or reserved > on_hand:
                ok = False
            trial[(c.variant_id, c.warehouse_id)] = [on_hand, reserved]
        try:
            stock_apply(changes=changes)
            applied = True
        except (InsufficientStock, InvalidStockOperation):
            applied = False
        assert applied == ok, (op, q)
        if ok:
            model = trial
        for level in StockLevel.objects.all():
            assert level.on_hand - level.reserved >= 0
            assert level.reserved >= 0
            assert [level.on_hand, level.reserved] == model.get(
                (level.variant_id, level.warehouse_id), [0, 0]
            )
        assert ledger_mismatches() == []
