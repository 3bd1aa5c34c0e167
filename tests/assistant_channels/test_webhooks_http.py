"""Each platform's webhook over real HTTP: the signature over the raw body (good, bad), the
Messenger handshake, a redelivered event, the answer sent through the platform's sandbox, and
the assistant's silence while staff own the conversation."""

from __future__ import annotations

import logging

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from assistant.channels.models import Delivery, DeliveryStatus, EventStatus, InboundEvent
from assistant.models import Author, Conversation, Message
from assistant.sandbox import webhooks as signed
from assistant.services_staff import conversation_take_over
from tests.assistant_channels.conftest import (
    FB_APP_SECRET,
    FB_VERIFY,
    LINE_DEST,
    LINE_SECRET,
    PAGE_ID,
    ZALO_APP_ID,
    ZALO_OA_ID,
    ZALO_SECRET,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager")]


def messenger(text: str, mid: str = "m_1", secret: str = FB_APP_SECRET):
    return signed.messenger_text(
        app_secret=secret, page_id=PAGE_ID, psid="psid-1", text=text, mid=mid
    )


def zalo(text: str, msg_id: str = "z-1", secret: str = ZALO_SECRET):
    return signed.zalo_text(
        app_id=ZALO_APP_ID,
        oa_secret=secret,
        oa_id=ZALO_OA_ID,
        user_id="zalo-user-1",
        text=text,
        msg_id=msg_id,
    )


def line(text: str, reply_token: str, event_id: str = "01HX-1", secret: str = LINE_SECRET):
    return signed.line_text(
        channel_secret=secret,
        destination=LINE_DEST,
        user_id="Uline0001",
        text=text,
        event_id=event_id,
        reply_token=reply_token,
    )


def answered(channel: str, user: str) -> tuple[Conversation, list[Message]]:
    conversation = Conversation.objects.get(channel=channel, external_user_id=user)
    return conversation, list(conversation.messages.order_by("id"))


def test_messenger_handshake_echoes_the_challenge_for_our_verify_token(live_server, accounts):
    url = live_server.url + reverse("assistant_channels:messenger_webhook")
    ok = requests.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": FB_VERIFY,
            "hub.challenge": "1158201444",
        },
        timeout=10,
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = requests.get(
        url,
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "99"},
        timeout=10,
    )
    assert (wrong.status_code, wrong.text) == (403, "")


def test_messenger_message_is_stored_answered_and_sent(post_webhook, accounts, chat_sandbox):
    response = post_webhook("messenger", messenger("xin chào shop"))
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    event = InboundEvent.objects.get()
    assert (event.event_id, event.user_id, event.text, event.status) == (
        "m_1",
        "psid-1",
        "xin chào shop",
        EventStatus.ANSWERED,
    )
    assert '"mid":"m_1"' in event.body
    conversation, (inbound, outbound) = answered("messenger", "psid-1")
    assert (inbound.author, inbound.text) == (Author.CUSTOMER, "xin chào shop")
    assert outbound.author == Author.BOT
    assert event.conversation_id == conversation.pk
    (sent,) = chat_sandbox.sent
    assert (sent.platform, sent.recipient, sent.text) == ("messenger", "psid-1", outbound.text)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.message_id, delivery.attempts) == (
        DeliveryStatus.SENT,
        outbound.pk,
        1,
    )
    assert delivery.external_message_id == f"m_{sent.message_id}"


def test_messenger_bad_signature_is_refused_and_nothing_stored(
    post_webhook, accounts, chat_sandbox, caplog
):
    with caplog.at_level(logging.WARNING):
        response = post_webhook("messenger", messenger("hello", secret="not-the-app-secret"))
    assert response.status_code == 401
    assert InboundEvent.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0
    assert chat_sandbox.sent == []
    assert "messenger webhook refused: bad signature" in caplog.text


def test_a_tampered_body_fails_its_signature(post_webhook, accounts):
    body, headers = messenger("hello")
    response = post_webhook("messenger", (body.replace(b"hello", b"hellO"), headers))
    assert response.status_code == 401
    assert InboundEvent.objects.count() == 0


