"""The LLM engine over real HTTP against the scripted OpenAI-compatible server: the tool
round trip as the protocol defines it, the guardrails replacing an invented price, retries
on 429 and 5xx, and a timeout answered without the model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.eval.catalogue import ORDER_PHONE, Seeded, seed
from assistant.llm.client import ChatClient, LLMConfig
from assistant.llm.engine import LLMEngine
from assistant.models import Conversation, Message
from assistant.offline.render import hand_over_text
from assistant.sandbox.openai_server import ScriptedOpenAI
from assistant.services import conversation_receive
from common.external import AuthError, PermanentError, RateLimited, TransientError
from orders.models import Order

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def llm() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI(model="test-model", api_key="sk-test") as server:
        yield server


@pytest.fixture
def shop(db) -> Seeded:
    return seed(now=NOW)


def engine(server: ScriptedOpenAI, **config: float) -> LLMEngine:
    cfg = LLMConfig(server.base_url, "test-model", "sk-test", **config)  # type: ignore[arg-type]
    return LLMEngine(cfg, max_rounds=3)


def say(server: ScriptedOpenAI, text: str, user: str = "u1", **config: float):
    return conversation_receive(
        channel="web",
        external_user_id=user,
        text=text,
        raw={},
        now=NOW,
        engine=engine(server, **config),
    )


def test_tool_call_round_trip(llm, shop):
    llm.load(
        [
            {
                "tool_calls": [{"name": "variant_price_stock", "arguments": {"sku": "AT-DO-M"}}],
                "text": "Áo thun Basic Đỏ M giá {{price}} đ, còn {{available}} cái.",
            }
        ]
    )
    out = say(llm, "Áo đỏ size M giá bao nhiêu?")
    assert out.text == "Áo thun Basic Đỏ M giá 150000 đ, còn 5 cái."
    assert out.hand_over is False
    assert llm.invalid() == []
    first, second = (r.body for r in llm.requests)
    assert first["model"] == "test-model"
    assert first["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in first["tools"]] == [
        "search_products",
        "variant_price_stock",
        "order_status",
        "shipping_fee_estimate",
        "prepare_draft_order",
        "create_draft_order",
        "request_call_back",
        "hand_over_to_staff",
    ]
    assert llm.requests[0].headers["authorization"] == "Bearer sk-test"
    # The customer's words are only in a user message, as data; never in the system prompt.
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    assert "Áo đỏ" not in first["messages"][0]["content"]
    assert first["messages"][1]["content"] == '<customer>"Áo đỏ size M giá bao nhiêu?"</customer>'
    call = second["messages"][2]["tool_calls"][0]
    assert second["messages"][2]["role"] == "assistant"
    assert json.loads(call["function"]["arguments"]) == {"sku": "AT-DO-M"}
    tool = second["messages"][3]
    assert tool["role"] == "tool"
    assert tool["tool_call_id"] == call["id"]
    assert json.loads(tool["content"])["price"] == "150000"
    assert json.loads(tool["content"])["available"] == 5
    message = Message.objects.get(pk=out.message_id)
    assert message.engine == "llm"
    assert message.guardrail == ""
    assert message.tool_calls == [{"name": "variant_price_stock", "arguments": {"sku": "AT-DO-M"}}]


def test_invented_price_is_regenerated_then_templated(llm, shop):
    invented = {
        "tool_calls": [{"name": "variant_price_stock", "arguments": {"sku": "QJ-32"}}],
        "text": "Quần jean Slim chỉ 399000 đ thôi ạ!",
    }
    llm.load([invented, invented])
    out = say(llm, "quần jean QJ-32 bao nhiêu tiền")
    message = Message.objects.get(pk=out.message_id)
    assert message.guardrail == "templated"
    assert "399" not in out.text
    assert out.text == "- Quần jean Slim (SKU QJ-32): 450.000\xa0₫, còn 2 sản phẩm"
    # The regeneration was told why (as our text, in a system message), then refused again.
    correction = llm.requests[2].body["messages"][1]
    assert correction["role"] == "system"
    assert "number:399000" in correction["content"]
    assert len(llm.requests) == 4
    assert llm.remaining == 0


def test_invented_price_corrected_on_regeneration(llm, shop):
    llm.load(
        [
            {"text": "Túi Canvas Tote giá 99000 đ."},
            {
                "tool_calls": [{"name": "variant_price_stock", "arguments": {"sku": "BAG-01"}}],
                "text": "Canvas Tote Bag giá {{price}} đ.",
            },
        ]
    )
    out = say(llm, "giá túi tote?")
    assert out.text == "Canvas Tote Bag giá 120000 đ."
    assert Message.objects.get(pk=out.message_id).guardrail == "regenerated"


def test_rate_limited_then_answered_after_backoff(llm, shop):
    llm.load(
        [
            {"status": 429, "retry_after": 0.05},
            {"status": 500},
            {"text": "Xin chào! Bạn cần tìm sản phẩm nào ạ?"},
        ]
    )
    out = say(llm, "xin chào", max_retries=2, backoff=0.01)
    assert out.text == "Xin chào! Bạn cần tìm sản phẩm nào ạ?"
    assert [r.status for r in llm.requests] == [429, 500, 200]
    message = Message.objects.get(pk=out.message_id)
    assert message.raw["llm_attempts"] == 3


def test_rate_limit_beyond_retries_raises_the_family_error(llm):
    llm.load([{"status": 429, "retry_after": 0}, {"status": 429, "retry_after": 0}])
    client = ChatClient(LLMConfig(llm.base_url, "test-model", "sk-test", max_retries=1, backoff=0))
    with pytest.raises(RateLimited):
        client.complete([{"role": "user", "content": "hi"}])
    assert len(llm.requests) == 2


def test_bad_key_and_bad_request_are_not_retried(llm):
    client = ChatClient(LLMConfig(llm.base_url, "test-model", "sk-wrong", backoff=0))
    with pytest.raises(AuthError):
        client.complete([{"role": "user", "content": "hi"}])
    client = ChatClient(LLMConfig(llm.base_url, "other-model", "sk-test", backoff=0))
    with pytest.raises(PermanentError) as error:
        client.complete([{"role": "user", "content": "hi"}])
    assert error.value.code == "http_400"
    assert "model: other-model is not served" in error.value.message
    assert len(llm.requests) == 2


def test_timeout_hands_over_without_tool_results(llm, shop):
    llm.load([{"delay": 1.0}])
    out = say(llm, "shop ơi tư vấn giúp mình", timeout=0.3, max_retries=2)
    assert out.hand_over is True
    assert out.text == hand_over_text("vi")
    assert len(llm.requests) == 1  # a timeout is not retried: the customer is waiting
    conversation = Conversation.objects.get(external_user_id="u1")
    assert conversation.hand_over_reason == "unavailable"
    assert Message.objects.get(pk=out.message_id).raw["error"] == "timeout: ReadTimeout"


def test_timeout_after_a_tool_gives_the_templated_answer(llm, shop):
    llm.load(
        [
            {"tool_calls": [{"name": "variant_price_stock", "arguments": {"sku": "TH-TEE-01"}}]},
            {"delay": 1.0},
        ]
    )
    out = say(llm, "เสื้อยืดคอกลม TH-TEE-01 ราคาเท่าไหร่", timeout=0.3)
    assert out.text == "- เสื้อยืดคอกลม (SKU TH-TEE-01): ₫199,000 เหลือ 4 ชิ้น"
    assert out.hand_over is False
    assert Message.objects.get(pk=out.message_id).raw["llm_error"] == "timeout"
    assert [r.status for r in llm.requests] == [200, 200]
    assert llm.remaining == 0


def test_transient_error_family_for_unreachable_endpoint(db):
    client = ChatClient(LLMConfig("http://127.0.0.1:9/v1", "m", "k", max_retries=0))
    with pytest.raises(TransientError) as error:
        client.complete([{"role": "user", "content": "hi"}])
    assert error.value.code == "network"


def test_purchase_read_back_then_yes_creates_the_draft(llm, shop):
    args = {
        "items": [{"sku": "AT-TRANG-M", "quantity": 2}],
        "name": "Lê Hoa",
        "phone": "0901234567",
        "street": "5 Hai Bà Trưng",
        "ward": "Phường Bến Nghé",
        "district": "Quận 1",
        "province": "Hồ Chí Minh",
    }
    llm.load(
        [
            {
                "tool_calls": [{"name": "prepare_draft_order", "arguments": args}],
                "text": "2 x Áo thun Basic Trắng M = {{subtotal}} đ, ship {{shipping_fee}} đ, "
                "tổng {{total}} đ. Bạn đồng ý chứ?",
            },
            {
                "tool_calls": [{"name": "create_draft_order", "arguments": {"token": "{{token}}"}}],
                "text": "Đã tạo đơn {{order_number}}, tổng {{total}} đ.",
            },
        ]
    )
    before = Order.objects.count()
    first = say(llm, "Mình lấy 2 áo trắng M, Lê Hoa, 0901234567, 5 Hai Bà Trưng, Bến Nghé, Q1")
    assert (
        first.text
        == "2 x Áo thun Basic Trắng M = 320000 đ, ship 30000 đ, tổng 350000 đ. Bạn đồng ý chứ?"
    )
    assert Order.objects.count() == before
    second = say(llm, "đồng ý")
    order = Order.objects.order_by("-pk").first()
    assert Order.objects.count() == before + 1
    assert second.text == f"Đã tạo đơn {order.number}, tổng 350000 đ."
    assert llm.invalid() == []
    # The pending read-back (our token, not the customer's words) was in a system message.
    assert llm.requests[2].body["messages"][1]["role"] == "system"
    assert '"token"' in llm.requests[2].body["messages"][1]["content"]


def test_create_in_the_same_turn_as_read_back_is_refused(llm, shop):
    args = {
        "items": [{"sku": "BAG-01", "quantity": 1}],
        "name": "Lê Hoa",
        "phone": ORDER_PHONE,
        "street": "5 Hai Bà Trưng",
        "ward": "Phường Bến Nghé",
        "district": "Quận 1",
        "province": "Hồ Chí Minh",
    }
    llm.load(
        [
            {
                "tool_calls": [{"name": "prepare_draft_order", "arguments": args}],
                "then": [[{"name": "create_draft_order", "arguments": {"token": "{{token}}"}}]],
                "text": "Bạn xác nhận đơn nhé?",
            }
        ]
    )
    before = Order.objects.count()
    out = say(llm, "mua 1 túi tote, Lê Hoa, 0912345678, 5 Hai Bà Trưng, Bến Nghé, Q1, HCM")
    assert Order.objects.count() == before
    message = Message.objects.get(pk=out.message_id)
    assert [(r["name"], r["ok"]) for r in message.tool_results] == [
        ("prepare_draft_order", True),
        ("create_draft_order", False),
    ]
    assert message.tool_results[1]["data"] == {"error": "not_confirmed"}


def test_server_refuses_a_tool_reply_with_an_unknown_call_id(llm):
    from assistant.sandbox.openai_server import check_request

    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "x", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_2", "content": "{}"},
        ],
    }
    errors, _names = check_request(body, model="m", issued={"call_1"})
    assert errors == [
        "messages[2].tool_call_id: 'call_2' answers no open call",
        "messages: tool calls ['call_1'] have no tool reply",
    ]


def test_refused_key_hands_over_as_unavailable(llm, shop):
    engine = LLMEngine(LLMConfig(llm.base_url, "test-model", "sk-wrong", backoff=0))
    out = conversation_receive(
        channel="web", external_user_id="k", text="hello", raw={}, now=NOW, engine=engine
    )
    assert out.hand_over is True
    assert out.text == hand_over_text("en")
    assert Conversation.objects.get(external_user_id="k").hand_over_reason == "unavailable"
    assert Message.objects.get(pk=out.message_id).raw["error"] == (
        "http_401: Incorrect API key provided"
    )
    assert len(llm.requests) == 1
