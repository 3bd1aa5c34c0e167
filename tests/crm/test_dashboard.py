import pytest
from django.urls import reverse

from inventory.services.stock import stock_receive, stock_reserve
from tests.inventory.factories import VariantFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_low_and_out_of_stock(client, login_as):
    wh = WarehouseFactory()
    low = VariantFactory(low_stock_threshold=5)
    out = VariantFactory()
    fine = VariantFactory(low_stock_threshold=2)
    stock_receive(variant_id=low.pk, warehouse_id=wh.pk, quantity=5)
    stock_receive(variant_id=out.pk, warehouse_id=wh.pk, quantity=1)
    stock_reserve(variant_id=out.pk, warehouse_id=wh.pk, quantity=1)
    stock_receive(variant_id=fine.pk, warehouse_id=wh.pk, quantity=3)
    login_as("sales")
    summary = client.get(reverse("dashboard")).context["summary"]
    assert (summary.low_stock, summary.out_of_stock) == (1, 1)
    assert summary.warehouses is None  # sales may not see warehouses
    assert summary.health is None


def test_dashboard_hides_stock_from_roles_without_it(client, make_user):
    from crm.models import User

    user = make_user("sales")
    user.groups.clear()
    client.force_login(User.objects.get(pk=user.pk))
    summary = client.get(reverse("dashboard")).context["summary"]
    assert (summary.low_stock, summary.out_of_stock, summary.roles) == (None, None, [])


def test_dashboard_shows_the_orders_waiting_at_each_step_and_todays_sales(client, login_as):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from orders.services.orders.transitions import order_cancel, order_confirm, order_ship
    from tests.orders.factories import make_customer, make_order, stocked_variant

    wh = WarehouseFactory()
    shirt = stocked_variant(wh, 20, price="100000")
    customer = make_customer()
    yesterday = timezone.now() - timedelta(days=1, hours=1)
    orders = [make_order(customer, wh, [(shirt, 1)]) for _ in range(5)]
    old = make_order(customer, wh, [(shirt, 2)], now=yesterday)
    order_confirm(order_id=orders[0].pk, user_id=None)
    order_confirm(order_id=orders[1].pk, user_id=None)
    order_ship(order_id=orders[1].pk, user_id=None)
    order_cancel(order_id=orders[2].pk, user_id=None, reason="test")
    order_confirm(order_id=old.pk, user_id=None)
    login_as("sales")
    response = client.get(reverse("dashboard"))
    figures = response.context["summary"].orders
    # new: orders 3 and 4; processing: order 0 and yesterday's; shipped: order 1; today: 4
    # orders (the cancelled one left out) of 100,000 each.
    assert (figures.new, figures.processing, figures.shipped) == (2, 2, 1)
    assert (figures.today_orders, figures.today_total) == (4, Decimal("400000"))
    assert 'href="/orders/?status=new"' in response.content.decode()


def test_dashboard_hides_orders_from_roles_without_them(client, make_user):
    from crm.models import User

    user = make_user("sales")
    user.groups.clear()
    client.force_login(User.objects.get(pk=user.pk))
    assert client.get(reverse("dashboard")).context["summary"].orders is None
