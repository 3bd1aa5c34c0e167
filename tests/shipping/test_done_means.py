"""Issue 13's "Done means" items that had no test at the level of our services for Viettel Post,
and the bulk of 100 orders: over real HTTP against the sandboxes, through our services and
webhook endpoint (the GHN side of each item is in test_shipments_ghn, test_callbacks_ghn,
test_ghn_labels and test_bulk)."""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from common.models import BackgroundJob
from orders.models import Order
from orders.services.orders.transitions import order_cancel
from shipping.errors import CarrierUnavailable, ShippingAddressError
from shipping.models import CarrierCallback, Shipment, ShipmentEvent, ShipmentState
from shipping.sandbox.viettel_post import Fault
from shipping.services.shipments import (
    ServiceChoice,
    shipment_create,
    shipment_labels,
    shipment_quote,
)
from tests.conftest import job_of
from tests.orders.factories import order_ledger

CREATE = "/order/createOrder"


def _create(order, account, ship_spec, code: str) -> Shipment:
    return shipment_create(
        order_id=order.pk,
        account_id=account.pk,
        spec=ship_spec(code),
        service=ServiceChoice(code=code),
        user_id=None,
    )


@pytest.mark.django_db
def test_viettel_post_quote_lists_the_route_services_with_live_fees(
    vtp_sandbox, vtp_account, ship_order, ship_spec
):
    order = ship_order()

    options = shipment_quote(order_id=order.pk, account_id=vtp_account.pk, spec=ship_spec(""))

    # TP HCM -> Đà Nẵng (across regions), 1.2 kg (two steps over the first 500 g), COD
    # 330,000 (1 %: 3,300), VAT 8 %; express first, then the cheapest.
    assert [(o.code, o.level, o.fee) for o in options] == [
        ("VCN", "express", Decimal(55404)),  # (38,000 + 2 x 5,000 + 3,300) x 1.08
        ("VTK", "economy", Decimal(42444)),  # (30,000 + 2 x 3,000 + 3,300) x 1.08
        ("SCOD", "economy", Decimal(47844)),  # (33,000 + 2 x 4,000 + 3,300) x 1.08
    ]
    assert all(o.expected_delivery is not None for o in options)
    assert Shipment.objects.count() == 0
    assert vtp_sandbox.parcels == {}


@pytest.mark.django_db
def test_viettel_post_retry_after_a_timeout_adopts_the_parcel(
    settings, vtp_sandbox, vtp_account, ship_order, ship_spec
):
    settings.SHIPPING_CARRIER_TIMEOUT = (2.0, 0.3)
    order = ship_order()
    vtp_sandbox.add_fault(Fault("slow", delay=0.8, path=CREATE))  # created, answered too late

    with pytest.raises(CarrierUnavailable):
        _create(order, vtp_account, ship_spec, "VCN")
    pending = Shipment.objects.get(order=order)
    assert (pending.state, pending.attempts, pending.tracking_number) == ("pending", 1, "")
    time.sleep(0.8)  # the slow create has gone through at the carrier

    shipment = _create(order, vtp_account, ship_spec, "VCN")

    (parcel,) = vtp_sandbox.find_parcels(pending.reference)
    assert (shipment.pk, shipment.state, shipment.attempts) == (
        pending.pk,
        ShipmentState.CREATED,
        2,
    )
    assert shipment.tracking_number == parcel.order_number
    assert len(vtp_sandbox.parcels) == 1
    assert vtp_sandbox.call_counts().get(f"/v2{CREATE}") == 1
    assert Shipment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_viettel_post_an_unresolvable_address_names_the_field_and_sends_nothing(
    vtp_sandbox, vtp_account, ship_order, ship_spec
):
    order = ship_order(ward="Phường Không Có")

    with pytest.raises(ShippingAddressError) as caught:
        _create(order, vtp_account, ship_spec, "VCN")

    assert caught.value.field == "ward"
    assert "Phường Không Có" in str(caught.value)
    assert Shipment.objects.count() == 0
    assert vtp_sandbox.parcels == {}
    assert Order.objects.get(pk=order.pk).status == "processing"


@pytest.mark.django_db
def test_viettel_post_replayed_and_out_of_order_webhooks_never_move_back(
    client, run_jobs, vtp_sandbox, vtp_receiver, vtp_account, ship_order, ship_spec
):
    shipment = _create(ship_order(), vtp_account, ship_spec, "VCN")
    vtp_sandbox.configure_webhook(vtp_receiver.url, vtp_account.webhook_secret)
    vtp_sandbox.set_status(shipment.tracking_number, 105)
    vtp_sandbox.set_status(shipment.tracking_number, 500)
    assert vtp_sandbox.flush_webhooks()
    bodies = {json.loads(b)["DATA"]["ORDER_STATUS"]: b for b in vtp_receiver.bodies}
    url = reverse("shipping:viettel_post_webhook", args=[vtp_account.pk])

    def post(body: bytes) -> int:
        with run_jobs():
            return client.post(url, data=body, content_type="application/json").status_code

    assert post(bodies[500]) == 200  # out for delivery arrives first
    moved = Shipment.objects.values("state", "last_event_at", "updated_at").get(pk=shipment.pk)
    assert post(bodies[105]) == 200  # then the older pickup
    assert post(bodies[500]) == 200  # and a replay

    assert (
        Shipment.objects.values("state", "last_event_at", "updated_at").get(pk=shipment.pk) == moved
    )
    assert moved["state"] == "delivering"
    events = ShipmentEvent.objects.filter(shipment=shipment).order_by("occurred_at")
    assert [(e.carrier_status, e.moved) for e in events] == [("105", False), ("500", True)]
    assert list(CarrierCallback.objects.values_list("result", flat=True)) == ["applied"] * 3
    order = Order.objects.get(pk=shipment.order_id)
    assert order.status == "shipped"  # once
    assert [row for row in order_ledger(order) if row[1] == "shipment"] == [
        ("TS-M", "shipment", -2, -2)
    ]


