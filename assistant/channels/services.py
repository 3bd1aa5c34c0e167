"""Messages in from the channels, answers out through them.

`webhook_receive` is what each webhook endpoint calls with the raw body: it finds the account
the body names, checks the platform's signature over the raw body with that account's secret
(a bad one stores nothing and returns None), stores each event raw (InboundEvent, unique per
account by the platform's event id: a redelivered event is ignored) and queues its processing
after the commit. `event_process` (a Celery task) hands a customer's text to the assistant
(assistant.services.conversation_receive) and queues the answer's Delivery; `delivery_send`
sends one Delivery through the platform's send API (transient errors are retried by the task;
a permanent refusal is recorded on the delivery). `widget_message_receive` is the website
chat's synchronous path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from assistant.channels import inbound, signing
from assistant.channels.models import (
    DEFAULT_BASE_URLS,
    ChatAccount,
    Delivery,
    DeliveryStatus,
    EventStatus,
    InboundEvent,
    Platform,
)
from assistant.channels.senders import SENDERS, Outgoing, Reason, Sent, Undeliverable
from assistant.services import Outbound, conversation_receive
from common.external import ExternalError, PermanentError

log = logging.getLogger(__name__)

TASK_PROCESS = "assistant.channel_event_process"
TASK_SEND = "assistant.channel_delivery_send"
TASK_SWEEP = "assistant.channels_sweep"


def _enqueue(name: str, **kwargs: Any) -> None:
    """Queue the task `name` once the current transaction commits (a broker that cannot be
    reached is logged: the event stays `received` and can be processed again)."""
    from assistant.channels import tasks

    task = {TASK_PROCESS: tasks.process_event, TASK_SEND: tasks.send_delivery}[name]

    def publish() -> None:
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception:
            log.exception("could not queue %s %s", name, kwargs)

    transaction.on_commit(publish)


# --- Webhooks ----------------------------------------------------------------------------------


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def _accounts(platform: str, key: str) -> list[ChatAccount]:
    if not key:
        return []
    return list(ChatAccount.objects.filter(platform=platform, external_id=key, active=True))


def _verified(platform: str, body: bytes, headers: Mapping[str, str]) -> dict[str, ChatAccount]:
    """The accounts (by their key in the body) whose secret verifies the body."""
    if platform == Platform.MESSENGER:
        keys = inbound.messenger_pages(body)
        header = _header(headers, "X-Hub-Signature-256")
        check: Callable[[ChatAccount], bool] = lambda a: signing.messenger_verify(  # noqa: E731
            app_secret=a.secret, body=body, header=header
        )
    elif platform == Platform.ZALO:
        keys = {event.account_key for event in inbound.zalo_events(body)}
        header = _header(headers, "X-ZEvent-Signature")
        check = lambda a: signing.zalo_verify(  # noqa: E731
            app_id=a.app_id, oa_secret=a.secret, body=body, header=header
        )
    else:
        keys = {inbound.line_destination(body)}
        header = _header(headers, "x-line-signature")
        check = lambda a: signing.line_verify(  # noqa: E731
            channel_secret=a.secret, body=body, header=header
        )
    found: dict[str, ChatAccount] = {}
    for key in keys:
        account = next((a for a in _accounts(platform, key) if check(a)), None)
        if account is not None:
            found[key] = account
    return found


PARSERS: dict[str, Callable[[bytes], list[inbound.Event]]] = {
    Platform.MESSENGER: inbound.messenger_events,
    Platform.ZALO: inbound.zalo_events,
    Platform.LINE: inbound.line_events,
}


@dataclass(frozen=True)
class Received:
    stored: tuple[int, ...]  # the new events' ids
    duplicates: int


def webhook_receive(
    *, platform: str, body: bytes, headers: Mapping[str, str], now: datetime
) -> Received | None:
    """Verify and store one webhook body; None when no account's secret verifies it (logged,
    nothing stored). inbound.BodyError when the body is not the platform's JSON."""
    accounts = _verified(platform, body, headers)
    if not accounts:
        log.warning("%s webhook refused: bad signature (%d bytes)", platform, len(body))
        return None
    text = body.decode("utf-8", errors="replace")
    stored: list[int] = []
    duplicates = 0
    for event in PARSERS[platform](body):
        account = accounts.get(event.account_key)
        if account is None:
            log.warning("%s webhook: event for unverified account %s", platform, event.account_key)
            continue
        row = _event_store(account, event, text, now)
        if row is None:
            duplicates += 1
            continue
        stored.append(row.pk)
        if row.status == EventStatus.RECEIVED:
            _enqueue(TASK_PROCESS, event_id=row.pk)
    return Received(tuple(stored), duplicates)


