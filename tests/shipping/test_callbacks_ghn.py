"""GHN callbacks as the sandbox sends them, handed to our endpoint: stored raw, applied once,
never backwards, refused with a bad token; the parcel's state moves the order."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import ContactNote
from orders.models import Order
from shipping.models import CarrierCallback, Shipment, ShipmentEvent
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote
from tests.orders.factories import level, order_ledger


@pytest.fixture
def parcel(ghn_sandbox, ghn_callbacks, ghn_account, ship_order, ship_spec):
    """A GHN parcel of a processing order; the sandbox's callbacks collected (not delivered)."""
    order = ship_order()
    code = shipment_quote(order_id=order.pk, account_id=ghn_account.pk, spec=ship_spec(""))[0].code
    shipment = shipment_create(
        order_id=order.pk,
        account_id=ghn_account.pk,
        spec=ship_spec(code),
        service=ServiceChoice(code=code),
        user_id=None,
    )
    ghn_sandbox.flush_callbacks()
    ghn_callbacks.received.clear()
    return shipment


def _walk(ghn_sandbox, ghn_callbacks, shipment, path="happy", until="") -> list[bytes]:
    """Move the sandbox parcel; the callback bodies it sent, in order."""
    ghn_sandbox.advance(shipment.tracking_number, path, until)
    assert ghn_sandbox.flush_callbacks()
    bodies = [body for _path, body in ghn_callbacks.received]
    ghn_callbacks.received.clear()
    return bodies


def _status(body: bytes) -> str:
    return json.loads(body)["Status"]


@pytest.mark.django_db
def test_picked_up_ships_the_order_and_deducts_its_stock(
    ghn_sandbox, ghn_callbacks, ghn_hook, parcel, ship_order
):
    bodies = _walk(ghn_sandbox, ghn_callbacks, parcel, until="picked")
    assert [_status(b) for b in bodies] == ["picking", "picked"]
    for body in bodies:
        assert ghn_hook(body).status_code == 200

    shipment = Shipment.objects.get(pk=parcel.pk)
    assert (shipment.state, shipment.carrier_status) == ("picked_up", "picked")
    order = Order.objects.get(pk=parcel.order_id)
    assert order.status == "shipped"
    assert order_ledger(order)[-1] == ("TS-M", "shipment", -2, -2)
    assert level(ship_order.variant, order.warehouse) == (8, 0)
    assert list(CarrierCallback.objects.values_list("result", flat=True).order_by("id")) == [
        "applied",
        "applied",
    ]
    assert CarrierCallback.objects.first().body == bodies[0].decode()


@pytest.mark.django_db
def test_a_replayed_callback_changes_nothing(ghn_sandbox, ghn_callbacks, ghn_hook, parcel):
    (body,) = _walk(ghn_sandbox, ghn_callbacks, parcel, until="picking")
    ghn_hook(body)
    before = Shipment.objects.values("state", "last_event_at", "updated_at").get(pk=parcel.pk)

    assert ghn_hook(body).status_code == 200

    assert ShipmentEvent.objects.filter(shipment=parcel).count() == 1
    assert (
        Shipment.objects.values("state", "last_event_at", "updated_at").get(pk=parcel.pk) == before
    )
    assert CarrierCallback.objects.count() == 2  # both kept as received


@pytest.mark.django_db
def test_an_older_event_arriving_late_is_history_only(ghn_sandbox, ghn_callbacks, ghn_hook, parcel):
    (_picking, picked) = _walk(ghn_sandbox, ghn_callbacks, parcel, until="picked")
    ghn_sandbox.advance_clock(3600)
    delivering = _walk(ghn_sandbox, ghn_callbacks, parcel, until="delivering")[-1]
    assert (_status(picked), _status(delivering)) == ("picked", "delivering")
    ghn_hook(delivering)  # delivering first

    ghn_hook(picked)  # then the older "picked"

    shipment = Shipment.objects.get(pk=parcel.pk)
    assert (shipment.state, shipment.carrier_status) == ("delivering", "delivering")
    events = list(ShipmentEvent.objects.filter(shipment=parcel).order_by("occurred_at"))
    assert [(e.carrier_status, e.moved) for e in events] == [
        ("picked", False),
        ("delivering", True),
    ]
    # The carrier has had the goods since "delivering" arrived: the order was shipped once.
    assert Order.objects.get(pk=parcel.order_id).status == "shipped"


