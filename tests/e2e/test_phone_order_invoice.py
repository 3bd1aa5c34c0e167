"""The phone order page's E-invoice section, keyboard only, in Vietnamese and Thai: F6 unfolds
it, a wrong check digit is named on the field (nothing saved), the corrected tax code saves the
order with its e-invoice request, shown on the order's page. Screenshots:
phone_order_invoice_<language>.png, order_invoice_request_<language>.png."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderInvoiceRequest
from tests.inventory.factories import ProductFactory
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG = {
    "vi-VN": "0314409059 không phải là mã số thuế Việt Nam hợp lệ",
    "th-TH": "0314409059 ไม่ใช่รหัสภาษีเวียดนามที่ถูกต้อง",
}


@pytest.mark.parametrize("locale", ["vi-VN", "th-TH"])
def test_an_e_invoice_is_asked_for_with_the_keyboard(
    live_server, signed_in, make_user, artifacts, locale
):
    language = locale[:2]
    make_user("sales", username="lan", first_name="Lan", language=language)
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    stocked_variant(
        warehouse, 10, price="150000", sku="AO-1", product=ProductFactory(name="Áo thun cổ tròn")
    )
    customer = make_customer("Nguyễn Văn An", phones=("0912 345 678",))
    page = signed_in(
        "lan",
        next_url=f"/orders/new/?customer={customer.pk}",
        locale=locale,
        viewport={"width": 1280, "height": 1100},
    )

    page.keyboard.press("F4")
    page.keyboard.type("AO-1")
    page.keyboard.press("Enter")
    expect(page.locator("#of-lines tr.of-line")).to_have_count(1)

    section = page.locator("#of-invoice")
    expect(section).not_to_have_attribute("open", "")
    page.keyboard.press("F6")
    expect(section).to_have_attribute("open", "")
    expect(page.locator("#id_inv-wants")).to_be_focused()
    page.locator("#id_inv-wants").select_option("yes")
    page.locator("#id_inv-buyer_type").select_option("company")
    page.locator("#id_inv-tax_code").fill("0314409059")
    page.locator("#id_inv-legal_name").fill("Công ty TNHH Hoa Sen")
    page.locator("#id_inv-address").fill("12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh")
    page.locator("#id_inv-email").fill("ketoan@hoasen.vn")
    page.keyboard.press("Control+Enter")

    page.wait_for_load_state("networkidle")
    expect(section).to_have_attribute("open", "")
    error = section.locator(".field--error small.error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text(WRONG[locale])
    assert Order.objects.count() == 0
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"phone_order_invoice_{language}.png"), full_page=True)

    page.locator("#id_inv-tax_code").fill("0314409058")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/orders/\d+/$"))
    order = Order.objects.get()
    assert OrderInvoiceRequest.objects.filter(order=order).values_list(
        "wants_invoice", "buyer_type", "tax_code", "legal_name"
    ).get() == (True, "company", "0314409058", "Công ty TNHH Hoa Sen")
    asked = page.locator("#order-invoice-request")
    expect(asked).to_contain_text("Công ty TNHH Hoa Sen")
    expect(asked).to_contain_text("0314409058")
    page.screenshot(path=str(artifacts / f"order_invoice_request_{language}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["vi-VN", "th-TH"])
def test_the_customers_default_invoice_details_inline(
    live_server, signed_in, make_user, artifacts, locale
):
    language = locale[:2]
    make_user("manager", username="ha", first_name="Hà", language=language)
    customer = make_customer(
        "Nguyễn Văn An",
        phones=("0912 345 678",),
        company="Công ty TNHH Minh An",
        tax_code="0100233488",
    )
    page = signed_in("ha", next_url=f"/customers/{customer.pk}/", locale=locale)
    card = page.locator("#customer-invoice")
    card.locator("a.btn").click()
    expect(card.locator("select[name=buyer_type]")).to_be_visible()
    card.locator("input[name=wants]").check()
    card.locator("select[name=buyer_type]").select_option("company")
    card.locator("input[name=address]").fill("5 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh")
    card.locator("input[name=email]").fill("ketoan@")
    card.locator("button[type=submit]").click()
    expect(card.locator(".field--error small.error")).to_have_count(1)
    page.screenshot(path=str(artifacts / f"customer_invoice_form_{language}.png"), full_page=True)
    card.locator("input[name=email]").fill("ketoan@minhan.vn")
    card.locator("button[type=submit]").click()
    expect(card.locator("dl")).to_contain_text("ketoan@minhan.vn")
    expect(card.locator("dl")).to_contain_text("0100233488")
    page.screenshot(path=str(artifacts / f"customer_invoice_{language}.png"), full_page=True)
