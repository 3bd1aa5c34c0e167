"""Push messages (webhooks): verify and store raw in the request, act on them in a worker.

`webhook_receive` is what the endpoint calls: it checks the signature over the raw body with
each app of the platform (ChannelApp.push_secret, else app_secret) and the exact URL the push
was registered with, and stores the body as InboundPayload(kind="webhook"). A bad signature
stores nothing, logs a warning and returns None. `webhook_process` (the worker) fetches the
order a push names and stores/applies it like the pull, or updates the shop on
(de)authorisation and expiry pushes. `lost_pushes_recover` fetches what Shopee could not
deliver (get_lost_push_message), stores and processes it, then confirms it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import PayloadError, TransientError, WebhookEvent
from channels_sync.adapters.shopee import ShopeeAdapter
from channels_sync.adapters.shopee_parse import expiring_shop_ids
from channels_sync.models import (
    AccountStatus,
    ChannelAccount,
    ChannelApp,
    ChannelOrder,
    InboundPayload,
    PayloadKind,
    PayloadStatus,
)
from channels_sync.services.accounts import ShopClient, announce_ending, app_adapter
from channels_sync.services.pull import order_details_store, update_stored

log = logging.getLogger(__name__)


def webhook_receive(
    *, platform: str, url: str, body: bytes, headers: Mapping[str, str]
) -> InboundPayload | None:
    cls = adapter_class(platform)
    app = next(
        (
            app
            for app in ChannelApp.objects.filter(platform=platform).order_by("pk")
            if cls.verify_webhook(
                secret=app.push_secret or app.app_secret,
                app_key=app.app_key,
                url=url,
                body=body,
                headers=headers,
            )
        ),
        None,
    )
    if app is None:
        log.warning("%s push to %s refused: bad signature (%d bytes)", platform, url, len(body))
        return None
    try:
        event: WebhookEvent | None = cls.parse_webhook(body)
    except PayloadError:
        event = None  # kept anyway; the worker quarantines it
    account = None
    if event is not None and event.shop_id:
        account = ChannelAccount.objects.filter(app=app, shop_id=event.shop_id).first()
    return InboundPayload.objects.create(
        account=account,
        platform=platform,
        kind=PayloadKind.WEBHOOK,
        external_id=(event.external_id if event else "")[:64],
        external_updated_at=event.updated_at if event and event.kind == "order" else None,
        body=body.decode("utf-8", errors="replace"),
    )


def webhook_process(*, payload_id: int) -> None:
    """Act on one stored push (idempotent: a push already handled is left alone)."""
    payload = InboundPayload.objects.select_related("account").get(pk=payload_id)
    if payload.kind != PayloadKind.WEBHOOK or payload.status != PayloadStatus.PENDING:
        return
    try:
        event = adapter_class(payload.platform).parse_webhook(payload.body.encode())
    except PayloadError as error:
        _finish(payload, PayloadStatus.QUARANTINED, reason=error.code, detail=str(error))
        return
    if event.kind in ("order", "tracking"):
        _order_push(payload)
    elif event.kind == "deauthorized":
        _deauthorized(payload, event)
    elif event.kind == "authorization_expiring":
        _expiring(payload, event)
    else:
        _finish(payload, PayloadStatus.IGNORED, detail=f"push kind {event.kind}")


def _finish(payload: InboundPayload, status: str, *, reason: str = "", detail: str = "") -> None:
    payload.status, payload.reason, payload.detail = status, reason, detail
    payload.attempts += 1
    payload.applied_at = timezone.now()
    payload.save(update_fields=["status", "reason", "detail", "attempts", "applied_at"])


class WebhookBatchBusy(TransientError):
    """Another worker is fetching this shop's pushed orders: try again in a moment."""


BATCH_LOCK_SECONDS = 120


def _order_push(payload: InboundPayload) -> None:
    """Fetch the order a push names, together with every other order push of the shop still
    waiting (up to the platform's detail batch per call): in a flash sale hundreds of pushes
    queue up, and one detail call for 50 of them keeps us inside the rate limit. One worker
    per shop does this at a time (a cache lock); the others retry shortly, and find their
    push handled."""
    account = payload.account
    if account is None or account.status == AccountStatus.RECONNECT:
        _finish(payload, PayloadStatus.IGNORED, detail="no connected shop for this push")
        return
    lock = f"channels_sync:webhook-batch:{account.pk}"
    if not cache.add(lock, payload.pk, timeout=BATCH_LOCK_SECONDS):
        raise WebhookBatchBusy("busy", "another worker is fetching this shop's pushed orders")
    try:
        client = ShopClient(account)
        batch_size = client.call(lambda a: a.order_detail_batch)
        while _order_push_batch(client, account, batch_size):
            pass
    finally:
        cache.delete(lock)


