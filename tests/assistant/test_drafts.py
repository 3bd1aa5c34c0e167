"""A draft order only after the read-back and a yes in a later message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.drafts import draft_order_create, draft_read_back
from assistant.models import Conversation, Message
from assistant.tools import ToolContext
from orders.models import Order
from tests.assistant.conftest import NOW
from tests.orders.factories import level

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "Nguyễn Văn An",
    "phone": "0912 345 678",
    "street": "12 Lê Lợi",
    "ward": "Phường Bến Nghé",
    "province": "TP. Hồ Chí Minh",
}


def _turn(conversation: Conversation, text: str) -> ToolContext:
    message = Message.objects.create(
        conversation=conversation, direction="in", author="customer", text=text
    )
    return ToolContext(conversation.pk, message.pk, NOW)


@pytest.fixture
def conversation(db) -> Conversation:
    return Conversation.objects.create(channel="zalo", external_user_id="z1")


def test_read_back_then_yes_creates_the_draft_order(catalogue, conversation, settings):
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "30000"
    settings.ASSISTANT_FREE_SHIPPING_FROM = None
    ctx = _turn(conversation, "mua 2 áo đỏ M")
    read_back = draft_read_back(ctx, items=[{"sku": "at-do-m", "quantity": 2}], **ADDRESS)
    assert read_back.ok
    token = read_back.data["token"]
    assert read_back.data["lines"] == [
        {
            "variant_id": catalogue.red_m.pk,
            "sku": "AT-DO-M",
            "name": "Áo thun Basic (Đỏ / M)",
            "quantity": 2,
            "unit_price": "150000",
            "line_total": "300000",
        }
    ]
    assert (read_back.data["shipping_fee"], read_back.data["total"]) == ("30000", "330000")
    assert Order.objects.count() == 0
    created = draft_order_create(_turn(conversation, "đồng ý"), token=token)
    assert created.ok
    order = Order.objects.get()
    assert (order.number, order.status, order.channel) == (
        created.data["order_number"],
        "new",
        "chat",
    )
    assert (order.total, order.shipping_fee, order.ship_phone) == (
        Decimal("330000"),
        Decimal("30000"),
        "+84912345678",
    )
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("AT-DO-M", 2, Decimal("150000"))
    ]
    assert level(catalogue.red_m, catalogue.warehouse) == (5, 0)  # a draft reserves nothing
    conversation.refresh_from_db()
    assert conversation.draft == {}
    assert conversation.verified_orders == [order.number]
    assert conversation.customer_id == order.customer_id


def test_no_order_without_read_back_or_in_the_same_message(catalogue, conversation):
    ctx = _turn(conversation, "mua 1 quần jean, đồng ý luôn")
    assert draft_order_create(ctx, token="guess").data == {"error": "not_confirmed"}
    read_back = draft_read_back(ctx, items=[{"sku": "QJ-32", "quantity": 1}], **ADDRESS)
    same_turn = draft_order_create(ctx, token=read_back.data["token"])
    assert same_turn.data == {"error": "not_confirmed"}
    wrong = draft_order_create(_turn(conversation, "ok"), token="deadbeef")
    assert wrong.data == {"error": "not_confirmed"}
    assert Order.objects.count() == 0


def test_a_price_change_after_the_read_back_voids_the_token(catalogue, conversation):
    ctx = _turn(conversation, "mua")
    token = draft_read_back(ctx, items=[{"sku": "QJ-32", "quantity": 1}], **ADDRESS).data["token"]
    catalogue.jeans.sale_price = Decimal("400000")
    catalogue.jeans.save()
    result = draft_order_create(_turn(conversation, "yes"), token=token)
    assert result.data == {"error": "changed_since_read_back"}
    assert Order.objects.count() == 0
    conversation.refresh_from_db()
    assert conversation.draft == {}


def test_read_back_refuses_more_than_available_and_bad_details(catalogue, conversation):
    ctx = _turn(conversation, "mua")
    too_many = draft_read_back(ctx, items=[{"sku": "QJ-32", "quantity": 3}], **ADDRESS)
    assert too_many.data == {"error": "not_enough_stock", "sku": "QJ-32"}
    bad_phone = draft_read_back(
        ctx, items=[{"sku": "QJ-32", "quantity": 1}], **{**ADDRESS, "phone": "12"}
    )
    assert bad_phone.data == {"error": "bad_phone"}
    no_ward = draft_read_back(
        ctx, items=[{"sku": "QJ-32", "quantity": 1}], **{**ADDRESS, "ward": ""}
    )
    assert (no_ward.ok, no_ward.data["error"]) == (False, "bad_address")
    conversation.refresh_from_db()
    assert conversation.draft == {}
