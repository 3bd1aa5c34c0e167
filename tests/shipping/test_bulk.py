"""Parcels for many orders from the order list, over real HTTP against the GHN sandbox: one
account and service level, a result per order (tracking number, or the reason), and above 20
orders a background job whose file is the per-order report."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from common.models import BackgroundJob
from orders.services.orders.transitions import order_cancel
from shipping.models import Shipment
from shipping.services.bulk import shipments_bulk_create
from tests.conftest import job_of


@pytest.mark.django_db
def test_a_mixed_selection_gives_a_result_per_order(ghn_sandbox, ghn_account, ship_order):
    good = ship_order()
    bad_ward = ship_order(ward="Phường Không Có")
    cancelled = ship_order()
    order_cancel(order_id=cancelled.pk, user_id=None)
    second = ship_order()
    missing = 987654

    results = shipments_bulk_create(
        order_ids=[good.pk, bad_ward.pk, cancelled.pk, missing, second.pk],
        account_id=ghn_account.pk,
        level="economy",
        user_id=None,
    )

    parcels = {s.order_id: s.tracking_number for s in Shipment.objects.all()}
    assert sorted(parcels) == [good.pk, second.pk]
    assert [(r.order_id, r.number, r.ok, r.tracking_number) for r in results] == [
        (good.pk, good.number, True, parcels[good.pk]),
        (bad_ward.pk, bad_ward.number, False, ""),
        (cancelled.pk, cancelled.number, False, ""),
        (missing, "", False, ""),
        (second.pk, second.number, True, parcels[second.pk]),
    ]
    assert "Phường Không Có" in results[1].message
    assert results[2].message == (
        f"Order {cancelled.number} is not being processed: confirm it before shipping it."
    )
    assert results[3].message == "Not found."
    shipment = Shipment.objects.get(order=good)
    assert (shipment.service_level, shipment.cod_amount, shipment.weight_g, shipment.payer) == (
        "economy",
        330000,
        ghn_account.default_weight_g,
        "shop",
    )

    # Again: the orders that have a parcel say so, nothing new is created.
    again = shipments_bulk_create(
        order_ids=[good.pk], account_id=ghn_account.pk, level="economy", user_id=None
    )
    assert again[0].ok is False
    assert again[0].message == f"Order {good.number} already has parcel {parcels[good.pk]}."
    assert Shipment.objects.count() == 2


@pytest.mark.django_db
def test_the_page_asks_for_account_and_level_then_reports(
    client, login_as, ghn_sandbox, ghn_account, ship_order
):
    good, bad = ship_order(), ship_order(district="Quận Không Có")
    login_as("warehouse")
    url = reverse("shipping:bulk_create")
    ask = client.post(url, {"order": [good.pk, bad.pk]})
    page = ask.content.decode()
    assert ask.status_code == 200
    assert 'data-testid="bulk-parcel-form"' in page
    assert f'name="order" value="{good.pk}"' in page

    done = client.post(
        url,
        {
            "order": [good.pk, bad.pk],
            "step": "create",
            "account": ghn_account.pk,
            "level": "economy",
        },
    )
    body = done.content.decode()
    assert body.count('data-testid="bulk-parcel" data-ok="1"') == 1
    assert body.count('data-testid="bulk-parcel" data-ok="0"') == 1
    assert Shipment.objects.get().order_id == good.pk


@pytest.mark.django_db
def test_more_than_20_orders_are_a_background_job(
    client, login_as, ghn_sandbox, ghn_account, ship_order, ship_warehouse, run_jobs
):
    from inventory.services.stock import stock_receive

    stock_receive(variant_id=ship_order.variant.pk, warehouse_id=ship_warehouse.pk, quantity=40)
    orders = [ship_order() for _ in range(21)]
    order_cancel(order_id=orders[5].pk, user_id=None)
    user = login_as("warehouse")
    data = {
        "order": [o.pk for o in orders],
        "step": "create",
        "account": ghn_account.pk,
        "level": "economy",
    }
    with run_jobs():
        response = client.post(reverse("shipping:bulk_create"), data)
    job = job_of(response)
    job.refresh_from_db()
    assert (job.kind, job.status, job.owner, job.title) == (
        "parcels",
        "done",
        user,
        "Parcels for 21 orders",
    )
    assert job.message == "20 parcels created, 1 refused."
    assert (job.progress_done, job.progress_total) == (21, 21)
    content = client.get(reverse("job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(content.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Order", "Result", "Tracking number", "Reason"]
    assert [row[0] for row in rows[1:]] == [o.number for o in orders]
    assert [row[1] for row in rows[1:]].count("Created") == 20
    assert rows[6][1:] == [
        "Refused",
        "",
        f"Order {orders[5].number} is not being processed: confirm it before shipping it.",
    ]
    assert Shipment.objects.exclude(tracking_number="").count() == 20
    assert BackgroundJob.objects.count() == 1
