"""Issue 10, purchase orders: a partly received order closed short (its open units stop
counting as incoming, an event records why), and the shop's own details (name, address, tax
code) edited on the shop settings page and printed on the purchase order PDF."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.errors import DocumentStateError, InventoryError
from inventory.models import PurchaseOrder, PurchaseOrderEvent, ShopProfile
from inventory.selectors.purchasing import reorder_suggestions, supplier_list
from inventory.selectors.shop import ShopDetails, shop_details
from inventory.services.purchasing import (
    ReceiptLineInput,
    goods_receipt_post,
    purchase_order_close,
)
from inventory.services.shop import shop_profile_save
from inventory.services.suppliers import InvalidTaxCode
from tests.inventory.factories import SupplierFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_purchasing import make_order
from tests.inventory.test_purchasing_pdf import needs_pdf, pdf_text

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def partial():
    """PO for 10 shirts and 5 mugs, 4 shirts received: 6 + 5 units still open."""
    supplier = SupplierFactory(name="Dệt May Hòa Bình")
    hcm = WarehouseFactory(code="HCM01")
    shirt = VariantFactory(sku="AO-1", low_stock_threshold=20, preferred_supplier=supplier)
    mug = VariantFactory(sku="LY-1", low_stock_threshold=20, preferred_supplier=supplier)
    order = make_order(
        supplier=supplier,
        warehouse=hcm,
        lines=[(shirt, 10, "80000"), (mug, 5, "20000")],
        confirm=True,
    )
    shirt_line = order.lines.get(variant=shirt)
    goods_receipt_post(order_id=order.pk, lines=[ReceiptLineInput(shirt_line.pk, 4)])
    order.refresh_from_db()
    assert order.status == "partial"
    return {"order": order, "supplier": supplier, "shirt": shirt, "mug": mug, "hcm": hcm}


def incoming(plan) -> dict[str, int]:
    return {line.variant.sku: line.incoming for group in plan.groups for line in group.lines}


def test_closing_short_stops_the_open_units_counting_as_incoming(partial, make_user):
    user = make_user("manager")
    order = partial["order"]
    assert incoming(reorder_suggestions()) == {"AO-1": 6, "LY-1": 5}
    assert supplier_list().get(pk=partial["supplier"].pk).open_orders == 1

    closed = purchase_order_close(
        order_id=order.pk, reason="  Nhà cung cấp hết hàng  ", user_id=user.pk
    )

    assert PurchaseOrder.objects.get(pk=order.pk).status == closed.status == "closed"
    event = PurchaseOrderEvent.objects.get(order=order)
    assert (event.kind, event.reason, event.data, event.user_id) == (
        "closed",
        "Nhà cung cấp hết hàng",
        {"open": [{"sku": "AO-1", "quantity": 6}, {"sku": "LY-1", "quantity": 5}]},
        user.pk,
    )
    assert incoming(reorder_suggestions()) == {"AO-1": 0, "LY-1": 0}
    assert supplier_list().get(pk=partial["supplier"].pk).open_orders == 0
    # nothing more can be received on it, nor can it be closed twice
    with pytest.raises(DocumentStateError):
        goods_receipt_post(
            order_id=order.pk,
            lines=[ReceiptLineInput(order.lines.get(variant=partial["mug"]).pk, 1)],
        )
    with pytest.raises(DocumentStateError) as twice:
        purchase_order_close(order_id=order.pk, reason="again", user_id=None)
    assert str(twice.value) == (
        f"{order.number} is Closed short: only a partly received order can be closed short."
    )
    assert PurchaseOrderEvent.objects.count() == 1


def test_close_needs_a_reason_and_a_partly_received_order(partial):
    order = partial["order"]
    with pytest.raises(InventoryError) as no_reason:
        purchase_order_close(order_id=order.pk, reason="   ", user_id=None)
    assert str(no_reason.value) == "Say why the order is closed short."
    fresh = make_order(
        supplier=partial["supplier"],
        warehouse=partial["hcm"],
        lines=[(partial["mug"], 3, "20000")],
        confirm=True,
    )
    with pytest.raises(DocumentStateError) as confirmed:
        purchase_order_close(order_id=fresh.pk, reason="late", user_id=None)
    assert str(confirmed.value) == (
        f"{fresh.number} is Confirmed: only a partly received order can be closed short."
    )
    assert list(PurchaseOrder.objects.order_by("pk").values_list("status", flat=True)) == [
        "partial",
        "confirmed",
    ]
    assert PurchaseOrderEvent.objects.count() == 0


def test_close_short_from_the_detail_page(client, login_as, partial):
    order = partial["order"]
    url = reverse("inventory:purchase_order_close", args=[order.pk])
    detail = reverse("inventory:purchase_order_detail", args=[order.pk])
    login_as("warehouse")  # may receive goods, not change orders
    assert f'action="{url}"' not in client.get(detail).content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 403
    login_as("manager", first_name="Hà", last_name="Lê")
    page = client.get(detail).content.decode()
    assert f'action="{url}"' in page
    empty = client.post(url, {"reason": ""}, follow=True)
    assert [str(m) for m in empty.context["messages"]] == ["Say why the order is closed short."]
    assert PurchaseOrder.objects.get(pk=order.pk).status == "partial"
    response = client.post(url, {"reason": "Hết hàng"}, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert [str(m) for m in response.context["messages"]] == [f"{order.number} closed short."]
    assert PurchaseOrder.objects.get(pk=order.pk).status == "closed"
    content = response.content.decode()
    assert "Hết hàng" in content
    assert content.count('data-testid="po-event"') == 1
    assert f'action="{url}"' not in content  # no second close


def test_shop_details_fall_back_to_the_setting_until_saved(settings, make_user):
    settings.SHOP_NAME = "Ánh Dương"
    assert shop_details() == ShopDetails(name="Ánh Dương")
    user = make_user("manager")
    shop_profile_save(
        name=" Cửa hàng Ánh Dương ",
        address="12 Lê Lợi, Quận 1\nTP. Hồ Chí Minh",
        phone="028 3822 1234",
        email="shop@anhduong.vn",
        tax_code="0100112437",
        user_id=user.pk,
    )
    assert shop_details() == ShopDetails(
        name="Cửa hàng Ánh Dương",
        address="12 Lê Lợi, Quận 1\nTP. Hồ Chí Minh",
        phone="028 3822 1234",
        email="shop@anhduong.vn",
        tax_code="0100112437",
    )
    with pytest.raises(InvalidTaxCode):
        shop_profile_save(
            name="X", address="", phone="", email="", tax_code="0100112438", user_id=None
        )
    assert ShopProfile.objects.get().name == "Cửa hàng Ánh Dương"


def test_shop_settings_page(client, login_as):
    url = reverse("shop_settings")
    login_as("sales")
    assert client.get(url).status_code == 403
    login_as("manager")
    data = {
        "name": "Cửa hàng Ánh Dương",
        "address": "12 Lê Lợi",
        "phone": "028 3822 1234",
        "email": "shop@anhduong.vn",
        "tax_code": "0100112438",  # wrong check digit
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "tax_code": ["The tax code 0100112438 has a wrong check digit: please check the 10 digits."]
    }
    assert ShopProfile.objects.count() == 0
    saved = client.post(url, {**data, "tax_code": "0100112437-001"}, follow=True)
    assert saved.redirect_chain == [(url, 302)]
    assert [str(m) for m in saved.context["messages"]] == ["Shop details saved."]
    profile = ShopProfile.objects.get()
    assert (profile.name, profile.tax_code) == ("Cửa hàng Ánh Dương", "0100112437-001")
    assert saved.context["form"].initial["tax_code"] == "0100112437-001"


@needs_pdf
def test_the_purchase_order_pdf_prints_the_shop_details(client, login_as, partial, settings):
    settings.SHOP_NAME = "Tên trong cấu hình"
    shop_profile_save(
        name="Cửa hàng Ánh Dương",
        address="12 Lê Lợi, Quận 1, TP. Hồ Chí Minh",
        phone="028 3822 1234",
        email="shop@anhduong.vn",
        tax_code="0100112437",
        user_id=None,
    )
    login_as("accountant")
    response = client.get(reverse("inventory:purchase_order_pdf", args=[partial["order"].pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for words in [
        "Cửa hàng Ánh Dương",
        "12 Lê Lợi, Quận 1, TP. Hồ Chí Minh",
        "028 3822 1234 · shop@anhduong.vn",
        "Tax code: 0100112437",
    ]:
        assert words in text, words
    assert "Tên trong cấu hình" not in text