def _order_push_batch(client: ShopClient, account: ChannelAccount, batch_size: int) -> bool:
    """Handle the oldest waiting order pushes of the shop (at most `batch_size` distinct
    orders); False when none was waiting."""
    waiting = list(
        InboundPayload.objects.filter(
            account=account,
            kind=PayloadKind.WEBHOOK,
            status=PayloadStatus.PENDING,
        )
        .exclude(external_id="")
        .order_by("pk")[: batch_size * 4]
    )
    if not waiting:
        return False
    parser = adapter_class(account.platform)
    to_fetch: dict[str, list[InboundPayload]] = {}
    progressed = False  # some push was finished: look again (more may wait behind)
    for pending in waiting:
        try:
            event = parser.parse_webhook(pending.body.encode())
        except PayloadError as error:
            _finish(pending, PayloadStatus.QUARANTINED, reason=error.code, detail=str(error))
            progressed = True
            continue
        if event.kind not in ("order", "tracking"):
            continue  # left to its own task
        if (
            event.kind == "order"
            and event.updated_at is not None
            and update_stored(
                account=account,
                external_id=event.external_id,
                updated_at=event.updated_at,
                status=event.status,
            )
        ):
            _finish(pending, PayloadStatus.IGNORED, detail="this update is stored already")
            progressed = True
            continue
        if event.external_id in to_fetch or len(to_fetch) < batch_size:
            to_fetch.setdefault(event.external_id, []).append(pending)
    if not to_fetch:
        return progressed
    done = order_details_store(client=client, account=account, external_ids=list(to_fetch))
    orders = dict(
        ChannelOrder.objects.filter(account=account, external_id__in=list(to_fetch)).values_list(
            "external_id", "order_id"
        )
    )
    for external_id, payloads in to_fetch.items():
        first, *again = payloads
        first.order_id = orders.get(external_id)
        first.save(update_fields=["order"])
        _finish(first, PayloadStatus.APPLIED, detail=f"stored {done.stored}, same {done.skipped}")
        for repeat in again:
            _finish(repeat, PayloadStatus.IGNORED, detail="fetched with an earlier push")
    return True


def _deauthorized(payload: InboundPayload, event: WebhookEvent) -> None:
    now = timezone.now()
    with transaction.atomic():
        accounts = _accounts_of(payload, [event.shop_id])
        for account in accounts:
            account.status = AccountStatus.RECONNECT
            account.status_reason = "deauthorized: the seller cancelled the authorisation"
            account.authorized_until = now
            account.save(update_fields=["status", "status_reason", "authorized_until"])
            announce_ending(account_id=account.pk, ends_at=now, reason="deauthorized")
        _finish(payload, PayloadStatus.APPLIED if accounts else PayloadStatus.IGNORED)


def _expiring(payload: InboundPayload, event: WebhookEvent) -> None:
    ends_at = event.updated_at
    with transaction.atomic():
        accounts = _accounts_of(payload, expiring_shop_ids(event))
        for account in accounts:
            if ends_at is not None:
                account.authorized_until = ends_at
                account.save(update_fields=["authorized_until"])
            announce_ending(
                account_id=account.pk,
                ends_at=ends_at or account.authorized_until or timezone.now(),
                reason="expiring",
            )
        _finish(payload, PayloadStatus.APPLIED if accounts else PayloadStatus.IGNORED)


def _accounts_of(payload: InboundPayload, shop_ids: list[str]) -> list[ChannelAccount]:
    """The shops a partner-level push names, among the apps of the payload's platform."""
    found = ChannelAccount.objects.select_for_update().filter(
        platform=payload.platform, shop_id__in=[s for s in shop_ids if s]
    )
    return list(found.order_by("pk"))


def lost_pushes_recover(*, app_id: int) -> int:
    """Shopee pushes that failed to reach us (last 3 days): each stored as a webhook payload
    and processed, then confirmed consumed. Returns how many were stored."""
    app = ChannelApp.objects.get(pk=app_id)
    adapter = app_adapter(app)
    if not isinstance(adapter, ShopeeAdapter):
        raise ValueError(f"lost pushes are a Shopee call, not {app.platform}")
    stored = 0
    while True:
        messages, last_id, more = adapter.lost_pushes()
        for message in messages:
            payload = _lost_store(app, message)
            stored += 1
            try:
                webhook_process(payload_id=payload.pk)
            except Exception:  # stays pending for the worker; the pull is the safety net
                log.exception("lost push %s could not be processed now", payload.pk)
        if not messages or last_id <= 0:
            return stored
        adapter.lost_pushes_confirm(last_message_id=last_id)
        if not more:
            return stored


def _lost_store(app: ChannelApp, message: Mapping[str, Any]) -> InboundPayload:
    """A lost message as the push body it would have been (`data` comes as JSON text; some
    hosts send the whole push there)."""
    data: Any = message.get("data")
    if isinstance(data, str):
        with contextlib.suppress(ValueError):
            data = json.loads(data)
    if isinstance(data, dict) and "code" in data and "data" in data:
        envelope = data
    else:
        envelope = {
            "data": data,
            "code": message.get("code"),
            "timestamp": message.get("timestamp"),
        }
        if message.get("shop_id") is not None:
            envelope["shop_id"] = message["shop_id"]
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
    try:
        event: WebhookEvent | None = ShopeeAdapter.parse_webhook(body.encode())
    except PayloadError:
        event = None
    account = None
    if event is not None and event.shop_id:
        account = ChannelAccount.objects.filter(app=app, shop_id=event.shop_id).first()
    return InboundPayload.objects.create(
        account=account,
        platform=app.platform,
        kind=PayloadKind.WEBHOOK,
        external_id=(event.external_id if event else "")[:64],
        external_updated_at=event.updated_at if event and event.kind == "order" else None,
        body=body,
    )
