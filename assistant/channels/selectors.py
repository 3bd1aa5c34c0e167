"""Reads of the channels and the inbox, shaped for their pages and the widget."""

from __future__ import annotations

from typing import Any

from django.db.models import Min, Q, QuerySet, Sum

from assistant.channels.models import ChatAccount, Platform
from assistant.models import Author, Conversation, Message
from inventory.models import Product
from orders.models import Order

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


def widget_demo_account(*, origin: str) -> ChatAccount | None:
    """The first active website chat account that allows `origin` (the demo page's own)."""
    accounts = ChatAccount.objects.filter(platform=Platform.WEB, active=True).order_by("pk")
    return next((a for a in accounts if origin.rstrip("/") in a.origins()), None)


def widget_demo_products(*, limit: int = 6) -> list[dict[str, Any]]:
    """Active products with their lowest active variant price, for the widget's demo page."""
    rows = (
        Product.objects.filter(is_active=True)
        .annotate(price=Min("variants__sale_price", filter=Q(variants__is_active=True)))
        .filter(price__isnull=False)
        .order_by("pk")
        .values("name", "price")[:limit]
    )
    return [dict(row) for row in rows]


def widget_demo_order() -> dict[str, str] | None:
    """An open order and its buyer's phone, as a customer would ask about it (the demo page's
    example question): the first processing or shipped order whose customer has a phone."""
    order = (
        Order.objects.filter(status__in=("processing", "shipped"), customer__phones__isnull=False)
        .select_related("customer")
        .order_by("pk")
        .first()
    )
    if order is None or order.customer is None:
        return None
    phone = order.customer.phones.order_by("-is_primary", "pk").first()
    if phone is None:
        return None
    local = "0" + phone.e164.removeprefix("+84") if phone.e164.startswith("+84") else phone.e164
    return {"number": order.number, "phone": local}
