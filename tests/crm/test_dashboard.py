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
