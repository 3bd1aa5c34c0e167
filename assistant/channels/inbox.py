"""The inbox's staff actions on top of the assistant's own (assistant.services_staff): a reply
goes out through the conversation's channel, and replying to a conversation nobody owns takes
it over first (the assistant stays silent while a person owns it)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import pgettext

from assistant.channels.services import staff_message_deliver
from assistant.models import Conversation, Message
from assistant.services_staff import ConversationError, conversation_take_over, staff_reply

__all__ = ["ConversationError", "conversation_staff_reply"]


def conversation_staff_reply(
    *, conversation_id: int, user_id: int, text: str, now: datetime
) -> Message:
    """Store the reply and queue it for the channel (after the commit); ConversationError
    (nothing changed) for an empty text or a conversation someone else owns."""
    if not text.strip():
        raise ConversationError(pgettext("assistant", "Write a message first."))
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.owner_id != user_id:
            conversation_take_over(conversation_id=conversation_id, user_id=user_id, now=now)
        message = staff_reply(conversation_id=conversation_id, user_id=user_id, text=text, now=now)
        staff_message_deliver(
            conversation_id=conversation.pk,
            channel=conversation.channel,
            external_user_id=conversation.external_user_id,
            message_id=message.pk,
            text=message.text,
            now=now,
        )
    return message
