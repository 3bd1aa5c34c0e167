"""Issue 10, purchase orders: a manager closes a partly received order short from its page
(reason typed in the popover, history shown) and fills in the shop details printed on PDFs."""

import pytest
from playwright.sync_api import expect

from inventory.models import PurchaseOrder, ShopProfile
from inventory.services.purchasing import ReceiptLineInput, goods_receipt_post
from tests.inventory.factories import SupplierFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_purchasing import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_close_a_partly_received_order_short_and_edit_the_shop_details(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("manager", username="ha", first_name="Hà", language="en")
    order = make_order(
        supplier=SupplierFactory(name="Dệt May Hòa Bình"),
        warehouse=WarehouseFactory(code="HCM01"),
        lines=[(VariantFactory(sku="AO-1"), 10, "80000")],
        confirm=True,
    )
    goods_receipt_post(order_id=order.pk, lines=[ReceiptLineInput(order.lines.get().pk, 4)])
    detail = f"{live_server.url}/inventory/purchase-orders/{order.pk}/"

    sign_in(page, "ha", next_url=f"/inventory/purchase-orders/{order.pk}/")

    page.get_by_text("Close short", exact=True).click()
    page.get_by_label("Reason").fill("Nhà cung cấp ngừng sản xuất")
    page.screenshot(path=str(artifacts / "purchase_order_close_short.png"), full_page=True)
    page.get_by_role("button", name="Close the order short").click()
    page.wait_for_url(detail)
    expect(page.locator(".toast")).to_contain_text(f"{order.number} closed short.")
    expect(page.locator(".pill").first).to_have_text("Closed short")
    event = page.get_by_test_id("po-event")
    expect(event).to_contain_text("Nhà cung cấp ngừng sản xuất")
    expect(event).to_contain_text("Left open: AO-1 \u00d7 6")
    expect(page.get_by_text("Close short", exact=True)).to_have_count(0)
    assert PurchaseOrder.objects.get(pk=order.pk).status == "closed"

    # the shop details, from the user menu
    page.locator("details.menu summary").click()
    page.get_by_role("link", name="Shop details").click()
    page.wait_for_url(f"{live_server.url}/settings/shop/")
    page.get_by_label("Shop name").fill("Cửa hàng Ánh Dương")
    page.get_by_label("Address").fill("12 Lê Lợi, Quận 1")
    page.get_by_label("Tax code").fill("0100112438")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field--error")).to_contain_text("wrong check digit")
    page.get_by_label("Tax code").fill("0100112437")
    page.get_by_label("Tax code").press("Control+Enter")
    expect(page.locator(".toast")).to_contain_text("Shop details saved.")
    page.screenshot(path=str(artifacts / "shop_settings.png"), full_page=True)
    profile = ShopProfile.objects.get()
    assert (profile.name, profile.address, profile.tax_code) == (
        "Cửa hàng Ánh Dương",
        "12 Lê Lợi, Quận 1",
        "0100112437",
    )
