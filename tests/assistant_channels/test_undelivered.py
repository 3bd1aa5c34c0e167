"""A reply that cannot be delivered: the conversation is flagged in the inbox (badge and reason,
translated), staff get a red follow-up, and they send it again or answer another way, which
ends both. Sends go over real HTTP to the strict chat sandbox."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assistant.channels.models import Delivery, DeliveryStatus, FailureReason, Resolution
from assistant.channels.services import MAX_ATTEMPTS, channels_sweep
from assistant.models import Conversation, Message
from common import markers
from followups.models import FollowUp

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def task_of(conversation_id: int) -> FollowUp | None:
    key = f"task:chat-undelivered:{conversation_id}"
    return FollowUp.objects.filter(contact_request__external_id=key).first()


@pytest.fixture
def undelivered(client, login_as, conversation, chat_sandbox, run_jobs):
    """A staff reply sent 25 hours after the customer's last message: Messenger refuses it."""
    user = login_as("sales")
    chat_sandbox.user_wrote("psid-1", at=time.time() - DAY - 3600)
    with run_jobs():
        client.post(
            reverse("assistant_channels:reply", args=[conversation.pk]), {"text": "Dạ còn ạ"}
        )
    return user


def test_the_conversation_is_flagged_with_the_reason_and_staff_get_a_task(
    client, conversation, undelivered, chat_sandbox
):
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.failure) == (DeliveryStatus.FAILED, FailureReason.WINDOW)
    assert chat_sandbox.sent == []
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = client.get(reverse("assistant_channels:inbox")).content.decode()
    assert f'data-testid="undelivered-{conversation.pk}"' in page
    assert "Tin trả lời không gửi được" in page
    assert "Đã quá thời hạn được phép trả lời" in page
    flagged = client.get(reverse("assistant_channels:inbox"), {"state": "undelivered"})
    assert f"conversation-{conversation.pk}" in flagged.content.decode()
    detail = client.get(reverse("assistant_channels:conversation", args=[conversation.pk]))
    assert 'data-testid="undelivered-alert"' in detail.content.decode()
    task = task_of(conversation.pk)
    assert task is not None
    assert (task.assignee_id, task.state) == (undelivered.pk, markers.STATE_OPEN)
    assert task.next_contact_at <= timezone.now()


def test_sending_again_after_the_customer_wrote_delivers_it_and_ends_the_task(
    client, conversation, undelivered, chat_sandbox, run_jobs
):
    chat_sandbox.user_wrote("psid-1")
    with run_jobs():
        response = client.post(
            reverse("assistant_channels:undelivered_retry", args=[conversation.pk])
        )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.resolution, delivery.resolved_by_id) == (
        DeliveryStatus.SENT,
        Resolution.RETRIED,
        undelivered.pk,
    )
    assert [(s.recipient, s.text) for s in chat_sandbox.sent] == [("psid-1", "Dạ còn ạ")]
    page = client.get(reverse("assistant_channels:inbox")).content.decode()
    assert f'data-testid="undelivered-{conversation.pk}"' not in page
    assert task_of(conversation.pk).state == markers.STATE_FINISHED


def test_sending_again_while_still_refused_keeps_the_flag_and_the_task(
    client, conversation, undelivered, chat_sandbox, run_jobs
):
    with run_jobs():
        client.post(reverse("assistant_channels:undelivered_retry", args=[conversation.pk]))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.failure, delivery.resolution) == ("failed", "window", "")
    tasks = FollowUp.objects.filter(contact_request__external_id__startswith="task:chat")
    assert tasks.count() == 1
    assert task_of(conversation.pk).state == markers.STATE_OPEN


def test_answered_another_way_needs_a_note_then_ends_the_alert(
    client, conversation, undelivered, run_jobs
):
    url = reverse("assistant_channels:undelivered_resolve", args=[conversation.pk])
    with run_jobs():
        client.post(url, {"note": "  "})
    assert Delivery.objects.get().resolved_at is None
    with run_jobs():
        client.post(url, {"note": "Đã gọi điện cho khách"})
    delivery = Delivery.objects.get()
    assert (delivery.resolution, delivery.resolution_note) == (
        Resolution.OTHER_ROUTE,
        "Đã gọi điện cho khách",
    )
    detail = client.get(reverse("assistant_channels:conversation", args=[conversation.pk]))
    assert 'data-testid="undelivered-alert"' not in detail.content.decode()
    task = task_of(conversation.pk)
    assert task.state == markers.STATE_FINISHED
    assert "Đã gọi điện cho khách" in task.notes.order_by("-id").first().note


def test_the_sweep_gives_up_a_reply_that_used_its_attempts(
    accounts, chat_sandbox, make_user, run_jobs
):
    owner = make_user("owner")
    zalo = Conversation.objects.create(channel="zalo", external_user_id="zalo-user-1")
    message = Message.objects.create(
        conversation=zalo, direction="out", author="bot", text="Dạ shop gửi ạ"
    )
    now = timezone.now()
    delivery = Delivery.objects.create(
        account=accounts["zalo"],
        conversation=zalo,
        message=message,
        recipient="zalo-user-1",
        text=message.text,
        attempts=MAX_ATTEMPTS,
        error="zalo_http_503",
        created_at=now - timedelta(hours=1),
    )
    with run_jobs():
        assert channels_sweep(now=now) == (0, 0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.failure) == (DeliveryStatus.FAILED, FailureReason.RETRIES)
    assert task_of(zalo.pk).assignee_id == owner.pk
    assert chat_sandbox.sent == []


def test_the_alert_offers_the_customers_phone_and_other_channels(client, conversation, undelivered):
    from orders.models import CustomerPhone
    from tests.orders.factories import CustomerFactory

    customer = CustomerFactory(name="Lê Thu")
    CustomerPhone.objects.create(customer=customer, e164="+84912345678", digits="912345678")
    Conversation.objects.filter(pk=conversation.pk).update(customer=customer)
    zalo = Conversation.objects.create(
        channel="zalo", external_user_id="zalo-user-1", customer=customer
    )
    page = client.get(reverse("assistant_channels:conversation", args=[conversation.pk]))
    html = page.content.decode()
    assert 'href="tel:+84912345678"' in html
    assert f'data-testid="other-route-{zalo.pk}"' in html
