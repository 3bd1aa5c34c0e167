"""Carrier callbacks (webhooks): stored raw first, verified, then applied in a worker.

`callback_receive` (in the request) keeps every body as it arrived, rejected ones included
(a bad token: result "rejected", never applied). `callback_apply` (in a worker) parses the
events and applies each with `event_apply`:
- idempotent: an event is one ShipmentEvent row, unique per (shipment, key); a replay inserts
  nothing and changes nothing;
- never backwards: an event older than the last applied one is kept in the history but does
  not move the state;
- effects through the orders app's own services: once the carrier has the goods (picked up or
  any later state) a processing order is shipped (order_ship: stock deducted from its
  reservation); delivered is noted in the order's history; a failed delivery (or a parcel on
  hold, lost, damaged, returned) flags the shipment "needs action"; cancelled closes it.
A body that cannot be understood, or that names a parcel we do not have, is quarantined with
the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orders import transitions as t
from orders.errors import OrderError
from orders.models import Order
from orders.services.orders.edit import order_note_add
from orders.services.orders.transitions import order_ship
from shipping.adapters.base import CarrierEvent, ParcelState, PayloadError
from shipping.models import (
    CallbackResult,
    CarrierAccount,
    CarrierCallback,
    Shipment,
    ShipmentEvent,
    ShipmentState,
)
from shipping.services.carriers import adapter_class
from shipping.services.progress import parcel_moved_on_commit
from shipping.signals import delivery_failed

log = logging.getLogger(__name__)

# The carrier has the goods: the order is shipped.
HAS_GOODS = frozenset(
    {
        ParcelState.PICKED_UP,
        ParcelState.IN_TRANSIT,
        ParcelState.DELIVERING,
        ParcelState.DELIVERED,
        ParcelState.DELIVERY_FAILED,
        ParcelState.WAITING_ACTION,
        ParcelState.RETURNING,
        ParcelState.RETURNED,
    }
)
NEEDS_ACTION = frozenset(
    {
        ParcelState.DELIVERY_FAILED,
        ParcelState.WAITING_ACTION,
        ParcelState.RETURNED,
        ParcelState.LOST,
        ParcelState.DAMAGED,
        ParcelState.EXCEPTION,
    }
)
ACTION_DONE = frozenset({ParcelState.DELIVERING, ParcelState.DELIVERED, ParcelState.CANCELLED})
# Progress along a parcel's life: breaks ties between events stamped with the same time.
RANK = {
    state: rank
    for rank, group in enumerate(
        (
            ("pending", "refused", ParcelState.CREATED),
            (ParcelState.PICKING,),
            (ParcelState.PICKED_UP,),
            (ParcelState.IN_TRANSIT,),
            (ParcelState.DELIVERING,),
            (ParcelState.DELIVERY_FAILED,),
            (ParcelState.WAITING_ACTION,),
            (ParcelState.RETURNING,),
            (ParcelState.DELIVERED, ParcelState.RETURNED),
            (ParcelState.CANCELLED, ParcelState.LOST, ParcelState.DAMAGED, ParcelState.EXCEPTION),
        )
    )
    for state in group
}
KEPT_HEADERS = frozenset({"content-type", "content-length", "user-agent", "x-forwarded-for"})


def callback_receive(
    *,
    carrier: str,
    account_id: int,
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    now: datetime | None = None,
) -> CarrierCallback | None:
    """Store the callback as received; None when no such account. Its `result` is "pending"
    (verified, to apply) or "rejected" (bad credentials)."""
    account = CarrierAccount.objects.filter(pk=account_id, carrier=carrier).first()
    if account is None:
        return None
    verified = bool(account.webhook_secret) and adapter_class(carrier).verify_webhook(
        secret=account.webhook_secret, body=body, headers=headers, query=query
    )
    kept = {k: v[:300] for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    return CarrierCallback.objects.create(
        account=account,
        body=body.decode("utf-8", errors="replace"),
        headers=kept,
        received_at=now or timezone.now(),
        result=CallbackResult.PENDING if verified else CallbackResult.REJECTED,
        reason="" if verified else "bad_token",
    )


def _finish(callback: CarrierCallback, result: str, reason: str = "") -> CarrierCallback:
    callback.result, callback.reason = result, reason[:300]
    callback.applied_at = timezone.now()
    callback.save(update_fields=["result", "reason", "applied_at"])
    return callback


def callback_apply(*, callback_id: int) -> CarrierCallback:
    """Apply a stored, verified callback (a second call does nothing)."""
    callback = CarrierCallback.objects.select_related("account").get(pk=callback_id)
    if callback.result != CallbackResult.PENDING:
        return callback
    try:
        events = adapter_class(callback.account.carrier).parse_webhook(callback.body.encode())
    except PayloadError as error:
        return _finish(callback, CallbackResult.QUARANTINED, f"{error.code}: {error.message}")
    unknown: list[str] = []
    for event in events:
        shipment = _shipment_of(callback.account_id, event)
        if shipment is None:
            unknown.append(event.tracking_number or event.reference)
            continue
        event_apply(shipment_id=shipment.pk, event=event, callback_id=callback.pk)
    if unknown:
        return _finish(
            callback, CallbackResult.QUARANTINED, "unknown_parcel: " + ", ".join(unknown)
        )
    return _finish(callback, CallbackResult.APPLIED)


def callback_reapply(*, callback_id: int) -> CarrierCallback:
    """Apply a quarantined callback again (after a fix: the parcel created, the adapter
    corrected); it is applied or quarantined anew with the reason of now."""
    CarrierCallback.objects.filter(pk=callback_id, result=CallbackResult.QUARANTINED).update(
        result=CallbackResult.PENDING, reason=""
    )
    return callback_apply(callback_id=callback_id)


def callbacks_pending(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Verified callbacks still waiting (their queued apply was lost: a broker outage, a
    worker killed), oldest first, for the sweep that applies them."""
    cutoff = timezone.now() - older_than
    return list(
        CarrierCallback.objects.filter(result=CallbackResult.PENDING, received_at__lt=cutoff)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:500]
    )