@pytest.mark.django_db
@pytest.mark.needs("weasyprint")
def test_labels_of_both_carriers_are_one_pdf(
    vtp_sandbox, vtp_account, ghn_sandbox, ghn_account, ship_order, ship_spec
):
    ids = [
        _create(ship_order(), vtp_account, ship_spec, "VCN").pk,
        _create(ship_order(), ghn_account, ship_spec, "53320").pk,
        _create(ship_order(), vtp_account, ship_spec, "VTK").pk,
    ]

    document = shipment_labels(shipment_ids=ids)

    assert document.content_type == "application/pdf"
    assert document.content.startswith(b"%PDF-")
    assert vtp_sandbox.call_counts().get("/v2/order/printing-code") == 1  # one batch
    assert ghn_sandbox.call_count("/v2/a5/gen-token") == 1


@pytest.mark.django_db
def test_100_orders_in_bulk_give_a_result_per_order(
    client, login_as, vtp_sandbox, vtp_account, ship_order, ship_warehouse, run_jobs
):
    from inventory.services.stock import stock_receive

    stock_receive(variant_id=ship_order.variant.pk, warehouse_id=ship_warehouse.pk, quantity=200)
    orders = [ship_order() for _ in range(98)]
    orders.insert(10, ship_order(ward="Phường Không Có"))
    orders.insert(50, ship_order())
    order_cancel(order_id=orders[50].pk, user_id=None)
    assert len(orders) == 100
    login_as("warehouse")
    data = {
        "order": [o.pk for o in orders],
        "step": "create",
        "account": vtp_account.pk,
        "level": "economy",
    }

    with run_jobs():
        response = client.post(reverse("shipping:bulk_create"), data)

    job = job_of(response)
    job.refresh_from_db()
    assert (job.kind, job.status, job.title) == ("parcels", "done", "Parcels for 100 orders")
    assert job.message == "98 parcels created, 2 refused."
    assert (job.progress_done, job.progress_total) == (100, 100)
    content = client.get(reverse("job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(content.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Order", "Result", "Tracking number", "Reason"]
    assert [row[0] for row in rows[1:]] == [o.number for o in orders]
    parcels = dict(Shipment.objects.values_list("order_id", "tracking_number"))
    for order, row in zip(orders, rows[1:], strict=True):
        if order.pk in parcels:
            assert row[1:] == ["Created", parcels[order.pk], ""]
    assert rows[11][1:3] == ["Refused", ""]
    assert "Phường Không Có" in rows[11][3]
    assert rows[51][1:] == [
        "Refused",
        "",
        f"Order {orders[50].number} is not being processed: confirm it before shipping it.",
    ]
    assert len(parcels) == 98
    assert len(vtp_sandbox.parcels) == 98
    # One route and parcel: the services were asked for once, each create priced its parcel.
    assert vtp_sandbox.call_counts().get("/v2/order/getPriceAll") == 1
    # VTK, 500 g (the account's default), COD 330,000: (30,000 + 3,300) x 1.08.
    assert {s.fee for s in Shipment.objects.all()} == {Decimal(35964)}
    assert BackgroundJob.objects.count() == 1


@pytest.mark.django_db
def test_a_bulk_run_asks_for_the_services_once_per_route(ghn_sandbox, ghn_account, ship_order):
    from shipping.services.bulk import shipments_bulk_create

    first, second = ship_order(), ship_order()
    rural = ship_order(district="Huyện Hòa Vang", ward="Xã Hòa Bắc")  # no heavy service there

    results = shipments_bulk_create(
        order_ids=[first.pk, rural.pk, second.pk],
        account_id=ghn_account.pk,
        level="economy",
        user_id=None,
    )

    assert [(r.order_id, r.ok) for r in results] == [
        (first.pk, True),
        (rural.pk, False),
        (second.pk, True),
    ]
    assert results[1].message == "The carrier offers no economy service on this route."
    assert ghn_sandbox.call_count("/v2/shipping-order/available-services") == 2
    assert set(Shipment.objects.values_list("service_code", flat=True)) == {"53321"}
    assert Shipment.objects.filter(order=rural).count() == 0
