"""What the platforms' documentation says and an earlier version got wrong, each over real HTTP
against the chat sandbox (assistant.sandbox.chat, strict as the documentation): errors
classified as the platforms define them, LINE's 5-message limit and monthly limit, Zalo's
signature header, Messenger's 24-hour window, and a reply given up after MAX_ATTEMPTS."""

from __future__ import annotations

import time

import pytest
import requests
from django.utils import timezone

from assistant.channels.models import DeliveryStatus, FailureReason, InboundEvent, Platform
from assistant.channels.senders import Outgoing, Undeliverable, line_send, messenger_send, zalo_send
from assistant.channels.services import MAX_ATTEMPTS, delivery_send
from assistant.sandbox import webhooks as signed
from common.external import RateLimited, TransientError
from tests.assistant_channels.conftest import (
    FB_PAGE_TOKEN,
    LINE_DEST,
    LINE_SECRET,
    LINE_TOKEN,
    ZALO_APP_ID,
    ZALO_OA_ID,
    ZALO_SECRET,
    ZALO_TOKEN,
)
from tests.assistant_channels.test_senders import delivery

pytestmark = pytest.mark.django_db

DAY = 24 * 3600
GRAPH = "/v21.0/me/messages"
ZALO = "/v3.0/oa/message/cs"


def messenger_out(sandbox, recipient: str = "psid-1", text: str = "Dạ còn ạ") -> Outgoing:
    return Outgoing(sandbox.url + "/v21.0", FB_PAGE_TOKEN, recipient, text)


def graph_error(code: int, subcode: int | None = None) -> dict:
    error = {"message": f"(#{code}) refused", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


# --- Messenger ----------------------------------------------------------------------------------


def test_messenger_outside_the_24_hour_window_flags_the_reply(accounts, chat_sandbox):
    chat_sandbox.user_wrote("psid-1", at=time.time() - DAY - 60)
    one = delivery(accounts[Platform.MESSENGER], "psid-1")
    delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.failure) == (DeliveryStatus.FAILED, FailureReason.WINDOW)
    assert one.error.startswith("messenger_10_2018278: (#10) This message is sent outside")
    assert chat_sandbox.sent == []


def test_messenger_inside_the_window_is_sent_with_messaging_type_response(chat_sandbox):
    chat_sandbox.user_wrote("psid-1", at=time.time() - DAY + 60)
    sent = messenger_send(messenger_out(chat_sandbox))
    assert (sent.via, len(sent.external_ids)) == ("send", 1)
    assert chat_sandbox.requests[-1][1]["messaging_type"] == "RESPONSE"


def test_the_sandbox_refuses_a_send_without_messaging_type(chat_sandbox):
    url = f"{chat_sandbox.url}{GRAPH}?access_token={FB_PAGE_TOKEN}"
    body = {"recipient": {"id": "psid-1"}, "message": {"text": "hi"}}
    response = requests.post(url, json=body, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert chat_sandbox.sent == []


def test_messenger_temporary_send_failure_1200_is_retried(chat_sandbox):
    chat_sandbox.fail_next(GRAPH, 400, body=graph_error(1200))
    with pytest.raises(TransientError) as caught:
        messenger_send(messenger_out(chat_sandbox))
    assert not isinstance(caught.value, Undeliverable)
    assert len(messenger_send(messenger_out(chat_sandbox)).external_ids) == 1


@pytest.mark.parametrize("code", [4, 32, 613])
def test_messenger_rate_limits_are_rate_limited(chat_sandbox, code):
    chat_sandbox.fail_next(GRAPH, 400, body=graph_error(code))
    with pytest.raises(RateLimited):
        messenger_send(messenger_out(chat_sandbox))


@pytest.mark.parametrize(
    ("code", "subcode", "reason"),
    [(551, 1545041, "recipient"), (190, None, "token"), (200, None, "refused")],
)
def test_messenger_refusals_say_why(chat_sandbox, code, subcode, reason):
    chat_sandbox.fail_next(GRAPH, 400, body=graph_error(code, subcode))
    with pytest.raises(Undeliverable) as caught:
        messenger_send(messenger_out(chat_sandbox))
    assert caught.value.reason == reason


# --- Zalo ---------------------------------------------------------------------------------------


def zalo_out(sandbox, token: str = ZALO_TOKEN) -> Outgoing:
    return Outgoing(sandbox.url, token, "zalo-user-1", "Dạ shop gửi ạ")


def test_zalo_after_the_interaction_window_flags_the_reply(accounts, chat_sandbox):
    chat_sandbox.user_wrote("zalo-user-1", at=time.time() - 8 * DAY)
    one = delivery(accounts[Platform.ZALO], "zalo-user-1")
    delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.failure) == (DeliveryStatus.FAILED, FailureReason.WINDOW)
    assert one.error.startswith("zalo_-230")


