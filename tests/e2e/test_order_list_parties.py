"""The order list names the recipient beside the recipient's own phone, and the buyer (with the
buyer's phone) when another person bought the order."""

import dataclasses

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.orders.factories import (
    HCM_ADDRESS,
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_list_shows_recipient_and_buyer(live_server, page, make_user, artifacts):
    make_user("sales", username="lan", first_name="Lan", language="vi")
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    shirt = stocked_variant(warehouse, 10, price="150000", sku="AO-1")
    binh = make_customer("Trần Văn Bình", phones=("0987 111 222",))
    # His saved address (HCM_ADDRESS) is Nguyễn Văn An's, with An's phone.
    to_an = make_order(binh, warehouse, [(shirt, 1)])
    own = make_order(
        binh,
        warehouse,
        [(shirt, 1)],
        shipping=dataclasses.replace(
            HCM_ADDRESS,
            recipient_name="Trần Văn Bình",
            recipient_phone="0987 111 222",
        ),
    )

    page.goto(f"{live_server.url}/login/?next=/orders/")
    page.fill("#id_username", "lan")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/orders/")

    rows = page.locator("tr[data-order-row]")
    expect(rows).to_have_count(2)
    # The customer's own order: Bình, his phone, no buyer line.
    mine = rows.filter(has_text=own.number)
    expect(mine.locator("[data-recipient]")).to_have_text("Trần Văn Bình")
    expect(mine.locator("[data-recipient-phone]")).to_have_text("0987 111 222")
    expect(mine.locator("[data-buyer]")).to_have_count(0)
    # Delivered to Nguyễn Văn An (the customer's saved address): An with An's phone, and the
    # buyer Bình with Bình's phone.
    other = rows.filter(has_text=to_an.number)
    expect(other.locator("[data-recipient]")).to_have_text("Nguyễn Văn An")
    expect(other.locator("[data-recipient-phone]")).to_have_text("0912 345 678")
    expect(other.locator("[data-buyer]")).to_have_text("Người mua: Trần Văn Bình 0987 111 222")
    page.screenshot(path=str(artifacts / "order_list_recipient_buyer.png"), full_page=True)
