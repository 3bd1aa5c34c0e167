"""Apps above orders add panels to the order and customer pages through orders.panels."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.panels import Panel, _providers, register_panel
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes_panel():
    def provider(kind, pk, user):
        if not user.has_perm("orders.change_order"):
            return None
        return Panel(key=f"notes-{kind}", url=f"/x/{kind}/{pk}/")

    register_panel(provider)
    yield
    _providers.remove(provider)


def test_registered_panels_load_on_the_order_and_customer_pages(client, login_as, notes_panel):
    login_as("sales")
    warehouse = WarehouseFactory()
    customer = make_customer()
    order = make_order(customer, warehouse, [(stocked_variant(warehouse, 2), 1)])
    html = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert f'id="panel-notes-order" class="extension-panel" hx-get="/x/order/{order.pk}/"' in html
    html = client.get(reverse("orders:customer_detail", args=[customer.pk])).content.decode()
    assert f'hx-get="/x/customer/{customer.pk}/"' in html
    assert f'href="/orders/new/?customer={customer.pk}"' in html


def test_a_panel_is_left_out_for_users_it_is_not_for(client, login_as, notes_panel):
    login_as("warehouse")
    customer = make_customer()
    html = client.get(reverse("orders:customer_detail", args=[customer.pk])).content.decode()
    assert "extension-panel" not in html
    assert '<div id="customer-followups" class="customer-followups"></div>' in html
