"""The website chat endpoint over real HTTP: the visitor's token, CORS for the shop's origins
only, per-visitor and per-IP rate limits (nothing stored past them), staff replies polled."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from assistant.channels.inbox import conversation_staff_reply
from assistant.channels.models import InboundEvent
from assistant.models import Author, Conversation, Message
from tests.assistant_channels.conftest import SHOP_ORIGIN, WIDGET_KEY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server):
    return live_server.url + reverse("assistant_channels:widget_messages", args=[WIDGET_KEY])


def post(endpoint, text, *, token="", origin=SHOP_ORIGIN, client_id=""):
    headers = {"Origin": origin, "Content-Type": "application/json"}
    if token:
        headers["X-Visitor-Token"] = token
    return requests.post(
        endpoint, json={"text": text, "client_id": client_id}, headers=headers, timeout=30
    )


def test_preflight_allows_the_shop_origin_only(endpoint, accounts):
    ok = requests.options(endpoint, headers={"Origin": SHOP_ORIGIN}, timeout=10)
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    assert ok.headers["Access-Control-Allow-Headers"] == "Content-Type, X-Visitor-Token"
    other = requests.options(endpoint, headers={"Origin": "https://evil.example"}, timeout=10)
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_message_is_answered_and_the_visitor_gets_a_token(endpoint, accounts):
    response = post(endpoint, "xin chào", client_id="c1")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    data = response.json()
    conversation = Conversation.objects.get(channel="web")
    inbound, outbound = conversation.messages.order_by("id")
    assert data["messages"] == [
        {
            "id": inbound.pk,
            "from": "visitor",
            "text": "xin chào",
            "at": inbound.created_at.isoformat(),
        },
        {
            "id": outbound.pk,
            "from": "shop",
            "text": outbound.text,
            "at": outbound.created_at.isoformat(),
        },
    ]
    again = post(endpoint, "còn áo không", token=data["token"], client_id="c2")
    assert again.json()["token"] == data["token"]
    assert Conversation.objects.count() == 1
    assert conversation.messages.count() == 4


def test_a_retried_post_is_not_answered_twice(endpoint, accounts):
    token = post(endpoint, "xin chào", client_id="same").json()["token"]
    post(endpoint, "xin chào", token=token, client_id="same")
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 2


def test_an_origin_not_allowed_is_refused_and_nothing_stored(endpoint, accounts):
    response = post(endpoint, "hello", origin="https://evil.example")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_not_allowed"
    assert (InboundEvent.objects.count(), Message.objects.count()) == (0, 0)


def test_the_visitor_limit_refuses_with_retry_after(endpoint, accounts, settings):
    settings.ASSISTANT_WIDGET_VISITOR_LIMIT = 2
    token = post(endpoint, "một", client_id="1").json()["token"]
    assert post(endpoint, "hai", token=token, client_id="2").status_code == 200
    refused = post(endpoint, "ba", token=token, client_id="3")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"
    assert InboundEvent.objects.count() == 2
    assert Message.objects.filter(author=Author.CUSTOMER).count() == 2


def test_the_ip_limit_holds_across_visitors(endpoint, accounts, settings):
    settings.ASSISTANT_WIDGET_IP_LIMIT = 3
    statuses = [post(endpoint, f"hi {n}", client_id=str(n)).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert Conversation.objects.count() == 3


def test_a_staff_reply_reaches_the_widget_by_polling(endpoint, accounts, make_user):
    first = post(endpoint, "có ai không", client_id="a").json()
    last_id = first["messages"][-1]["id"]
    conversation = Conversation.objects.get()
    staff = make_user("sales")
    reply = conversation_staff_reply(
        conversation_id=conversation.pk, user_id=staff.pk, text="Dạ em đây ạ", now=timezone.now()
    )
    polled = requests.get(
        endpoint,
        params={"after": last_id},
        headers={"Origin": SHOP_ORIGIN, "X-Visitor-Token": first["token"]},
        timeout=10,
    )
    assert polled.json()["messages"] == [
        {"id": reply.pk, "from": "shop", "text": "Dạ em đây ạ", "at": reply.created_at.isoformat()}
    ]
    without_token = requests.get(endpoint, headers={"Origin": SHOP_ORIGIN}, timeout=10)
    assert without_token.json() == {"messages": []}