def test_a_redelivered_event_is_ignored(post_webhook, accounts, chat_sandbox):
    first = post_webhook("messenger", messenger("còn áo không", mid="m_dup"))
    again = post_webhook("messenger", messenger("còn áo không", mid="m_dup"))
    assert (first.status_code, again.status_code) == (200, 200)
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 2
    assert len(chat_sandbox.sent) == 1


def test_zalo_message_is_answered_through_the_oa_api(post_webhook, accounts, chat_sandbox):
    response = post_webhook("zalo", zalo("giá bao nhiêu"))
    assert response.status_code == 200
    _conversation, (inbound, outbound) = answered("zalo", "zalo-user-1")
    assert inbound.text == "giá bao nhiêu"
    (sent,) = chat_sandbox.sent
    assert (sent.platform, sent.recipient, sent.text, sent.via) == (
        "zalo",
        "zalo-user-1",
        outbound.text,
        "send",
    )
    assert chat_sandbox.requests[-1] == (
        "/v3.0/oa/message/cs",
        {"recipient": {"user_id": "zalo-user-1"}, "message": {"text": outbound.text}},
    )


def test_zalo_bad_signature_is_refused(post_webhook, accounts, chat_sandbox):
    response = post_webhook("zalo", zalo("giá bao nhiêu", secret="wrong"))
    assert response.status_code == 401
    assert (InboundEvent.objects.count(), Message.objects.count(), chat_sandbox.sent) == (0, 0, [])


def test_line_message_is_answered_with_its_reply_token(post_webhook, accounts, chat_sandbox):
    token = chat_sandbox.line_reply_token("Uline0001")
    response = post_webhook("line", line("สวัสดีครับ", token))
    assert response.status_code == 200
    _conversation, (inbound, outbound) = answered("line", "Uline0001")
    assert inbound.text == "สวัสดีครับ"
    (sent,) = chat_sandbox.sent
    assert (sent.recipient, sent.text, sent.via) == ("Uline0001", outbound.text, "reply")


def test_line_expired_reply_token_falls_back_to_push(post_webhook, accounts, chat_sandbox):
    response = post_webhook("line", line("มีของไหม", "expired-token"))
    assert response.status_code == 200
    (sent,) = chat_sandbox.sent
    assert (sent.recipient, sent.via) == ("Uline0001", "push")


def test_line_bad_signature_is_refused(post_webhook, accounts, chat_sandbox):
    token = chat_sandbox.line_reply_token("Uline0001")
    response = post_webhook("line", line("สวัสดี", token, secret="wrong"))
    assert response.status_code == 401
    assert (InboundEvent.objects.count(), Message.objects.count(), chat_sandbox.sent) == (0, 0, [])


def test_the_assistant_is_silent_while_staff_own_the_conversation(
    post_webhook, accounts, chat_sandbox, make_user
):
    post_webhook("messenger", messenger("xin chào", mid="m_a"))
    conversation = Conversation.objects.get()
    staff = make_user("sales")
    conversation_take_over(conversation_id=conversation.pk, user_id=staff.pk, now=timezone.now())
    response = post_webhook("messenger", messenger("có ai không", mid="m_b"))
    assert response.status_code == 200
    messages = list(conversation.messages.order_by("id").values_list("author", "text"))
    assert messages[2:] == [(Author.CUSTOMER, "có ai không")]
    assert len(messages) == 3
    assert len(chat_sandbox.sent) == 1  # only the answer to the first message
    assert InboundEvent.objects.get(event_id="m_b").status == EventStatus.SILENT


def test_a_signed_body_without_messages_is_acknowledged_and_stores_nothing(
    post_webhook, accounts, chat_sandbox
):
    from assistant.channels.signing import messenger_signature

    body = f'{{"object":"page","entry":[{{"id":"{PAGE_ID}","time":1,"changes":[]}}]}}'.encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": messenger_signature(app_secret=FB_APP_SECRET, body=body),
    }
    response = post_webhook("messenger", (body, headers))
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    assert (InboundEvent.objects.count(), Message.objects.count(), chat_sandbox.sent) == (0, 0, [])