def test_zalo_invalid_token_is_a_token_refusal(chat_sandbox):
    with pytest.raises(Undeliverable) as caught:
        zalo_send(zalo_out(chat_sandbox, token="revoked"))
    assert (caught.value.code, caught.value.reason) == ("zalo_-216", "token")


def test_zalo_rate_limit_error_in_a_200_is_retried(chat_sandbox):
    chat_sandbox.fail_next(ZALO, 200, body={"error": -32, "message": "Exceeded rate limit"})
    with pytest.raises(RateLimited):
        zalo_send(zalo_out(chat_sandbox))
    assert len(zalo_send(zalo_out(chat_sandbox)).external_ids) == 1


@pytest.mark.parametrize("label", ["", "MAC="])
def test_zalo_signature_without_its_mac_label_or_in_capitals_is_accepted(
    post_webhook, accounts, chat_sandbox, label
):
    body, headers = signed.zalo_text(
        app_id=ZALO_APP_ID,
        oa_secret=ZALO_SECRET,
        oa_id=ZALO_OA_ID,
        user_id="zalo-user-1",
        text="còn hàng không",
        msg_id=f"z-{label or 'bare'}",
    )
    digest = headers["X-ZEvent-Signature"].removeprefix("mac=")
    headers["X-ZEvent-Signature"] = label + (digest.upper() if label else digest)
    assert post_webhook("zalo", (body, headers)).status_code == 200
    assert InboundEvent.objects.filter(account=accounts[Platform.ZALO]).count() == 1
    headers["X-ZEvent-Signature"] = "mac=" + "0" * 64
    assert post_webhook("zalo", (body, headers)).status_code == 401


# --- LINE ---------------------------------------------------------------------------------------


def line_out(sandbox, text: str, reply_token: str = "", key: str = "") -> Outgoing:
    return Outgoing(sandbox.url, LINE_TOKEN, "Uline0001", text, reply_token, key)


def test_line_more_than_five_messages_go_out_in_several_requests(chat_sandbox):
    text = "".join(ch * 5000 for ch in "abcdefg")  # 7 message objects
    token = chat_sandbox.line_reply_token("Uline0001")
    sent = line_send(line_out(chat_sandbox, text, reply_token=token))
    assert (sent.via, len(sent.external_ids)) == ("reply", 7)
    assert [s.text[0] for s in chat_sandbox.sent] == list("abcdefg")
    assert [s.via for s in chat_sandbox.sent] == ["reply"] * 5 + ["push"] * 2
    assert [len(body["messages"]) for _path, body in chat_sandbox.requests] == [5, 2]


def test_line_monthly_limit_is_not_retried(accounts, chat_sandbox):
    chat_sandbox.line_monthly_limit = 0
    one = delivery(accounts[Platform.LINE], "Uline0001")
    delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.failure, one.attempts) == (
        DeliveryStatus.FAILED,
        FailureReason.QUOTA,
        1,
    )
    assert "monthly limit" in one.error


def test_line_rate_limit_is_retried(chat_sandbox):
    chat_sandbox.fail_next("/v2/bot/message/push", 429, body={"message": "Too many requests"})
    with pytest.raises(RateLimited):
        line_send(line_out(chat_sandbox, "hi", key="0b8f0d5e-1b2c-4d3e-8f00-000000000001"))
    again = line_send(line_out(chat_sandbox, "hi", key="0b8f0d5e-1b2c-4d3e-8f00-000000000001"))
    assert len(again.external_ids) == 1  # the refused request did not use up the retry key


