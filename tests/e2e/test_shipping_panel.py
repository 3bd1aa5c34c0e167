"""The order page's Shipping panel in Vietnamese in Chromium, over the GHN sandbox: the form
with its defaults, "Get prices" lists the services with their fees, "Create parcel" shows the
tracking number in place (htmx under the strict CSP). Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shipping.models import Shipment
from tests.shipping.conftest_ghn import ghn_sandbox  # noqa: F401 - fixtures
from tests.shipping.conftest_ship import ghn_account, ship_order, ship_warehouse  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


def test_quote_and_create_a_parcel_from_the_order_page(
    live_server,
    signed_in,
    make_user,
    ghn_account,  # noqa: F811 - the fixture imported above
    ship_order,  # noqa: F811
    artifacts,
):
    order = ship_order()
    make_user("warehouse", username="kho")
    page = signed_in("kho", next_url=f"/orders/{order.pk}/")
    panel = page.locator('[data-testid="shipping-panel"]')
    expect(panel.locator('[data-testid="shipment-form"]')).to_be_visible()
    expect(panel.locator('[data-testid="volumetric"]')).to_contain_text("600 g")

    panel.locator('[data-testid="shipment-quote"]').click()
    services = panel.locator('[data-testid="services"]')
    expect(services).to_be_visible()
    expect(services.locator("input[type=radio]").first).to_be_checked()
    page.screenshot(path=str(artifacts / "shipping-panel-quote.png"), full_page=True)

    panel.locator('[data-testid="shipment-create"]').click()
    shipment_box = page.locator('[data-testid="shipment"]')
    expect(shipment_box).to_be_visible()
    shipment = Shipment.objects.get(order=order)
    expect(shipment_box.locator('[data-testid="tracking"]')).to_have_text(shipment.tracking_number)
    expect(shipment_box.locator('[data-testid="shipment-state"]')).to_have_text("Chờ lấy hàng")
    page.screenshot(path=str(artifacts / "shipping-panel-created.png"), full_page=True)
