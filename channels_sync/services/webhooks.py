"""Push messages (webhooks): verify and store raw in the request, act on them in a worker.

`webhook_receive` is what the endpoint calls: it checks the signature over the raw body with
each app of the platform (ChannelApp.push_secret, else app_secret) and the exact URL the push
was registered with, and stores the body as InboundPayload(kind="webhook") (a message with a
platform message id whose body is stored already is that payload, not a new one). A bad signature
stores nothing, logs a warning and returns None. Order pushes of a connected shop are then
handled by ONE drain per shop at a time (`webhook_drain_schedule` / `webhook_drain`): it
fetches the waiting orders in detail batches and stores/applies them like the pull. Any other
push gets its own `webhook_process`, which updates the shop on (de)authorisation and expiry.
`lost_pushes_recover` fetches what Shopee could not deliver (get_lost_push_message), stores
and processes it, then confirms it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
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
from channels_sync.services.publishing import publications_of_item
from channels_sync.services.pull import order_details_store, update_stored
from common.celery_queue import task_send, task_send_on_commit

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
    text = body.decode("utf-8", errors="replace")
    external_id = (event.external_id if event else "")[:64]
    message_id = (event.message_id if event else "")[:64]
    if message_id:  # a repeat of a stored message (same platform message id): acked again
        repeat = InboundPayload.objects.filter(
            account=account, platform=platform, kind=PayloadKind.WEBHOOK, message_id=message_id
        ).first()
        if repeat is not None:
            return repeat
    return InboundPayload.objects.create(
        account=account,
        platform=platform,
        kind=PayloadKind.WEBHOOK,
        external_id=external_id,
        message_id=message_id,
        external_updated_at=event.updated_at if event and event.kind == "order" else None,
        body=text,
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
    elif event.kind == "reserved_stock" and payload.account_id is not None:
        _reserve_changed(payload)
    elif event.kind == "listing_review" and payload.account_id is not None:
        _listing_review(payload, event)
    else:
        _finish(payload, PayloadStatus.IGNORED, detail=f"push kind {event.kind}")


RESERVE_PULL_TASK = "channels_sync.pull_listings"
RESERVE_PULL_DELAY = 30  # seconds: the reserve pushes of a campaign starting make one pull


def _reserve_changed(payload: InboundPayload) -> None:
    """A promotion's reserved stock changed on the platform (Shopee code 8): the shop's
    listings are pulled RESERVE_PULL_DELAY seconds later (one pull for a burst), which brings
    its platform holds in line and queues the pushes (channels_sync.services.holds)."""
    account_id = payload.account_id
    assert account_id is not None
    if cache.add(f"channels_sync:reserve-pull:{account_id}", 1, RESERVE_PULL_DELAY):
        task_send_on_commit(
            RESERVE_PULL_TASK, kwargs={"account_id": account_id}, countdown=RESERVE_PULL_DELAY
        )
    _finish(payload, PayloadStatus.APPLIED, detail="listings pull queued (reserved stock)")


REVIEW_TASK = "channels_sync.publication_review"


def _listing_review(payload: InboundPayload, event: WebhookEvent) -> None:
    """A listing's review (Lazada QC, TikTok audit) moved: the publications holding that item
    read their review state now instead of at the next 10-minute sweep, so a listing that went
    live gets our stock at once."""
    assert payload.account_id is not None
    found = publications_of_item(account_id=payload.account_id, item_id=event.external_id)
    for publication_id in found:
        task_send_on_commit(REVIEW_TASK, kwargs={"publication_id": publication_id})
    if found:
        _finish(payload, PayloadStatus.APPLIED, detail=f"review check queued ({len(found)})")
    else:
        _finish(payload, PayloadStatus.IGNORED, detail="no publication holds this item")


def _finish(payload: InboundPayload, status: str, *, reason: str = "", detail: str = "") -> None:
    payload.status, payload.reason, payload.detail = status, reason, detail
    payload.attempts += 1
    payload.applied_at = timezone.now()
    payload.save(update_fields=["status", "reason", "detail", "attempts", "applied_at"])


class WebhookBatchBusy(TransientError):
    """Another worker is fetching this shop's pushed orders: try again in a moment."""


BATCH_LOCK_SECONDS = 120
DRAIN_TASK = "channels_sync.drain_webhooks"
DRAIN_FLAG_SECONDS = 120  # a "drain scheduled" flag lives this long without its task running
DRAIN_MAX_SECONDS = 240  # one drain task works this long, then hands over to the next
FILL_WAIT = 0.5  # seconds a part-filled batch waits while pushes are still arriving
LOCK_WAIT = 2.0  # seconds a drain waits for the one finishing before it


def _drain_flag(account_id: int) -> str:
    return f"channels_sync:webhook-drain:{account_id}"


def _batch_lock(account_id: int) -> str:
    return f"channels_sync:webhook-batch:{account_id}"


