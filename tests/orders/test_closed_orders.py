"""Closed sales read as finished, and an order paid on the marketplace is paid."""

from __future__ import annotations

import importlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from common import markers
from common.money import format_money
from followups.selectors import panel as followup_panel
from followups.services import Subject, followup_schedule
from orders.models import Order
from orders.services.orders.core import payment_status_for
from orders.services.orders.edit import order_update
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.returns import RefundInput, ReturnLineInput, return_create
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock():
    warehouse = WarehouseFactory(code="HCM01")
    return warehouse, stocked_variant(warehouse, 20, price="150000", sku="AO-1")


def shipped(stock, **fields):
    warehouse, shirt = stock
    order = make_order(make_customer(), warehouse, [(shirt, 1)], **fields)
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    return order


def state(order) -> str:
    return Order.objects.values_list("followup_state", flat=True).get(pk=order.pk)


# --- The rule, in both forms -----------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Asia/Bangkok"])
@pytest.mark.parametrize(
    ("follow_up", "local_time", "closed", "expected"),
    [
        ("", None, False, markers.NEW),
        ("", None, True, markers.DONE),  # a closed sale with nothing to follow up: grey
        ("finished", None, True, markers.DONE),
        ("open", "2026-11-25 23:59:59", True, markers.DUE),  # an open follow-up stays red
        ("open", "2026-11-26 00:00", True, markers.SCHEDULED),
    ],
)
def test_a_closed_subject_without_a_follow_up_is_finished(
    zone, follow_up, local_time, closed, expected
):
    today = date(2026, 11, 25)
    at = datetime.fromisoformat(local_time).replace(tzinfo=ZoneInfo(zone)) if local_time else None
    with override_settings(TIME_ZONE=zone):
        assert (
            markers.marker_for(state=follow_up, next_contact_at=at, today=today, closed=closed)
            == expected
        )
        summary = markers.summary_state(state=follow_up, closed=closed)
        assert markers.marker_for(state=summary, next_contact_at=at, today=today) == expected


def test_every_way_an_order_closes_makes_it_finished(stock):
    warehouse, shirt = stock
    customer = make_customer()
    cancelled = make_order(customer, warehouse, [(shirt, 1)])
    order_cancel(order_id=cancelled.pk, user_id=None)
    completed = shipped(stock)
    order_complete(order_id=completed.pk, user_id=None)
    returned = shipped(stock)
    return_create(
        order_id=returned.pk,
        lines=[ReturnLineInput(returned.lines.get().pk, 1)],
        reason="Khách không nhận hàng",
        user_id=None,
    )
    still_shipped = shipped(stock)
    new = make_order(customer, warehouse, [(shirt, 1)])
    assert [state(o) for o in (cancelled, completed, returned, still_shipped, new)] == [
        "finished",
        "finished",
        "finished",
        "",
        "",
    ]


def test_an_open_follow_up_outlives_the_close_and_a_later_one_counts(stock):
    today = timezone.localdate()
    tomorrow = markers.tomorrow_start(today)
    followed = shipped(stock)
    followup_schedule(subject=Subject("order", followed.pk), next_contact_at=tomorrow, user_id=None)
    order_complete(order_id=followed.pk, user_id=None)
    assert state(followed) == "open"  # green: a call is still planned

    closed = shipped(stock)
    order_complete(order_id=closed.pk, user_id=None)
    assert state(closed) == "finished"
    followup_schedule(subject=Subject("order", closed.pk), next_contact_at=tomorrow, user_id=None)
    assert state(closed) == "open"  # scheduled after the close: green again

    subject = followup_panel.panel_subject(kind="order", pk=followed.pk)
    assert subject is not None
    assert subject.closed is True
    plain = shipped(stock)
    order_complete(order_id=plain.pk, user_id=None)
    panel_subject = followup_panel.panel_subject(kind="order", pk=plain.pk)
    assert followup_panel.panel(subject=panel_subject, today=today).marker == markers.DONE


def test_the_new_tab_leaves_out_finished_sales(client, login_as, stock):
    warehouse, shirt = stock
    login_as("sales")
    new = make_order(make_customer(), warehouse, [(shirt, 1)])
    cancelled = make_order(make_customer(), warehouse, [(shirt, 1)])
    order_cancel(order_id=cancelled.pk, user_id=None)
    completed = shipped(stock)
    order_complete(order_id=completed.pk, user_id=None)
    in_transit = shipped(stock)

    def tab(marker: str) -> list[str]:
        response = client.get(reverse("orders:order_list"), {"marker": marker})
        return [o.number for o in response.context["page"].items]

    assert tab("new") == [in_transit.number, new.number]
    assert tab("done") == [completed.number, cancelled.number]


