"""Staff decisions on a failed delivery, and changes to a parcel while the carrier allows them.

A failed delivery (the carrier's "delivery failed" or "on hold" state, flagged "needs action")
is decided once, through the carrier's API (/work/shared/api/carriers_einvoice.md A.11, B.7):
- `shipment_redeliver`: deliver again (GHN switch-status/storing; Viettel Post UpdateOrder
  TYPE 3, phát tiếp);
- `shipment_change_address`: deliver again to a new address, resolved to the carrier's codes
  like at create (an unknown place is ShippingAddressError naming the field, before any call);
- `shipment_return`: send it back to the shop (GHN switch-status/return; Viettel Post
  UpdateOrder TYPE 2, duyệt chuyển hoàn).
The carrier's refusal (its per-parcel result) is a ShippingError with its words and nothing
changes here. Once accepted: the shipment no longer needs action, the order's history says
what was decided and `delivery_action_taken` (after commit) finishes the red follow-up. The
state itself moves when the carrier's callback or the poll reports it.

`shipment_update` changes COD, weight and sizes, the note or the receiver's phone; the carrier
decides whether it still may (GHN: some fields until out for delivery; Viettel Post: before
pickup), and its refusal is shown with our sentence around its words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.money import format_money
from orders.services.orders.edit import order_note_add
from shipping.adapters.base import (
    CarrierError,
    Endpoint,
    Payer,
    SwitchResult,
    TransientError,
    ViewingRule,
)
from shipping.errors import ShippingError, address_error, carrier_error_text, shipping_error
from shipping.models import Shipment, ShipmentState
from shipping.services.addresses import address_resolve
from shipping.services.carriers import adapter_for
from shipping.services.parcels import carrier_phone, whole_dong
from shipping.signals import delivery_action_taken

# A failed delivery waiting for the shop's decision: the carrier takes one only while it holds
# the parcel for it (GHN waiting_to_return, A.11; Viettel Post 505, B.7). Just after a failed
# attempt ("delivery failed": GHN delivery_fail, Viettel Post 506) both refuse it, so staff
# wait for the hold (the parcel still needs action: call the buyer meanwhile).
DECIDABLE = frozenset({ShipmentState.WAITING_ACTION})
# States in which a change is asked of the carrier (it has the last word).
UPDATABLE = frozenset(
    {
        ShipmentState.CREATED,
        ShipmentState.PICKING,
        ShipmentState.PICKED_UP,
        ShipmentState.IN_TRANSIT,
    }
)
PICKED_UP = frozenset({ShipmentState.PICKED_UP, ShipmentState.IN_TRANSIT})
# Lost or damaged at the carrier: staff settle it with the carrier, then mark it handled.
SETTLEABLE = frozenset({ShipmentState.LOST, ShipmentState.DAMAGED})

REDELIVER, CHANGE_ADDRESS, RETURN, RECEIVED = "redeliver", "change_address", "return", "received"


@dataclass(frozen=True)
class NewAddress:
    """Where the parcel goes now, as staff type it (district blank: the 2025 2-level form)."""

    name: str
    phone: str
    street: str
    province: str
    district: str
    ward: str

    @property
    def text(self) -> str:
        return ", ".join(
            p.strip() for p in (self.street, self.ward, self.district, self.province) if p.strip()
        )


@dataclass(frozen=True)
class ParcelChanges:
    """What staff change on a parcel; None: unchanged."""

    cod_amount: Decimal | None = None
    weight_g: int | None = None
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None
    note: str | None = None
    receiver_phone: str | None = None


def _shipment(shipment_id: int) -> Shipment:
    shipment = Shipment.objects.select_related("account").filter(pk=shipment_id).first()
    if shipment is None:
        raise ShippingError(_("This parcel does not exist."))
    return shipment


def not_on_hold_text(shipment: Shipment) -> str:
    return _(
        "Parcel %(parcel)s: the carrier has not put it on hold for a decision yet. Deliver "
        "again, change the address or return it once it is on hold."
    ) % {"parcel": shipment}


def _decidable(shipment_id: int) -> Shipment:
    shipment = _shipment(shipment_id)
    if shipment.state == ShipmentState.DELIVERY_FAILED and shipment.needs_action:
        raise ShippingError(not_on_hold_text(shipment))
    if shipment.state not in DECIDABLE or not shipment.needs_action or not shipment.tracking_number:
        raise ShippingError(
            _("Parcel %(parcel)s is %(state)s: there is no failed delivery to decide on.")
            % {"parcel": shipment, "state": shipment.get_state_display()}
        )
    return shipment


def _accepted(shipment: Shipment, result: SwitchResult) -> None:
    if not result.ok:
        raise ShippingError(
            _("The carrier refused this for parcel %(parcel)s: %(message)s")
            % {"parcel": shipment, "message": result.message or "—"}
        )


def _decided(
    shipment: Shipment, *, action: str, text: str, user_id: int | None, now: datetime, **fields: Any
) -> Shipment:
    """The decision is taken: no longer needs action, noted on the order, follow-up finished."""
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(
            needs_action=False, problem="", updated_at=now, **fields
        )
        order_note_add(order_id=shipment.order_id, text=text, user_id=user_id, now=now)
        action_announce(shipment, action)
    shipment.refresh_from_db()
    return shipment


def action_announce(shipment: Shipment, action: str) -> None:
    payload = {
        "shipment_id": shipment.pk,
        "order_id": shipment.order_id,
        "action": action,
        "tracking_number": shipment.tracking_number,
    }
    transaction.on_commit(lambda: delivery_action_taken.send(sender=Shipment, **payload))


def shipment_mark_handled(
    *, shipment_id: int, user_id: int | None, now: datetime | None = None
) -> Shipment:
    """A parcel the carrier lost or damaged, settled with the carrier outside the CRM (a claim,
    a new parcel for another order): it no longer needs action and the order says who settled
    it. Nothing is asked of the carrier; no failed-delivery follow-up is involved."""
    now = now or timezone.now()
    shipment = _shipment(shipment_id)
    if shipment.state not in SETTLEABLE or not shipment.needs_action:
        raise ShippingError(
            _("Parcel %(parcel)s is %(state)s: there is nothing to settle.")
            % {"parcel": shipment, "state": shipment.get_state_display()}
        )
    text = _("Parcel %(parcel)s (%(state)s): settled with the carrier.") % {
        "parcel": shipment,
        "state": shipment.get_state_display(),
    }
    with transaction.atomic():
        done = Shipment.objects.filter(
            pk=shipment.pk, needs_action=True, state__in=SETTLEABLE
        ).update(needs_action=False, updated_at=now)
        if done:
            order_note_add(order_id=shipment.order_id, text=text, user_id=user_id, now=now)
    shipment.refresh_from_db()
    return shipment


def shipment_redeliver(
    *, shipment_id: int, user_id: int | None, now: datetime | None = None
) -> Shipment:
    shipment = _decidable(shipment_id)
    try:
        (result,) = adapter_for(shipment.account).redeliver(
            tracking_numbers=[shipment.tracking_number]
        )
    except CarrierError as error:
        raise shipping_error(error) from error
    _accepted(shipment, result)
    text = _("Parcel %(parcel)s: the carrier delivers again.") % {"parcel": shipment}
    return _decided(
        shipment, action=REDELIVER, text=text, user_id=user_id, now=now or timezone.now()
    )


def shipment_return(
    *, shipment_id: int, user_id: int | None, now: datetime | None = None
) -> Shipment:
    shipment = _decidable(shipment_id)
    try:
        (result,) = adapter_for(shipment.account).return_to_sender(
            tracking_numbers=[shipment.tracking_number]
        )
    except CarrierError as error:
        raise shipping_error(error) from error
    _accepted(shipment, result)
    text = _("Parcel %(parcel)s: the carrier returns it to the shop.") % {"parcel": shipment}
    return _decided(shipment, action=RETURN, text=text, user_id=user_id, now=now or timezone.now())


def shipment_change_address(
    *, shipment_id: int, address: NewAddress, user_id: int | None, now: datetime | None = None
) -> Shipment:
    """Deliver again to `address`; ShippingAddressError (field named) when the carrier's
    master data has no such place, before anything is asked of the carrier."""
    shipment = _decidable(shipment_id)
    for field, value in (("name", address.name), ("phone", address.phone)):
        if not value.strip():
            raise address_error(field, value)
    if not address.street.strip():
        raise address_error("address", address.street)
    adapter = adapter_for(shipment.account)
    try:
        codes = address_resolve(
            carrier=shipment.account.carrier,
            adapter=adapter,
            province=address.province,
            district=address.district,
            ward=address.ward,
        )
        receiver = Endpoint(
            name=address.name.strip(),
            phone=carrier_phone(address.phone),
            address=address.street.strip(),
            province_code=codes.province_code,
            district_code=codes.district_code,
            ward_code=codes.ward_code,
        )
        result = adapter.change_address(
            tracking_number=shipment.tracking_number, receiver=receiver, address_text=address.text
        )
    except CarrierError as error:
        raise shipping_error(error) from error
    _accepted(shipment, result)
    data = {**shipment.request_data, "receiver": asdict(receiver)}
    text = _("Parcel %(parcel)s: the carrier delivers again, to %(address)s.") % {
        "parcel": shipment,
        "address": f"{address.name.strip()}, {address.phone.strip()}, {address.text}",
    }
    return _decided(
        shipment,
        action=CHANGE_ADDRESS,
        text=text,
        user_id=user_id,
        now=now or timezone.now(),
        request_data=data,
    )


def _wanted(shipment: Shipment, changes: ParcelChanges) -> dict[str, Any]:
    """The changed fields, in ParcelRequest's names (None and unchanged values dropped)."""
    wanted: dict[str, Any] = {}
    if changes.cod_amount is not None and whole_dong(changes.cod_amount) != shipment.cod_amount:
        if changes.cod_amount < 0:
            raise ShippingError(_("The COD amount cannot be negative."))
        wanted["cod_amount"] = whole_dong(changes.cod_amount)
    for name in ("weight_g", "length_cm", "width_cm", "height_cm"):
        value = getattr(changes, name)
        if value is not None and value != getattr(shipment, name):
            if value < 1:
                raise ShippingError(_("Weight and sizes must be above zero."))
            wanted[name] = value
    if changes.note is not None and changes.note.strip() != shipment.note:
        wanted["note"] = changes.note.strip()[:500]
    receiver = shipment.request_data.get("receiver") or {}
    if changes.receiver_phone is not None and changes.receiver_phone.strip():
        phone = carrier_phone(changes.receiver_phone)
        if phone != receiver.get("phone"):
            wanted["receiver"] = replace(Endpoint(**receiver), phone=phone)
    return wanted


