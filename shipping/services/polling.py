"""Polling the parcels whose carrier went quiet: the safety net under the webhooks.

A parcel still on its way whose last carrier event (or last poll) is older than the quiet
period of its state is asked for at the carrier (GHN order detail, Viettel Post tracking pull)
and what the answer reports is applied through the webhooks' own path, `event_apply`: the
same event keys (a status already received is a replay), and never backwards (a status older
than the last applied one moves nothing).

- Which events: the timed statuses the carrier reports at or after the parcel's last event,
  oldest first, less the status it already has (the carrier's history may stamp it a little
  differently from its callback). A carrier answer without times (a detail without `log`
  or `updated_date`) moves the parcel only to a state further along its life than the one
  it has, stamped with the poll's time.
- One run per account at a time (a cache lock); a run polls at most POLL_LIMIT parcels, the
  quietest first, pausing SHIPPING_POLL_PAUSE seconds between calls, and stops at the first
  network failure (the next run goes on). Each polled parcel is stamped `polled_at`, so a
  parcel that still has no news is asked again only after another quiet period.
- Quiet periods per state (hours), overridable by the SHIPPING_POLL_QUIET_HOURS setting.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from shipping.adapters.base import (
    AuthError,
    CarrierAdapter,
    CarrierEvent,
    ParcelState,
    PermanentError,
    Tracking,
    TransientError,
)
from shipping.models import CarrierAccount, Shipment
from shipping.services.callbacks import RANK, event_apply
from shipping.services.carriers import adapter_for

log = logging.getLogger(__name__)

# Hours without news after which a parcel in this state is asked for.
QUIET_HOURS: dict[str, float] = {
    ParcelState.CREATED: 12,
    ParcelState.PICKING: 6,
    ParcelState.PICKED_UP: 6,
    ParcelState.IN_TRANSIT: 12,
    ParcelState.DELIVERING: 6,
    ParcelState.DELIVERY_FAILED: 6,
    ParcelState.WAITING_ACTION: 6,
    ParcelState.RETURNING: 24,
    ParcelState.EXCEPTION: 24,
}
POLL_LIMIT = 200  # parcels per account and run
POLL_MAX_SECONDS = 8 * 60  # a run hands over to the next one after this
LOCK_SECONDS = 25 * 60
DEFAULT_PAUSE = 0.1


@dataclass(frozen=True)
class PollResult:
    polled: int = 0
    moved: int = 0
    failed: int = 0
    busy: bool = False  # another run of the account holds the lock
    stopped: str = ""  # why the run stopped early (network, auth, not_supported)


def quiet_periods() -> dict[str, timedelta]:
    hours = {**QUIET_HOURS, **getattr(settings, "SHIPPING_POLL_QUIET_HOURS", {})}
    return {str(state): timedelta(hours=float(h)) for state, h in hours.items()}


def _pause() -> float:
    return float(getattr(settings, "SHIPPING_POLL_PAUSE", DEFAULT_PAUSE))


def _lock_key(account_id: int) -> str:
    return f"shipping:poll:{account_id}"


def poll_account_ids() -> list[int]:
    """Active accounts with parcels on their way (one poll job each)."""
    states = list(quiet_periods())
    return list(
        CarrierAccount.objects.filter(
            active=True, shipments__state__in=states, shipments__closed_at__isnull=True
        )
        .exclude(shipments__tracking_number="")
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def shipments_quiet(*, account_id: int, now: datetime, limit: int = POLL_LIMIT) -> list[int]:
    """The account's parcels without news for their state's quiet period, quietest first."""
    quiet = Q()
    for state, period in quiet_periods().items():
        quiet |= Q(state=state, seen__lt=now - period)
    return list(
        Shipment.objects.filter(account_id=account_id, closed_at__isnull=True)
        .exclude(tracking_number="")
        .annotate(
            seen=Greatest(
                "created_at",
                Coalesce("last_event_at", "created_at"),
                Coalesce("polled_at", "created_at"),
            )
        )
        .filter(quiet)
        .order_by("seen", "id")
        .values_list("id", flat=True)[:limit]
    )


def account_poll(*, account_id: int, now: datetime | None = None) -> PollResult:
    """Poll the account's quiet parcels (one run at a time per account)."""
    now = now or timezone.now()
    if not cache.add(_lock_key(account_id), 1, timeout=LOCK_SECONDS):
        return PollResult(busy=True)
    try:
        return _poll(account_id, now)
    finally:
        cache.delete(_lock_key(account_id))


def _poll(account_id: int, now: datetime) -> PollResult:
    account = CarrierAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return PollResult()
    adapter: CarrierAdapter = adapter_for(account)
    result, renewed, started = PollResult(), False, time.monotonic()
    for shipment_id in shipments_quiet(account_id=account_id, now=now):
        if time.monotonic() - started > POLL_MAX_SECONDS:
            return replace(result, stopped="time")
        shipment = Shipment.objects.get(pk=shipment_id)
        try:
            try:
                tracking = adapter.track(tracking_number=shipment.tracking_number)
            except AuthError:
                if renewed:
                    raise
                adapter, renewed = _renewed(account_id), True
                tracking = adapter.track(tracking_number=shipment.tracking_number)
        except (TransientError, AuthError) as error:
            log.warning("polling %s stopped at %s: %s", account, shipment, error)
            return replace(result, failed=result.failed + 1, stopped=error.code)
        except PermanentError as error:
            if error.code == "not_supported":  # this carrier host has no pull endpoint
                return replace(result, stopped=error.code)
            log.warning("polling %s: %s", shipment, error)
            _stamp(shipment_id, now)
            result = replace(result, failed=result.failed + 1)
            continue
        moved = parcel_poll_apply(shipment=shipment, tracking=tracking, now=now)
        _stamp(shipment_id, now)
        result = replace(result, polled=result.polled + 1, moved=result.moved + int(moved))
        if _pause():
            time.sleep(_pause())
    return result


def _renewed(account_id: int) -> CarrierAdapter:
    """A refused token is renewed once (Viettel Post's login; GHN's stays and fails again)."""
    from shipping.services.accounts import carrier_account_connect

    return adapter_for(carrier_account_connect(account_id=account_id))


def _stamp(shipment_id: int, now: datetime) -> None:
    Shipment.objects.filter(pk=shipment_id).update(polled_at=now)


def parcel_poll_apply(*, shipment: Shipment, tracking: Tracking, now: datetime) -> bool:
    """Apply what a poll reports through event_apply; whether the parcel moved."""
    last = shipment.last_event_at
    events = [e for e in tracking.events if last is None or e.occurred_at >= last]
    # The status the parcel has, stamped a little differently by the carrier's history than
    # by its callback, is the same event: only what follows it is news.
    while events and last is not None and events[0].carrier_status == shipment.carrier_status:
        events.pop(0)
    if not tracking.events:
        info = tracking.parcel
        if RANK.get(info.state.value, 0) <= RANK.get(shipment.state, 0):
            return False
        events = [
            CarrierEvent(
                tracking_number=info.tracking_number or shipment.tracking_number,
                reference=info.reference,
                state=info.state,
                carrier_status=info.carrier_status,
                occurred_at=now,
                cod_amount=info.cod_amount,
                fee=info.fee,
                raw={"source": "poll", **dict(info.raw)},
            )
        ]
    moved = False
    for event in events:
        moved = event_apply(shipment_id=shipment.pk, event=event, now=now) or moved
    return moved
