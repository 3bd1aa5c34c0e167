"""Stored order payloads of one shop applied together: one transaction for a batch (the up to
50 orders one detail call returns), each order in its own savepoint.

    payloads_apply_batch   apply or quarantine every payload of the batch; returns each
                           payload's status afterwards

The rules are apply's (channels_sync.services.apply): exactly once per (shop, platform order
id), an older update never overwrites a newer one, a bad order is quarantined with its reason
and the others land. What the batch changes is how often the database is asked:

- read once per batch: the payload rows (locked, after the orders' advisory locks, all taken
  in one statement in sorted order), the ChannelOrders (locked), the other open payloads of
  these orders, Listings and variants by SKU, the buyers' customers, adoptable orders;
- written once per batch: every payload's status (one UPDATE), the shop's last order time.

Two halves: first every order is created or refreshed (a savepoint each: a refused order
rolls back alone), by buyer id, so two batches that both bring new buyers insert them in the
same order; then the stock rows the new orders reserve are locked in one statement in
(variant, warehouse) order, the order every stock change takes them in, and each order follows
the platform's status (confirming reserves). So the stock rows a website order also needs are
held only for the second, short half. An order refused in the second half cannot be rolled
back alone (its first half is released): the batch is rolled back and run again with that
payload quarantined. A lock timeout or deadlock in one order, or a new buyer another worker
recorded at the same moment, leaves its payload pending; it is applied on its own once the
batch commits. The worker's time limit (SoftTimeLimitExceeded) is nobody's order: it rolls
the batch back and leaves its payloads pending, applied by the next pull (payloads_store hands
back a pending payload whose detail comes again). Listings the lines link by SKU are created
for the whole batch at once, in (item, model) order. Anything else that breaks the batch:
every payload is applied on its own (apply.payload_apply), so nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from channels_sync.adapters.base import OrderData
from channels_sync.models import ChannelAccount, ChannelOrder, InboundPayload, PayloadStatus
from channels_sync.services import apply
from channels_sync.services.apply import OPEN, Outcome, Started
from channels_sync.services.apply_lines import ApplyProblem, listings_add
from channels_sync.services.apply_order import Known, known_load
from inventory.models import StockLevel
from orders import transitions as t

logger = logging.getLogger(__name__)

WRITTEN = (
    "status",
    "order",
    "attempts",
    "applied_at",
    "reason",
    "reason_params",
    "detail",
    "external_id",
    "external_updated_at",
)


@dataclass
class Item:
    """One payload of the batch and what became of it."""

    payload: InboundPayload
    data: OrderData | None = None
    problem: ApplyProblem | None = None  # quarantined with this reason
    started: Started | None = None
    outcome: Outcome | None = None
    superseded: bool = False  # a newer update of the order waits: not applied
    alone: bool = False  # lock timeout / deadlock: applied on its own after the batch


class Redo(Exception):
    """An order failed after its first half was released: run the batch again without it."""

    def __init__(self, payload_id: int, problem: ApplyProblem | None) -> None:
        super().__init__(payload_id)
        self.payload_id = payload_id
        self.problem = problem  # None: a lock timeout or deadlock (applied on its own)


def payloads_apply_batch(
    *, account_id: int, payload_ids: Sequence[int], now: datetime | None = None
) -> dict[int, str]:
    """Apply the shop's stored order payloads `payload_ids` in one transaction; a payload
    that is not open (applied meanwhile by another worker) is left as it is."""
    now = now or timezone.now()
    ids = sorted(set(payload_ids))
    refused: dict[int, ApplyProblem | None] = {}
    try:
        for _attempt in range(len(ids) + 1):
            try:
                with transaction.atomic():
                    items = _run(account_id, ids, refused, now)
                break
            except Redo as redo:
                refused[redo.payload_id] = redo.problem
        else:  # pragma: no cover - every redo takes one payload out
            raise RuntimeError("the batch did not settle")
    except SoftTimeLimitExceeded:
        raise  # the worker's time is up: the payloads stay pending for the next pull
    except Exception:
        logger.exception("Applying payloads %s as one batch failed: one by one instead", ids)
        return {pk: apply.payload_apply(payload_id=pk, now=now).status for pk in ids}
    statuses = {item.payload.pk: item.payload.status for item in items}
    for item in items:
        if item.alone:
            statuses[item.payload.pk] = apply.payload_apply(
                payload_id=item.payload.pk, now=now
            ).status
    return statuses


def _run(
    account_id: int, ids: list[int], refused: dict[int, ApplyProblem | None], now: datetime
) -> list[Item]:
    account = ChannelAccount.objects.select_related("app").get(pk=account_id)
    items = _parsed(account, ids, refused)
    external_ids = sorted({i.data.external_id for i in items if i.data is not None})
    _locks(account.pk, external_ids)
    locked = set(
        InboundPayload.objects.select_for_update()
        .filter(pk__in=[i.payload.pk for i in items], status__in=OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    items = [i for i in items if i.payload.pk in locked]
    channel_orders = {
        co.external_id: co
        for co in ChannelOrder.objects.select_for_update(of=("self",))
        .select_related("order", "account")
        .filter(account=account, external_id__in=external_ids)
    }
    others = _other_payloads(account, external_ids, exclude=[i.payload.pk for i in items])
    _supersede_waiting(items, others)
    todo = [i for i in items if i.data is not None and i.problem is None and not i.superseded]
    # By buyer: two batches inserting the same new buyers take them in the same order.
    todo.sort(key=lambda i: (i.data.buyer_id, i.data.external_id) if i.data else ("", ""))
    orders = [i.data for i in todo if i.data is not None]
    unlinked = [d.external_id for d in orders if d.external_id not in channel_orders]

    def load() -> Known:
        return known_load(account=account, orders=orders, unlinked=unlinked)

    known = load()
    items_all = [line for data in orders for line in data.items]
    listings_add(account=account, items=items_all, known=known.lines, now=now)
    for item in todo:
        if not _start(item, account, channel_orders, known, now):
            known = load()  # what the rolled-back order created is gone again
    started = [i for i in todo if i.started is not None]
    _stock_lock(account, [i.started for i in started if i.started is not None])
    for item in started:
        _finish(item, now)
    created = [i.data.created_at for i in started if i.started and i.started.created and i.data]
    if created:
        apply.last_order_note(account.pk, max(created))
    _payloads_write(items, others, now)
    return items


def _parsed(
    account: ChannelAccount, ids: list[int], refused: dict[int, ApplyProblem | None]
) -> list[Item]:
    """The batch's open order payloads of the shop, parsed (no query but the read)."""
    payloads = InboundPayload.objects.filter(
        pk__in=ids, account=account, kind=InboundPayload.Kind.ORDER, status__in=OPEN
    ).order_by("pk")
    items = [Item(payload) for payload in payloads]
    for item in items:
        try:
            item.data = apply.payload_parse(item.payload, account)
        except ApplyProblem as problem:
            item.problem = problem
        if item.payload.pk in refused:
            item.problem = refused[item.payload.pk]
            item.alone = item.problem is None
    return items


