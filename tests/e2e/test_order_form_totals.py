"""The phone order page shows the right subtotal and total after every change: a product added
with the keyboard, a second one, a line removed (the server computes every figure)."""

import pytest
from playwright.sync_api import expect

from tests.inventory.factories import ProductFactory
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_totals_follow_every_added_and_removed_line(page, sign_in, make_user, artifacts):
    make_user("sales", username="lan", first_name="Lan", language="vi")
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    stocked_variant(
        warehouse, 10, price="150000", sku="AO-1", product=ProductFactory(name="Áo thun")
    )
    stocked_variant(
        warehouse, 5, price="99000", sku="QU-2", product=ProductFactory(name="Quần short")
    )
    make_customer("Nguyễn Văn An", phones=("0912 345 678",))

    sign_in(page, "lan", next_url="/orders/new/")

    page.keyboard.type("0912 345")
    expect(page.locator("#of-customer-results .of-cust-option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#of-customer-picked .of-picked-name")).to_have_text("Nguyễn Văn An")

    subtotal = page.locator("#of-totals [data-total=subtotal]")
    total = page.locator("#of-totals [data-total=total]")
    rows = page.locator("#of-lines tr.of-line")

    # First product: 1 x 150,000.
    page.keyboard.press("F4")
    page.keyboard.type("AO-1")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(subtotal).to_have_text("150.000\xa0₫")
    expect(total).to_have_text("150.000\xa0₫")

    # Second product: 150,000 + 99,000 = 249,000.
    page.keyboard.type("QU-2")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    expect(subtotal).to_have_text("249.000\xa0₫")
    expect(total).to_have_text("249.000\xa0₫")
    page.screenshot(path=str(artifacts / "order_form_totals_two_lines.png"), full_page=True)

    # The shirt removed: 99,000 left.
    rows.filter(has_text="AO-1").locator("[data-remove-line]").click()
    expect(rows).to_have_count(1)
    expect(subtotal).to_have_text("99.000\xa0₫")
    expect(total).to_have_text("99.000\xa0₫")
    page.screenshot(path=str(artifacts / "order_form_totals_one_removed.png"), full_page=True)
