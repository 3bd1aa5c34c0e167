"""GHN calls back as it creates a parcel, before its answer to the create reaches us: the
callback (delivered over real HTTP to our running server) finds the pending shipment by our
reference, and the answer that follows still stores the tracking number and fee."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shipping.models import CallbackResult, CarrierCallback, ShipmentEvent
from shipping.services.callbacks import callback_apply
from shipping.services.shipments import ServiceChoice, shipment_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager_jobs():
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_a_callback_before_the_create_answer_loses_nothing(
    live_server, eager_jobs, ghn_sandbox, ghn_account, ship_order, ship_spec
):
    order = ship_order()
    hook = reverse("shipping:ghn_webhook", args=[ghn_account.pk])
    ghn_sandbox.configure(
        callback_url=f"{live_server.url}{hook}?token={ghn_account.webhook_secret}"
    )
    # The callback goes out meanwhile: 3 s leaves it time to be applied even on a loaded machine.
    ghn_sandbox.slow(3.0, path="/v2/shipping-order/create")

    shipment = shipment_create(
        order_id=order.pk,
        account_id=ghn_account.pk,
        spec=ship_spec("53320"),
        service=ServiceChoice(code="53320"),
        user_id=None,
    )

    assert ghn_sandbox.flush_callbacks()
    (delivery,) = ghn_sandbox.deliveries
    assert delivery.ok
    parcel = ghn_sandbox.parcels[shipment.tracking_number]
    shipment.refresh_from_db()
    # The answer that came after the callback kept the parcel's numbers.
    assert shipment.state == "created"
    assert (shipment.tracking_number, shipment.fee) == (parcel.order_code, parcel.total_fee)
    # The callback is kept, verified; one its queued apply did not reach yet is applied as the
    # 5-minute sweep would (on a loaded machine the eager apply may still be on its way).
    (callback,) = CarrierCallback.objects.filter(account=ghn_account)
    assert callback.result in (CallbackResult.APPLIED, CallbackResult.PENDING)
    if callback.result == CallbackResult.PENDING:
        callback_apply(callback_id=callback.pk)
    shipment.refresh_from_db()
    assert (shipment.state, shipment.carrier_status) == ("created", "ready_to_pick")
    event = ShipmentEvent.objects.get(shipment=shipment)
    assert (event.state, event.moved) == ("created", True)
