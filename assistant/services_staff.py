"""What staff do with a conversation: take it over (the assistant goes silent), reply in it,
hand it back to the assistant, close it, and mark it read. Each is one conditional UPDATE on
the conversation, so two people pressing "take over" at once cannot both own it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import pgettext

from assistant.models import Author, Conversation, ConversationState, Direction, Message


class ConversationError(Exception):
    """The action does not fit the conversation's state (the message is translated)."""


def conversation_take_over(*, conversation_id: int, user_id: int, now: datetime) -> Conversation:
    """`user_id` owns the conversation from now on; refused when someone else owns it."""
    with transaction.atomic():
        taken = (
            Conversation.objects.filter(pk=conversation_id)
            .exclude(state=ConversationState.STAFF, owner__isnull=False)
            .update(
                state=ConversationState.STAFF,
                owner_id=user_id,
                hand_over_reason="",
                failed_attempts=0,
                last_activity_at=now,
            )
        )
        conversation = Conversation.objects.get(pk=conversation_id)
        if not taken and conversation.owner_id != user_id:
            raise ConversationError(
                pgettext("assistant", "Someone else has already taken over this conversation.")
            )
    return conversation


def conversation_release(*, conversation_id: int, user_id: int, now: datetime) -> Conversation:
    """The owner hands the conversation back to the assistant."""
    released = Conversation.objects.filter(
        pk=conversation_id, state=ConversationState.STAFF, owner_id=user_id
    ).update(state=ConversationState.BOT, owner=None, hand_over_reason="", last_activity_at=now)
    if not released:
        raise ConversationError(pgettext("assistant", "You do not handle this conversation."))
    return Conversation.objects.get(pk=conversation_id)


def conversation_close(*, conversation_id: int, user_id: int, now: datetime) -> Conversation:
    """Closed: the customer's next message opens it again for the assistant."""
    Conversation.objects.filter(pk=conversation_id).update(
        state=ConversationState.CLOSED,
        owner=None,
        hand_over_reason="",
        unread_count=0,
        draft={},
        last_activity_at=now,
    )
    return Conversation.objects.get(pk=conversation_id)


def conversation_mark_read(*, conversation_id: int) -> None:
    Conversation.objects.filter(pk=conversation_id).update(unread_count=0)


def staff_reply(*, conversation_id: int, user_id: int, text: str, now: datetime) -> Message:
    """A message written by the owner (stored; the channel sends it). Only the owner replies."""
    text = text.strip()
    if not text:
        raise ConversationError(pgettext("assistant", "Write a message first."))
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.state != ConversationState.STAFF or conversation.owner_id != user_id:
            raise ConversationError(
                pgettext("assistant", "Take over the conversation before replying.")
            )
        message = Message.objects.create(
            conversation=conversation,
            direction=Direction.OUT,
            author=Author.STAFF,
            staff_id=user_id,
            text=text[:4000],
            created_at=now,
        )
        conversation.unread_count = 0
        conversation.last_activity_at = now
        conversation.save(update_fields=["unread_count", "last_activity_at"])
    return message
