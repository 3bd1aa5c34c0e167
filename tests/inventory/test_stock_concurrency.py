"""Real threads on PostgreSQL competing for the same units."""

from __future__ import annotations

import pytest

from inventory.errors import InsufficientStock
from inventory.models import StockLevel, StockMovement
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import StockChange, stock_apply, stock_receive, stock_reserve
from tests.concurrency import run_concurrently
from tests.inventory.factories import VariantFactory, WarehouseFactory

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on one row"),
    pytest.mark.django_db(transaction=True),
]


def run_threads(count, target):
    return run_concurrently(
        [lambda n=n: target(n) for n in range(count)], {InsufficientStock: "insufficient"}
    )


def test_fifty_threads_reserving_ten_units_exactly_ten_win():
    variant, warehouse = VariantFactory(), WarehouseFactory()
    stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=10)
    results = run_threads(
        50,
        lambda n: stock_reserve(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=1),
    )
    assert sorted(results) == ["insufficient"] * 40 + ["ok"] * 10
    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved) == (10, 10)
    assert StockMovement.objects.filter(kind="reservation").count() == 10
    assert ledger_mismatches() == []


def test_batches_locking_in_opposite_orders_do_not_deadlock():
    warehouse = WarehouseFactory()
    a, b = VariantFactory(), VariantFactory()
    for v in (a, b):
        stock_receive(variant_id=v.pk, warehouse_id=warehouse.pk, quantity=20)

    def batch(n):
        pair = [
            StockChange.reserve(a.pk, warehouse.pk, 1),
            StockChange.reserve(b.pk, warehouse.pk, 1),
        ]
        stock_apply(changes=pair if n % 2 else pair[::-1])

    results = run_threads(30, batch)
    assert sorted(results) == ["insufficient"] * 10 + ["ok"] * 20
    assert sorted(StockLevel.objects.values_list("reserved", flat=True)) == [20, 20]
    assert ledger_mismatches() == []
