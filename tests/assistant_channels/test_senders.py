"""Sending through each platform's sandbox over real HTTP: what goes out, transient errors
(retried by the task, the delivery still pending), permanent refusals (recorded, not retried),
and LINE's retry key keeping a retried push single."""

from __future__ import annotations

import pytest
from django.utils import timezone

from assistant.channels.models import Delivery, DeliveryStatus, Platform
from assistant.channels.senders import Outgoing, line_send
from assistant.channels.services import delivery_send
from assistant.models import Conversation, Message
from common.external import PermanentError, TransientError
from tests.assistant_channels.conftest import LINE_TOKEN

pytestmark = pytest.mark.django_db


def delivery(account, recipient: str, text: str = "Dạ còn hàng ạ") -> Delivery:
    conversation, _new = Conversation.objects.get_or_create(
        channel=account.platform, external_user_id=recipient
    )
    message = Message.objects.create(
        conversation=conversation, direction="out", author="bot", text=text
    )
    return Delivery.objects.create(
        account=account,
        conversation=conversation,
        message=message,
        recipient=recipient,
        text=text,
        created_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("platform", "recipient", "path"),
    [
        (Platform.MESSENGER, "psid-1", "/v21.0/me/messages"),
        (Platform.ZALO, "zalo-user-1", "/v3.0/oa/message/cs"),
        (Platform.LINE, "Uline0001", "/v2/bot/message/push"),
    ],
)
def test_a_transient_error_is_retried_then_sent(accounts, chat_sandbox, platform, recipient, path):
    one = delivery(accounts[platform], recipient)
    chat_sandbox.fail_next(path, 503)
    with pytest.raises(TransientError):
        delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.attempts, chat_sandbox.sent) == (DeliveryStatus.PENDING, 1, [])
    assert one.error.startswith(("messenger_503", "zalo_http_503", "line_503"))
    delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.attempts, one.error) == (DeliveryStatus.SENT, 2, "")
    assert [(s.recipient, s.text) for s in chat_sandbox.sent] == [(recipient, "Dạ còn hàng ạ")]


@pytest.mark.parametrize(
    ("platform", "recipient", "error"),
    [
        (Platform.MESSENGER, "psid-1", "messenger_190: Invalid OAuth access token"),
        (Platform.ZALO, "zalo-user-1", "zalo_-216: Access token is invalid"),
        (Platform.LINE, "Uline0001", "line_401: Authentication failed"),
    ],
)
def test_a_refused_token_fails_the_delivery_for_good(
    accounts, chat_sandbox, platform, recipient, error
):
    account = accounts[platform]
    account.access_token = "revoked"
    account.save()
    one = delivery(account, recipient)
    delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.attempts, one.sent_at) == (DeliveryStatus.FAILED, 1, None)
    assert one.error.startswith(error)
    assert chat_sandbox.sent == []
    delivery_send(delivery_id=one.pk)  # a failed delivery is not sent again
    one.refresh_from_db()
    assert one.attempts == 1


def test_messenger_unknown_recipient_is_a_permanent_error(accounts, chat_sandbox):
    one = delivery(accounts[Platform.MESSENGER], "psid-unknown")
    delivery_send(delivery_id=one.pk)
    one.refresh_from_db()
    assert (one.status, one.failure) == (DeliveryStatus.FAILED, "recipient")
    assert one.error == "messenger_100_2018001: (#100) No matching user found"


def test_a_long_text_goes_out_as_several_messages(accounts, chat_sandbox):
    one = delivery(accounts[Platform.MESSENGER], "psid-1", text="a" * 2000 + "b" * 5)
    delivery_send(delivery_id=one.pk)
    assert [s.text for s in chat_sandbox.sent] == ["a" * 2000, "bbbbb"]


def test_line_push_retried_with_the_same_key_is_delivered_once(chat_sandbox):
    out = Outgoing(
        base_url=chat_sandbox.url,
        access_token=LINE_TOKEN,
        recipient="Uline0001",
        text="hi",
        retry_key="6f1f8a4e-2d0c-4c1e-9f7e-111111111111",
    )
    first = line_send(out)
    again = line_send(out)
    assert (first.via, len(first.external_ids)) == ("push", 1)
    assert (again.via, again.external_ids) == ("push", ())
    assert len(chat_sandbox.sent) == 1


def test_line_push_to_an_unknown_user_is_permanent(chat_sandbox):
    out = Outgoing(
        base_url=chat_sandbox.url, access_token=LINE_TOKEN, recipient="Unknown", text="hi"
    )
    with pytest.raises(PermanentError, match="line_400: Failed to send messages"):
        line_send(out)


def test_secrets_and_tokens_are_encrypted_at_rest(accounts):
    from django.db import connection

    from tests.assistant_channels.conftest import FB_APP_SECRET, FB_PAGE_TOKEN, FB_VERIFY

    account = accounts[Platform.MESSENGER]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret, access_token, verify_token FROM assistant_channels_chataccount"
            " WHERE id = %s",
            [account.pk],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAA") for value in stored)
    assert not {FB_APP_SECRET, FB_PAGE_TOKEN, FB_VERIFY} & set(stored)
    fresh = type(account).objects.get(pk=account.pk)
    assert (fresh.secret, fresh.access_token, fresh.verify_token) == (
        FB_APP_SECRET,
        FB_PAGE_TOKEN,
        FB_VERIFY,
    )


def test_the_sweep_sends_what_was_left_behind(accounts, chat_sandbox, run_jobs):
    from datetime import timedelta

    from assistant.channels.models import EventStatus, InboundEvent
    from assistant.channels.services import channels_sweep

    now = timezone.now()
    stale = delivery(accounts[Platform.ZALO], "zalo-user-1", text="Dạ shop gửi ạ")
    Delivery.objects.filter(pk=stale.pk).update(created_at=now - timedelta(minutes=5))
    fresh = delivery(accounts[Platform.ZALO], "zalo-user-1", text="vừa tạo")
    InboundEvent.objects.create(
        account=accounts[Platform.MESSENGER],
        event_id="m_left",
        kind="text",
        user_id="psid-1",
        text="còn hàng không",
        status=EventStatus.RECEIVED,
        received_at=now - timedelta(minutes=5),
    )
    with run_jobs():
        assert channels_sweep(now=now) == (1, 1)
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (DeliveryStatus.SENT, DeliveryStatus.PENDING)
    event = InboundEvent.objects.get(event_id="m_left")
    assert event.status == EventStatus.ANSWERED
    answer = Message.objects.get(conversation_id=event.conversation_id, author="bot")
    assert [(s.platform, s.text) for s in chat_sandbox.sent] == [
        ("zalo", "Dạ shop gửi ạ"),
        ("messenger", answer.text),
    ]