# transaction=True: as `migrate` runs it, outside a test's transaction (SQLite's schema editor
# cannot start inside one).
@pytest.mark.django_db(transaction=True)
def test_the_migration_corrects_existing_rows(stock):
    warehouse, shirt = stock
    customer = make_customer()
    closed = shipped(stock)
    order_complete(order_id=closed.pk, user_id=None)
    cancelled = make_order(customer, warehouse, [(shirt, 1)])
    order_cancel(order_id=cancelled.pk, user_id=None)
    open_followup = make_order(customer, warehouse, [(shirt, 1)])
    followup_schedule(
        subject=Subject("order", open_followup.pk),
        next_contact_at=timezone.make_aware(datetime.combine(timezone.localdate(), time(9))),
        user_id=None,
    )
    order_cancel(order_id=open_followup.pk, user_id=None)
    marketplace = make_order(
        customer, warehouse, [(shirt, 2)], channel="lazada", payment_method="marketplace"
    )
    cod = make_order(customer, warehouse, [(shirt, 1)])
    # rows as the old code wrote them
    Order.objects.filter(pk__in=[closed.pk, cancelled.pk]).update(followup_state="")
    Order.objects.filter(pk=marketplace.pk).update(payment_status="unpaid")

    migration = importlib.import_module(
        "orders.migrations.0010_closed_orders_finished_marketplace_paid"
    )
    migration.BATCH = 2  # several batches over these few ids
    with connection.schema_editor(atomic=migration.Migration.atomic) as editor:
        migration.forwards(None, editor)

    rows = dict(Order.objects.values_list("pk", "followup_state"))
    assert [rows[o.pk] for o in (closed, cancelled, open_followup, marketplace, cod)] == [
        "finished",
        "finished",
        "open",
        "",
        "",
    ]
    payments = dict(Order.objects.values_list("pk", "payment_status"))
    assert [payments[o.pk] for o in (marketplace, cod, closed)] == ["paid", "unpaid", "paid"]


# --- Paid on the marketplace -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "paid", "refunded", "expected"),
    [
        ("marketplace", "0", "0", "paid"),  # the platform took the money at checkout
        ("marketplace", "100000", "0", "paid"),
        ("marketplace", "0", "150000", "refunded"),
        ("marketplace", "0", "50000", "partially_refunded"),
        ("cod", "0", "0", "unpaid"),
        ("bank_transfer", "100000", "0", "partially_paid"),
    ],
)
def test_payment_status_counts_the_marketplace_checkout(method, paid, refunded, expected):
    assert (
        payment_status_for(
            total=D("150000"), paid=D(paid), refunded=D(refunded), payment_method=method
        )
        == expected
    )


def test_a_marketplace_order_is_paid_from_the_start_and_after_edits(client, login_as, stock):
    warehouse, shirt = stock
    order = make_order(
        make_customer(),
        warehouse,
        [(shirt, 2)],
        channel="shopee",
        external_number="2612SHOPEE",
        payment_method="marketplace",
    )
    order.refresh_from_db()
    assert (order.payment_status, order.paid_amount, order.collected, order.balance_due) == (
        "paid",
        D("0"),
        D("300000"),
        D("0"),
    )
    cod = make_order(make_customer(), warehouse, [(shirt, 1)], payment_method="cod")
    order_update(order_id=cod.pk, user_id=None, payment_method="marketplace")
    cod.refresh_from_db()
    assert cod.payment_status == "paid"
    order_update(order_id=cod.pk, user_id=None, payment_method="bank_transfer")
    cod.refresh_from_db()
    assert cod.payment_status == "unpaid"

    login_as("manager")
    html = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "Unpaid" not in html
    assert f'<dd data-testid="paid">{format_money(D("300000"), "VND", "en")}</dd>' in html


def test_a_marketplace_refund_is_allowed_up_to_the_total(stock):
    order = shipped(stock, channel="tiktok", payment_method="marketplace")
    order_complete(order_id=order.pk, user_id=None)  # the platform's settlement is recorded
    order.refresh_from_db()
    assert (order.payment_status, order.paid_amount) == ("paid", D("150000"))
    order_payment_record(
        order_id=order.pk, kind="refund", amount=D("50000"), method="marketplace", user_id=None
    )
    order.refresh_from_db()
    assert (order.payment_status, order.refunded_amount, order.balance_due) == (
        "partially_refunded",
        D("50000"),
        D("50000"),
    )
    return_create(
        order_id=order.pk,
        lines=[ReturnLineInput(order.lines.get().pk, 1)],
        reason="Hàng lỗi",
        refund=RefundInput(amount=D("100000"), method="marketplace"),
        user_id=None,
    )
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.followup_state) == (
        "returned",
        "refunded",
        "finished",
    )


def test_today_is_the_shop_day_for_the_finished_marker(stock):
    """A completed order with a follow-up due at 23:59 today stays red until local midnight."""
    order = shipped(stock)
    today = timezone.localdate()
    late = markers.tomorrow_start(today) - timedelta(minutes=1)
    followup_schedule(subject=Subject("order", order.pk), next_contact_at=late, user_id=None)
    order_complete(order_id=order.pk, user_id=None)
    subject = followup_panel.panel_subject(kind="order", pk=order.pk)
    assert followup_panel.panel(subject=subject, today=today).marker == markers.DUE