def _event_store(
    account: ChatAccount, event: inbound.Event, body: str, now: datetime
) -> InboundEvent | None:
    """The new event (`ignored` unless a customer's text); None when this account has it
    already (a redelivery)."""
    answerable = event.kind == "text" and bool(event.user_id) and bool(event.text.strip())
    try:
        with transaction.atomic():
            row = InboundEvent.objects.create(
                account=account,
                event_id=event.event_id[:128],
                kind=event.kind[:40],
                user_id=event.user_id[:128],
                text=event.text,
                reply_token=event.reply_token[:255],
                event=event.event,
                body=body,
                status=EventStatus.RECEIVED if answerable else EventStatus.IGNORED,
                received_at=now,
            )
    except IntegrityError:
        return None
    return row


# --- Answering ---------------------------------------------------------------------------------


def event_process(*, event_id: int, now: datetime | None = None) -> None:
    """Hand one stored customer message to the assistant and queue its answer (idempotent: an
    event already processed is left alone)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            InboundEvent.objects.select_for_update()
            .select_related("account")
            .filter(pk=event_id, status=EventStatus.RECEIVED)
            .first()
        )
        if event is None:
            return
        outbound = conversation_receive(
            channel=event.account.platform,
            external_user_id=event.user_id,
            text=event.text,
            raw={"event": event.event, "event_id": event.event_id},
            now=now,
        )
        event.conversation_id = _conversation_id(event, outbound)
        event.status = EventStatus.SILENT if outbound is None else EventStatus.ANSWERED
        event.processed_at = now
        event.save(update_fields=["conversation_id", "status", "processed_at"])
        if outbound is not None:
            delivery_create(
                account=event.account,
                recipient=event.user_id,
                conversation_id=outbound.conversation_id,
                message_id=outbound.message_id,
                text=outbound.text,
                reply_token=event.reply_token,
                now=now,
            )


def _conversation_id(event: InboundEvent, outbound: Outbound | None) -> int | None:
    if outbound is not None:
        return outbound.conversation_id
    from assistant.models import Conversation

    return (
        Conversation.objects.filter(
            channel=event.account.platform, external_user_id=event.user_id[:128]
        )
        .values_list("pk", flat=True)
        .first()
    )


def delivery_create(
    *,
    account: ChatAccount,
    recipient: str,
    conversation_id: int,
    message_id: int,
    text: str,
    reply_token: str = "",
    now: datetime,
) -> Delivery:
    """Queue one message for sending through `account`'s platform (after the commit)."""
    delivery = Delivery.objects.create(
        account=account,
        conversation_id=conversation_id,
        message_id=message_id,
        recipient=recipient,
        text=text,
        reply_token=reply_token,
        created_at=now,
    )
    _enqueue(TASK_SEND, delivery_id=delivery.pk)
    return delivery