@pytest.mark.django_db
def test_a_bad_token_is_kept_rejected_and_applies_nothing(
    ghn_sandbox, ghn_callbacks, ghn_hook, parcel
):
    (body,) = _walk(ghn_sandbox, ghn_callbacks, parcel, until="picking")

    response = ghn_hook(body, token="not-the-secret")

    assert response.status_code == 401
    callback = CarrierCallback.objects.get()
    assert (callback.result, callback.reason) == ("rejected", "bad_token")
    assert ShipmentEvent.objects.count() == 0
    assert Shipment.objects.get(pk=parcel.pk).state == "created"


@pytest.mark.django_db
def test_an_unknown_account_is_404(client, ghn_account):
    url = reverse("shipping:ghn_webhook", args=[ghn_account.pk + 1000])
    response = client.post(f"{url}?token=x", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert CarrierCallback.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_quarantined(ghn_hook, ghn_account):
    assert ghn_hook(b"not json").status_code == 200
    callback = CarrierCallback.objects.get()
    assert callback.result == "quarantined"
    assert callback.reason.startswith("bad_json")


@pytest.mark.django_db
def test_a_failed_delivery_needs_action(
    ghn_sandbox, ghn_callbacks, ghn_hook, parcel, login_as, client
):
    bodies = _walk(
        ghn_sandbox, ghn_callbacks, parcel, path="failed_delivery", until="delivery_fail"
    )
    for body in bodies:
        ghn_hook(body)

    shipment = Shipment.objects.get(pk=parcel.pk)
    assert (shipment.state, shipment.needs_action) == ("delivery_failed", True)
    assert shipment.problem == "Không liên lạc được với người nhận"
    order = Order.objects.get(pk=parcel.order_id)
    assert order.status == "shipped"
    # A red follow-up on the order (crm.wiring): open, due now, with the carrier's reason.
    assert order.followup_state == "open"
    assert order.next_contact_at <= timezone.now()
    note = ContactNote.objects.filter(followup__order=order).latest("id")
    assert note.note == (
        f"Delivery of parcel {shipment.tracking_number} failed: Không liên lạc được với người nhận"
    )

    login_as("warehouse")
    page = client.get(reverse("shipping:shipment_list") + "?needs_action=on")
    assert page.status_code == 200
    rows = page.content.decode().count('data-testid="shipment-row"')
    assert rows == 1
    assert shipment.tracking_number in page.content.decode()


@pytest.mark.django_db
def test_the_sweep_applies_a_callback_whose_task_was_lost(
    ghn_sandbox, ghn_callbacks, ghn_account, parcel
):
    from datetime import timedelta

    from django.utils import timezone

    from shipping.services.callbacks import callback_receive
    from shipping.tasks import apply_pending_callbacks

    (body,) = _walk(ghn_sandbox, ghn_callbacks, parcel, until="picking")
    callback = callback_receive(
        carrier="ghn",
        account_id=ghn_account.pk,
        body=body,
        headers={"Content-Type": "application/json"},
        query={"token": ghn_account.webhook_secret},
        now=timezone.now() - timedelta(minutes=3),
    )
    assert callback is not None
    assert callback.result == "pending"

    assert apply_pending_callbacks() == 1

    assert CarrierCallback.objects.get(pk=callback.pk).result == "applied"
    assert Shipment.objects.get(pk=parcel.pk).state == "picking"
    assert apply_pending_callbacks() == 0


@pytest.mark.django_db
def test_a_callback_for_an_unknown_parcel_waits_for_staff_and_can_be_reapplied(
    ghn_sandbox, ghn_callbacks, ghn_hook, parcel, client, login_as
):
    (body,) = _walk(ghn_sandbox, ghn_callbacks, parcel, until="picking")
    data = json.loads(body)
    data.update(OrderCode="GAOTHER1", ClientOrderCode="NOT-OURS-1")
    ghn_hook(json.dumps(data).encode())
    callback = CarrierCallback.objects.get()
    assert (callback.result, callback.reason) == ("quarantined", "unknown_parcel: GAOTHER1")
    assert ShipmentEvent.objects.count() == 0

    login_as("manager")
    listing = client.get(reverse("shipping:callback_list"))
    assert listing.content.decode().count('data-testid="callback-row"') == 1
    carriers = client.get(reverse("shipping:account_list")).content.decode()
    assert 'data-testid="callbacks-quarantined">1<' in carriers

    # The parcel turns out to be ours (say, created by hand at GHN and recorded here).
    Shipment.objects.filter(pk=parcel.pk).update(tracking_number="GAOTHER1")
    response = client.post(
        reverse("shipping:callback_reapply", args=[callback.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "pill--ok" in response.content.decode()
    assert CarrierCallback.objects.get().result == "applied"
    assert Shipment.objects.get(pk=parcel.pk).state == "picking"
