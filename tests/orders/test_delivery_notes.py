"""Issue 10, per-order print: the delivery note PDF (one page per order) from the order page
and the order list's bulk bar, read back through pdftotext."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from inventory.services.shop import shop_profile_save
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_cancel
from tests.inventory.factories import ProductFactory
from tests.inventory.test_purchasing_pdf import needs_pdf, pdf_text
from tests.orders.factories import (
    BANGKOK_ADDRESS,
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres("the orders are made by the services")]

D = Decimal
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def shop(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_CURRENCY = "VND"
    shop_profile_save(
        name="Cửa hàng Ánh Dương",
        address="45 Hai Bà Trưng, Quận 1, TP. Hồ Chí Minh",
        phone="028 3822 1234",
        email="",
        tax_code="0100112437",
        user_id=None,
    )
    hcm = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(
        hcm,
        10,
        price="150000",
        sku="AO-001",
        product=ProductFactory(name="Áo thun"),
        option1="Đỏ",
        option2="XL",
    )
    silk = stocked_variant(
        hcm, 10, price="450000", sku="SILK-01", product=ProductFactory(name="ผ้าไหมไทย")
    )
    buyer = make_customer("Nguyễn Văn An")
    order = order_create(
        customer_id=buyer.pk,
        warehouse_id=hcm.pk,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=2, discount=D("20000")),
            LineInput(variant_id=silk.pk, quantity=1),
        ],
        channel="phone",
        payment_method="cod",
        discount_total=D("30000"),
        shipping_fee=D("25000"),
        notes="Giao giờ hành chính",
        user_id=None,
        now=datetime(2026, 3, 9, 23, 30, tzinfo=HCM),
    )
    return {"hcm": hcm, "shirt": shirt, "silk": silk, "buyer": buyer, "order": order}


def page_lines(text: str) -> list[list[str]]:
    """pdftotext's pages, each as its non-empty lines with spaces collapsed."""
    return [
        [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        for page in text.split("\f")
        if page.strip()
    ]


@needs_pdf
def test_one_order_prints_on_one_page_with_everything_the_packer_needs(client, login_as, shop):
    login_as("warehouse")
    order = shop["order"]
    # 2 x 150.000 - 20.000 = 280.000; + 450.000 = 730.000; - 30.000 + 25.000 = 725.000
    assert (order.subtotal, order.total) == (D("730000"), D("725000"))
    order_payment_record(
        order_id=order.pk, kind="payment", amount=D("100000"), method="cash", user_id=None
    )
    response = client.get(reverse("orders:order_delivery_note", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{order.number}.pdf"'
    pages = page_lines(pdf_text(response.content))
    assert len(pages) == 1
    lines = pages[0]
    for expected in [
        "Cửa hàng Ánh Dương DELIVERY NOTE",
        "45 Hai Bà Trưng, Quận 1, TP. Hồ Chí Minh",
        f"028 3822 1234 {order.number}",
        "Tax code: 0100112437 Date: 09/03/2026",
        "DELIVER TO",
        "Nguyễn Văn An",
        "0912 345 678",
        "12 Lê Lợi",
        "Phường Bến Nghé, Quận 1",
        "TP. Hồ Chí Minh, Vietnam",
        "SKU PRODUCT QTY PRICE AMOUNT",
        "AO-001 Áo thun (Đỏ / XL) 2 ₫150,000 ₫280,000",
        "Discount: \u2212₫20,000",
        "SILK-01 ผ้าไหมไทย 1 ₫450,000 ₫450,000",
        "Subtotal ₫730,000",
        "Order discount \u2212₫30,000",
        "Shipping fee ₫25,000",
        "Total ₫725,000",
        "COD to collect ₫625,000",  # 725.000 total - 100.000 already paid
        "Note: Giao giờ hành chính",
    ]:
        assert expected in lines, "\n".join(lines)


@needs_pdf
def test_the_bulk_action_prints_one_page_per_selected_order(client, login_as, shop):
    login_as("sales")
    first = shop["order"]
    thai = make_customer("Somchai Jaidee", phones=("081-234-5678",), addresses=(BANGKOK_ADDRESS,))
    second = make_order(thai, shop["hcm"], [(shop["silk"], 3)], payment_method="bank_transfer")
    cancelled = make_order(shop["buyer"], shop["hcm"], [(shop["shirt"], 1)])
    order_cancel(order_id=cancelled.pk, user_id=None)
    response = client.post(
        reverse("orders:order_bulk_delivery_notes"),
        {"order": [second.pk, cancelled.pk, first.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('inline; filename="delivery-notes-')
    pages = page_lines(pdf_text(response.content))
    assert len(pages) == 3
    assert any(first.number in line for line in pages[0])
    assert any(second.number in line for line in pages[1])
    for expected in [
        "Somchai Jaidee",
        "+66 81 234 5678",
        "99/1 Sukhumvit Soi 11",
        "Khlong Toei Nuea, Watthana",
        "Bangkok 10110, Thailand",
        "SILK-01 ผ้าไหมไทย 3 ₫450,000 ₫1,350,000",
        "Total ₫1,350,000",
        "Payment: Bank transfer",
    ]:
        assert expected in pages[1], "\n".join(pages[1])
    assert not any("COD to collect" in line for line in pages[1])
    assert pages[2] == [f"Left out (cancelled): {cancelled.number}", "3/3"]


def test_printing_needs_the_export_permission(client, make_user, shop):
    order = shop["order"]
    single = reverse("orders:order_delivery_note", args=[order.pk])
    bulk = reverse("orders:order_bulk_delivery_notes")
    user = make_user("accountant")
    user.groups.clear()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="orders", codename="view_order")
    )
    client.force_login(user)
    assert client.get(single).status_code == 403
    assert client.post(bulk, {"order": [order.pk]}).status_code == 403
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert single not in page
    client.logout()
    assert client.get(single).status_code == 302  # to the login page


def test_the_order_page_and_the_list_offer_printing(client, login_as, shop):
    login_as("warehouse")
    order = shop["order"]
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    single = reverse("orders:order_delivery_note", args=[order.pk])
    assert f'href="{single}" target="_blank" rel="noopener" data-shortcut="p"' in page
    listing = client.get(reverse("orders:order_list")).content.decode()
    assert f'formaction="{reverse("orders:order_bulk_delivery_notes")}"' in listing
    cancelled = make_order(shop["buyer"], shop["hcm"], [(shop["shirt"], 1)])
    order_cancel(order_id=cancelled.pk, user_id=None)
    gone = client.get(reverse("orders:order_detail", args=[cancelled.pk])).content.decode()
    assert reverse("orders:order_delivery_note", args=[cancelled.pk]) not in gone
    assert client.get(reverse("orders:order_delivery_note", args=[999999])).status_code == 404
    nothing = client.post(reverse("orders:order_bulk_delivery_notes"), {}, follow=True)
    assert nothing.redirect_chain == [(reverse("orders:order_list"), 302)]
