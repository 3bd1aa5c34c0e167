"""Two staff pressing "Create parcel" for the same order at the same moment: one parcel."""

from __future__ import annotations

import pytest

from shipping.errors import ShippingError
from shipping.models import Shipment
from shipping.services.shipments import ServiceChoice, shipment_create
from tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on the same order"),
    pytest.mark.django_db(transaction=True),
]


def test_two_simultaneous_creates_make_one_parcel(ghn_sandbox, ghn_account, ship_order, ship_spec):
    order = ship_order()
    ghn_sandbox.slow(0.5, path="/v2/shipping-order/create")

    def create():
        shipment_create(
            order_id=order.pk,
            account_id=ghn_account.pk,
            spec=ship_spec("53320"),
            service=ServiceChoice(code="53320"),
            user_id=None,
        )

    outcomes = run_concurrently([create, create], {ShippingError: "refused"})

    assert sorted(outcomes) == ["ok", "refused"]
    assert Shipment.objects.filter(order=order).count() == 1
    assert ghn_sandbox.call_count("/v2/shipping-order/create") == 1
    assert Shipment.objects.get(order=order).state == "created"
