"""Stock changes waiting to be pushed, per shop, and the one push task each burst schedules.

`inventory.signals.stock_changed` (sent after commit) reaches `stock_changed_receiver`, which
records the changed variants for every shop that sells them and schedules ONE
`channels_sync.push_stock` task per shop, PUSH_DELAY seconds later: the changes that arrive in
between join the same push (a burst of 40 order lines is one push, not 40). The task calls
`stock_push`, which takes the whole queue of its shop at once (`queue_drain`).

With Redis (settings.REDIS_URL) the queue of a shop is the sorted set
`<prefix>:stockpush:<account_id>` (prefix = the cache KEY_PREFIX, "crm" in production): member
= variant id, score = when it first changed (ZADD NX keeps the oldest time: the push delay is
measured from it); "a push is scheduled" is the key `<prefix>:stockpush:<account_id>:scheduled`
(SET NX with a TTL, so a lost task message cannot block the shop for long). Without Redis (the
embedded mode) the queue is the StockPushQueue table and the flag a cache `add`; both work
across processes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from channels_sync.models import AccountStatus, Listing, ListingStatus, StockPushQueue
from common.celery_queue import task_send

logger = logging.getLogger(__name__)

PUSH_TASK = "channels_sync.push_stock"
PUSH_DELAY = 1.0  # seconds between the first change of a burst and its push
SCHEDULED_TTL = 60  # seconds a "push scheduled" flag lives without its task running


class PushQueue(Protocol):
    def add(self, account_id: int, variant_ids: Iterable[int], at: datetime) -> None: ...

    def drain(self, account_id: int) -> dict[int, datetime]: ...

    def mark_scheduled(self, account_id: int) -> bool: ...

    def clear_scheduled(self, account_id: int) -> None: ...


def _prefix() -> str:
    return str(settings.CACHES["default"].get("KEY_PREFIX") or "crm")


_clients: dict[str, Any] = {}


def _redis_client(url: str) -> Any:
    import redis

    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
        _clients[url] = client
    return client


class RedisPushQueue:
    def __init__(self, url: str) -> None:
        self.client = _redis_client(url)
        self.prefix = _prefix()

    def key(self, account_id: int) -> str:
        return f"{self.prefix}:stockpush:{account_id}"

    def add(self, account_id: int, variant_ids: Iterable[int], at: datetime) -> None:
        members = {str(v): at.timestamp() for v in variant_ids}
        if members:
            self.client.zadd(self.key(account_id), members, nx=True)

    def drain(self, account_id: int) -> dict[int, datetime]:
        key = self.key(account_id)
        pipe = self.client.pipeline(transaction=True)  # MULTI: read and delete as one
        pipe.zrange(key, 0, -1, withscores=True)
        pipe.delete(key)
        rows, _deleted = pipe.execute()
        return {int(m): datetime.fromtimestamp(score, tz=UTC) for m, score in rows}

    def mark_scheduled(self, account_id: int) -> bool:
        key = f"{self.key(account_id)}:scheduled"
        return bool(self.client.set(key, "1", nx=True, ex=SCHEDULED_TTL))

    def clear_scheduled(self, account_id: int) -> None:
        self.client.delete(f"{self.key(account_id)}:scheduled")


class DatabasePushQueue:
    """The embedded mode's queue: rows in StockPushQueue; the flag is a cache `add`."""

    def add(self, account_id: int, variant_ids: Iterable[int], at: datetime) -> None:
        rows = [
            StockPushQueue(account_id=account_id, variant_id=v, queued_at=at) for v in variant_ids
        ]
        StockPushQueue.objects.bulk_create(rows, ignore_conflicts=True)  # the oldest time stays

    def drain(self, account_id: int) -> dict[int, datetime]:
        with transaction.atomic():
            rows = list(
                StockPushQueue.objects.select_for_update()
                .filter(account_id=account_id)
                .values_list("pk", "variant_id", "queued_at")
            )
            StockPushQueue.objects.filter(pk__in=[pk for pk, _v, _t in rows]).delete()
        return {variant_id: at for _pk, variant_id, at in rows}

    def mark_scheduled(self, account_id: int) -> bool:
        return bool(cache.add(f"stockpush:{account_id}:scheduled", 1, SCHEDULED_TTL))

    def clear_scheduled(self, account_id: int) -> None:
        cache.delete(f"stockpush:{account_id}:scheduled")


def push_queue() -> PushQueue:
    """The queue this installation uses: Redis when configured, else the database."""
    url = settings.REDIS_URL
    return RedisPushQueue(url) if url else DatabasePushQueue()


def queue_add(*, account_id: int, variant_ids: Iterable[int], at: datetime | None = None) -> None:
    push_queue().add(account_id, variant_ids, at or timezone.now())


def queue_drain(*, account_id: int) -> dict[int, datetime]:
    """Take every queued variant of the shop (variant id -> when it first changed). The
    "scheduled" flag goes first, so a change that arrives while we push schedules a new task."""
    queue = push_queue()
    queue.clear_scheduled(account_id)
    return queue.drain(account_id)


def queue_restore(*, account_id: int, queued: Mapping[int, datetime]) -> None:
    """Put drained variants back (the push could not be made): nothing is dropped."""
    queue = push_queue()
    by_time: dict[datetime, list[int]] = defaultdict(list)
    for variant_id, at in queued.items():
        by_time[at].append(variant_id)
    for at, variant_ids in by_time.items():
        queue.add(account_id, variant_ids, at)


def _schedule(account_id: int) -> None:
    try:
        task_send(PUSH_TASK, kwargs={"account_id": account_id}, countdown=PUSH_DELAY)
    except Exception:
        # The broker refused: the next change schedules again (the queue keeps the variants).
        push_queue().clear_scheduled(account_id)
        raise


def stock_push_enqueue(
    *, variant_ids: Sequence[int], at: datetime | None = None, schedule: bool = True
) -> list[int]:
    """Queue the variants for every active shop with an active listing of them; schedule one
    push per shop that has none scheduled yet. Returns the ids of the shops newly scheduled."""
    at = at or timezone.now()
    pairs = (
        Listing.objects.filter(
            variant_id__in=list(variant_ids),
            status=ListingStatus.ACTIVE,
            account__status=AccountStatus.ACTIVE,
            account__push_enabled=True,
        )
        .values_list("account_id", "variant_id")
        .distinct()
    )
    per_account: dict[int, set[int]] = defaultdict(set)
    for account_id, variant_id in pairs:
        per_account[account_id].add(variant_id)
    queue = push_queue()
    scheduled = []
    for account_id, ids in sorted(per_account.items()):
        queue.add(account_id, sorted(ids), at)
        if queue.mark_scheduled(account_id):
            scheduled.append(account_id)
    if schedule:
        for account_id in scheduled:
            transaction.on_commit(lambda a=account_id: _schedule(a))  # type: ignore[misc]
    return scheduled


def stock_changed_receiver(sender: Any, changes: Sequence[tuple[int, int]] = (), **kw: Any) -> None:
    """inventory.signals.stock_changed: (variant_id, warehouse_id) pairs changed, after commit.
    Never raises into the code that moved the stock: a miss is logged and the nightly
    reconciliation corrects it."""
    variant_ids = sorted({variant_id for variant_id, _warehouse_id in changes})
    if not variant_ids:
        return
    try:
        stock_push_enqueue(variant_ids=variant_ids)
    except Exception:
        logger.exception("could not queue the stock push of variants %s", variant_ids[:20])
