"""'Create order' on a contact request: the order page opens with the requester typed in as a
new customer; nothing is created until the order is saved, then both are, and the request
points to them."""

import pytest
from playwright.sync_api import expect

from followups.models import ContactRequest
from followups.services_requests import contact_request_create
from orders.models import Customer, Order
from tests.inventory.factories import ProductFactory
from tests.orders.factories import WarehouseFactory, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_order_from_a_request_creates_the_customer_only_with_the_order(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("sales", username="lan", first_name="Lan", language="vi")
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    stocked_variant(
        warehouse, 10, price="150000", sku="AO-1", product=ProductFactory(name="Áo thun")
    )
    request, _created = contact_request_create(
        name="Chị Mới Toanh", phone="0912 000 321", source="staff", user_id=None
    )
    detail = f"{live_server.url}/followups/requests/{request.pk}/"
    sign_in(page, "lan", next_url=f"/followups/requests/{request.pk}/")

    page.click("[data-testid=request-create-order]")
    page.wait_for_url(f"{live_server.url}/orders/new/?**")
    expect(page.locator("#order-form")).to_have_attribute("data-mode", "new")
    expect(page.locator("#of-new-customer")).to_be_visible()
    expect(page.locator("#id_new_name")).to_have_value("Chị Mới Toanh")
    expect(page.locator("#id_new_phone")).to_have_value("+84912000321")
    page.screenshot(path=str(artifacts / "request-order-new-customer.png"), full_page=True)
    # Opened and abandoned: no customer yet, the request unchanged.
    assert Customer.objects.count() == 0
    assert ContactRequest.objects.get().customer_id is None

    page.fill("#id_ship_province", "Hà Nội")
    page.fill("#id_ship_ward", "Phường Ba Đình")
    page.fill("#id_ship_street", "5 Điện Biên Phủ")
    page.keyboard.press("F4")
    page.keyboard.type("AO-1")
    page.keyboard.press("Enter")
    expect(page.locator("#of-lines tr.of-line")).to_have_count(1)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{live_server.url}/orders/*/")
    order = Order.objects.get()
    customer = Customer.objects.get()
    assert (order.customer_id, customer.name) == (customer.pk, "Chị Mới Toanh")
    page.goto(detail)
    expect(page.locator("[data-testid=request-customer]")).to_have_text("Chị Mới Toanh")
    expect(page.locator("[data-testid=request-order]")).to_have_text(order.number)
    page.screenshot(path=str(artifacts / "request-order-linked.png"), full_page=True)
