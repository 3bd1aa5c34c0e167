"""Shipments with Viettel Post over real HTTP against its sandbox: connect (two-step login),
quote, create, cancel, and its callbacks ({DATA, TOKEN}) moving the order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from shipping.models import CarrierCallback, Shipment, ShipmentState
from shipping.services.shipments import (
    ServiceChoice,
    shipment_cancel,
    shipment_create,
    shipment_quote,
)
from tests.orders.factories import order_ledger


@pytest.fixture
def vtp_parcel(vtp_account, ship_order, ship_spec):
    order = ship_order()
    options = shipment_quote(order_id=order.pk, account_id=vtp_account.pk, spec=ship_spec(""))
    code = options[0].code
    return shipment_create(
        order_id=order.pk,
        account_id=vtp_account.pk,
        spec=ship_spec(code),
        service=ServiceChoice(code=code, name=options[0].name, level=options[0].level),
        user_id=None,
    )


@pytest.mark.django_db
def test_connect_keeps_the_long_term_token(vtp_sandbox, vtp_account):
    assert vtp_account.token
    assert vtp_account.connected_at is not None
    assert vtp_account.token in vtp_sandbox.long_tokens
    assert vtp_sandbox.token_state(vtp_account.token) == "ok"


@pytest.mark.django_db
def test_create_then_cancel(vtp_sandbox, vtp_account, vtp_parcel):
    assert vtp_parcel.state == ShipmentState.CREATED
    (parcel,) = vtp_sandbox.find_parcels(vtp_parcel.reference)
    assert vtp_parcel.tracking_number == parcel.order_number
    assert vtp_parcel.fee == Decimal(parcel.fees["MONEY_TOTAL"])

    cancelled = shipment_cancel(shipment_id=vtp_parcel.pk, user_id=None)

    assert cancelled.state == ShipmentState.CANCELLED
    assert vtp_sandbox.status_of(parcel.order_number) in (107, 503)


@pytest.mark.django_db
def test_callbacks_move_the_parcel_and_ship_the_order(
    client, run_jobs, vtp_sandbox, vtp_receiver, vtp_account, vtp_parcel
):
    vtp_sandbox.configure_webhook(vtp_receiver.url, vtp_account.webhook_secret)
    vtp_sandbox.run_scenario(vtp_parcel.tracking_number, "deliver")
    assert vtp_sandbox.flush_webhooks()
    url = reverse("shipping:viettel_post_webhook", args=[vtp_account.pk])
    for body in vtp_receiver.bodies:
        with run_jobs():
            response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 200

    shipment = Shipment.objects.get(pk=vtp_parcel.pk)
    assert (shipment.state, shipment.carrier_status) == ("delivered", "501")
    order = Order.objects.get(pk=vtp_parcel.order_id)
    assert order.status == "shipped"
    assert order_ledger(order)[-1] == ("TS-M", "shipment", -2, -2)
    assert set(CarrierCallback.objects.values_list("result", flat=True)) == {"applied"}


@pytest.mark.django_db
def test_a_callback_with_the_wrong_token_is_rejected(
    client, vtp_sandbox, vtp_receiver, vtp_account, vtp_parcel
):
    vtp_sandbox.configure_webhook(vtp_receiver.url, "wrong-secret")
    vtp_sandbox.run_scenario(vtp_parcel.tracking_number, "deliver")
    assert vtp_sandbox.flush_webhooks()
    url = reverse("shipping:viettel_post_webhook", args=[vtp_account.pk])

    response = client.post(url, data=vtp_receiver.bodies[0], content_type="application/json")

    assert response.status_code == 401
    assert CarrierCallback.objects.get().result == "rejected"
    assert Shipment.objects.get(pk=vtp_parcel.pk).state == "created"


@pytest.mark.django_db
def test_an_expired_token_is_renewed_and_kept_by_the_account(
    vtp_sandbox, vtp_account, ship_order, ship_spec
):
    order = ship_order()
    old = vtp_account.token
    vtp_sandbox.expire_tokens()

    options = shipment_quote(order_id=order.pk, account_id=vtp_account.pk, spec=ship_spec(""))

    assert [o.code for o in options] == ["VCN", "VTK", "SCOD"]
    vtp_account.refresh_from_db()
    assert vtp_account.token != old
    assert vtp_sandbox.token_state(vtp_account.token) == "ok"
    assert vtp_sandbox.call_counts()["/v2/user/Login"] == 2  # connect, then the one renewal
