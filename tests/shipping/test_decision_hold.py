"""Just after a failed attempt (GHN delivery_fail, Viettel Post 506) the carriers take no
decision on the parcel: GHN redelivers or returns only while waiting_to_return (A.11), Viettel
Post only at 505 (B.7). The parcel needs action (call the buyer) but the decisions are offered
once the carrier holds it, instead of buttons the carrier refuses. Over real HTTP against each
sandbox, the callbacks handed to our webhook endpoints."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shipping.errors import ShippingError
from shipping.models import Shipment
from shipping.services.actions import shipment_redeliver, shipment_return

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
# What each sandbox says when it holds the parcel (GHN: waiting_to_return's description; Viettel
# Post: the 505 note of its "fail" scenario).
HOLD_WORDS = {
    "ghn": "Chờ xác nhận giao lại",
    "viettel_post": "Khách từ chối nhận hàng (Bưu cục Quận Hải Châu)",
}


def _first_failure(request, driver, number: str) -> None:
    if driver.carrier == "ghn":
        request.getfixturevalue("ghn_sandbox").advance(number, "failed_delivery", "delivery_fail")
    else:
        sandbox = request.getfixturevalue("vtp_sandbox")
        for status in (200, 300, 400, 500):
            sandbox.set_status(number, status)
        sandbox.set_status(number, 506, note="Khách không nghe máy")
    driver.deliver_callbacks()


def test_decisions_wait_until_the_carrier_holds_the_parcel(
    request, carrier_driver, ship_order, ship_spec, client, login_as
):
    shipment = carrier_driver.ship(ship_order(), ship_spec)
    carrier_driver.pickup(shipment)
    _first_failure(request, carrier_driver, shipment.tracking_number)
    shipment.refresh_from_db()
    assert (shipment.state, shipment.needs_action) == ("delivery_failed", True)
    at_carrier = carrier_driver.status(shipment.tracking_number)
    login_as("manager")

    panel = client.get(reverse("shipping:panel", args=[shipment.order_id]), **HX)
    listed = client.get(reverse("shipping:shipment_list"), {"needs_action": "on"})
    for html in (panel.content.decode(), listed.content.decode()):
        assert 'data-testid="waiting-hold"' in html
        assert 'data-testid="shipment-redeliver"' not in html
        assert 'data-testid="list-redeliver"' not in html
        assert reverse("shipping:change_address", args=[shipment.pk]) not in html
    assert 'data-testid="shipment-row"' in listed.content.decode()

    expected = (
        f"Parcel {shipment.tracking_number}: the carrier has not put it on hold for a decision "
        "yet. Deliver again, change the address or return it once it is on hold."
    )
    for decide in (shipment_redeliver, shipment_return):
        with pytest.raises(ShippingError) as refused:
            decide(shipment_id=shipment.pk, user_id=None)
        assert str(refused.value) == expected
    address = client.get(reverse("shipping:change_address", args=[shipment.pk]), follow=True)
    assert expected in address.content.decode()
    assert carrier_driver.status(shipment.tracking_number) == at_carrier
    assert Shipment.objects.get(pk=shipment.pk).needs_action is True

    # The carrier holds it: the decisions are offered, the failure's reason still shown.
    failure = Shipment.objects.get(pk=shipment.pk).problem
    carrier_driver.fail(shipment)
    held = Shipment.objects.get(pk=shipment.pk)
    assert held.state == "waiting_action"
    assert held.problem == f"{failure} · {HOLD_WORDS[carrier_driver.carrier]}"
    panel = client.get(reverse("shipping:panel", args=[shipment.order_id]), **HX)
    html = panel.content.decode()
    assert 'data-testid="shipment-redeliver"' in html
    assert 'data-testid="waiting-hold"' not in html


def test_a_lost_parcel_is_settled_once_from_the_needs_action_list(
    ghn_sandbox, ghn_callbacks, ghn_hook, ghn_account, ship_order, ship_spec, client, login_as
):
    from orders.models import OrderEvent
    from shipping.services.actions import shipment_mark_handled
    from shipping.services.shipments import ServiceChoice, shipment_create

    shipment = shipment_create(
        order_id=ship_order().pk,
        account_id=ghn_account.pk,
        spec=ship_spec("53321"),
        service=ServiceChoice(code="53321"),
        user_id=None,
    )
    ghn_sandbox.advance(shipment.tracking_number, "happy", "storing")
    ghn_sandbox.set_status(shipment.tracking_number, "lost", reason="Thất lạc tại kho")
    assert ghn_sandbox.flush_callbacks()
    for _path, body in ghn_callbacks.received:
        assert ghn_hook(body).status_code == 200
    shipment.refresh_from_db()
    assert (shipment.state, shipment.needs_action) == ("lost", True)
    calls = len(ghn_sandbox.calls)
    login_as("manager")
    url = reverse("shipping:shipment_list")

    listed = client.get(url, {"needs_action": "on"}).content.decode()
    assert 'data-testid="list-handled"' in listed
    response = client.post(
        reverse("shipping:handled", args=[shipment.pk]), {"next": f"{url}?needs_action=on"}
    )

    assert response.status_code == 302
    shipment.refresh_from_db()
    assert (shipment.state, shipment.needs_action) == ("lost", False)
    notes = OrderEvent.objects.filter(order_id=shipment.order_id, kind="note").order_by("id")
    assert notes.last().data["text"] == (
        f"Parcel {shipment.tracking_number} (Lost): settled with the carrier."
    )
    assert (
        'data-testid="shipment-row"' not in client.get(url, {"needs_action": "on"}).content.decode()
    )
    assert len(ghn_sandbox.calls) == calls  # nothing asked of the carrier

    before = notes.count()
    with pytest.raises(ShippingError) as again:
        shipment_mark_handled(shipment_id=shipment.pk, user_id=None)
    assert str(again.value) == (
        f"Parcel {shipment.tracking_number} is Lost: there is nothing to settle."
    )
    assert notes.count() == before