def webhook_drain_schedule(*, account_id: int) -> bool:
    """Make sure one drain of the shop's order pushes is on its way: the first push of a burst
    schedules it, the pushes after it join it (a flag in the cache, not a task per push, so a
    push that arrives after a burst of 10,000 does not wait behind 10,000 tasks). Call after
    the push is committed. Returns whether a task was queued."""
    if not cache.add(_drain_flag(account_id), 1, timeout=DRAIN_FLAG_SECONDS):
        return False
    _drain_send(account_id)
    return True


def is_order_push(payload: InboundPayload) -> bool:
    """Whether a stored push names an order of a connected shop (it joins the shop's drain);
    the others (authorisation, unreadable) are processed one by one."""
    if payload.account_id is None or not payload.external_id:
        return False
    try:
        event = adapter_class(payload.platform).parse_webhook(payload.body.encode())
    except PayloadError:
        return False
    return event.kind in ("order", "tracking")


def _drain_send(account_id: int) -> None:
    try:
        task_send(DRAIN_TASK, kwargs={"account_id": account_id})
    except Exception:
        # The broker refused: the next push schedules again; the pull finds the orders anyway.
        cache.delete(_drain_flag(account_id))
        log.exception("could not queue the push drain of shop %s", account_id)


def webhook_drain(*, account_id: int) -> int:
    """Handle every order push the shop has waiting, in detail batches, then let go: the flag
    is cleared before the last look, so a push stored after that look schedules a new drain.
    One drain per shop at a time (a cache lock). Returns how many batches were fetched."""
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        cache.delete(_drain_flag(account_id))
        return 0
    lock = _batch_lock(account_id)
    if not _lock_take(lock):
        raise WebhookBatchBusy("busy", "another worker is fetching this shop's pushed orders")
    batches = 0
    try:
        if account.status == AccountStatus.RECONNECT:
            _ignore_waiting(account)
            cache.delete(_drain_flag(account_id))
            return 0
        client = ShopClient(account)
        batch_size = client.call(lambda a: a.order_detail_batch)
        started = time.monotonic()
        progressed = True
        while progressed:
            progressed = False
            while _order_push_batch(client, account, batch_size):
                batches, progressed = batches + 1, True
                cache.set(_drain_flag(account_id), 1, timeout=DRAIN_FLAG_SECONDS)
                if time.monotonic() - started > DRAIN_MAX_SECONDS:
                    _drain_send(account_id)  # the flag stays: this task hands over
                    return batches
            cache.delete(_drain_flag(account_id))
            if not _waiting_query(account).exists() or not cache.add(
                _drain_flag(account_id), 1, timeout=DRAIN_FLAG_SECONDS
            ):
                return batches  # empty, or a new push scheduled its own drain
        cache.delete(_drain_flag(account_id))  # only pushes that are not orders' left
        return batches
    finally:
        cache.delete(lock)


def _lock_take(lock: str) -> bool:
    """The shop's batch lock; a drain that finishes just now releases it within a moment."""
    deadline = time.monotonic() + LOCK_WAIT
    while not cache.add(lock, 1, timeout=BATCH_LOCK_SECONDS):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _ignore_waiting(account: ChannelAccount) -> None:
    for pending in _waiting_query(account):
        _finish(pending, PayloadStatus.IGNORED, detail="no connected shop for this push")


def _order_push(payload: InboundPayload) -> None:
    """An order push handled on its own (a lost push, an older queued task): it joins the
    shop's drain, which fetches it with every other order push of the shop still waiting."""
    account = payload.account
    if account is None or account.status == AccountStatus.RECONNECT:
        _finish(payload, PayloadStatus.IGNORED, detail="no connected shop for this push")
        return
    webhook_drain(account_id=account.pk)


def _waiting_query(account: ChannelAccount) -> QuerySet[InboundPayload]:
    return (
        InboundPayload.objects.filter(
            account=account, kind=PayloadKind.WEBHOOK, status=PayloadStatus.PENDING
        )
        .exclude(external_id="")
        .order_by("pk")
    )


def _waiting(account: ChannelAccount, batch_size: int) -> list[InboundPayload]:
    """The oldest waiting pushes. A batch short of the detail limit waits FILL_WAIT once when
    the newest push is younger than that: in a burst the next pushes fill it, and one call
    fetches 50 orders instead of a few."""
    waiting = list(_waiting_query(account)[: batch_size * 4])
    distinct = {p.external_id for p in waiting}
    if waiting and len(distinct) < batch_size:
        age = (timezone.now() - max(p.received_at for p in waiting)).total_seconds()
        if age < FILL_WAIT:
            time.sleep(FILL_WAIT)
            waiting = list(_waiting_query(account)[: batch_size * 4])
    return waiting


def _order_push_batch(client: ShopClient, account: ChannelAccount, batch_size: int) -> bool:
    """Handle the oldest waiting order pushes of the shop (at most `batch_size` distinct
    orders); False when none was waiting."""
    waiting = _waiting(account, batch_size)
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
