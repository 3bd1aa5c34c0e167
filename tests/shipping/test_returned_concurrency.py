"""Two staff receiving the same returned parcel at the same moment: one return, stock back once."""

from __future__ import annotations

import pytest

from orders.models import Return
from shipping.errors import ShippingError
from shipping.models import Shipment
from shipping.services.actions import shipment_return
from shipping.services.returned import ReceivedLine, shipment_receive_returned
from tests.concurrency import run_concurrently
from tests.orders.factories import level

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on the same parcel"),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("carrier_driver", ["ghn"], indirect=True)
def test_two_simultaneous_receipts_make_one_return(
    carrier_driver, ship_order, ship_spec, ship_warehouse
):
    order = ship_order()
    shipment = carrier_driver.ship(order, ship_spec)
    carrier_driver.fail(shipment)
    shipment_return(shipment_id=shipment.pk, user_id=None)
    carrier_driver.returned(shipment)
    assert Shipment.objects.get(pk=shipment.pk).state == "returned"
    (line,) = order.lines.all()
    assert level(ship_order.variant, ship_warehouse) == (8, 0)

    def receive():
        shipment_receive_returned(
            shipment_id=shipment.pk, lines=[ReceivedLine(line.pk, good=2)], user_id=None
        )

    outcomes = run_concurrently([receive, receive], {ShippingError: "refused"})

    assert sorted(outcomes) == ["ok", "refused"]
    assert Return.objects.filter(order=order).count() == 1
    assert level(ship_order.variant, ship_warehouse) == (10, 0)
    assert Shipment.objects.get(pk=shipment.pk).order_return == Return.objects.get(order=order)
