"""The assistant's tools over live data: exact results."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.models import Conversation
from assistant.toolbox import TOOLS, run_tool
from assistant.tools import (
    ToolContext,
    order_status,
    request_call_back,
    search_products,
    shipping_fee_estimate,
    variant_price_stock,
)
from followups.models import ContactRequest, FollowUp
from inventory.services.stock import stock_reserve
from tests.assistant.conftest import NOW
from tests.orders.factories import make_customer, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(db) -> ToolContext:
    conversation = Conversation.objects.create(channel="web", external_user_id="v1")
    return ToolContext(conversation.pk, 1, NOW)


def _skus(result) -> list[str]:
    return [item["sku"] for item in result.data["items"]]


def test_search_vietnamese_with_and_without_diacritics(catalogue, ctx):
    with_marks = search_products(ctx, query="áo thun đỏ size M")
    without = search_products(ctx, query="ao thun do size m")
    assert _skus(with_marks) == ["AT-DO-M", "AT-DO-L", "AT-TRANG-M"]
    assert _skus(without) == ["AT-DO-M", "AT-DO-L", "AT-TRANG-M"]
    assert with_marks.data["items"][0] == {
        "sku": "AT-DO-M",
        "name": "Áo thun Basic (Đỏ / M)",
        "product": "Áo thun Basic",
        "options": ["Đỏ", "M"],
        "price": "150000",
        "currency": "VND",
        "available": 5,
        "score": 100,
    }


def test_search_thai_english_sku_and_typo(catalogue, ctx):
    assert _skus(search_products(ctx, query="มีเสื้อยืดคอกลมไหม")) == ["TH-TEE-01"]
    assert _skus(search_products(ctx, query="canvas tote")) == ["BAG-01"]
    assert _skus(search_products(ctx, query="qj-32")) == ["QJ-32"]
    assert _skus(search_products(ctx, query="quan jaen slim")) == ["QJ-32"]
    assert _skus(search_products(ctx, query="điện thoại")) == []


def test_price_and_stock_are_live(catalogue, ctx):
    stock_reserve(variant_id=catalogue.red_m.pk, warehouse_id=catalogue.warehouse.pk, quantity=2)
    result = variant_price_stock(ctx, sku="at-do-m")
    assert result.ok
    assert (result.data["price"], result.data["available"]) == ("150000", 3)
    assert variant_price_stock(ctx, sku="NOPE").data == {"error": "unknown_sku"}


def test_order_status_only_for_the_phone_on_the_order(catalogue, ctx):
    customer = make_customer(phones=("0912 345 678",))
    order = make_order(customer, catalogue.warehouse, [(catalogue.jeans, 1)])
    good = order_status(ctx, order_number=order.number.lower(), phone="+84 912-345-678")
    assert good.ok
    assert good.data["order_number"] == order.number
    assert (good.data["status"], good.data["total"]) == ("new", "450000")
    assert good.data["items"] == [{"sku": "QJ-32", "name": "Quần jean Slim", "quantity": 1}]
    wrong = order_status(ctx, order_number=order.number, phone="0987 654 321")
    unknown = order_status(ctx, order_number="SO999999", phone="0912 345 678")
    assert (wrong.ok, wrong.data) == (False, {"error": "not_found_or_phone_mismatch"})
    assert unknown.data == wrong.data


def test_shipping_flat_rule_and_free_from(catalogue, ctx, settings):
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "30000"
    settings.ASSISTANT_FREE_SHIPPING_FROM = None
    result = shipping_fee_estimate(ctx, province="Hà Nội", goods_value="900000")
    assert result.data == {"source": "flat", "fee": "30000", "currency": "VND"}
    settings.ASSISTANT_FREE_SHIPPING_FROM = "500000"
    assert shipping_fee_estimate(ctx, province="Hà Nội", goods_value="500000").data["fee"] == "0"
    assert shipping_fee_estimate(ctx, province="Hà Nội", goods_value="499999").data["fee"] == (
        "30000"
    )


def test_call_back_is_a_red_contact_request_for_the_owner(catalogue, ctx, make_user):
    make_user("sales")
    owner = make_user("owner")
    result = request_call_back(ctx, name="Chị Lan", phone="0912 345 678", note="gọi sau 5h")
    assert result.ok
    request = ContactRequest.objects.get()
    assert result.data == {"request_id": request.pk, "phone": "0912 345 678"}
    assert (request.source, request.phone, request.message) == (
        "assistant",
        "+84912345678",
        "gọi sau 5h",
    )
    thread = FollowUp.objects.get(contact_request=request)
    assert (thread.assignee_id, thread.next_contact_at) == (owner.pk, NOW)
    assert request.next_contact_at == NOW  # due now: the red marker


def test_call_back_with_a_bad_phone_creates_nothing(catalogue, ctx):
    result = request_call_back(ctx, name="Lan", phone="123")
    assert (result.ok, result.data["error"]) == (False, "refused")
    assert ContactRequest.objects.count() == 0


def test_run_tool_checks_arguments_against_the_schema(catalogue, ctx):
    assert set(TOOLS) == {
        "search_products",
        "variant_price_stock",
        "order_status",
        "shipping_fee_estimate",
        "prepare_draft_order",
        "create_draft_order",
        "request_call_back",
    }
    assert run_tool(ctx, "variant_price_stock", {"sku": 5}).data == {"error": "bad_arguments"}
    assert run_tool(ctx, "variant_price_stock", {"sku": "X", "y": 1}).data == {
        "error": "bad_arguments"
    }
    assert run_tool(ctx, "drop_table", {}).data == {"error": "unknown_tool"}
    assert run_tool(ctx, "variant_price_stock", {"sku": "BAG-01"}).data["price"] == "120000"
    assert TOOLS["order_status"].schema()["function"]["parameters"]["required"] == [
        "order_number",
        "phone",
    ]


def test_prices_are_decimal_strings_in_thb(catalogue, ctx, settings):
    settings.SHOP_CURRENCY = "THB"
    result = variant_price_stock(ctx, sku="TH-TEE-01")
    assert (result.data["price"], result.data["currency"]) == ("199000.00", "THB")
    assert Decimal(result.data["price"]) == Decimal("199000")
