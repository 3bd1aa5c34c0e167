"""Real threads on PostgreSQL: orders competing for the last units, and two users acting on
the same order at the same moment."""

from __future__ import annotations

from collections import Counter

import pytest

from inventory.models import StockMovement
from inventory.selectors.stock import ledger_mismatches
from orders.errors import OrderError, OrderStateError, OrderStockShort
from orders.models import Order, OrderEvent, OrderLine
from orders.services.orders.transitions import order_cancel, order_confirm, order_ship
from orders.services.returns import ReturnLineInput, return_create
from tests.concurrency import run_concurrently
from tests.orders.factories import (
    WarehouseFactory,
    level,
    make_customer,
    make_order,
    order_ledger,
    stocked_variant,
)

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on the same rows"),
    pytest.mark.django_db(transaction=True),
]


def run_threads(targets):
    """Start every target at the same moment; return their outcomes in target order."""
    return run_concurrently(
        targets,
        {
            OrderStockShort: "short",
            OrderStateError: "state",
            OrderError: lambda error: f"order error: {error}",
        },
    )


def confirm(order_id):
    return lambda: order_confirm(order_id=order_id, user_id=None)


def test_orders_competing_for_the_last_units_never_oversell():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 7, sku="AO-LAST")
    customer = make_customer()
    orders = [make_order(customer, warehouse, [(shirt, 2)]) for _ in range(12)]

    outcomes = run_threads([confirm(o.pk) for o in orders])

    assert Counter(outcomes) == {"ok": 3, "short": 9}
    assert level(shirt, warehouse) == (7, 6)
    winners = [o.pk for o, outcome in zip(orders, outcomes, strict=True) if outcome == "ok"]
    assert sorted(Order.objects.filter(status="processing").values_list("pk", flat=True)) == sorted(
        winners
    )
    assert Order.objects.filter(status="new").count() == 9
    assert StockMovement.objects.filter(kind="reservation").count() == 3
    assert (
        sorted(OrderLine.objects.values_list("quantity_reserved", flat=True)) == [0] * 9 + [2] * 3
    )
    assert ledger_mismatches() == []


def test_orders_with_two_variants_in_opposite_line_order_do_not_deadlock_or_oversell():
    warehouse = WarehouseFactory()
    a = stocked_variant(warehouse, 5, sku="A")
    b = stocked_variant(warehouse, 5, sku="B")
    customer = make_customer()
    orders = [
        make_order(customer, warehouse, [(a, 1), (b, 1)] if n % 2 else [(b, 1), (a, 1)])
        for n in range(10)
    ]
    outcomes = run_threads([confirm(o.pk) for o in orders])
    assert Counter(outcomes) == {"ok": 5, "short": 5}
    assert (level(a, warehouse), level(b, warehouse)) == ((5, 5), (5, 5))
    assert ledger_mismatches() == []


def test_the_same_order_confirmed_by_many_users_at_once_reserves_once():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 50, sku="AO-1")
    order = make_order(make_customer(), warehouse, [(shirt, 3)])

    outcomes = run_threads([confirm(order.pk)] * 8)

    assert Counter(outcomes) == {"ok": 1, "state": 7}
    assert level(shirt, warehouse) == (50, 3)
    assert order_ledger(order) == [("AO-1", "reservation", 0, 3)]
    assert OrderEvent.objects.filter(order=order, kind="status_changed").count() == 1
    assert Order.objects.get(pk=order.pk).status == "processing"
    assert ledger_mismatches() == []


def test_cancel_and_ship_at_the_same_moment_apply_one():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, sku="AO-1")
    order = make_order(make_customer(), warehouse, [(shirt, 4)])
    order_confirm(order_id=order.pk, user_id=None)

    outcomes = run_threads(
        [
            lambda: order_cancel(order_id=order.pk, user_id=None),
            lambda: order_ship(order_id=order.pk, user_id=None),
        ]
    )

    assert sorted(outcomes) == ["ok", "state"]
    status = Order.objects.get(pk=order.pk).status
    if outcomes[0] == "ok":
        assert (status, level(shirt, warehouse)) == ("cancelled", (10, 0))
    else:
        assert (status, level(shirt, warehouse)) == ("shipped", (6, 0))
    assert len(order_ledger(order)) == 2
    assert ledger_mismatches() == []


def test_two_returns_of_the_same_units_put_stock_back_once():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, sku="AO-1")
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    line_id = order.lines.get().pk

    def give_back():
        return_create(order_id=order.pk, lines=[ReturnLineInput(line_id, 2)], user_id=None)

    outcomes = run_threads([give_back, give_back, give_back])

    assert Counter(outcomes) == {"ok": 1, "state": 2}
    assert level(shirt, warehouse) == (10, 0)
    assert OrderLine.objects.get(pk=line_id).quantity_returned == 2
    assert StockMovement.objects.filter(kind="return").count() == 1
    assert ledger_mismatches() == []
