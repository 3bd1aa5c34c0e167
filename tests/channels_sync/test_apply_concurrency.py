"""Real threads on PostgreSQL: two workers applying the same platform order at the same moment
end with one order, reserved once; two orders of one new buyer end with one customer."""

from __future__ import annotations

from collections import Counter

import pytest

from channels_sync.models import ChannelBuyer, ChannelOrder, InboundPayload
from channels_sync.services.apply import order_data_apply, payload_apply
from inventory.models import StockMovement
from inventory.selectors.stock import ledger_mismatches
from orders.models import Customer, Order
from tests.channels_sync.apply_helpers import (
    T0,
    make_account,
    order_data,
    shopee_order,
    store,
)
from tests.concurrency import run_concurrently
from tests.orders.factories import WarehouseFactory, level, stocked_variant

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on the same rows"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]

NOW = T0.replace(hour=4)


def test_two_workers_applying_the_same_order_make_one_order():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, sku="AO-DEN-M")
    account = make_account(warehouse)
    payloads = [store(account, shopee_order()) for _ in range(2)]

    outcomes = run_concurrently(
        [lambda p=p: payload_apply(payload_id=p.pk, now=NOW) for p in payloads], {}
    )

    assert outcomes == ["ok", "ok"]
    # The winner supersedes the other (same update, still waiting for the order's lock).
    assert Counter(InboundPayload.objects.values_list("status", flat=True)) == {
        "applied": 1,
        "superseded": 1,
    }
    order = Order.objects.get()
    assert order.status == "processing"
    assert ChannelOrder.objects.get().order_id == order.pk
    assert level(shirt, warehouse) == (10, 2)
    assert StockMovement.objects.filter(kind="reservation").count() == 1
    assert ledger_mismatches() == []


def test_the_same_payload_applied_by_two_workers_is_applied_once():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, sku="AO-DEN-M")
    account = make_account(warehouse)
    payload = store(account, shopee_order())

    outcomes = run_concurrently([lambda: payload_apply(payload_id=payload.pk, now=NOW)] * 2, {})

    assert outcomes == ["ok", "ok"]
    payload.refresh_from_db()
    assert (payload.status, payload.attempts) == ("applied", 1)
    assert Order.objects.count() == 1
    assert level(shirt, warehouse) == (10, 2)


def test_two_orders_of_one_new_buyer_at_once_make_one_customer():
    warehouse = WarehouseFactory()
    stocked_variant(warehouse, 10, sku="AO-DEN-M")
    account = make_account(warehouse)

    outcomes = run_concurrently(
        [
            lambda sn=sn: order_data_apply(
                account=account, data=order_data(external_id=sn), payload=None, now=NOW
            )
            for sn in ("251201AAA111", "251201BBB222")
        ],
        {},
    )

    assert outcomes == ["ok", "ok"]
    assert Order.objects.count() == 2
    assert Customer.objects.count() == 1
    assert ChannelBuyer.objects.get().customer_id == Customer.objects.get().pk
    assert set(Order.objects.values_list("customer_id", flat=True)) == {Customer.objects.get().pk}
