"""Real threads on PostgreSQL competing for the same units."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from inventory.errors import InsufficientStock
from inventory.models import StockLevel, StockMovement
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import StockChange, stock_apply, stock_receive, stock_reserve
from tests.inventory.factories import VariantFactory, WarehouseFactory

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on one row"),
    pytest.mark.django_db(transaction=True),
]


def run_threads(count, target):
    barrier = threading.Barrier(count)
    results: list[str] = []
    lock = threading.Lock()

    def worker(n):
        try:
            barrier.wait()
            target(n)
            outcome = "ok"
        except InsufficientStock:
            outcome = "insufficient"
        except Exception as exc:  # any other error is a bug: report it
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


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
