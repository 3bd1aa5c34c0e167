"""Issue 10, returns: on the return page one line comes back 1 good + 1 damaged, the refund
fills with the server's suggestion, and the exchange product is picked with the phone order
page's product search (keyboard: type, Enter), also in a row added afterwards."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Return
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_confirm, order_ship
from tests.inventory.factories import ProductFactory
from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_split_return_suggested_refund_and_exchange_picker(
    live_server, page, sign_in, make_user, artifacts, settings
):
    settings.SHOP_CURRENCY = "VND"
    make_user("warehouse", username="kho", first_name="Kho", language="vi")
    hcm = WarehouseFactory(code="HCM01", name="Kho HCM")
    shirt = stocked_variant(
        hcm, 10, price="150000", sku="AO-1", product=ProductFactory(name="Áo thun")
    )
    cap = stocked_variant(hcm, 5, price="99000", sku="NON-1", product=ProductFactory(name="Nón"))
    stocked_variant(hcm, 5, price="120000", sku="QUAN-1", product=ProductFactory(name="Quần"))
    order = make_order(make_customer("Nguyễn Văn An"), hcm, [(shirt, 2)])
    order_payment_record(
        order_id=order.pk, kind="payment", amount=order.total, method="cash", user_id=None
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    line = order.lines.get()

    sign_in(page, "kho", next_url=f"/orders/{order.pk}/return/")

    # 1 good + 1 damaged of the same line; the refund follows the server's figure
    page.fill(f"#id_line-{line.pk}-good", "1")
    expect(page.locator("#id_refund_amount")).to_have_value("150.000")
    page.fill(f"#id_line-{line.pk}-damaged", "1")
    expect(page.locator("#id_refund_amount")).to_have_value("300.000")
    expect(page.get_by_test_id("refund-suggestion")).to_contain_text("300.000")
    page.select_option("#id_refund_method", "cash")

    # exchange: type in the first row's product search, Enter picks the first result
    first = page.locator("#exchange-rows tr").nth(0)
    first.locator("[data-exchange-search]").fill("NON")
    expect(first.locator(".picker-option")).to_have_count(1)
    first.locator("[data-exchange-search]").press("Enter")
    expect(first.locator("input[name='exchange-0-variant']")).to_have_value(str(cap.pk))
    expect(first.locator("[data-exchange-search]")).to_have_value("NON-1")
    first.locator("input[name='exchange-0-quantity']").fill("1")

    # a row added afterwards searches too
    page.get_by_role("button", name=re.compile("Thêm dòng|Add a row")).click()
    added = page.locator("#exchange-rows tr").nth(2)
    added.locator("[data-exchange-search]").fill("QUAN")
    expect(added.locator(".picker-option")).to_have_count(1)
    added.locator(".picker-option").click()
    expect(added.locator("[data-exchange-search]")).to_have_value("QUAN-1")
    added.locator("input[name='exchange-2-quantity']").fill("2")
    page.screenshot(path=str(artifacts / "return_exchange.png"), full_page=True)

    page.get_by_role("button", name=re.compile("Ghi nhận|Record the return")).click()
    page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    ret = Return.objects.get()
    assert sorted(ret.lines.values_list("quantity", "condition")) == [(1, "damaged"), (1, "good")]
    assert ret.refund_amount == Decimal("300000")
    assert ret.exchange_order is not None
    assert list(ret.exchange_order.lines.order_by("pk").values_list("sku", "quantity")) == [
        ("NON-1", 1),
        ("QUAN-1", 2),
    ]
