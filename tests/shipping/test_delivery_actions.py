"""Failed deliveries decided by staff, parcels changed while the carrier allows it, returned
parcels received back: for GHN and Viettel Post, over real HTTP against their sandboxes, the
carriers' callbacks handed to our webhook endpoints (tests/shipping/conftest_actions.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from common.phones import format_phone
from followups.models import ContactNote
from inventory.models import StockMovement
from orders.models import Order, OrderEvent, Return
from shipping.errors import ShippingError
from shipping.models import Shipment
from shipping.services.actions import ParcelChanges, shipment_redeliver, shipment_update
from shipping.services.cod import cod_receive
from tests.orders.factories import level, order_ledger

pytestmark = pytest.mark.django_db


def _notes(order_id: int) -> list[str]:
    events = OrderEvent.objects.filter(order_id=order_id, kind="note").order_by("id")
    return [e.data["text"] for e in events]


def _failed(driver, ship_order, ship_spec):
    order = ship_order()
    shipment = driver.ship(order, ship_spec)
    driver.fail(shipment)
    shipment.refresh_from_db()
    assert driver.status(shipment.tracking_number) == driver.failed_status
    assert (shipment.state, shipment.needs_action) == ("waiting_action", True)
    assert Order.objects.get(pk=order.pk).followup_state == "open"  # the red follow-up
    return shipment


def test_failed_delivery_then_redeliver_from_the_order_panel(
    carrier_driver, ship_order, ship_spec, login_as, client, django_capture_on_commit_callbacks
):
    shipment = _failed(carrier_driver, ship_order, ship_spec)
    login_as("manager")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("shipping:redeliver", args=[shipment.pk]), HTTP_HX_REQUEST="true"
        )

    assert response.status_code == 200
    assert carrier_driver.status(shipment.tracking_number) == carrier_driver.redelivered_status
    shipment.refresh_from_db()
    assert (shipment.needs_action, shipment.problem) == (False, "")
    order = Order.objects.get(pk=shipment.order_id)
    assert order.followup_state == "finished"
    note = ContactNote.objects.filter(followup__order=order).latest("id")
    assert note.note == f"Parcel {shipment.tracking_number}: delivery again requested."
    assert _notes(order.pk)[-1] == f"Parcel {shipment.tracking_number}: the carrier delivers again."
    assert 'data-testid="shipment-redeliver"' not in response.content.decode()
    # The carrier's callback moves the parcel on.
    carrier_driver.deliver_callbacks()
    shipment.refresh_from_db()
    assert shipment.state == ("in_transit" if carrier_driver.carrier == "ghn" else "delivering")
    assert shipment.needs_action is False


def test_a_refused_redeliver_changes_nothing(carrier_driver, ship_order, ship_spec):
    order = ship_order()
    shipment = carrier_driver.ship(order, ship_spec)
    carrier_driver.pickup(shipment)
    # The parcel is marked as failed here while the carrier still carries it.
    Shipment.objects.filter(pk=shipment.pk).update(state="waiting_action", needs_action=True)
    before = carrier_driver.status(shipment.tracking_number)

    with pytest.raises(ShippingError) as refused:
        shipment_redeliver(shipment_id=shipment.pk, user_id=None)

    assert str(refused.value).startswith(
        f"The carrier refused this for parcel {shipment.tracking_number}: "
    )
    assert carrier_driver.status(shipment.tracking_number) == before
    assert Shipment.objects.get(pk=shipment.pk).needs_action is True
    assert not any("delivers again" in n for n in _notes(order.pk))


def test_failed_return_returned_then_received_one_good_one_damaged(
    carrier_driver,
    two_line_order,
    ship_spec,
    ship_warehouse,
    login_as,
    client,
    django_capture_on_commit_callbacks,
):
    order, shirt, mug = two_line_order
    shipment = carrier_driver.ship(order, ship_spec)
    carrier_driver.fail(shipment)
    login_as("warehouse")
    here = reverse("shipping:shipment_list") + "?needs_action=on"

    # Return to the shop, from the "needs action" list.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shipping:return", args=[shipment.pk]), {"next": here})

    assert (response.status_code, response["Location"]) == (302, here)
    assert carrier_driver.status(shipment.tracking_number) == carrier_driver.returning_status
    assert Order.objects.get(pk=order.pk).followup_state == "finished"
    carrier_driver.returned(shipment)
    shipment.refresh_from_db()
    assert (shipment.state, shipment.needs_action) == ("returned", True)
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert (level(shirt, ship_warehouse), level(mug, ship_warehouse)) == ((9, 0), (9, 0))
    listed = client.get(here).content.decode()
    assert reverse("shipping:receive", args=[shipment.pk]) in listed

    lines = {line.sku: line.pk for line in order.lines.all()}
    url = reverse("shipping:receive", args=[shipment.pk])
    page = client.get(url)
    assert page.status_code == 200
    phone = shipment.request_data["receiver"]["phone"]  # shown as the house writes phones
    assert format_phone(phone) != phone
    assert format_phone(phone) in page.content.decode()
    assert phone not in page.content.decode()
    response = client.post(
        url,
        {
            f"good_{lines['TS-M']}": "1",
            f"damaged_{lines['TS-M']}": "0",
            f"good_{lines['MUG-1']}": "0",
            f"damaged_{lines['MUG-1']}": "1",
            "next": here,
        },
    )

    assert (response.status_code, response["Location"]) == (302, here)
    assert level(shirt, ship_warehouse) == (10, 0)  # back to stock
    assert level(mug, ship_warehouse) == (9, 0)  # back, then written off
    order_return = Return.objects.get(order=order)
    assert order_ledger(order) == [
        ("TS-M", "reservation", 0, 1),
        ("MUG-1", "reservation", 0, 1),
        ("TS-M", "shipment", -1, -1),
        ("MUG-1", "shipment", -1, -1),
        ("TS-M", "return", 1, 0),
        ("MUG-1", "return", 1, 0),
        ("MUG-1", "damage", -1, 0),
    ]
    back = StockMovement.objects.filter(source_type="order", source_id=str(order.pk)).order_by(
        "-id"
    )[:3]
    assert [
        (m.variant.sku, m.warehouse_id, m.reason, m.reason_code, m.reason_args)
        for m in reversed(back)
    ] == [
        ("TS-M", ship_warehouse.pk, order_return.number, "", {}),
        ("MUG-1", ship_warehouse.pk, order_return.number, "", {}),
        ("MUG-1", ship_warehouse.pk, "", "return_damaged", {"number": order_return.number}),
    ]
    order = Order.objects.get(pk=order.pk)
    assert order.status == "returned"  # every shipped unit came back
    shipment.refresh_from_db()
    assert shipment.order_return_id == order_return.pk
    assert shipment.cod_not_collected_at is not None
    assert shipment.needs_action is False
    assert order.paid_amount == Decimal(0)
    assert _notes(order.pk)[-1] == (
        f"Parcel {shipment.tracking_number} received back ({order_return.number}); its COD of "
        f"{_vnd(shipment.cod_amount)} was not collected."
    )
    # Its COD can no longer be recorded as received.
    with pytest.raises(ShippingError) as refused:
        cod_receive(
            shipment_id=shipment.pk,
            amount=shipment.cod_amount,
            received_on=timezone.localdate(),
            user_id=None,
        )
    assert str(refused.value) == (
        f"Parcel {shipment.tracking_number} came back to the shop: its COD was not collected."
    )
    # Received once: a second post refuses and changes nothing.
    again = client.post(url, {f"good_{lines['TS-M']}": "1"})
    assert again.status_code == 302
    assert Return.objects.filter(order=order).count() == 1
    assert level(shirt, ship_warehouse) == (10, 0)


def _vnd(amount: Decimal) -> str:
    from common.money import format_money

    return format_money(amount, "VND", "en")


def test_receiving_more_than_the_parcel_held_is_a_form_error(
    carrier_driver, two_line_order, ship_spec, ship_warehouse, login_as, client
):
    order, shirt, mug = two_line_order
    shipment = carrier_driver.ship(order, ship_spec)
    carrier_driver.fail(shipment)
    from shipping.services.actions import shipment_return

    shipment_return(shipment_id=shipment.pk, user_id=None)
    carrier_driver.returned(shipment)
    login_as("warehouse")
    lines = {line.sku: line.pk for line in order.lines.all()}

    response = client.post(
        reverse("shipping:receive", args=[shipment.pk]),
        {f"good_{lines['TS-M']}": "1", f"damaged_{lines['TS-M']}": "1"},
    )

    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors[f"damaged_{lines['TS-M']}"] == ["Only 1 of TS-M were in the parcel."]
    assert Return.objects.count() == 0
    assert (level(shirt, ship_warehouse), level(mug, ship_warehouse)) == ((9, 0), (9, 0))
    assert Shipment.objects.get(pk=shipment.pk).order_return_id is None


def test_change_address_with_an_unknown_ward_names_the_field(
    carrier_driver, ship_order, ship_spec, login_as, client
):
    shipment = _failed(carrier_driver, ship_order, ship_spec)
    login_as("manager")
    before = (carrier_driver.status(shipment.tracking_number), shipment.request_data)

    response = client.post(
        reverse("shipping:change_address", args=[shipment.pk]),
        {
            "name": "Trần Thị Bình",
            "phone": "0905 123 456",
            "street": "9 Bạch Đằng",
            "ward": "Phường Không Có",
            "district": "Quận Hải Châu",
            "province": "TP. Đà Nẵng",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "ward": ["The carrier does not know the ward “Phường Không Có”."]
    }
    shipment.refresh_from_db()
    assert (carrier_driver.status(shipment.tracking_number), shipment.request_data) == before
    assert shipment.needs_action is True
    assert Order.objects.get(pk=shipment.order_id).followup_state == "open"


def test_change_address_delivers_again_to_the_new_address(
    carrier_driver, ship_order, ship_spec, login_as, client, django_capture_on_commit_callbacks
):
    shipment = _failed(carrier_driver, ship_order, ship_spec)
    login_as("manager")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("shipping:change_address", args=[shipment.pk]),
            {
                "name": "Lê Văn Cường",
                "phone": "0905 999 888",
                "street": "9 Bạch Đằng",
                "ward": "Phường Hải Châu I",
                "district": "Quận Hải Châu",
                "province": "TP. Đà Nẵng",
            },
        )

    assert response.status_code == 302
    assert carrier_driver.status(shipment.tracking_number) == carrier_driver.redelivered_status
    shipment.refresh_from_db()
    receiver = shipment.request_data["receiver"]
    assert (receiver["name"], receiver["phone"], receiver["address"]) == (
        "Lê Văn Cường",
        "0905999888",
        "9 Bạch Đằng",
    )
    assert receiver["ward_code"] == ("40102" if carrier_driver.carrier == "ghn" else "4901")
    assert shipment.needs_action is False
    assert Order.objects.get(pk=shipment.order_id).followup_state == "finished"


def test_change_address_reaches_the_carrier(request, carrier_driver, ship_order, ship_spec):
    from shipping.services.actions import NewAddress, shipment_change_address

    shipment = _failed(carrier_driver, ship_order, ship_spec)
    address = NewAddress(
        "Lê Văn Cường",
        "0905999888",
        "9 Bạch Đằng",
        "TP. Đà Nẵng",
        "Quận Hải Châu",
        "Phường Hải Châu I",
    )

    shipment_change_address(shipment_id=shipment.pk, address=address, user_id=None)

    if carrier_driver.carrier == "ghn":
        ghn_sandbox = request.getfixturevalue("ghn_sandbox")
        fields = ghn_sandbox.parcels[shipment.tracking_number].fields
        assert (fields["to_name"], fields["to_phone"], fields["to_ward_code"]) == (
            "Lê Văn Cường",
            "0905999888",
            "40102",
        )
    else:
        vtp_sandbox = request.getfixturevalue("vtp_sandbox")
        (parcel,) = vtp_sandbox.find_parcels(shipment.tracking_number)
        assert parcel.steps[-1].status == 508
        assert parcel.steps[-1].note == (
            "Phát tiếp đến địa chỉ mới: Lê Văn Cường, 0905999888 - "
            "9 Bạch Đằng, Phường Hải Châu I, Quận Hải Châu, TP. Đà Nẵng"
        )


def test_update_before_pickup_changes_the_parcel(carrier_driver, ship_order, ship_spec):
    order = ship_order()
    shipment = carrier_driver.ship(order, ship_spec)

    updated = shipment_update(
        shipment_id=shipment.pk,
        changes=ParcelChanges(cod_amount=Decimal(280000), weight_g=1500, note="Gọi trước 30 phút"),
        user_id=None,
    )

    assert (updated.cod_amount, updated.weight_g, updated.note) == (
        Decimal(280000),
        1500,
        "Gọi trước 30 phút",
    )
    assert _notes(order.pk)[-1] == (
        f"Parcel {shipment.tracking_number} changed: COD {_vnd(Decimal(330000))} → "
        f"{_vnd(Decimal(280000))}; 1500 g, 20 x 15 x 10 cm; note “Gọi trước 30 phút”"
    )


def test_update_after_pickup_is_refused_with_the_reason(carrier_driver, ship_order, ship_spec):
    order = ship_order()
    shipment = carrier_driver.ship(order, ship_spec)
    carrier_driver.pickup(shipment)
    shipment.refresh_from_db()
    assert shipment.state == "picked_up"
    notes = _notes(order.pk)

    with pytest.raises(ShippingError) as refused:
        shipment_update(shipment_id=shipment.pk, changes=ParcelChanges(weight_g=2500), user_id=None)

    assert str(refused.value).startswith(
        f"Parcel {shipment.tracking_number} has been picked up: the carrier no longer accepts "
        "this change. The carrier refused: "
    )
    assert Shipment.objects.get(pk=shipment.pk).weight_g == 1200
    assert _notes(order.pk) == notes


def test_the_change_page_after_pickup_shows_the_refusal_in_vietnamese(
    carrier_driver, ship_order, ship_spec, login_as, client, settings
):
    order = ship_order()
    shipment = carrier_driver.ship(order, ship_spec)
    carrier_driver.pickup(shipment)
    login_as("manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    url = reverse("shipping:update", args=[shipment.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "cod_amount": "330.000",
            "weight_g": "2500",
            "length_cm": "20",
            "width_cm": "15",
            "height_cm": "10",
            "note": "",
            "receiver_phone": "0905123456",
        },
    )

    assert response.status_code == 422
    carrier_text = {
        "ghn": "Đơn hàng ở trạng thái picked không được phép cập nhật",
        "viettel_post": "Đơn hàng đã được bưu tá lấy, không thể sửa",
    }[carrier_driver.carrier]
    assert response.context["form"].non_field_errors() == [
        f"Kiện {shipment.tracking_number} đã được lấy hàng: hãng vận chuyển không còn nhận thay "
        f"đổi này. Hãng vận chuyển từ chối: {carrier_text}"
    ]
    assert Shipment.objects.get(pk=shipment.pk).weight_g == 1200


def test_a_cod_from_zero_is_collected_once_changed(carrier_driver, ship_order, ship_spec, request):
    """A prepaid parcel (COD 0) asked to collect: the carrier's payment kind goes with the COD
    (Viettel Post ORDER_PAYMENT 1 → 3), and back to 1 when the COD returns to 0."""
    order = ship_order()
    shipment = carrier_driver.ship(order, lambda code: ship_spec(code, cod_amount=Decimal(0)))

    def payment_kind():
        if carrier_driver.carrier == "ghn":
            fields = request.getfixturevalue("ghn_sandbox").parcels[shipment.tracking_number]
            return fields.fields["payment_type_id"], fields.fields.get("cod_amount", 0)
        (parcel,) = request.getfixturevalue("vtp_sandbox").find_parcels(shipment.tracking_number)
        return parcel.body["ORDER_PAYMENT"], parcel.body["MONEY_COLLECTION"]

    expected_none = (1, 0)
    assert payment_kind() == expected_none
    changes = ParcelChanges(cod_amount=Decimal(250000))
    updated = shipment_update(shipment_id=shipment.pk, changes=changes, user_id=None)
    assert updated.cod_amount == Decimal(250000)
    assert payment_kind() == ((1, 250000) if carrier_driver.carrier == "ghn" else (3, 250000))
    changes = ParcelChanges(cod_amount=Decimal(0))
    updated = shipment_update(shipment_id=shipment.pk, changes=changes, user_id=None)
    assert (updated.cod_amount, payment_kind()) == (Decimal(0), expected_none)
