"""What follows a parcel's move to a new state, after the commit that recorded it: the
customer is told (shipping.notifiers, once per event) and a delivered parcel whose order is
fully paid completes the order (shipping.services.cod)."""

from __future__ import annotations

import logging

from django.db import transaction

from shipping.adapters.base import ParcelState

log = logging.getLogger(__name__)


def parcel_moved(*, shipment_id: int, state: str) -> None:
    from shipping.notifiers import shipment_notify
    from shipping.services.cod import order_complete_if_settled

    if state == ParcelState.DELIVERED.value:
        try:
            order_complete_if_settled(shipment_id=shipment_id, user_id=None)
        except Exception:
            log.exception("completing the order of shipment %s failed", shipment_id)
    shipment_notify(shipment_id=shipment_id, event=state)


def parcel_moved_on_commit(*, shipment_id: int, state: str) -> None:
    transaction.on_commit(lambda: parcel_moved(shipment_id=shipment_id, state=state), robust=True)