MAX_ATTEMPTS = 10  # temporary errors in a row before a reply is declared undeliverable


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> None:
    """Send one pending delivery. A temporary error propagates (the task retries it) until
    the MAX_ATTEMPTS-th, which fails the delivery ("retries"); a refusal fails it at once with
    the platform's code, message and our reason. A failed delivery flags its conversation
    (assistant.channels.undelivered)."""
    from assistant.channels.undelivered import delivery_failed, delivery_sent

    delivery = Delivery.objects.select_related("account").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return
    account = delivery.account
    outgoing = Outgoing(
        base_url=account.api_base_url,
        access_token=account.access_token,
        recipient=delivery.recipient,
        text=delivery.text,
        reply_token=delivery.reply_token,
        retry_key=_retry_key(delivery),
    )
    attempts = delivery.attempts + 1
    Delivery.objects.filter(pk=delivery.pk).update(attempts=attempts)
    now = now or timezone.now()
    try:
        sent: Sent = SENDERS[account.platform](outgoing)
    except Undeliverable as error:
        delivery_failed(delivery=delivery, error=error, reason=error.reason, now=now)
        return
    except PermanentError as error:
        delivery_failed(delivery=delivery, error=error, reason=Reason.REFUSED, now=now)
        return
    except ExternalError as error:
        if attempts >= MAX_ATTEMPTS:
            delivery_failed(delivery=delivery, error=error, reason=Reason.RETRIES, now=now)
            return
        Delivery.objects.filter(pk=delivery.pk).update(error=str(error)[:500])
        raise
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT,
        external_message_id=",".join(sent.external_ids)[:128],
        error="",
        failure="",
        sent_at=now,
    )
    delivery_sent(delivery=delivery)


def _retry_key(delivery: Delivery) -> str:
    """LINE's X-Line-Retry-Key: a UUID fixed per delivery, so a retried push is not doubled."""
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"assistant-delivery:{delivery.pk}"))


def staff_message_deliver(
    *,
    conversation_id: int,
    channel: str,
    external_user_id: str,
    message_id: int,
    text: str,
    now: datetime,
) -> Delivery | None:
    """Send a staff reply out through the account the customer last wrote to (None for the
    website chat, whose widget fetches new messages itself, or when no account is known)."""
    if channel == Platform.WEB:
        return None
    event = (
        InboundEvent.objects.select_related("account")
        .filter(conversation_id=conversation_id)
        .order_by("-id")
        .first()
    )
    account = event.account if event is not None else None
    if account is None:
        account = ChatAccount.objects.filter(platform=channel, active=True).order_by("pk").first()
    if account is None:
        return None
    return delivery_create(
        account=account,
        recipient=external_user_id,
        conversation_id=conversation_id,
        message_id=message_id,
        text=text,
        now=now,
    )


def chat_account_save(*, account: ChatAccount, secrets: Mapping[str, str]) -> ChatAccount:
    """Save an account from its form: the secrets typed replace the stored ones; an empty API
    base URL becomes the platform's own."""
    for name, value in secrets.items():
        setattr(account, name, value)
    if not account.api_base_url:
        account.api_base_url = DEFAULT_BASE_URLS.get(account.platform, "")
    account.save()
    return account


SWEEP_AFTER = timedelta(minutes=2)


def channels_sweep(*, now: datetime) -> tuple[int, int]:
    """Queue again what was left behind (the broker was down when it was stored, or a task
    gave up its retries): customer messages still `received` and deliveries still pending,
    older than SWEEP_AFTER. Returns (events, deliveries) queued. Nothing is dropped: a delivery
    that used up MAX_ATTEMPTS is failed ("retries") and flags its conversation."""
    from assistant.channels.undelivered import delivery_failed

    before = now - SWEEP_AFTER
    events = list(
        InboundEvent.objects.filter(status=EventStatus.RECEIVED, received_at__lt=before)
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )
    deliveries = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            created_at__lt=before,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )
    exhausted = Delivery.objects.select_related("account").filter(
        status=DeliveryStatus.PENDING, created_at__lt=before, attempts__gte=MAX_ATTEMPTS
    )
    for delivery in exhausted[:500]:
        error = ExternalError("retries_exhausted", delivery.error)
        delivery_failed(delivery=delivery, error=error, reason=Reason.RETRIES, now=now)
    for pk in events:
        _enqueue(TASK_PROCESS, event_id=pk)
    for pk in deliveries:
        _enqueue(TASK_SEND, delivery_id=pk)
    return len(events), len(deliveries)
