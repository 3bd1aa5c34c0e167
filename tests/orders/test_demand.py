"""Units short for new orders, reported to the reorder suggestions."""

from __future__ import annotations

import pytest

from inventory.demand import demand_by_variant
from inventory.selectors.purchasing import reorder_suggestions
from inventory.services.stock import stock_receive
from orders.selectors import open_orders_shortage
from orders.services.orders.transitions import order_cancel, order_confirm
from tests.orders.factories import (
    VariantFactory,
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db


def test_new_orders_short_of_stock_are_reported_per_variant():
    wh1, wh2 = WarehouseFactory(), WarehouseFactory()
    shirt = stocked_variant(wh1, 3, sku="AO-1")
    stock_receive(variant_id=shirt.pk, warehouse_id=wh2.pk, quantity=1)
    cap = stocked_variant(wh1, 5, sku="NON-1")
    bag = VariantFactory(sku="TUI-1")
    customer = make_customer()
    processing = make_order(customer, wh1, [(shirt, 1)])
    order_confirm(order_id=processing.pk, user_id=None)  # available: 4 - 1 = 3
    make_order(customer, wh1, [(shirt, 2), (cap, 1)])
    make_order(customer, wh1, [(shirt, 3), (bag, 1)])
    cancelled = make_order(customer, wh1, [(bag, 7)])
    order_cancel(order_id=cancelled.pk, user_id=None)

    assert open_orders_shortage() == {shirt.pk: 2, bag.pk: 1}


def test_nothing_open_means_no_demand():
    assert open_orders_shortage() == {}


def test_the_provider_is_registered_and_feeds_reorder_suggestions():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 1, sku="AO-1")
    make_order(make_customer(), warehouse, [(shirt, 4)])
    assert demand_by_variant() == {shirt.pk: 3}
    lines = [line for group in reorder_suggestions().groups for line in group.lines]
    assert [(line.variant.sku, line.demand, line.suggested) for line in lines] == [("AO-1", 3, 3)]
