"""The website chat: a visitor's message in (answered in the same request), new messages out
(the widget polls), the visitor's token, the shop's allowed origins and the rate limits.

A visitor is a random id the server issues on the first message, handed to the widget as a
signed token (django.core.signing, bound to the widget's account) that the widget keeps in the
visitor's browser (localStorage) and sends back in `X-Visitor-Token`: no third-party cookie,
which browsers block on a shop's own site. Limits: per visitor and per IP, in a fixed window
in the shared cache (common.ratelimit), from settings ASSISTANT_WIDGET_VISITOR_LIMIT and
ASSISTANT_WIDGET_IP_LIMIT (messages per minute).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from assistant.channels.models import ChatAccount, EventStatus, InboundEvent, Platform
from assistant.services import Outbound, conversation_receive
from common.ratelimit import Verdict, rate_limit_hit

TOKEN_SALT = "assistant.widget.visitor"
MAX_TEXT = 2000
WINDOW = 60


def widget_account(key: str) -> ChatAccount | None:
    return ChatAccount.objects.filter(platform=Platform.WEB, external_id=key, active=True).first()


def origin_allowed(account: ChatAccount, origin: str) -> bool:
    return bool(origin) and origin.rstrip("/") in account.origins()


def visitor_token_issue(account: ChatAccount) -> tuple[str, str]:
    visitor = secrets.token_urlsafe(16)
    return visitor, signing.dumps({"a": account.pk, "v": visitor}, salt=TOKEN_SALT)


def visitor_from_token(account: ChatAccount, token: str) -> str | None:
    if not token:
        return None
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account.pk:
        return None
    visitor = data.get("v")
    return visitor if isinstance(visitor, str) and visitor else None


def rate_limit(*, account: ChatAccount, visitor: str, ip: str) -> Verdict:
    """One message counted for the visitor and for the IP; refused past either limit."""
    per_visitor = int(getattr(settings, "ASSISTANT_WIDGET_VISITOR_LIMIT", 12))
    per_ip = int(getattr(settings, "ASSISTANT_WIDGET_IP_LIMIT", 60))
    by_ip = rate_limit_hit(
        key=f"assistant-widget-ip:{account.pk}:{ip}", limit=per_ip, window=WINDOW
    )
    if not by_ip.allowed:
        return by_ip
    return rate_limit_hit(
        key=f"assistant-widget-visitor:{account.pk}:{visitor}", limit=per_visitor, window=WINDOW
    )


@dataclass(frozen=True)
class WidgetAnswer:
    conversation_id: int | None
    outbound: Outbound | None
    duplicate: bool


def widget_message_receive(
    *, account: ChatAccount, visitor: str, client_id: str, text: str, now: datetime
) -> WidgetAnswer:
    """Store the visitor's message raw (once per `client_id`: a retried POST is not answered
    twice) and answer it now."""
    event_id = client_id[:100] or secrets.token_hex(12)
    raw: dict[str, Any] = {"visitor": visitor, "client_id": client_id, "text": text}
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                account=account,
                event_id=f"{visitor}:{event_id}",
                kind="text",
                user_id=visitor,
                text=text,
                event=raw,
                status=EventStatus.RECEIVED,
                received_at=now,
            )
    except IntegrityError:
        return WidgetAnswer(None, None, True)
    outbound = conversation_receive(
        channel=Platform.WEB, external_user_id=visitor, text=text, raw=raw, now=now
    )
    from assistant.models import Conversation

    conversation_id = (
        outbound.conversation_id
        if outbound is not None
        else Conversation.objects.filter(channel=Platform.WEB, external_user_id=visitor)
        .values_list("pk", flat=True)
        .first()
    )
    event.status = EventStatus.SILENT if outbound is None else EventStatus.ANSWERED
    event.conversation_id = conversation_id
    event.processed_at = now
    event.save(update_fields=["status", "conversation_id", "processed_at"])
    return WidgetAnswer(conversation_id, outbound, False)