def _refusal(shipment: Shipment, error: CarrierError) -> ShippingError:
    if shipment.state in PICKED_UP and not isinstance(error, TransientError):
        return ShippingError(
            _(
                "Parcel %(parcel)s has been picked up: the carrier no longer accepts this "
                "change. %(reason)s"
            )
            % {"parcel": shipment, "reason": carrier_error_text(error)}
        )
    return shipping_error(error)


def shipment_update(
    *, shipment_id: int, changes: ParcelChanges, user_id: int | None, now: datetime | None = None
) -> Shipment:
    """Ask the carrier to change the parcel; kept here only once it accepted."""
    now = now or timezone.now()
    shipment = _shipment(shipment_id)
    if shipment.state not in UPDATABLE or not shipment.tracking_number:
        raise ShippingError(
            _("Parcel %(parcel)s is %(state)s: it can no longer be changed.")
            % {"parcel": shipment, "state": shipment.get_state_display()}
        )
    wanted = _wanted(shipment, changes)
    if not wanted:
        raise ShippingError(_("Nothing was changed."))
    sent = dict(wanted)
    if "cod_amount" in sent:
        # The carrier's payer goes with the COD (Viettel Post's ORDER_PAYMENT says whether goods
        # money is collected at all: a COD from or to 0 changes it); as at creation the carrier
        # bills the shop (parcels.parcel_request).
        sent["payer"] = Payer.SHOP
    if "note" in sent:
        sent["viewing"] = ViewingRule(shipment.viewing)  # Viettel Post writes both in one note
    try:
        adapter_for(shipment.account).update(tracking_number=shipment.tracking_number, changes=sent)
    except CarrierError as error:
        raise _refusal(shipment, error) from error
    fields: dict[str, Any] = {k: v for k, v in wanted.items() if k != "receiver"}
    if "receiver" in wanted:
        fields["request_data"] = {**shipment.request_data, "receiver": asdict(wanted["receiver"])}
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(updated_at=now, **fields)
        order_note_add(
            order_id=shipment.order_id,
            text=_("Parcel %(parcel)s changed: %(changes)s")
            % {"parcel": shipment, "changes": _changes_text(shipment, wanted)},
            user_id=user_id,
            now=now,
        )
    shipment.refresh_from_db()
    return shipment


def _changes_text(shipment: Shipment, wanted: dict[str, Any]) -> str:
    parts = []
    language = get_language() or "en"
    if "cod_amount" in wanted:
        parts.append(
            _("COD %(old)s → %(new)s")
            % {
                "old": format_money(shipment.cod_amount, "VND", language),
                "new": format_money(wanted["cod_amount"], "VND", language),
            }
        )
    if {"weight_g", "length_cm", "width_cm", "height_cm"} & set(wanted):
        size = {
            n: wanted.get(n, getattr(shipment, n)) for n in ("length_cm", "width_cm", "height_cm")
        }
        parts.append(
            _("%(weight)s g, %(length)s x %(width)s x %(height)s cm")
            % {
                "weight": wanted.get("weight_g", shipment.weight_g),
                "length": size["length_cm"],
                "width": size["width_cm"],
                "height": size["height_cm"],
            }
        )
    if "note" in wanted:
        parts.append(_("note “%(note)s”") % {"note": wanted["note"]})
    if "receiver" in wanted:
        parts.append(_("receiver's phone %(phone)s") % {"phone": wanted["receiver"].phone})
    return "; ".join(parts)
