"""A phone order taken with the keyboard only: phone -> customer, F4 -> product, Ctrl+Enter."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderLine
from tests.inventory.factories import ProductFactory
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_a_phone_order_with_the_keyboard_only(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("sales", username="lan", first_name="Lan", language="vi")
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    shirt = stocked_variant(
        warehouse,
        10,
        price="150000",
        sku="AO-1",
        product=ProductFactory(name="Áo thun cổ tròn"),
        option1="Trắng",
        option2="M",
    )
    stocked_variant(warehouse, 5, price="99000", sku="AO-10")
    customer = make_customer("Nguyễn Văn An", phones=("0912 345 678",))
    make_customer("Trần Thị Bình", phones=("0987 654 321",))

    sign_in(page, "lan", next_url="/orders/new/")

    # The phone field has the focus: type a fragment, Enter picks the customer found.
    expect(page.locator("#of-phone")).to_be_focused()
    page.keyboard.type("0912 345")
    expect(page.locator("#of-customer-results .of-cust-option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#of-customer-picked .of-picked-name")).to_have_text("Nguyễn Văn An")
    expect(page.locator("#of-customer-picked input[name=address]:checked")).to_have_count(1)

    # F4: product search; the SKU typed, Enter adds the line (exact SKU first, not AO-10).
    page.keyboard.press("F4")
    expect(page.locator("#of-product")).to_be_focused()
    page.keyboard.type("AO-1")
    page.keyboard.press("Enter")
    row = page.locator("#of-lines tr.of-line")
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("AO-1")
    expect(page.locator("#of-product")).to_have_value("")

    # Arrow down: the quantity of the last line; arrow up twice: 3. The server recomputes.
    page.keyboard.press("ArrowDown")
    qty = row.locator("input[name=line_qty]")
    expect(qty).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(qty).to_have_value("3")
    expect(page.locator("#of-totals [data-total=total]")).to_have_text("450.000\xa0₫")
    expect(row.locator(".of-line-total")).to_have_text("450.000\xa0₫")
    expect(row.locator(".of-stock")).to_have_text(re.compile(r"^10\b.*HCM01.*\b10\b"))
    page.screenshot(path=str(artifacts / "phone_order.png"), full_page=True)

    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/orders/\d+/$"))
    order = Order.objects.get()
    assert page.url == f"{live_server.url}/orders/{order.pk}/"
    assert (order.customer_id, order.channel, order.payment_method, order.status) == (
        customer.pk,
        "phone",
        "cod",
        "new",
    )
    assert order.warehouse_id == warehouse.pk
    assert (order.ship_name, order.ship_street) == ("Nguyễn Văn An", "12 Lê Lợi")
    assert list(
        OrderLine.objects.filter(order=order).values_list("variant_id", "quantity", "line_total")
    ) == [(shirt.pk, 3, Decimal("450000"))]
    assert order.total == Decimal("450000")
