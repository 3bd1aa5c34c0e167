"""An order line snapshots its variant's VAT category (rate, not subject KCT, not declared
KKKNT) wherever lines are made: the phone order service and page, an edit, a return's exchange
and the website API. Lines without a rate carry no VAT; the totals mean what they meant."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import Variant, VatCategory
from orders.errors import OrderError
from orders.models import Order, OrderLine
from orders.services.orders.create import order_create
from orders.services.orders.edit import order_update
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import order_confirm, order_ship
from orders.services.returns import ReturnLineInput, return_create
from orders.services.websites import website_create
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    warehouse = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(warehouse, 20, price="165000", vat="10", sku="AO-01")
    seeds = stocked_variant(
        warehouse,
        20,
        price="12000",
        vat="0",
        sku="HAT-01",
        vat_category=VatCategory.NOT_SUBJECT,
    )
    coffee = stocked_variant(
        warehouse,
        20,
        price="95000",
        vat="0",
        sku="CAPHE-01",
        vat_category=VatCategory.NOT_DECLARED,
    )
    return {"warehouse": warehouse, "shirt": shirt, "seeds": seeds, "coffee": coffee}


def _create(shop, lines, **fields) -> Order:
    return order_create(
        customer_id=make_customer().pk,
        warehouse_id=shop["warehouse"].pk,
        lines=lines,
        channel=Order.Channel.PHONE,
        payment_method="cod",
        user_id=None,
        **fields,
    )


def _vat(order: Order) -> list[tuple[str, str, Decimal, Decimal]]:
    return list(
        order.lines.order_by("pk").values_list("sku", "vat_category", "vat_rate", "vat_amount")
    )


def test_a_phone_order_snapshots_the_category(shop) -> None:
    """2 x 165,000 at 10 % contains 30,000 VAT; 3 x 12,000 KCT and 1 x 95,000 KKKNT none.
    Total 330,000 + 36,000 + 95,000 + 20,000 shipping = 481,000."""
    order = _create(
        shop,
        [
            LineInput(variant_id=shop["shirt"].pk, quantity=2),
            LineInput(variant_id=shop["seeds"].pk, quantity=3),
            LineInput(variant_id=shop["coffee"].pk, quantity=1),
        ],
        shipping_fee=D(20000),
    )
    assert _vat(order) == [
        ("AO-01", "rate", D(10), D(30000)),
        ("HAT-01", "not_subject", D(0), D(0)),
        ("CAPHE-01", "not_declared", D(0), D(0)),
    ]
    assert (order.subtotal, order.vat_total, order.total) == (D(461000), D(30000), D(481000))
    # A snapshot: the catalogue changing later does not change the line.
    Variant.objects.filter(pk=shop["seeds"].pk).update(vat_category="rate", vat_rate=D(5))
    assert OrderLine.objects.get(sku="HAT-01").vat_category == "not_subject"


def test_a_rate_given_for_a_kct_line_is_refused_and_nothing_is_made(shop) -> None:
    with pytest.raises(OrderError) as refused:
        _create(shop, [LineInput(variant_id=shop["seeds"].pk, quantity=1, vat_rate=D(10))])
    assert str(refused.value) == "HAT-01 is not subject to VAT or not declared: its VAT rate is 0."
    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)


def test_an_edit_keeps_the_lines_category_and_adds_new_ones_from_the_catalogue(shop) -> None:
    order = _create(shop, [LineInput(variant_id=shop["seeds"].pk, quantity=1)])
    line = order.lines.get()
    # The product is reclassified after the order was taken: the kept line stays KCT.
    Variant.objects.filter(pk=shop["seeds"].pk).update(vat_category="rate", vat_rate=D(5))
    order = order_update(
        order_id=order.pk,
        user_id=None,
        lines=[
            LineInput(variant_id=shop["seeds"].pk, quantity=2, line_id=line.pk),
            LineInput(variant_id=shop["coffee"].pk, quantity=1),
        ],
    )
    assert _vat(order) == [
        ("HAT-01", "not_subject", D(0), D(0)),
        ("CAPHE-01", "not_declared", D(0), D(0)),
    ]
    assert (order.vat_total, order.total) == (D(0), D(119000))


def test_an_exchange_takes_the_category_of_the_new_goods(shop) -> None:
    order = _create(shop, [LineInput(variant_id=shop["shirt"].pk, quantity=1)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order_return = return_create(
        order_id=order.pk,
        lines=[ReturnLineInput(order.lines.get().pk, 1, "good")],
        user_id=None,
        exchange_lines=[LineInput(variant_id=shop["coffee"].pk, quantity=1)],
    )
    exchange = order_return.exchange_order
    assert exchange is not None
    assert _vat(exchange) == [("CAPHE-01", "not_declared", D(0), D(0))]


def test_the_website_api_snapshots_the_category(client, shop) -> None:
    _website, key = website_create(
        name="Web", code="main-site", warehouse_id=shop["warehouse"].pk, user_id=None
    )
    body = {
        "id": "WEB-7",
        "customer": {"name": "Trần Thị Bình", "phone": "0987 654 321"},
        "shipping_address": {
            "street": "45 Nguyễn Huệ",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
        },
        "items": [{"sku": "ao-01", "quantity": 1}, {"sku": "HAT-01", "quantity": 4}],
        "payment_method": "cod",
    }
    response = client.post(
        "/api/v1/orders",
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201
    order = Order.objects.get()
    assert _vat(order) == [
        ("AO-01", "rate", D(10), D(15000)),
        ("HAT-01", "not_subject", D(0), D(0)),
    ]
    assert (order.vat_total, order.total) == (D(15000), D(213000))


def test_the_order_pages_show_the_code(client, login_as, shop) -> None:
    order = _create(
        shop,
        [
            LineInput(variant_id=shop["seeds"].pk, quantity=1),
            LineInput(variant_id=shop["coffee"].pk, quantity=1),
        ],
    )
    login_as("manager")
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert ">KCT</td>" in page
    assert ">KKKNT</td>" in page
