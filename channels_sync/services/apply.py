"""A stored marketplace order payload becomes (or updates) our order: exactly once, never lost.

    payload_apply            parse the stored body with the platform's adapter, apply it in
                             its own transaction (a savepoint when called inside one), or
                             quarantine it with a reason code (channels_sync.errors) and a
                             detail naming the line/SKU/field; never raises for a bad payload
    order_data_apply         the same for OrderData already parsed (raises ApplyProblem)
    payload_reapply          staff's one click after fixing the cause (e.g. linking a SKU)
    payloads_reapply_for_sku every quarantined payload of the shop waiting for that SKU

The pull and the pushes apply the payloads of one detail call together with the same rules
(channels_sync.services.apply_batch: one transaction, a savepoint per order), through
apply_target / apply_start / apply_finish below.

Exactly once: one ChannelOrder per (shop, platform order id), and our Order's unique
(channel, channel account, external number). Two workers applying the same order at the same
moment are serialised by a transaction-level advisory lock on (shop, order id) taken before
the ChannelOrder is read; the second one then finds the first one's order. A payload's own row
is locked too, so the same payload is never applied twice.

Order of updates: an update older than ChannelOrder.platform_updated_at is marked superseded
and moves nothing; one with the same time and nothing new is a replay (ignored). When a
payload applies, the older pending or quarantined payloads of that order are superseded; a
payload with a newer pending one behind it is superseded without applying (the newest carries
the platform's whole current state).

What happens to the order: channels_sync.services.apply_order (create, edit while editable)
and channels_sync.services.apply_status (the status, oversold, flags), always through the
orders services (they write the stock ledger and the order history); system actions have
user_id None.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import AdapterConfig, OrderData, PayloadError
from channels_sync.errors import MESSAGES
from channels_sync.models import ChannelAccount, ChannelOrder, InboundPayload, PayloadStatus
from channels_sync.services.apply_lines import ApplyProblem, MatchedLine
from channels_sync.services.apply_order import Known, order_adopt, order_new, order_refresh
from channels_sync.services.apply_status import status_follow
from channels_sync.status_map import Target, target_for
from orders.models import Order

logger = logging.getLogger(__name__)

OPEN = (PayloadStatus.PENDING, PayloadStatus.QUARANTINED)

__all__ = [
    "ApplyProblem",
    "order_data_apply",
    "payload_apply",
    "payload_reapply",
    "payloads_reapply_for_sku",
]


@dataclass(frozen=True)
class Outcome:
    order: Order
    status: str  # the payload's: applied, ignored (replay) or superseded (older)
    reason: str = ""  # "oversold" when applied but not reserved


def order_data_apply(
    *,
    account: ChannelAccount,
    data: OrderData,
    payload: InboundPayload | None,
    now: datetime | None = None,
) -> Order:
    """Apply one order's data; ApplyProblem (nothing changed) when it cannot be applied.

    With `payload`, that payload is marked applied / ignored / superseded in the same
    transaction and older open payloads of the order are superseded."""
    now = now or timezone.now()
    with transaction.atomic():
        outcome = _apply(account=account, data=data, now=now)
        if payload is not None:
            _payload_done(payload, data, outcome, user_id=None, now=now)
    return outcome.order


def payload_apply(
    *, payload_id: int, user_id: int | None = None, now: datetime | None = None
) -> InboundPayload:
    """Apply a stored order payload, or quarantine it; returns the payload as it ends."""
    now = now or timezone.now()
    parsed: OrderData | None = None
    try:
        with transaction.atomic():
            payload = InboundPayload.objects.select_related("account", "account__app").get(
                pk=payload_id
            )
            if payload.status not in OPEN or payload.kind != InboundPayload.Kind.ORDER:
                return payload
            account = payload.account
            if account is None:
                raise ApplyProblem("bad_field", "the payload names no shop", field="shop_id")
            parsed = payload_parse(payload, account)
            # The order's lock first, then the payload's row: every worker touching payloads
            # of this order takes them in that order, so none waits in a cycle.
            _lock(account.pk, parsed.external_id)
            locked = InboundPayload.objects.select_for_update().filter(pk=payload_id).first()
            if locked is None or locked.status not in OPEN:  # another worker finished it
                return locked or payload
            payload.status, payload.attempts = locked.status, locked.attempts
            if _newer_pending(payload, parsed):
                payload.status = PayloadStatus.SUPERSEDED
                payload.attempts += 1
                _payload_save(payload, parsed, user_id=user_id, now=now)
                return payload
            outcome = _apply(account=account, data=parsed, now=now)
            _payload_done(payload, parsed, outcome, user_id=user_id, now=now)
            return payload
    except ApplyProblem as problem:
        return _quarantine(
            payload_id, problem.code, problem.detail, problem.params, parsed=parsed, now=now
        )
    except Exception as error:  # any bug or surprise: keep the payload, go on with the next
        logger.exception("Applying payload %s failed", payload_id)
        detail = f"{type(error).__name__}: {error}"[:2000]
        return _quarantine(payload_id, "internal", detail, {}, parsed=parsed, now=now)


def payload_reapply(*, payload_id: int, user_id: int) -> InboundPayload:
    """Staff's re-apply of a quarantined (or still pending) payload: parsed again from the
    stored body, applied or quarantined again with the current reason."""
    return payload_apply(payload_id=payload_id, user_id=user_id)


def payloads_reapply_for_sku(*, account_id: int, seller_sku: str, user_id: int) -> int:
    """Re-apply every payload of the shop quarantined because `seller_sku` was unknown (after
    staff linked it), oldest platform update first; returns how many left quarantine."""
    key = seller_sku.strip().casefold()
    if not key:
        return 0
    waiting = (
        InboundPayload.objects.filter(
            account_id=account_id, status=PayloadStatus.QUARANTINED, reason="unknown_sku"
        )
        .order_by(F("external_updated_at").asc(nulls_first=True), "received_at", "pk")
        .values_list("pk", "reason_params")
    )
    ids = [pk for pk, params in waiting if key in _skus_of(params)]
    done = 0
    for payload_id in ids:
        if payload_reapply(payload_id=payload_id, user_id=user_id).status != "quarantined":
            done += 1
    return done


def _skus_of(params: Any) -> set[str]:
    if not isinstance(params, dict):
        return set()
    skus = params.get("skus") or [params.get("sku", "")]
    return {str(s).strip().casefold() for s in skus if str(s).strip()}


# --- inside the payload's transaction -----------------------------------------------------


def payload_parse(payload: InboundPayload, account: ChannelAccount) -> OrderData:
    """The stored body as OrderData through the platform's adapter (no query); ApplyProblem
    when it is not JSON or the parser refuses it."""
    try:
        raw = json.loads(payload.body)
    except ValueError as error:
        raise ApplyProblem("bad_field", f"the body is not JSON: {error}", field="body") from error
    if not isinstance(raw, dict):
        raise ApplyProblem("bad_field", "the body is not a JSON object", field="body")
    adapter = adapter_class(account.platform)(
        AdapterConfig(
            base_url=account.api_base_url,
            app_key=account.app.app_key,
            app_secret=account.app.app_secret,
            shop_id=account.shop_id,
        )
    )
    try:
        return adapter.parse_order(raw)
    except PayloadError as error:
        code = error.code if error.code in MESSAGES else "bad_field"
        name = error.field or error.code
        params: dict[str, Any] = {"field": name}
        if code == "unknown_status":
            params = {"status": error.message or name}
        raise ApplyProblem(code, str(error), **params) from error


def _lock(account_id: int, external_id: str) -> None:
    """Serialise applies of one platform order until the transaction ends (PostgreSQL; other
    databases serialise writers anyway)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [lock_key(account_id, external_id)],
        )


