"""A parcel the carrier returned to the shop, received back: the goods come back through the
orders app's own return (orders.services.returns.return_create), never a second stock path.

Staff count each order line of the parcel as good (restocked into the account's pickup
warehouse) or damaged (restocked and written off with the return's number as the reason: the
ledger shows both rows); the COD the courier never collected is marked not collected. When
every shipped unit is back, return_create moves the order to "returned" (orders.transitions:
shipped -> returned); units not counted stay shipped (a claim with the carrier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.money import format_money
from orders.errors import OrderError
from orders.models import OrderLine, Return, ReturnCondition
from orders.services.orders.edit import order_note_add
from orders.services.returns import ReturnLineInput, return_create
from shipping.errors import ShippingError
from shipping.models import Shipment, ShipmentState
from shipping.services.actions import RECEIVED, action_announce


@dataclass(frozen=True)
class ReceivedLine:
    order_line_id: int
    good: int = 0
    damaged: int = 0


def parcel_lines(*, shipment: Shipment) -> list[OrderLine]:
    """The order lines that can still come back with the parcel (shipped, not returned)."""
    lines = OrderLine.objects.filter(order_id=shipment.order_id).order_by("id")
    return [line for line in lines if line.quantity_returnable > 0]


def _inputs(lines: Sequence[ReceivedLine], warehouse_id: int) -> list[ReturnLineInput]:
    inputs = []
    for line in lines:
        if line.good < 0 or line.damaged < 0:
            raise ShippingError(_("A returned quantity cannot be negative."))
        for quantity, condition in (
            (line.good, ReturnCondition.GOOD),
            (line.damaged, ReturnCondition.DAMAGED),
        ):
            if quantity:
                inputs.append(
                    ReturnLineInput(line.order_line_id, quantity, condition, warehouse_id)
                )
    return inputs


def shipment_receive_returned(
    *,
    shipment_id: int,
    lines: Sequence[ReceivedLine],
    user_id: int | None,
    now: datetime | None = None,
) -> Return:
    """Receive a returned parcel, all or nothing; returns the orders app's Return."""
    now = now or timezone.now()
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(pk=shipment_id)
            .first()
        )
        if shipment is None:
            raise ShippingError(_("This parcel does not exist."))
        if shipment.order_return_id is not None:
            raise ShippingError(
                _("Parcel %(parcel)s has already been received back.") % {"parcel": shipment}
            )
        if shipment.state != ShipmentState.RETURNED:
            raise ShippingError(
                _(
                    "Parcel %(parcel)s is %(state)s: only a parcel returned to the shop can be "
                    "received back."
                )
                % {"parcel": shipment, "state": shipment.get_state_display()}
            )
        try:
            order_return = return_create(
                order_id=shipment.order_id,
                lines=_inputs(lines, shipment.account.warehouse_id),
                user_id=user_id,
                reason=_("Parcel %(parcel)s returned by the carrier") % {"parcel": shipment},
                now=now,
            )
        except OrderError as error:
            raise ShippingError(str(error)) from error
        uncollected = bool(shipment.cod_amount) and shipment.cod_received_at is None
        Shipment.objects.filter(pk=shipment.pk).update(
            order_return=order_return,
            cod_not_collected_at=now if uncollected else None,
            needs_action=False,
            problem="",
            closed_at=now,
            updated_at=now,
        )
        text = _received_text(shipment, order_return.number, uncollected=uncollected)
        order_note_add(order_id=shipment.order_id, text=text, user_id=user_id, now=now)
        action_announce(shipment, RECEIVED)
    return order_return


def _received_text(shipment: Shipment, number: str, *, uncollected: bool) -> str:
    if not uncollected:
        return _("Parcel %(parcel)s received back (%(number)s).") % {
            "parcel": shipment,
            "number": number,
        }
    return _(
        "Parcel %(parcel)s received back (%(number)s); its COD of %(amount)s was not collected."
    ) % {
        "parcel": shipment,
        "number": number,
        "amount": format_money(shipment.cod_amount, "VND", get_language() or "en"),
    }
