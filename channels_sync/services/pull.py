"""Orders in from a shop by update time: the incremental pull (every few minutes, and the
safety net behind webhooks) and the nightly audit.

Each order's detail is stored as its own InboundPayload(kind="order") as received; the new
payloads of one detail call (up to 50) are then applied together by
`apply_batch.payloads_apply_batch` (one transaction, a savepoint per order). A batch whose
apply raises is counted as failed and the pull goes on (its payloads stay stored for
re-apply). A detail whose update time is already stored for that
order is not stored again (counted as skipped). The cursor moves, after commit, to the end of
the pulled span only when every order of the span was fetched and stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels_sync.adapters.base import Adapter, ChannelError, RateLimited, ReconnectNeeded
from channels_sync.adapters.lazada_protocol import parse_time
from channels_sync.models import (
    ChannelAccount,
    InboundPayload,
    PayloadKind,
    PayloadStatus,
    RunKind,
    SyncRun,
)
from channels_sync.services import apply_batch
from channels_sync.services.accounts import ShopClient
from channels_sync.services.runs import run_count, run_error, run_finish, run_start

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=10)  # re-read this much before the cursor (late writes)
FIRST_PULL = timedelta(days=14)  # how far back a shop's first pull looks


@dataclass
class Stored:
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    payload_ids: tuple[int, ...] = ()


def orders_pull(
    *, account_id: int, run: SyncRun | None = None, now: datetime | None = None
) -> SyncRun:
    now = now or timezone.now()
    account = ChannelAccount.objects.select_related("app").get(pk=account_id)
    run = run or run_start(account_id=account_id, kind=RunKind.ORDERS_PULL, now=now)
    since = (account.orders_cursor or now - FIRST_PULL) - OVERLAP
    if _pull_span(account, run, since=since, until=now):
        transaction.on_commit(lambda: _cursor_move(account_id, now))
    return run_finish(run, failed=_has_stop(run), now=now)


def orders_audit(*, account_id: int, days: int = 14, now: datetime | None = None) -> SyncRun:
    """Every order updated in the last `days`: stores what the pulls and pushes missed (the
    cursor does not move)."""
    now = now or timezone.now()
    account = ChannelAccount.objects.select_related("app").get(pk=account_id)
    run = run_start(account_id=account_id, kind=RunKind.ORDERS_AUDIT, now=now)
    _pull_span(account, run, since=now - timedelta(days=days), until=now)
    return run_finish(run, failed=_has_stop(run), now=now)


def _has_stop(run: SyncRun) -> bool:
    return any(e.get("params", {}).get("stopped") for e in run.errors)


def _pull_span(account: ChannelAccount, run: SyncRun, *, since: datetime, until: datetime) -> bool:
    """Fetch, store and apply every order updated in [since, until); True when complete."""
    client = ShopClient(account)
    try:
        refs = client.call(lambda a: list(a.orders_updated(since=since, until=until)))
        ids = [ref.external_id for ref in refs]
        run_count(run, fetched=len(ids))
        done = order_details_store(client=client, account=account, external_ids=ids, run=run)
    except ChannelError as error:
        run_error(run, code=_code(error), message=str(error), params={"stopped": True})
        run_count(run, api_calls=client.calls)
        log.warning("order pull of shop %s stopped: %s", account.code, error)
        return False
    run_count(run, api_calls=client.calls)
    return done.stored + done.skipped + done.failed == len(set(ids))


def _code(error: ChannelError) -> str:
    if isinstance(error, ReconnectNeeded):
        return "reconnect_needed"
    if isinstance(error, RateLimited):
        return "daily_limit" if error.code == "error_limit" else "rate_limited"
    return "network" if not error.permanent else "platform_error"


def _cursor_move(account_id: int, until: datetime) -> None:
    ChannelAccount.objects.filter(pk=account_id).filter(
        Q(orders_cursor__isnull=True) | Q(orders_cursor__lt=until)
    ).update(orders_cursor=until)


def order_details_store(
    *,
    client: ShopClient,
    account: ChannelAccount,
    external_ids: Sequence[str],
    run: SyncRun | None = None,
) -> Stored:
    """Fetch the orders' details in the adapter's batches; store each batch's new details as
    payloads and apply them together (apply_batch: one transaction, a savepoint per order)."""
    result = Stored()
    ids = list(dict.fromkeys(external_ids))
    batch = client.call(lambda a: a.order_detail_batch)
    for start in range(0, len(ids), batch):
        wanted = ids[start : start + batch]

        def fetch(adapter: Adapter, wanted: list[str] = wanted) -> list[dict[str, Any]]:
            return adapter.fetch_orders(external_ids=wanted)

        raws = client.call(fetch)
        payloads = payloads_store(account=account, raws=raws)
        result.skipped += len(raws) - len(payloads)  # stored already (pending ones come back)
        result.payload_ids += tuple(p.pk for p in payloads)
        if _apply([p.pk for p in payloads], account):
            result.stored += len(payloads)
        else:
            result.failed += len(payloads)
        if run is not None:
            run_count(run, done=len(raws))
    if run is not None:
        run_count(run, created=result.stored, skipped=result.skipped, failed=result.failed)
    return result


def payloads_store(
    *, account: ChannelAccount, raws: Sequence[Mapping[str, Any]]
) -> list[InboundPayload]:
    """Order details as InboundPayloads (one INSERT, committed before they are applied, so a
    failed apply loses nothing), leaving out what is stored already (payload_store's rule)
    unless it is still pending (stored by a worker stopped before applying it: returned to be
    applied now); two queries for the whole batch."""
    rows = [
        (_external_id(raw), _updated_at(raw), json.dumps(raw, ensure_ascii=False)) for raw in raws
    ]
    keyed = [(i, u) for i, u, _b in rows if i and u is not None]
    stored: dict[tuple[str, datetime | None, str], InboundPayload | None] = {}
    if keyed:
        stored = {
            (p.external_id, p.external_updated_at, p.body): p
            for p in InboundPayload.objects.filter(
                account=account,
                kind=PayloadKind.ORDER,
                external_id__in=sorted({i for i, _u in keyed}),
                external_updated_at__in=sorted({u for _i, u in keyed}),
            )
        }
    waiting: list[InboundPayload] = []  # stored before but never applied (a worker stopped)
    new: list[InboundPayload] = []
    for external_id, updated, body in rows:
        if external_id and updated is not None:
            key = (external_id, updated, body)
            if key in stored:
                same = stored[key]
                if same is not None and same.status == PayloadStatus.PENDING:
                    waiting.append(same)
                continue
            stored[key] = None
        new.append(
            InboundPayload(
                account=account,
                platform=account.platform,
                kind=PayloadKind.ORDER,
                external_id=external_id[:64],
                external_updated_at=updated,
                body=body,
            )
        )
    return waiting + (InboundPayload.objects.bulk_create(new) if new else [])


def payload_store(*, account: ChannelAccount, raw: Mapping[str, Any]) -> InboundPayload | None:
    """One order detail as an InboundPayload; None when exactly this is stored already (same
    platform update time and same text: Shopee times are whole seconds, so two changes within
    one second share a time and are told apart by their content)."""
    external_id = _external_id(raw)
    updated = _updated_at(raw)
    body = json.dumps(raw, ensure_ascii=False)
    same = InboundPayload.objects.filter(
        account=account,
        kind=PayloadKind.ORDER,
        external_id=external_id,
        external_updated_at=updated,
        body=body,
    )
    if external_id and updated is not None and same.exists():
        return None
    return InboundPayload.objects.create(
        account=account,
        platform=account.platform,
        kind=PayloadKind.ORDER,
        external_id=external_id[:64],
        external_updated_at=updated,
        body=body,
    )


def _external_id(raw: Mapping[str, Any]) -> str:
    return str(raw.get("order_sn") or raw.get("order_id") or raw.get("id") or "")


def update_stored(
    *, account: ChannelAccount, external_id: str, updated_at: datetime, status: str
) -> bool:
    """Whether an order payload as new as this update (a push's time and status) is stored:
    a newer one, or one of the same second with the same status."""
    stored = InboundPayload.objects.filter(
        account=account,
        kind=PayloadKind.ORDER,
        external_id=external_id,
        external_updated_at__gte=updated_at,
    )
    for when, body in stored.values_list("external_updated_at", "body"):
        if when is not None and when > updated_at:
            return True
        try:
            if json.loads(body).get("order_status") == status:
                return True
        except (ValueError, AttributeError):
            continue
    return False


def _updated_at(raw: Mapping[str, Any]) -> datetime | None:
    if isinstance(raw.get("updated_at"), str):  # Lazada: ISO 8601 with an offset
        try:
            return parse_time(raw["updated_at"])
        except ValueError:
            return None
    value = raw.get("update_time")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _apply(payload_ids: list[int], account: ChannelAccount) -> bool:
    """Hand the batch's payloads to apply; False (logged, payloads kept) when apply raised."""
    if not payload_ids:
        return True
    try:
        apply_batch.payloads_apply_batch(account_id=account.pk, payload_ids=payload_ids)
    except Exception:
        log.exception("applying payloads %s raised; they stay stored for re-apply", payload_ids)
        return False
    return True
