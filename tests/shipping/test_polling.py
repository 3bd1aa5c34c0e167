"""Polling parcels whose webhooks went quiet, over real HTTP against both sandboxes: a parcel
whose callbacks were never sent reaches "delivered" (its order shipped, stock deducted); a poll
that reports an older status changes nothing; one run per account; quiet periods per state."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from shipping.adapters.base import ParcelInfo, ParcelState, Tracking
from shipping.adapters.viettel_post_protocol import local_text, parse_local
from shipping.models import Shipment, ShipmentEvent
from shipping.services.polling import (
    account_poll,
    parcel_poll_apply,
    poll_account_ids,
    shipments_quiet,
)
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote
from tests.orders.factories import level, order_ledger

LATER = timedelta(hours=13)  # past every quiet period of a parcel waiting for pickup


@pytest.fixture(autouse=True)
def _no_pause(settings):
    settings.SHIPPING_POLL_PAUSE = 0


def _ship(account, ship_order, ship_spec) -> Shipment:
    order = ship_order()
    option = shipment_quote(order_id=order.pk, account_id=account.pk, spec=ship_spec(""))[0]
    return shipment_create(
        order_id=order.pk,
        account_id=account.pk,
        spec=ship_spec(option.code),
        service=ServiceChoice(code=option.code, name=option.name, level=option.level),
        user_id=None,
    )


def _events(shipment: Shipment) -> list[tuple[str, str, bool]]:
    rows = ShipmentEvent.objects.filter(shipment=shipment).order_by("occurred_at", "id")
    return [(e.carrier_status, e.state, e.moved) for e in rows]


def _snapshot(shipment: Shipment) -> dict:
    return Shipment.objects.values(
        "state", "carrier_status", "last_event_at", "updated_at", "needs_action"
    ).get(pk=shipment.pk)


@pytest.fixture
def ghn_parcel(ghn_sandbox, ghn_account, ship_order, ship_spec):
    """A GHN parcel of a processing order; the sandbox has no callback URL (no webhooks)."""
    ghn_sandbox.configure(callback_url="")
    return _ship(ghn_account, ship_order, ship_spec)


@pytest.mark.django_db
def test_ghn_a_parcel_whose_webhooks_never_came_is_delivered_by_polling(
    ghn_sandbox, ghn_account, ghn_parcel, ship_order
):
    ghn_sandbox.advance(ghn_parcel.tracking_number, "happy", "delivered")
    now = timezone.now() + LATER

    result = account_poll(account_id=ghn_account.pk, now=now)

    assert (result.polled, result.moved, result.failed, result.stopped) == (1, 1, 0, "")
    shipment = Shipment.objects.get(pk=ghn_parcel.pk)
    assert (shipment.state, shipment.carrier_status) == ("delivered", "delivered")
    assert shipment.polled_at == now
    assert [status for status, _state, _moved in _events(shipment)] == [
        "ready_to_pick",
        "picking",
        "picked",
        "storing",
        "transporting",
        "sorting",
        "delivering",
        "delivered",
    ]
    order = Order.objects.get(pk=ghn_parcel.order_id)
    assert order.status == "shipped"
    assert order_ledger(order)[-1] == ("TS-M", "shipment", -2, -2)
    assert level(ship_order.variant, order.warehouse) == (8, 0)

    # Delivered: never asked for again.
    before, count = _snapshot(shipment), ShipmentEvent.objects.count()
    calls = ghn_sandbox.call_count("/v2/shipping-order/detail")
    again = account_poll(account_id=ghn_account.pk, now=now + timedelta(days=2))
    assert (again.polled, again.moved) == (0, 0)
    assert ghn_sandbox.call_count("/v2/shipping-order/detail") == calls
    assert _snapshot(shipment) == before
    assert ShipmentEvent.objects.count() == count


@pytest.mark.django_db
def test_ghn_a_poll_reporting_an_older_status_changes_nothing(
    ghn_sandbox, ghn_account, ghn_hook, ghn_parcel
):
    ghn_sandbox.advance(ghn_parcel.tracking_number, "happy", "picked")
    # The carrier's "delivering" callback, an hour after the "picked" its detail still shows.
    delivering = json.loads(ghn_sandbox.callback_body(ghn_parcel.tracking_number))
    at = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    delivering.update(Status="delivering", Time=at.isoformat().replace("+00:00", "Z"))
    assert ghn_hook(json.dumps(delivering).encode()).status_code == 200
    shipment = Shipment.objects.get(pk=ghn_parcel.pk)
    assert (shipment.state, shipment.last_event_at) == ("delivering", at)
    before, events = _snapshot(shipment), _events(shipment)
    calls = ghn_sandbox.call_count("/v2/shipping-order/detail")
    now = at + timedelta(days=2)

    result = account_poll(account_id=ghn_account.pk, now=now)

    assert ghn_sandbox.call_count("/v2/shipping-order/detail") == calls + 1
    assert (result.polled, result.moved) == (1, 0)
    assert _snapshot(shipment) == before
    assert _events(shipment) == events == [("delivering", "delivering", True)]
    assert Shipment.objects.get(pk=shipment.pk).polled_at == now


@pytest.mark.django_db
def test_a_parcel_with_recent_news_is_not_asked_for(ghn_sandbox, ghn_account, ghn_parcel):
    now = timezone.now()
    calls = ghn_sandbox.call_count("/v2/shipping-order/detail")

    assert shipments_quiet(account_id=ghn_account.pk, now=now + timedelta(hours=11)) == []
    result = account_poll(account_id=ghn_account.pk, now=now + timedelta(hours=11))

    assert (result.polled, result.moved, result.busy) == (0, 0, False)
    assert ghn_sandbox.call_count("/v2/shipping-order/detail") == calls
    assert shipments_quiet(account_id=ghn_account.pk, now=now + LATER) == [ghn_parcel.pk]


@pytest.mark.django_db
def test_a_quiet_period_is_per_state_and_configurable(settings, ghn_account, ghn_parcel):
    now = timezone.now()
    Shipment.objects.filter(pk=ghn_parcel.pk).update(state="delivering", last_event_at=now)

    assert shipments_quiet(account_id=ghn_account.pk, now=now + timedelta(hours=5)) == []
    assert shipments_quiet(account_id=ghn_account.pk, now=now + timedelta(hours=7)) == [
        ghn_parcel.pk
    ]
    settings.SHIPPING_POLL_QUIET_HOURS = {"delivering": 2}
    assert shipments_quiet(account_id=ghn_account.pk, now=now + timedelta(hours=3)) == [
        ghn_parcel.pk
    ]
    # Delivered, cancelled, returned parcels are never asked for.
    Shipment.objects.filter(pk=ghn_parcel.pk).update(state="delivered")
    assert shipments_quiet(account_id=ghn_account.pk, now=now + timedelta(days=30)) == []


@pytest.mark.django_db
def test_runs_of_one_account_do_not_overlap(ghn_sandbox, ghn_account, ghn_parcel):
    cache.add(f"shipping:poll:{ghn_account.pk}", 1, timeout=60)
    calls = ghn_sandbox.call_count("/v2/shipping-order/detail")
    try:
        result = account_poll(account_id=ghn_account.pk, now=timezone.now() + LATER)
    finally:
        cache.delete(f"shipping:poll:{ghn_account.pk}")

    assert (result.busy, result.polled) == (True, 0)
    assert ghn_sandbox.call_count("/v2/shipping-order/detail") == calls
    assert Shipment.objects.get(pk=ghn_parcel.pk).polled_at is None
    # The lock is let go after a run: the next one polls.
    assert account_poll(account_id=ghn_account.pk, now=timezone.now() + LATER).polled == 1


@pytest.mark.django_db
def test_a_carrier_outage_stops_the_run_and_changes_nothing(ghn_sandbox, ghn_account, ghn_parcel):
    ghn_sandbox.advance(ghn_parcel.tracking_number, "happy", "picked")
    ghn_sandbox.fail(503, times=1, path="/v2/shipping-order/detail")
    before = _snapshot(ghn_parcel)

    result = account_poll(account_id=ghn_account.pk, now=timezone.now() + LATER)

    assert (result.polled, result.failed, result.stopped) == (0, 1, "http_503")
    assert _snapshot(ghn_parcel) == before
    assert Shipment.objects.get(pk=ghn_parcel.pk).polled_at is None
    assert ShipmentEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_beat_queues_one_poll_per_account(run_jobs, ghn_sandbox, ghn_account, ghn_parcel):
    from crm.celery_config import BEAT_SCHEDULE
    from shipping.tasks import poll_quiet_parcels_all

    entry = BEAT_SCHEDULE["shipping-poll-quiet-parcels"]
    assert (entry["task"], entry["schedule"]) == (
        "shipping.poll_quiet_parcels_all",
        timedelta(minutes=30),
    )
    assert poll_account_ids() == [ghn_account.pk]
    Shipment.objects.filter(pk=ghn_parcel.pk).update(created_at=timezone.now() - LATER)
    ghn_sandbox.advance(ghn_parcel.tracking_number, "happy", "picked")

    with run_jobs():
        assert poll_quiet_parcels_all.delay().get() == 1

    assert Shipment.objects.get(pk=ghn_parcel.pk).state == "picked_up"
    assert Order.objects.get(pk=ghn_parcel.order_id).status == "shipped"


@pytest.mark.django_db
def test_an_answer_without_times_only_moves_forward(ghn_parcel):
    def tracking(state: ParcelState, status: str) -> Tracking:
        number, reference = ghn_parcel.tracking_number, ghn_parcel.reference
        return Tracking(ParcelInfo(number, reference, state, status, fee=Decimal(31000)))

    now = timezone.now()
    shipment = Shipment.objects.get(pk=ghn_parcel.pk)
    assert parcel_poll_apply(
        shipment=shipment, tracking=tracking(ParcelState.IN_TRANSIT, "sorting"), now=now
    )
    shipment.refresh_from_db()
    assert (shipment.state, shipment.last_event_at, shipment.fee) == ("in_transit", now, 31000)
    before = _snapshot(shipment)

    later = now + timedelta(hours=7)
    assert not parcel_poll_apply(
        shipment=shipment, tracking=tracking(ParcelState.PICKED_UP, "picked"), now=later
    )
    assert not parcel_poll_apply(
        shipment=shipment, tracking=tracking(ParcelState.IN_TRANSIT, "storing"), now=later
    )

    assert _snapshot(shipment) == before
    assert _events(shipment) == [("sorting", "in_transit", True)]


@pytest.mark.django_db
def test_the_status_a_parcel_has_stamped_again_by_the_history_is_not_news(ghn_parcel):
    from shipping.adapters.base import CarrierEvent

    at = timezone.now().replace(microsecond=0)
    number = ghn_parcel.tracking_number

    def event(status: str, state: ParcelState, when) -> CarrierEvent:
        return CarrierEvent(number, ghn_parcel.reference, state, status, when)

    shipment = Shipment.objects.get(pk=ghn_parcel.pk)
    delivering = event("delivering", ParcelState.DELIVERING, at)
    info = ParcelInfo(number, ghn_parcel.reference, ParcelState.DELIVERED, "delivered")
    assert parcel_poll_apply(shipment=shipment, tracking=Tracking(info, (delivering,)), now=at)
    shipment.refresh_from_db()
    history = (
        event("picked", ParcelState.PICKED_UP, at - timedelta(hours=5)),
        event("delivering", ParcelState.DELIVERING, at + timedelta(seconds=2)),
        event("delivered", ParcelState.DELIVERED, at + timedelta(hours=1)),
    )

    moved = parcel_poll_apply(
        shipment=shipment, tracking=Tracking(info, history), now=at + timedelta(hours=7)
    )

    assert moved
    assert _events(shipment) == [
        ("delivering", "delivering", True),
        ("delivered", "delivered", True),
    ]
    shipment.refresh_from_db()
    assert (shipment.state, shipment.last_event_at) == ("delivered", at + timedelta(hours=1))


# -- Viettel Post -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_viettel_post_a_parcel_whose_webhooks_never_came_is_delivered_by_polling(
    vtp_sandbox, vtp_account, ship_order, ship_spec
):
    parcel = _ship(vtp_account, ship_order, ship_spec)
    walked = vtp_sandbox.run_scenario(parcel.tracking_number, "deliver")
    assert walked[-1] == 501
    now = timezone.now() + LATER

    result = account_poll(account_id=vtp_account.pk, now=now)

    assert (result.polled, result.moved, result.failed, result.stopped) == (1, 1, 0, "")
    shipment = Shipment.objects.get(pk=parcel.pk)
    assert (shipment.state, shipment.carrier_status) == ("delivered", "501")
    statuses = [status for status, _state, _moved in _events(shipment)]
    assert statuses[-len(walked) :] == [str(s) for s in walked]
    order = Order.objects.get(pk=parcel.order_id)
    assert order.status == "shipped"
    assert order_ledger(order)[-1] == ("TS-M", "shipment", -2, -2)

    before, count = _snapshot(shipment), ShipmentEvent.objects.count()
    assert account_poll(account_id=vtp_account.pk, now=now + timedelta(days=2)).polled == 0
    assert _snapshot(shipment) == before
    assert ShipmentEvent.objects.count() == count


@pytest.mark.django_db
def test_viettel_post_a_poll_reporting_an_older_status_changes_nothing(
    client, run_jobs, vtp_sandbox, vtp_account, ship_order, ship_spec
):
    parcel = _ship(vtp_account, ship_order, ship_spec)
    vtp_sandbox.set_status(parcel.tracking_number, 105)  # picked up, at the carrier
    body = json.loads(vtp_sandbox.webhook_body(parcel.tracking_number, vtp_account.webhook_secret))
    # Its "out for delivery" webhook came in, an hour after the pickup the pull still shows.
    at = parse_local(body["DATA"]["ORDER_STATUSDATE"]) + timedelta(hours=1)
    body["DATA"].update(ORDER_STATUS=500, ORDER_STATUSDATE=local_text(at))
    url = reverse("shipping:viettel_post_webhook", args=[vtp_account.pk])
    with run_jobs():
        response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    shipment = Shipment.objects.get(pk=parcel.pk)
    assert (shipment.state, shipment.last_event_at) == ("delivering", at)
    before, events = _snapshot(shipment), _events(shipment)

    result = account_poll(account_id=vtp_account.pk, now=at + timedelta(days=2))

    assert (result.polled, result.moved) == (1, 0)
    assert vtp_sandbox.status_of(parcel.tracking_number) == 105
    assert _snapshot(shipment) == before
    assert _events(shipment) == events == [("500", "delivering", True)]


def test_ghn_detail_events_read_the_log_then_the_current_status():
    from shipping.adapters.ghn_protocol import detail_events, parcel_info

    row = {
        "order_code": "GA1",
        "client_order_code": "SO-1-1",
        "status": "delivery_fail",
        "reason": "Khách hẹn lại",
        "total_fee": 40000,
        "updated_date": "2026-12-07T09:00:00Z",
        "log": [
            {"status": "picked", "updated_date": "2026-12-07T02:00:00Z"},
            {"status": "no_such_status", "updated_date": "2026-12-07T03:00:00Z"},
            {"status": "delivering", "updated_date": "not a time"},
            {"status": "storing", "updated_date": "2026-12-07T01:00:00Z"},
        ],
    }
    events = detail_events(row, parcel_info(row))
    assert [(e.carrier_status, e.occurred_at.isoformat(), e.reason, e.fee) for e in events] == [
        ("storing", "2026-12-07T01:00:00+00:00", "", None),
        ("picked", "2026-12-07T02:00:00+00:00", "", None),
        ("delivery_fail", "2026-12-07T09:00:00+00:00", "Khách hẹn lại", Decimal(40000)),
    ]
    assert {e.tracking_number for e in events} == {"GA1"}
    # Without a log or a time: no events (the poll then moves only forward, at its own time).
    bare = {"order_code": "GA1", "status": "delivered"}
    assert detail_events(bare, parcel_info(bare)) == ()
