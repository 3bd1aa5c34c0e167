"""Dates in the offline responder's order-status answers, in the customer's language: the day
the order was placed, the day it was shipped and the carrier's expected delivery (a parcel
created on the GHN sandbox over real HTTP, read through the assistant's delivery port)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from assistant.offline.render import customer_date
from assistant.services import conversation_receive
from orders.models import Order
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote
from tests.assistant.conftest import NOW
from tests.shipping.conftest_ghn import *  # noqa: F403
from tests.shipping.conftest_ship import *  # noqa: F403

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.ASSISTANT_ENGINE = ""


def say(user: str, text: str) -> str | None:
    out = conversation_receive(channel="web", external_user_id=user, text=text, raw={}, now=NOW)
    return out.text if out is not None else None


@pytest.mark.parametrize(
    ("language", "written"),
    [("vi", "05/12/2026"), ("th", "5 ธันวาคม 2026"), ("en", "5 December 2026")],
)
def test_customer_date(language, written):
    assert customer_date("2026-12-05", language) == written


def test_shipped_and_expected_delivery_in_each_language(ghn_account, ship_order, ship_spec):
    order = ship_order()
    options = shipment_quote(order_id=order.pk, account_id=ghn_account.pk, spec=ship_spec(""))
    code = options[0].code
    shipment = shipment_create(
        order_id=order.pk,
        account_id=ghn_account.pk,
        spec=ship_spec(code),
        service=ServiceChoice(code=code, name="Hàng nhẹ", level="economy"),
        user_id=None,
    )
    Order.objects.filter(pk=order.pk).update(shipped_at=datetime(2026, 12, 6, 23, 30, tzinfo=HCM))
    placed = timezone.localtime(order.created_at).date()
    expected = timezone.localtime(shipment.expected_delivery).date()
    order.refresh_from_db()

    vi = say("v", f"kiểm tra đơn {order.number} sđt 0905 123 456")
    assert vi is not None
    assert f"(đặt ngày {placed:%d/%m/%Y})" in vi
    assert vi.endswith(
        f"Đã giao cho đơn vị vận chuyển ngày 06/12/2026. Dự kiến giao ngày {expected:%d/%m/%Y}."
    )
    th = say("t", f"สถานะคำสั่งซื้อ {order.number} เบอร์ 0905123456")
    assert th is not None
    assert th.endswith(
        f"ส่งมอบให้ขนส่งเมื่อ 6 ธันวาคม 2026 คาดว่าจะได้รับวันที่ {customer_date(expected.isoformat(), 'th')}"
    )
    en = say("e", f"where is my order {order.number}? phone 0905123456")
    assert en is not None
    assert en.endswith(
        f"Handed to the carrier on 6 December 2026. Expected delivery: "
        f"{expected.day} {expected:%B %Y}."
    )


def test_no_expected_delivery_once_the_shipment_is_cancelled(ghn_account, ship_order, ship_spec):
    from shipping.models import Shipment, ShipmentState

    order = ship_order()
    code = shipment_quote(order_id=order.pk, account_id=ghn_account.pk, spec=ship_spec(""))[0].code
    shipment_create(
        order_id=order.pk,
        account_id=ghn_account.pk,
        spec=ship_spec(code),
        service=ServiceChoice(code=code, name="Hàng nhẹ", level="economy"),
        user_id=None,
    )
    Shipment.objects.filter(order_id=order.pk).update(state=ShipmentState.CANCELLED)
    reply = say("c", f"where is my order {order.number}? phone 0905123456")
    assert reply is not None
    assert "Expected delivery" not in reply
    assert reply.startswith(f"Order {order.number} (placed ")