def lock_key(account_id: int, external_id: str) -> str:
    """The advisory lock's key of one platform order of one shop."""
    return f"channels_sync.order:{account_id}:{external_id}"


def _apply(*, account: ChannelAccount, data: OrderData, now: datetime) -> Outcome:
    target = apply_target(account, data)
    _lock(account.pk, data.external_id)
    channel_order = (
        ChannelOrder.objects.select_for_update(of=("self",))
        .select_related("order", "account")
        .filter(account=account, external_id=data.external_id)
        .first()
    )
    started = apply_start(
        account=account, data=data, target=target, channel_order=channel_order, now=now
    )
    if isinstance(started, Outcome):
        return started
    if started.created:
        last_order_note(account.pk, data.created_at)
    return apply_finish(started, now=now)


@dataclass
class Started:
    """An order half applied: created, adopted or refreshed; its status not yet followed."""

    channel_order: ChannelOrder
    data: OrderData
    target: Target
    created: bool
    edited: bool
    lines: list[MatchedLine]  # of a new order: the stock its confirmation reserves


def apply_target(account: ChannelAccount, data: OrderData) -> Target:
    """Where the platform's status takes our order; ApplyProblem for an unmapped status or an
    order in another currency than the shop's."""
    target = target_for(account.platform, data.status)
    if target is None:
        raise ApplyProblem(
            "unknown_status", f"platform status {data.status!r} is not mapped", status=data.status
        )
    if data.currency.upper() != account.currency.upper():
        raise ApplyProblem(
            "currency_mismatch",
            f"order in {data.currency}, shop {account.code} sells in {account.currency}",
            currency=data.currency,
            expected=account.currency,
        )
    return target


def apply_start(
    *,
    account: ChannelAccount,
    data: OrderData,
    target: Target,
    channel_order: ChannelOrder | None,
    now: datetime,
    known: Known | None = None,
) -> Started | Outcome:
    """The first half of applying one order (its lock held, its ChannelOrder read and locked):
    create or adopt our order, or bring it in step; an Outcome when the update is older."""
    created = False
    lines: list[MatchedLine] = []
    if channel_order is None:
        channel_order = order_adopt(account=account, data=data, now=now, known=known)
    if channel_order is None:
        channel_order, lines = order_new(account=account, data=data, now=now, known=known)
        created = True
    elif data.updated_at < channel_order.platform_updated_at:
        return Outcome(channel_order.order, PayloadStatus.SUPERSEDED)
    channel_order.account = account
    edited = not created and order_refresh(
        account=account, channel_order=channel_order, data=data, now=now, known=known
    )
    return Started(channel_order, data, target, created=created, edited=edited, lines=lines)