def _shipment_of(account_id: int, event: CarrierEvent) -> Shipment | None:
    rows = Shipment.objects.filter(account_id=account_id)
    if event.tracking_number:
        found = rows.filter(tracking_number=event.tracking_number).first()
        if found is not None:
            return found
    if event.reference:
        return rows.filter(reference=event.reference).first()
    return None


def event_apply(
    *,
    shipment_id: int,
    event: CarrierEvent,
    callback_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Record one carrier event and move the shipment when it is the newest; returns whether
    the state moved (False for a replay or an older event)."""
    now = now or timezone.now()
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        newest = _is_newer(shipment, event)
        try:
            with transaction.atomic():
                row = ShipmentEvent.objects.create(
                    shipment=shipment,
                    key=event.key[:120],
                    state=event.state.value,
                    carrier_status=event.carrier_status[:40],
                    occurred_at=event.occurred_at,
                    reason=event.reason[:500],
                    moved=newest,
                    raw=_jsonable(event.raw),
                    callback_id=callback_id,
                    received_at=now,
                )
        except IntegrityError:
            return False  # a replay: already recorded
        if newest:
            _move(shipment, event, now)
        if event.state in HAS_GOODS:
            _ship_order(shipment, event, now)
        if newest:
            _note(shipment, event, now)
        log.debug("shipment %s event %s moved=%s", shipment.pk, row.key, newest)
    return newest


def _is_newer(shipment: Shipment, event: CarrierEvent) -> bool:
    """Whether the event is after the last applied one (same time: further along)."""
    last = shipment.last_event_at
    if last is None or event.occurred_at > last:
        return True
    if event.occurred_at < last:
        return False
    return RANK.get(event.state.value, 0) >= RANK.get(shipment.state, 0)


def _jsonable(raw: Mapping[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(dict(raw), default=str)))


def _problem(shipment: Shipment, event: CarrierEvent) -> str:
    """Why staff must act. A failed attempt then the hold for a decision (GHN delivery_fail ->
    waiting_to_return, Viettel Post 506 -> 505): the failure's reason is kept before the
    hold's own words, which are often only the status's description."""
    reason = (event.reason or event.carrier_status).strip()
    earlier = shipment.problem.strip()
    failed_before = shipment.state == ShipmentState.DELIVERY_FAILED and shipment.needs_action
    if (
        event.state == ParcelState.WAITING_ACTION
        and failed_before
        and earlier
        and earlier not in reason
    ):
        return f"{earlier} · {reason}"[:500]
    return reason[:500]


def _move(shipment: Shipment, event: CarrierEvent, now: datetime) -> None:
    problem = _problem(shipment, event)
    shipment.state = event.state.value
    shipment.carrier_status = event.carrier_status[:40]
    shipment.last_event_at = event.occurred_at
    shipment.updated_at = now
    fields = ["state", "carrier_status", "last_event_at", "updated_at"]
    if event.state in NEEDS_ACTION:
        shipment.needs_action = True
        shipment.problem = problem
        fields += ["needs_action", "problem"]
        if event.state in (ParcelState.DELIVERY_FAILED, ParcelState.WAITING_ACTION):
            _announce_failure(shipment)
    elif event.state in ACTION_DONE:
        shipment.needs_action = False
        fields.append("needs_action")
    if event.state == ParcelState.CANCELLED:
        shipment.closed_at = now
        fields.append("closed_at")
    if event.fee is not None:
        shipment.fee = event.fee
        fields.append("fee")
    shipment.save(update_fields=fields)
    parcel_moved_on_commit(shipment_id=shipment.pk, state=shipment.state)


def _announce_failure(shipment: Shipment) -> None:
    payload = {
        "shipment_id": shipment.pk,
        "order_id": shipment.order_id,
        "reason": shipment.problem,
        "tracking_number": shipment.tracking_number,
    }
    transaction.on_commit(lambda: delivery_failed.send(sender=Shipment, **payload))


def _ship_order(shipment: Shipment, event: CarrierEvent, now: datetime) -> None:
    """The carrier has the goods: ship a processing order (once)."""
    status = Order.objects.filter(pk=shipment.order_id).values_list("status", flat=True).first()
    if status != t.PROCESSING:
        return
    try:
        order_ship(order_id=shipment.order_id, user_id=None, now=min(event.occurred_at, now))
    except OrderError as error:
        shipment.needs_action = True
        shipment.problem = str(error)[:500]
        shipment.save(update_fields=["needs_action", "problem"])


def _note(shipment: Shipment, event: CarrierEvent, now: datetime) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if event.state == ParcelState.DELIVERED:
            text = _("Parcel %(parcel)s delivered.") % {"parcel": shipment}
        elif event.state == ParcelState.DELIVERY_FAILED:
            text = _("Delivery of parcel %(parcel)s failed: %(reason)s") % {
                "parcel": shipment,
                "reason": event.reason or event.carrier_status,
            }
        else:
            return
    order_note_add(order_id=shipment.order_id, text=text, user_id=None, now=now)
