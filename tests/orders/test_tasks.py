"""The nightly check of the sales report rollups (variants and customers)."""

from __future__ import annotations

import pytest

from orders.models import CustomerSalesDay, CustomerSalesMonth, SalesDay
from orders.services.orders.transitions import order_confirm, order_ship
from orders.services.sales_rollup import customer_rollup_mismatches, sales_rollup_mismatches
from orders.tasks import verify_sales_rollup
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db


def test_the_nightly_check_repairs_a_rollup_that_drifted():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="150000")
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    assert verify_sales_rollup.run() == 0
    SalesDay.objects.update(units=7)  # drifted (say, shipped by code without the rollup)
    assert verify_sales_rollup.run() == 1
    assert list(SalesDay.objects.values_list("units", flat=True)) == [2]
    assert sales_rollup_mismatches()[0] == 0


def test_the_nightly_check_repairs_the_customer_rollup_too():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="150000")
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    assert verify_sales_rollup.run() == 0
    CustomerSalesDay.objects.update(shipped_orders=0)  # drifted
    CustomerSalesMonth.objects.all().delete()  # lost
    assert verify_sales_rollup.run() == 2
    assert list(CustomerSalesDay.objects.values_list("orders", "shipped_orders")) == [(1, 1)]
    assert CustomerSalesMonth.objects.get().net_revenue == order.total
    assert customer_rollup_mismatches() == (0, [])
