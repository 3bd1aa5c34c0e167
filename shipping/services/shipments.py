"""Parcels of orders: quote, create (with the idempotency guard), cancel, labels.

Creating a parcel is two steps, so a timeout never makes a second parcel:
1. `shipment_create` resolves the addresses, then commits a Shipment row (state "pending")
   holding our unique `reference` and everything the request needs, BEFORE any HTTP call;
2. `shipment_submit` sends it. If an earlier attempt may have reached the carrier (attempts > 0:
   a timeout, a lost worker), it first asks `adapter.find(reference)` and adopts the parcel the
   carrier already has instead of creating another. A transient error leaves the row pending
   (staff press Confirm again, the same reference goes out); a refusal marks it "refused" with
   the carrier's reason, which frees the order for a new attempt.
One "sender" at a time: a submit claims the row with a conditional UPDATE (a lease of
SEND_LEASE), so two clicks cannot send the same parcel twice at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import transitions as t
from orders.models import Order
from orders.services.orders.edit import order_note_add
from shipping.adapters.base import (
    CarrierError,
    CreatedParcel,
    LabelDocument,
    ParcelInfo,
    ServiceOption,
    TransientError,
)
from shipping.errors import ShippingError, shipping_error
from shipping.models import CLOSED_STATES, CarrierAccount, Shipment, ShipmentState
from shipping.services.carriers import adapter_for
from shipping.services.parcels import (
    ParcelSpec,
    order_items,
    parcel_request,
    receiver_endpoint,
    request_data,
    sender_endpoint,
    whole_dong,
)

SEND_LEASE = timedelta(minutes=2)
# States in which the carrier still lets us cancel (before pickup).
CANCELLABLE = frozenset({ShipmentState.PENDING, ShipmentState.CREATED, ShipmentState.PICKING})


def _account(account_id: int) -> CarrierAccount:
    account = CarrierAccount.objects.select_related("warehouse").filter(pk=account_id).first()
    if account is None or not account.active:
        raise ShippingError(_("Choose an active carrier account."))
    return account


def _order(order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise ShippingError(_("This order does not exist."))
    return order


def _spec_of(shipment: Shipment) -> ParcelSpec:
    return ParcelSpec(
        service_code=shipment.service_code,
        weight_g=shipment.weight_g,
        length_cm=shipment.length_cm,
        width_cm=shipment.width_cm,
        height_cm=shipment.height_cm,
        cod_amount=shipment.cod_amount,
        insurance_value=shipment.insurance_value,
        payer=shipment.payer,
        viewing=shipment.viewing,
        note=shipment.note,
    )


def shipment_quote(*, order_id: int, account_id: int, spec: ParcelSpec) -> list[ServiceOption]:
    """The services on the order's route with their live fees for this parcel (express
    first, then cheapest)."""
    order = _order(order_id)
    account = _account(account_id)
    adapter = adapter_for(account)
    try:
        data = request_data(
            sender=sender_endpoint(account=account, adapter=adapter),
            receiver=receiver_endpoint(order=order, account=account, adapter=adapter),
            items=order_items(order),
        )
        options = adapter.services(
            request=parcel_request(
                reference=f"{order.number}-Q", data=data, spec=spec, account=account
            )
        )
    except CarrierError as error:
        raise shipping_error(error) from error
    return sorted(
        options,
        key=lambda o: (o.level != "express", o.fee if o.fee is not None else Decimal(10**12)),
    )


def _next_reference(order: Order) -> str:
    count = Shipment.objects.filter(order_id=order.pk).count()
    return f"{order.number}-{count + 1}"


@dataclass(frozen=True)
class ServiceChoice:
    code: str
    name: str = ""
    level: str = ""


def shipment_create(
    *,
    order_id: int,
    account_id: int,
    spec: ParcelSpec,
    service: ServiceChoice | None = None,
    user_id: int | None,
    now: datetime | None = None,
) -> Shipment:
    """Create the order's parcel with the carrier. When the order already has a parcel still
    "pending" (an earlier attempt timed out), this sends THAT one again instead."""
    now = now or timezone.now()
    order = _order(order_id)
    pending = Shipment.objects.filter(order_id=order.pk, state=ShipmentState.PENDING).first()
    if pending is not None:
        return shipment_submit(shipment_id=pending.pk, user_id=user_id, now=now)
    if order.status != t.PROCESSING:
        raise ShippingError(
            _("Order %(number)s is not being processed: confirm it before shipping it.")
            % {"number": order.number}
        )
    account = _account(account_id)
    if spec.weight_g < 1 or min(spec.length_cm, spec.width_cm, spec.height_cm) < 1:
        raise ShippingError(_("Enter the parcel's weight and sizes."))
    if spec.cod_amount < 0 or spec.insurance_value < 0:
        raise ShippingError(_("Amounts cannot be negative."))
    adapter = adapter_for(account)
    try:
        data = request_data(
            sender=sender_endpoint(account=account, adapter=adapter),
            receiver=receiver_endpoint(order=order, account=account, adapter=adapter),
            items=order_items(order),
        )
    except CarrierError as error:
        raise shipping_error(error) from error
    shipment = _insert(
        order=order,
        account=account,
        spec=spec,
        service=service or ServiceChoice(code=spec.service_code),
        data=data,
        user_id=user_id,
        now=now,
    )
    return shipment_submit(shipment_id=shipment.pk, user_id=user_id, now=now)


def _insert(
    *,
    order: Order,
    account: CarrierAccount,
    spec: ParcelSpec,
    service: ServiceChoice,
    data: dict[str, Any],
    user_id: int | None,
    now: datetime,
) -> Shipment:
    """Commit the pending Shipment row (our reference) before any call to the carrier."""
    try:
        with transaction.atomic():
            Order.objects.select_for_update().filter(pk=order.pk).first()
            open_one = (
                Shipment.objects.filter(order_id=order.pk).exclude(state__in=CLOSED_STATES).first()
            )
            if open_one is not None:
                raise ShippingError(
                    _("Order %(number)s already has parcel %(parcel)s.")
                    % {"number": order.number, "parcel": open_one}
                )
            shipment = Shipment.objects.create(
                order=order,
                account=account,
                reference=_next_reference(order),
                service_code=spec.service_code,
                service_name=service.name[:120],
                service_level=service.level if service.level in ("express", "economy") else "",
                cod_amount=whole_dong(spec.cod_amount),
                insurance_value=whole_dong(spec.insurance_value),
                weight_g=spec.weight_g,
                length_cm=spec.length_cm,
                width_cm=spec.width_cm,
                height_cm=spec.height_cm,
                payer=spec.payer,
                viewing=spec.viewing,
                note=spec.note[:500],
                request_data=data,
                created_by_id=user_id,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as error:
        raise ShippingError(
            _("Order %(number)s already has a parcel.") % {"number": order.number}
        ) from error
    return shipment


def _claim(shipment_id: int, now: datetime) -> int | None:
    """Take the right to send this pending shipment; returns the attempts made before, or None
    when it is not pending or someone else is sending it."""
    with transaction.atomic():
        claimed = Shipment.objects.filter(
            Q(sending_since__isnull=True) | Q(sending_since__lt=now - SEND_LEASE),
            pk=shipment_id,
            state=ShipmentState.PENDING,
        ).update(attempts=F("attempts") + 1, sending_since=now, updated_at=now)
        if claimed != 1:
            return None
        return int(Shipment.objects.values_list("attempts", flat=True).get(pk=shipment_id)) - 1


def _release(shipment_id: int, now: datetime, **changes: object) -> None:
    Shipment.objects.filter(pk=shipment_id, state=ShipmentState.PENDING).update(
        sending_since=None, updated_at=now, **changes
    )


def shipment_submit(
    *, shipment_id: int, user_id: int | None, now: datetime | None = None
) -> Shipment:
    """Send a pending shipment to its carrier (see the module's docstring)."""
    now = now or timezone.now()
    before = _claim(shipment_id, now)
    shipment = Shipment.objects.select_related("account", "order").get(pk=shipment_id)
    if before is None:
        if shipment.state == ShipmentState.PENDING:
            raise ShippingError(_("This parcel is being sent right now. Wait a moment."))
        return shipment
    adapter = adapter_for(shipment.account)
    try:
        found = adapter.find(reference=shipment.reference) if before > 0 else None
        if found is not None:
            _adopt(shipment, found, now)
        else:
            request = parcel_request(
                reference=shipment.reference,
                data=shipment.request_data,
                spec=_spec_of(shipment),
                account=shipment.account,
            )
            _created(shipment, adapter.create(request=request), now)
    except TransientError as error:
        _release(shipment.pk, now, problem=str(error)[:500])
        raise shipping_error(error) from error
    except CarrierError as error:
        failure = shipping_error(error)
        _release(
            shipment.pk, now, state=ShipmentState.REFUSED, problem=str(failure)[:500], closed_at=now
        )
        raise failure from error
    shipment.refresh_from_db()
    order_note_add(
        order_id=shipment.order_id,
        text=_("Parcel %(tracking)s created with %(carrier)s (%(account)s).")
        % {
            "tracking": shipment.tracking_number,
            "carrier": shipment.account.get_carrier_display(),
            "account": shipment.account.name,
        },
        user_id=user_id,
        now=now,
    )
    return shipment


def _store(shipment_id: int, now: datetime, *, state: str, **fields: object) -> None:
    """Keep what the carrier answered. Its callback may have come first (GHN calls back as it
    creates the parcel, before its answer reaches us) and moved the state on: the state moves
    only from "pending", the parcel's numbers are stored either way."""
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment_id).update(sending_since=None, updated_at=now, **fields)
        Shipment.objects.filter(pk=shipment_id, state=ShipmentState.PENDING).update(state=state)