def _locks(account_id: int, external_ids: list[str]) -> None:
    """Every order's advisory lock (apply._lock's key), in sorted order, in one statement."""
    if connection.vendor != "postgresql" or not external_ids:
        return
    keys = [apply.lock_key(account_id, external_id) for external_id in external_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))"
            " FROM (SELECT k FROM unnest(%s::text[]) AS k ORDER BY k) AS keys",
            [sorted(keys)],
        )


def _other_payloads(
    account: ChannelAccount, external_ids: list[str], *, exclude: list[int]
) -> list[tuple[int, str, str, datetime | None]]:
    """The open payloads of these orders outside the batch: (pk, order id, status, time)."""
    if not external_ids:
        return []
    return list(
        InboundPayload.objects.filter(
            account=account,
            kind=InboundPayload.Kind.ORDER,
            external_id__in=external_ids,
            status__in=OPEN,
        )
        .exclude(pk__in=exclude)
        .values_list("pk", "external_id", "status", "external_updated_at")
    )


def _supersede_waiting(items: list[Item], others: list[tuple[int, str, str, Any]]) -> None:
    """A payload with a newer pending update of its order behind it (outside the batch, or a
    second payload of the same order inside it) is superseded without applying."""
    newest: dict[str, datetime] = {}
    for _pk, external_id, status, when in others:
        if status == PayloadStatus.PENDING and when is not None:
            newest[external_id] = max(when, newest.get(external_id, when))
    mine = sorted(
        (i for i in items if i.data is not None and i.problem is None),
        key=lambda i: (i.data.updated_at if i.data else None, i.payload.pk),
        reverse=True,
    )
    seen: set[str] = set()
    for item in mine:
        assert item.data is not None
        waiting = newest.get(item.data.external_id)
        if item.data.external_id in seen or (waiting and waiting > item.data.updated_at):
            item.superseded = True
        seen.add(item.data.external_id)