def test_line_a_refused_push_does_not_block_its_retry_key(chat_sandbox):
    key = "0b8f0d5e-1b2c-4d3e-8f00-000000000002"
    chat_sandbox.line_monthly_limit = 0
    with pytest.raises(Undeliverable):
        line_send(line_out(chat_sandbox, "hi", key=key))
    chat_sandbox.line_monthly_limit = None
    assert len(line_send(line_out(chat_sandbox, "hi", key=key)).external_ids) == 1


# --- Retries ------------------------------------------------------------------------------------


def test_a_reply_is_given_up_after_max_attempts_and_flagged(accounts, chat_sandbox):
    one = delivery(accounts[Platform.ZALO], "zalo-user-1")
    chat_sandbox.fail_next(ZALO, 503, times=MAX_ATTEMPTS)
    for _attempt in range(MAX_ATTEMPTS - 1):
        with pytest.raises(TransientError):
            delivery_send(delivery_id=one.pk)
    delivery_send(delivery_id=one.pk, now=timezone.now())
    one.refresh_from_db()
    assert (one.status, one.failure, one.attempts) == (
        DeliveryStatus.FAILED,
        FailureReason.RETRIES,
        MAX_ATTEMPTS,
    )
    assert chat_sandbox.sent == []


# --- Webhook events that are not a customer's question -----------------------------------------


def zalo_payload(name: str, **fields) -> dict:
    return {
        "app_id": ZALO_APP_ID,
        "event_name": name,
        "timestamp": str(int(time.time() * 1000)),
        **fields,
    }


@pytest.mark.parametrize(
    "payload",
    [
        # Our own answer echoed back: from the OA (sender) to the user (recipient).
        zalo_payload(
            "oa_send_text",
            sender={"id": ZALO_OA_ID},
            recipient={"id": "zalo-user-1"},
            message={"text": "Dạ còn ạ", "msg_id": "z-echo-1"},
        ),
        # A new follower: the OA in `oa_id`, the user in `follower`.
        zalo_payload("follow", oa_id=ZALO_OA_ID, follower={"id": "zalo-user-2"}, source="oa"),
    ],
    ids=["oa_send_text", "follow"],
)
def test_zalo_events_of_the_oa_itself_are_verified_and_kept_unanswered(
    post_webhook, accounts, chat_sandbox, payload
):
    body = signed.zalo_signed(app_id=ZALO_APP_ID, oa_secret=ZALO_SECRET, payload=payload)
    assert post_webhook("zalo", body).status_code == 200
    event = InboundEvent.objects.get()
    assert (event.account_id, event.kind, event.status) == (
        accounts[Platform.ZALO].pk,
        payload["event_name"],
        "ignored",
    )
    assert event.user_id in {"zalo-user-1", "zalo-user-2"}
    assert chat_sandbox.sent == []


def test_line_standby_events_are_kept_but_not_answered(post_webhook, accounts, chat_sandbox):
    payload = {
        "destination": LINE_DEST,
        "events": [
            {
                "type": "message",
                "mode": "standby",
                "message": {"type": "text", "id": "5001", "quoteToken": "q", "text": "hello"},
                "webhookEventId": "01HSTANDBY0000000000000000",
                "deliveryContext": {"isRedelivery": False},
                "timestamp": int(time.time() * 1000),
                "source": {"type": "user", "userId": "Uline0001"},
            }
        ],
    }
    body = signed.line_signed(channel_secret=LINE_SECRET, payload=payload)
    assert post_webhook("line", body).status_code == 200
    event = InboundEvent.objects.get()
    assert (event.kind, event.status) == ("standby", "ignored")
    assert chat_sandbox.sent == []


def test_the_sandbox_refuses_a_retry_key_on_a_reply(chat_sandbox):
    token = chat_sandbox.line_reply_token("Uline0001")
    response = requests.post(
        chat_sandbox.url + "/v2/bot/message/reply",
        json={"replyToken": token, "messages": [{"type": "text", "text": "hi"}]},
        headers={"Authorization": f"Bearer {LINE_TOKEN}", "X-Line-Retry-Key": "k"},
        timeout=10,
    )
    assert response.status_code == 400
    assert chat_sandbox.sent == []