def _created(shipment: Shipment, parcel: CreatedParcel, now: datetime) -> None:
    _store(
        shipment.pk,
        now,
        state=ShipmentState.CREATED,
        tracking_number=parcel.tracking_number[:40],
        fee=whole_dong(parcel.fee),
        sort_code=parcel.sort_code[:40],
        expected_delivery=parcel.expected_delivery,
        problem="",
    )


def _adopt(shipment: Shipment, parcel: ParcelInfo, now: datetime) -> None:
    """The carrier already has the parcel an earlier (timed-out) attempt created: take it."""
    state = parcel.state.value if parcel.state.value in ShipmentState.values else "created"
    _store(
        shipment.pk,
        now,
        state=state,
        tracking_number=parcel.tracking_number[:40],
        fee=whole_dong(parcel.fee) if parcel.fee is not None else None,
        carrier_status=parcel.carrier_status[:40],
        expected_delivery=parcel.expected_delivery,
        problem="",
    )


def shipment_cancel(
    *, shipment_id: int, user_id: int | None, now: datetime | None = None
) -> Shipment:
    """Cancel a parcel the carrier has not picked up yet; the order may then ship again."""
    now = now or timezone.now()
    shipment = Shipment.objects.select_related("account").get(pk=shipment_id)
    if shipment.state not in CANCELLABLE:
        raise ShippingError(
            _("Parcel %(parcel)s is %(state)s: it can no longer be cancelled.")
            % {"parcel": shipment, "state": shipment.get_state_display()}
        )
    adapter = adapter_for(shipment.account)
    try:
        tracking = shipment.tracking_number
        if not tracking and shipment.attempts > 0:
            found = adapter.find(reference=shipment.reference)
            tracking = found.tracking_number if found is not None else ""
        if tracking:
            results = adapter.cancel(tracking_numbers=[tracking])
            refused = [r for r in results if not r.ok]
            if refused or not results:
                message = refused[0].message if refused else ""
                raise ShippingError(
                    _("The carrier did not cancel parcel %(parcel)s: %(message)s")
                    % {"parcel": tracking, "message": message or "—"}
                )
    except CarrierError as error:
        raise shipping_error(error) from error
    Shipment.objects.filter(pk=shipment.pk).exclude(state__in=CLOSED_STATES).update(
        state=ShipmentState.CANCELLED,
        tracking_number=tracking[:40],
        needs_action=False,
        sending_since=None,
        closed_at=now,
        updated_at=now,
    )
    shipment.refresh_from_db()
    order_note_add(
        order_id=shipment.order_id,
        text=_("Parcel %(parcel)s cancelled.") % {"parcel": shipment},
        user_id=user_id,
        now=now,
    )
    return shipment


def shipment_labels(*, shipment_ids: Sequence[int], paper: str = "a5") -> LabelDocument:
    """One PDF of the carriers' labels (one carrier call per account and batch of its
    label_batch parcels; an HTML print page is laid out to PDF, never served as our page)."""
    shipments = list(
        Shipment.objects.filter(pk__in=shipment_ids)
        .exclude(tracking_number="")
        .select_related("account")
        .order_by("account_id", "id")
    )
    if not shipments:
        raise ShippingError(_("None of these parcels has a tracking number yet."))
    batches: list[tuple[CarrierAccount, list[str]]] = []
    for shipment in shipments:
        if batches and batches[-1][0].pk == shipment.account_id:
            size = adapter_for(shipment.account).label_batch
            if len(batches[-1][1]) < size:
                batches[-1][1].append(shipment.tracking_number)
                continue
        batches.append((shipment.account, [shipment.tracking_number]))
    try:
        documents = [
            adapter_for(account).label(tracking_numbers=numbers, paper=paper)
            for account, numbers in batches
        ]
    except CarrierError as error:
        raise shipping_error(error) from error
    from shipping.services.labels import labels_combine

    return labels_combine(documents)
