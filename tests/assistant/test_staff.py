"""Staff take a conversation over (the assistant goes silent), reply, hand it back, close it."""

from __future__ import annotations

import pytest

from assistant.models import Conversation
from assistant.services import conversation_receive
from assistant.services_staff import (
    ConversationError,
    conversation_close,
    conversation_release,
    conversation_take_over,
    staff_reply,
)
from tests.assistant.conftest import NOW

pytestmark = pytest.mark.django_db


def test_take_over_reply_release_close(catalogue, make_user):
    anna, binh = make_user("sales"), make_user("sales")
    out = conversation_receive(
        channel="zalo", external_user_id="z9", text="cho gặp nhân viên", raw={}, now=NOW
    )
    conversation = Conversation.objects.get(pk=out.conversation_id)
    assert conversation.unread_count == 1
    conversation_take_over(conversation_id=conversation.pk, user_id=anna.pk, now=NOW)
    with pytest.raises(ConversationError):
        conversation_take_over(conversation_id=conversation.pk, user_id=binh.pk, now=NOW)
    with pytest.raises(ConversationError):
        staff_reply(conversation_id=conversation.pk, user_id=binh.pk, text="hi", now=NOW)
    assert (
        conversation_receive(
            channel="zalo", external_user_id="z9", text="áo thun giá?", raw={}, now=NOW
        )
        is None
    )
    reply = staff_reply(conversation_id=conversation.pk, user_id=anna.pk, text=" Dạ ", now=NOW)
    assert (reply.author, reply.staff_id, reply.text) == ("staff", anna.pk, "Dạ")
    conversation.refresh_from_db()
    assert (conversation.state, conversation.owner_id, conversation.unread_count) == (
        "staff",
        anna.pk,
        0,
    )
    with pytest.raises(ConversationError):
        conversation_release(conversation_id=conversation.pk, user_id=binh.pk, now=NOW)
    conversation_release(conversation_id=conversation.pk, user_id=anna.pk, now=NOW)
    assert (
        conversation_receive(channel="zalo", external_user_id="z9", text="hello", raw={}, now=NOW)
        is not None
    )
    conversation_close(conversation_id=conversation.pk, user_id=anna.pk, now=NOW)
    conversation.refresh_from_db()
    assert (conversation.state, conversation.owner_id) == ("closed", None)
    assert list(conversation.messages.order_by("id").values_list("author", flat=True)) == [
        "customer",
        "bot",
        "customer",
        "staff",
        "customer",
        "bot",
    ]


def test_conversations_follow_a_customer_merge(db):
    from orders.services.customer_merge import customer_merge
    from tests.orders.factories import make_customer

    target = make_customer("Nguyễn Văn An", phones=("0912 345 678",))
    duplicate = make_customer("An Nguyễn", phones=("0987 654 321",))
    other = make_customer("Trần Bình", phones=("0901 234 567",))
    moved = Conversation.objects.create(channel="web", external_user_id="m1", customer=duplicate)
    kept = Conversation.objects.create(channel="web", external_user_id="m2", customer=other)
    customer_merge(target_id=target.pk, duplicate_ids=[duplicate.pk])
    moved.refresh_from_db()
    kept.refresh_from_db()
    assert (moved.customer_id, kept.customer_id) == (target.pk, other.pk)
