"""What staff do in the inbox: take a conversation over (the assistant stays silent while a
person owns it), hand it back, reply through the conversation's channel, mark it read.

Each action is one conditional UPDATE (never read-check-write): taking over a conversation
another person owns, or handing back one nobody owns, changes nothing and raises InboxError
with a translated message. A staff reply takes the conversation over when nobody owns it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import pgettext

from assistant.channels.services import staff_message_deliver
from assistant.models import (
    Author,
    Conversation,
    ConversationState,
    Direction,
    HandOverReason,
    Message,
)

MAX_REPLY = 2000


class InboxError(Exception):
    """A staff action that does not fit the conversation's state (translated message)."""


def conversation_take_over(*, conversation_id: int, user: Any, now: datetime) -> None:
    taken = (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(owner__isnull=True) | Q(owner=user))
        .update(
            state=ConversationState.STAFF,
            owner=user,
            hand_over_reason=HandOverReason.STAFF,
            last_activity_at=now,
        )
    )
    if not taken:
        raise InboxError(
            pgettext("assistant inbox", "Someone else is already answering this conversation.")
        )


def conversation_hand_back(*, conversation_id: int, user: Any, now: datetime) -> None:
    """The assistant answers again (its failed-attempt count starts over)."""
    handed = Conversation.objects.filter(pk=conversation_id, state=ConversationState.STAFF).update(
        state=ConversationState.BOT,
        owner=None,
        hand_over_reason="",
        failed_attempts=0,
        last_activity_at=now,
    )
    if not handed:
        raise InboxError(
            pgettext("assistant inbox", "This conversation is already answered by the assistant.")
        )


def conversation_mark_read(*, conversation_id: int) -> None:
    Conversation.objects.filter(pk=conversation_id, unread_count__gt=0).update(unread_count=0)


def conversation_staff_reply(
    *, conversation_id: int, user: Any, text: str, now: datetime
) -> Message:
    text = text.strip()
    if not text:
        raise InboxError(pgettext("assistant inbox", "Type a reply first."))
    if len(text) > MAX_REPLY:
        raise InboxError(
            pgettext("assistant inbox", "A reply can have at most %(n)d characters.")
            % {"n": MAX_REPLY}
        )
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.owner_id not in (None, user.pk):
            raise InboxError(
                pgettext("assistant inbox", "Someone else is already answering this conversation.")
            )
        message = Message.objects.create(
            conversation=conversation,
            direction=Direction.OUT,
            author=Author.STAFF,
            staff=user,
            text=text,
            created_at=now,
        )
        conversation.state = ConversationState.STAFF
        conversation.owner = user
        conversation.hand_over_reason = HandOverReason.STAFF
        conversation.unread_count = 0
        conversation.last_activity_at = now
        conversation.save(
            update_fields=["state", "owner", "hand_over_reason", "unread_count", "last_activity_at"]
        )
        staff_message_deliver(
            conversation_id=conversation.pk,
            channel=conversation.channel,
            external_user_id=conversation.external_user_id,
            message_id=message.pk,
            text=text,
            now=now,
        )
    return message