def _start(
    item: Item,
    account: ChannelAccount,
    channel_orders: dict[str, ChannelOrder],
    known: Known,
    now: datetime,
) -> bool:
    """The order's first half in its own savepoint; False when it was rolled back."""
    assert item.data is not None
    try:
        with transaction.atomic():
            target = apply.apply_target(account, item.data)
            result = apply.apply_start(
                account=account,
                data=item.data,
                target=target,
                channel_order=channel_orders.get(item.data.external_id),
                now=now,
                known=known,
            )
    except ApplyProblem as problem:
        item.problem = problem
        return False
    except SoftTimeLimitExceeded:
        raise
    except (OperationalError, IntegrityError):
        logger.warning("Payload %s met another worker's lock or row: alone", item.payload.pk)
        item.alone = True
        return False
    except Exception as error:  # a bug or a surprise: this order only
        logger.exception("Applying payload %s failed", item.payload.pk)
        item.problem = ApplyProblem("internal", f"{type(error).__name__}: {error}"[:2000])
        return False
    if isinstance(result, Outcome):
        item.outcome = result
    else:
        item.started = result
    return True


def _stock_lock(account: ChannelAccount, started: list[Started]) -> None:
    """Lock the stock rows the new orders' confirmations reserve, in one statement, in the
    (variant, warehouse) order every stock change takes."""
    variants = sorted(
        {
            line.variant_id
            for s in started
            if s.created and s.target.status != t.NEW
            for line in s.lines
        }
    )
    if not variants or account.warehouse_id is None or connection.vendor != "postgresql":
        return
    rows = (
        StockLevel.objects.select_for_update()
        .filter(warehouse_id=account.warehouse_id, variant_id__in=variants)
        .order_by("variant_id", "warehouse_id")
        .values_list("pk", flat=True)
    )
    list(rows)


def _finish(item: Item, now: datetime) -> None:
    assert item.started is not None
    try:
        item.outcome = apply.apply_finish(item.started, now=now)
    except ApplyProblem as refused:
        raise Redo(item.payload.pk, refused) from refused
    except OperationalError as error:
        raise Redo(item.payload.pk, None) from error
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        logger.exception("Applying payload %s failed", item.payload.pk)
        internal = ApplyProblem("internal", f"{type(error).__name__}: {error}"[:2000])
        raise Redo(item.payload.pk, internal) from error


def _payloads_write(
    items: list[Item], others: list[tuple[int, str, str, Any]], now: datetime
) -> None:
    """Every payload's new status in one UPDATE; older open payloads of an applied order
    superseded (one UPDATE per such order: rare, pull and pushes store only what is new)."""
    changed = []
    for item in items:
        if item.alone:
            continue
        payload = item.payload
        payload.attempts += 1
        if item.data is not None:
            payload.external_id = item.data.external_id[:64]
            payload.external_updated_at = item.data.updated_at
        if item.problem is not None:
            apply.payload_quarantined(payload, item.problem)
        elif item.superseded or item.outcome is None:
            payload.status = PayloadStatus.SUPERSEDED
        else:
            apply.payload_outcome(payload, item.outcome, now=now)
            if item.outcome.status != PayloadStatus.SUPERSEDED:
                _older_supersede(item, others)
        changed.append(payload)
    if changed:
        InboundPayload.objects.bulk_update(changed, WRITTEN)


def _older_supersede(item: Item, others: list[tuple[int, str, str, Any]]) -> None:
    assert item.data is not None
    assert item.outcome is not None
    data = item.data
    older = [
        pk
        for pk, external_id, _status, when in others
        if external_id == data.external_id and when is not None and when <= data.updated_at
    ]
    if older:
        InboundPayload.objects.filter(pk__in=older, status__in=OPEN).update(
            status=PayloadStatus.SUPERSEDED, order=item.outcome.order
        )
