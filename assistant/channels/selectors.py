"""Reads of the channels and the inbox, shaped for their pages and the widget."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from assistant.channels.models import Platform
from assistant.models import Author, Conversation, Message

WIDGET_PAGE = 50


def widget_messages(*, visitor: str, after_id: int) -> list[dict[str, Any]]:
    """The website conversation's messages after `after_id`, oldest first, as the widget
    shows them (no tool results, no internal fields)."""
    rows = (
        Message.objects.filter(
            conversation__channel=Platform.WEB,
            conversation__external_user_id=visitor,
            id__gt=after_id,
        )
        .order_by("id")
        .values("id", "author", "text", "created_at")[:WIDGET_PAGE]
    )
    return [
        {
            "id": row["id"],
            "from": "visitor" if row["author"] == Author.CUSTOMER else "shop",
            "text": row["text"],
            "at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


def inbox_conversations(*, state: str = "", limit: int = 100) -> QuerySet[Conversation]:
    query = Conversation.objects.select_related("customer", "owner")
    if state == "undelivered":
        from assistant.channels.undelivered import flagged

        query = flagged(query)
    elif state:
        query = query.filter(state=state)
    return query.order_by("-last_activity_at", "-id")[:limit]


def inbox_unread_total() -> int:
    return int(Conversation.objects.aggregate(total=Sum("unread_count"))["total"] or 0)


def conversation_messages(*, conversation_id: int, limit: int = 200) -> list[Message]:
    rows = list(
        Message.objects.filter(conversation_id=conversation_id)
        .select_related("staff")
        .order_by("-id")[:limit]
    )
    rows.reverse()
    return rows


def customer_conversations(*, customer_id: int) -> QuerySet[Conversation]:
    return Conversation.objects.filter(customer_id=customer_id).order_by("-last_activity_at", "-id")


def other_conversations(conversation: Conversation) -> list[Conversation]:
    """The same customer's conversations on the other channels (another way to answer them)."""
    if conversation.customer_id is None:
        return []
    return list(
        Conversation.objects.filter(customer_id=conversation.customer_id)
        .exclude(pk=conversation.pk)
        .exclude(channel=conversation.channel)
        .order_by("-last_activity_at", "-id")[:5]
    )