def apply_finish(started: Started, *, now: datetime) -> Outcome:
    """The second half: our order follows the platform's status (confirming reserves stock),
    and the ChannelOrder is saved."""
    channel_order, data = started.channel_order, started.data
    followed = status_follow(
        channel_order=channel_order,
        target=started.target,
        platform_status=data.status,
        cancel_reason=data.cancel_reason,
        now=now,
    )
    newer = data.updated_at > channel_order.platform_updated_at
    tracking = data.tracking_number[:64] or channel_order.tracking_number
    moved = started.created or started.edited or followed.changed or newer
    moved = moved or channel_order.pk is None or channel_order.platform_status != data.status
    moved = moved or tracking != channel_order.tracking_number
    if moved:
        channel_order.platform_status = data.status
        channel_order.platform_updated_at = max(data.updated_at, channel_order.platform_updated_at)
        channel_order.tracking_number = tracking
        channel_order.updated_at = now
        channel_order.save()
    status = PayloadStatus.APPLIED if moved else PayloadStatus.IGNORED
    return Outcome(channel_order.order, status, "oversold" if channel_order.oversold else "")


def last_order_note(account_id: int, created_at: datetime) -> None:
    """The shop's last order time moves forward only."""
    ChannelAccount.objects.filter(pk=account_id).filter(
        Q(last_order_at__isnull=True) | Q(last_order_at__lt=created_at)
    ).update(last_order_at=created_at)


def _newer_pending(payload: InboundPayload, data: OrderData) -> bool:
    return (
        InboundPayload.objects.filter(
            account_id=payload.account_id,
            kind=InboundPayload.Kind.ORDER,
            external_id=data.external_id,
            status=PayloadStatus.PENDING,
            external_updated_at__gt=data.updated_at,
        )
        .exclude(pk=payload.pk)
        .exists()
    )


def _payload_done(
    payload: InboundPayload,
    data: OrderData,
    outcome: Outcome,
    *,
    user_id: int | None,
    now: datetime,
) -> None:
    payload.attempts += 1
    payload_outcome(payload, outcome, now=now)
    if outcome.status != PayloadStatus.SUPERSEDED:
        older = (
            InboundPayload.objects.select_for_update(skip_locked=True)
            .filter(
                account_id=payload.account_id,
                kind=InboundPayload.Kind.ORDER,
                external_id=data.external_id,
                status__in=OPEN,
                external_updated_at__lte=data.updated_at,
            )
            .exclude(pk=payload.pk)
            .values_list("pk", flat=True)
        )
        # A row another worker holds is being applied or quarantined by it: left to that one.
        InboundPayload.objects.filter(pk__in=list(older)).update(
            status=PayloadStatus.SUPERSEDED, order=outcome.order
        )
    _payload_save(payload, data, user_id=user_id, now=now)


def payload_outcome(payload: InboundPayload, outcome: Outcome, *, now: datetime) -> None:
    """The payload's fields (not saved) once its order was applied, ignored or superseded."""
    payload.status = outcome.status
    payload.order = outcome.order
    if outcome.status != PayloadStatus.SUPERSEDED:
        payload.applied_at = now
    payload.reason = outcome.reason
    payload.reason_params = {}
    payload.detail = ""


def payload_quarantined(payload: InboundPayload, problem: ApplyProblem) -> None:
    """The payload's fields (not saved) when its order cannot be applied."""
    payload.status = PayloadStatus.QUARANTINED
    payload.reason = problem.code
    payload.reason_params = _json_safe(problem.params)
    payload.detail = problem.detail


def _payload_save(
    payload: InboundPayload, data: OrderData, *, user_id: int | None, now: datetime
) -> None:
    payload.external_id = data.external_id[:64]
    payload.external_updated_at = data.updated_at
    if user_id is not None:
        payload.applied_by_id = user_id
    if payload.pk is not None:
        payload.save()


def _quarantine(
    payload_id: int,
    code: str,
    detail: str,
    params: dict[str, Any],
    *,
    parsed: OrderData | None,
    now: datetime,
) -> InboundPayload:
    """Mark the payload quarantined (unless another worker applied it meanwhile)."""
    fields: dict[str, Any] = {
        "status": PayloadStatus.QUARANTINED,
        "reason": code,
        "reason_params": _json_safe(params),
        "detail": detail,
        "attempts": F("attempts") + 1,
    }
    if parsed is not None:
        fields["external_id"] = parsed.external_id[:64]
        fields["external_updated_at"] = parsed.updated_at
    InboundPayload.objects.filter(pk=payload_id, status__in=OPEN).update(**fields)
    logger.info("Payload %s quarantined (%s): %s at %s", payload_id, code, detail, now)
    return InboundPayload.objects.get(pk=payload_id)


def _json_safe(params: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(params, default=str))
