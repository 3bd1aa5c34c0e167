"""The VAT category in Chromium, in Vietnamese and Thai: the product editor's variant row offers
it beside the rate, the product page shows it, and the order page shows KCT / KKKNT on its
lines. Screenshots in test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inventory.models import VatCategory
from inventory.services.catalogue import VariantInput, product_create
from orders.models import Order
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.mark.parametrize(
    ("locale", "kct", "kkknt"),
    [
        ("vi-VN", "Không chịu thuế GTGT (KCT)", "Không kê khai, tính nộp thuế (KKKNT)"),
        ("th-TH", "ไม่อยู่ในบังคับภาษีมูลค่าเพิ่ม (KCT)", "ไม่ต้องยื่นแบบและชำระภาษีมูลค่าเพิ่ม (KKKNT)"),
    ],
)
def test_the_category_on_the_product_editor_product_page_and_order(
    live_server, signed_in, make_user, artifacts, locale, kct, kkknt
):
    warehouse = WarehouseFactory(code="HCM01")
    product = product_create(
        name="Nông sản Bình An",
        options=[("Loại", ["Gạo ST25", "Hạt giống", "Cà phê nhân"])],
        variants=[
            VariantInput(
                sku="GAO-ST25", options=("Gạo ST25",), sale_price=D(105000), vat_rate=D(5)
            ),
            VariantInput(
                sku="HAT-CAI",
                options=("Hạt giống",),
                sale_price=D(12000),
                vat_category=VatCategory.NOT_SUBJECT,
                vat_rate=D(0),
                initial_stock={warehouse.pk: 10},
            ),
            VariantInput(
                sku="CAPHE-NHAN",
                options=("Cà phê nhân",),
                sale_price=D(95000),
                vat_category=VatCategory.NOT_DECLARED,
                vat_rate=D(0),
                initial_stock={warehouse.pk: 10},
            ),
        ],
    )
    make_user("manager", username="quanly")
    short = locale[:2]
    detail = reverse("inventory:product_detail", args=[product.pk])
    page = signed_in("quanly", next_url=detail, locale=locale)
    table = page.locator("table").filter(has_text="HAT-CAI")
    expect(table).to_contain_text(kct)
    expect(table).to_contain_text(kkknt)
    page.screenshot(path=str(artifacts / f"vat-category-product-{short}.png"), full_page=True)

    page.goto(live_server.url + reverse("inventory:product_edit", args=[product.pk]))
    select = page.locator("select[name^='v-'][name$='-vat_category']")
    expect(select).to_have_count(3)
    expect(select.nth(1)).to_have_value("not_subject")
    page.screenshot(path=str(artifacts / f"vat-category-editor-{short}.png"), full_page=True)

    variants = {v.sku: v for v in product.variants.all()}
    order = order_create(
        customer_id=make_customer().pk,
        warehouse_id=warehouse.pk,
        lines=[
            LineInput(variant_id=variants["HAT-CAI"].pk, quantity=3),
            LineInput(variant_id=variants["CAPHE-NHAN"].pk, quantity=1),
        ],
        channel=Order.Channel.PHONE,
        payment_method="cod",
        user_id=None,
    )
    page.goto(live_server.url + reverse("orders:order_detail", args=[order.pk]))
    lines = page.locator("table").filter(has_text="CAPHE-NHAN").first
    expect(lines).to_contain_text("KCT")
    expect(lines).to_contain_text("KKKNT")
    page.screenshot(path=str(artifacts / f"vat-category-order-{short}.png"), full_page=True)
