"""The customer is told of a parcel's progress (picked up, out for delivery, delivered, failed)
by e-mail in their language, once per event, never without an address; notifiers are a
setting."""

from __future__ import annotations

import pytest
from django.core import mail

from orders.models import Customer, Order
from shipping.models import Shipment, ShipmentNotice
from shipping.notifiers import Notifier, notifiers, shipment_notify
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote


class Recorder(Notifier):
    channel = "test"
    told: list[tuple[int, str]] = []

    def notify(self, shipment: Shipment, event: str) -> bool:
        Recorder.told.append((shipment.pk, event))
        return True


@pytest.fixture
def parcel(ghn_sandbox, ghn_callbacks, ghn_account, ship_order, ship_spec):
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


def _walk(ghn_sandbox, ghn_callbacks, ghn_hook, shipment, path="happy", until=""):
    ghn_sandbox.advance(shipment.tracking_number, path, until)
    assert ghn_sandbox.flush_callbacks()
    bodies = [body for _path, body in ghn_callbacks.received]
    ghn_callbacks.received.clear()
    for body in bodies:
        assert ghn_hook(body).status_code == 200
    return bodies


def _email(order_id: int, address: str) -> None:
    customer_id = Order.objects.get(pk=order_id).customer_id
    Customer.objects.filter(pk=customer_id).update(emails=[address])


@pytest.fixture(autouse=True)
def _fresh_notifiers():
    notifiers.cache_clear()
    yield
    notifiers.cache_clear()


@pytest.mark.django_db
def test_each_step_is_emailed_once_in_the_customers_language(
    ghn_sandbox, ghn_callbacks, ghn_hook, parcel
):
    _email(parcel.order_id, "binh@example.vn")
    order = Order.objects.get(pk=parcel.order_id)
    bodies = _walk(ghn_sandbox, ghn_callbacks, ghn_hook, parcel)
    # Replayed: nobody is told again.
    for body in bodies:
        ghn_hook(body)

    assert [m.to for m in mail.outbox] == [["binh@example.vn"]] * 3
    # Shipping to Vietnam: in Vietnamese.
    assert [m.subject for m in mail.outbox] == [
        f"Đơn hàng {order.number} của bạn: Đã lấy hàng",
        f"Đơn hàng {order.number} của bạn: Đang giao hàng",
        f"Đơn hàng {order.number} của bạn: Đã giao hàng",
    ]
    assert mail.outbox[0].body.startswith(
        f"Xin chào,\n\nCập nhật về đơn hàng {order.number} của bạn:\n"
        "Đơn vị vận chuyển đã lấy kiện hàng của bạn.\n"
    )
    assert [n.event for n in ShipmentNotice.objects.filter(shipment=parcel).order_by("id")] == [
        "picked_up",
        "delivering",
        "delivered",
    ]
    assert f"Đơn vị vận chuyển: Giao Hàng Nhanh, mã vận đơn {parcel.tracking_number}." in (
        mail.outbox[-1].body
    )
    assert shipment_notify(shipment_id=parcel.pk, event="delivered") is False
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_failed_delivery_is_told_and_no_address_means_no_email(
    ghn_sandbox, ghn_callbacks, ghn_hook, parcel, ship_order, ghn_account, ship_spec
):
    _walk(ghn_sandbox, ghn_callbacks, ghn_hook, parcel, "failed_delivery", "delivery_fail")
    assert mail.outbox == []
    events = ShipmentNotice.objects.filter(shipment=parcel).order_by("id")
    assert [(n.event, n.sent_at) for n in events] == [
        ("picked_up", None),
        ("delivering", None),
        ("delivery_failed", None),
    ]


@pytest.mark.django_db
def test_notifiers_come_from_the_setting(settings, parcel):
    settings.SHIPPING_NOTIFIERS = ["tests.shipping.test_notifiers.Recorder"]
    Recorder.told.clear()
    assert shipment_notify(shipment_id=parcel.pk, event="picked_up") is True
    assert shipment_notify(shipment_id=parcel.pk, event="picked_up") is False
    assert shipment_notify(shipment_id=parcel.pk, event="in_transit") is False
    assert Recorder.told == [(parcel.pk, "picked_up")]
    notice = ShipmentNotice.objects.get(shipment=parcel)
    assert notice.channel == "test"
    assert notice.sent_at is not None
