"""Conversations: a customer's message in (stored first), the assistant's checked answer out,
and what staff do (take over, reply, hand back, close, read).

conversation_receive is what every channel calls: it stores the inbound message, stays silent
while staff own the conversation (or it waits for them after a hand-over), else asks the
configured engine, runs the guardrails (one regeneration, then the templated answer), stores
the outbound message and returns it for the channel to send.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from assistant.engine import Engine, EngineError, Reply, ToolResult, configured_engine
from assistant.guardrails import Violation, check_reply, hand_over_requested
from assistant.models import (
    Author,
    Conversation,
    ConversationState,
    Direction,
    HandOverReason,
    Message,
)
from assistant.offline.language import detect_language
from assistant.offline.render import hand_over_text, render_results
from orders.selectors import customers_with_phone

MAX_TEXT = 4000


@dataclass(frozen=True)
class Outbound:
    """The answer a channel sends: the stored message and whether staff were called."""

    conversation_id: int
    message_id: int
    text: str
    hand_over: bool


def _conversation(channel: str, external_user_id: str, now: datetime) -> Conversation:
    conversation, _created = Conversation.objects.select_for_update().get_or_create(
        channel=channel,
        external_user_id=external_user_id[:128],
        defaults={"last_activity_at": now, "created_at": now},
    )
    return conversation


def _inbound(
    *, channel: str, external_user_id: str, text: str, raw: dict[str, Any], now: datetime
) -> tuple[Conversation, Message]:
    with transaction.atomic():
        conversation = _conversation(channel, external_user_id, now)
        if conversation.state == ConversationState.CLOSED:
            conversation.state = ConversationState.BOT
            conversation.hand_over_reason = ""
            conversation.failed_attempts = 0
            conversation.draft = {}
        message = Message.objects.create(
            conversation=conversation,
            direction=Direction.IN,
            author=Author.CUSTOMER,
            text=text[:MAX_TEXT],
            raw=raw,
            created_at=now,
        )
        conversation.unread_count = F("unread_count") + 1
        conversation.last_activity_at = now
        conversation.save()
        conversation.refresh_from_db()
    return conversation, message


def conversation_receive(
    *,
    channel: str,
    external_user_id: str,
    text: str,
    raw: dict[str, Any],
    now: datetime,
    engine: Engine | None = None,
) -> Outbound | None:
    """Store the customer's message and answer it; None when the assistant stays silent (staff
    own the conversation, or it was handed over and waits for them)."""
    conversation, inbound = _inbound(
        channel=channel, external_user_id=external_user_id, text=text, raw=raw, now=now
    )
    if conversation.state != ConversationState.BOT or conversation.hand_over_reason:
        return None
    language = detect_language(text, default=conversation.language or settings.LANGUAGE_CODE)
    if hand_over_requested(text):
        reply = Reply(
            text=hand_over_text(language),
            hand_over=True,
            hand_over_reason=HandOverReason.REQUESTED,
            language=language,
            engine="guardrails",
        )
        return _outbound(conversation, inbound, reply, guardrail="", latency_ms=0)
    engine = engine or configured_engine()
    started = time.monotonic()
    try:
        reply, guardrail = _guarded_reply(engine, conversation, inbound, now)
    except EngineError as error:
        reply = Reply(
            text=hand_over_text(language),
            hand_over=True,
            hand_over_reason=HandOverReason.UNAVAILABLE,
            language=language,
            engine=getattr(engine, "name", ""),
            extra={"error": str(error)[:500]},
        )
        guardrail = ""
    latency_ms = int((time.monotonic() - started) * 1000)
    return _outbound(conversation, inbound, reply, guardrail=guardrail, latency_ms=latency_ms)


def _violations(reply: Reply, conversation: Conversation, text: str) -> list[Violation]:
    return check_reply(
        reply.text,
        reply.tool_results,
        customer_text=text,
        verified_orders=conversation.verified_orders,
    )


def _guarded_reply(
    engine: Engine, conversation: Conversation, inbound: Message, now: datetime
) -> tuple[Reply, str]:
    """The engine's reply if it passes the guardrails; else one regeneration; else the
    templated answer built from the tool results alone ("" / "regenerated" / "templated")."""
    reply = engine.reply(conversation=conversation, text=inbound.text, now=now)
    violations = _violations(reply, conversation, inbound.text)
    if not violations:
        return reply, ""
    correction = "Not backed by this turn's tool results or the shop's rules: " + ", ".join(
        str(v) for v in violations
    )
    conversation.refresh_from_db()
    second = engine.reply(
        conversation=conversation, text=inbound.text, now=now, correction=correction
    )
    if not _violations(second, conversation, inbound.text):
        return second, "regenerated"
    results = (*reply.tool_results, *second.tool_results)
    language = second.language or reply.language or conversation.language or "vi"
    text = render_results(results, language)
    templated = Reply(
        text=text or hand_over_text(language),
        tool_results=results,
        confidence=second.confidence,
        hand_over=not text,
        hand_over_reason="" if text else HandOverReason.GUARDRAIL,
        failed=True,
        language=language,
        intent=second.intent,
        engine=second.engine or reply.engine,
    )
    return templated, "templated"


def _hand_over_reason(reply: Reply, failed_attempts: int) -> str:
    if reply.hand_over:
        return reply.hand_over_reason or HandOverReason.REQUESTED
    if reply.confidence < float(settings.ASSISTANT_MIN_CONFIDENCE):
        return HandOverReason.LOW_CONFIDENCE
    if failed_attempts >= 2:
        return HandOverReason.FAILED_ATTEMPTS
    return ""


def _link_customer(conversation: Conversation, results: tuple[ToolResult, ...]) -> None:
    """The conversation's customer: found by the phone a tool checked (order status, call-back,
    read-back), once none is linked."""
    if conversation.customer_id is not None:
        return
    for result in results:
        phone = result.arguments.get("phone") if result.ok else None
        if isinstance(phone, str) and phone:
            matches = customers_with_phone(phone=phone)
            if matches:
                conversation.customer_id = matches[0].pk
                return


def _outbound(
    conversation: Conversation, inbound: Message, reply: Reply, *, guardrail: str, latency_ms: int
) -> Outbound:
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        failed = conversation.failed_attempts + 1 if reply.failed else 0
        reason = _hand_over_reason(reply, failed)
        text = reply.text
        if reason and not reply.hand_over:
            text = f"{text}\n{hand_over_text(reply.language or 'vi')}".strip()
        message = Message.objects.create(
            conversation=conversation,
            direction=Direction.OUT,
            author=Author.BOT,
            text=text,
            tool_calls=[{"name": r.name, "arguments": r.arguments} for r in reply.tool_results],
            tool_results=[r.as_json() for r in reply.tool_results],
            engine=reply.engine,
            confidence=Decimal(str(round(reply.confidence, 3))),
            guardrail=guardrail,
            latency_ms=latency_ms,
            raw={"intent": reply.intent, **reply.extra},
            created_at=inbound.created_at,
        )
        conversation.failed_attempts = failed
        conversation.hand_over_reason = reason
        conversation.language = reply.language or conversation.language
        verified = [
            str(r.data["order_number"])
            for r in reply.tool_results
            if r.ok and r.name == "order_status"
        ]
        conversation.verified_orders = list(
            dict.fromkeys([*conversation.verified_orders, *verified])
        )
        if reply.memory == {}:
            conversation.draft = {}
        elif reply.memory is not None:
            conversation.draft = {**(conversation.draft or {}), "memory": reply.memory}
        _link_customer(conversation, reply.tool_results)
        conversation.save()
    return Outbound(conversation.pk, message.pk, text, bool(reason))
