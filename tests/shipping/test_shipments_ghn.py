"""Shipments with GHN over real HTTP against the GHN sandbox: quote, create, the retry after a
timeout (one parcel), cancel, addresses the carrier cannot resolve, labels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import OrderEvent
from shipping.errors import CarrierUnavailable, ShippingAddressError
from shipping.models import Shipment, ShipmentState
from shipping.services.addresses import address_resolve
from shipping.services.carriers import adapter_for
from shipping.services.shipments import (
    ServiceChoice,
    shipment_cancel,
    shipment_create,
    shipment_quote,
)

CREATE = "/v2/shipping-order/create"
FIND = "/v2/shipping-order/detail-by-client-code"


def _create(order, account, spec, code):
    return shipment_create(
        order_id=order.pk,
        account_id=account.pk,
        spec=spec(code),
        service=ServiceChoice(code=code, name="Hàng nhẹ", level="economy"),
        user_id=None,
    )


def _service(order, account, spec) -> str:
    options = shipment_quote(order_id=order.pk, account_id=account.pk, spec=spec(""))
    assert options, "the sandbox serves this route"
    return options[0].code


@pytest.mark.django_db
def test_quote_lists_the_route_services_with_live_fees(
    ghn_sandbox, ghn_account, ship_order, ship_spec
):
    order = ship_order()
    options = shipment_quote(order_id=order.pk, account_id=ghn_account.pk, spec=ship_spec(""))
    levels = [o.level for o in options]
    assert levels == sorted(levels, key=lambda level: level != "express")
    assert all(o.fee is not None and o.fee > 0 for o in options)
    assert {o.level for o in options} <= {"express", "economy"}


@pytest.mark.django_db
def test_create_stores_the_carriers_parcel(ghn_sandbox, ghn_account, ship_order, ship_spec):
    order = ship_order()
    code = _service(order, ghn_account, ship_spec)
    shipment = _create(order, ghn_account, ship_spec, code)

    parcel = ghn_sandbox.parcel_by_reference(2509992, f"{order.number}-1")
    assert parcel is not None
    assert shipment.reference == f"{order.number}-1"
    assert shipment.state == ShipmentState.CREATED
    assert shipment.tracking_number == parcel.order_code
    assert shipment.fee == Decimal(parcel.total_fee)
    assert shipment.sort_code == parcel.sort_code
    assert shipment.expected_delivery is not None
    assert shipment.attempts == 1
    assert parcel.fields["to_district_id"] == 1526
    assert parcel.fields["to_ward_code"] == "40101"
    assert parcel.fields["cod_amount"] == 330000
    assert ghn_sandbox.call_count(CREATE) == 1
    assert ghn_sandbox.call_count(FIND) == 0
    note = OrderEvent.objects.filter(order=order, kind="note").latest("id")
    assert shipment.tracking_number in note.data["text"]


@pytest.mark.django_db
def test_retry_after_a_timeout_adopts_the_parcel_instead_of_creating_another(
    settings, ghn_sandbox, ghn_account, ship_order, ship_spec
):
    settings.SHIPPING_CARRIER_TIMEOUT = (2.0, 0.5)
    order = ship_order()
    code = _service(order, ghn_account, ship_spec)
    ghn_sandbox.slow(1.5, path=CREATE)  # GHN creates the parcel, the answer comes too late

    with pytest.raises(CarrierUnavailable):
        _create(order, ghn_account, ship_spec, code)
    pending = Shipment.objects.get(order=order)
    assert (pending.state, pending.attempts, pending.tracking_number) == ("pending", 1, "")
    assert pending.sending_since is None  # released for the retry

    # Staff press "Create parcel" again: the same reference goes out, found at GHN, adopted.
    shipment = _create(order, ghn_account, ship_spec, code)
    parcels = [
        p for p in ghn_sandbox.parcels.values() if p.client_order_code.startswith(order.number)
    ]
    assert len(parcels) == 1
    assert shipment.pk == pending.pk
    assert shipment.state == ShipmentState.CREATED
    assert shipment.tracking_number == parcels[0].order_code
    assert shipment.attempts == 2
    assert ghn_sandbox.call_count(CREATE) == 1
    assert ghn_sandbox.call_count(FIND) == 1
    assert Shipment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_cancel_before_pickup_frees_the_order_for_a_new_parcel(
    ghn_sandbox, ghn_account, ship_order, ship_spec
):
    order = ship_order()
    code = _service(order, ghn_account, ship_spec)
    first = _create(order, ghn_account, ship_spec, code)

    cancelled = shipment_cancel(shipment_id=first.pk, user_id=None)

    assert cancelled.state == ShipmentState.CANCELLED
    assert cancelled.closed_at is not None
    assert ghn_sandbox.parcels[first.tracking_number].status == "cancel"
    second = _create(order, ghn_account, ship_spec, code)
    assert second.reference == f"{order.number}-2"
    assert second.state == ShipmentState.CREATED
    assert second.tracking_number != first.tracking_number


@pytest.mark.django_db
def test_an_unknown_ward_is_an_error_naming_the_field_and_nothing_is_sent(
    ghn_sandbox, ghn_account, ship_order, ship_spec
):
    order = ship_order(ward="Phường Không Có")
    with pytest.raises(ShippingAddressError) as caught:
        _create(order, ghn_account, ship_spec, "53320")
    assert caught.value.field == "ward"
    assert caught.value.side == "receiver"
    assert "Phường Không Có" in str(caught.value)
    assert Shipment.objects.filter(order=order).count() == 0
    assert ghn_sandbox.call_count(CREATE) == 0


@pytest.mark.django_db
def test_an_unknown_district_names_the_district(ghn_sandbox, ghn_account, ship_order, ship_spec):
    order = ship_order(district="Quận Không Có")
    with pytest.raises(ShippingAddressError) as caught:
        _create(order, ghn_account, ship_spec, "53320")
    assert caught.value.field == "district"
    assert Shipment.objects.count() == 0


@pytest.mark.django_db
def test_two_level_addresses_find_the_ward_in_the_province(ghn_sandbox, ghn_account):
    adapter = adapter_for(ghn_account)
    codes = address_resolve(
        carrier="ghn",
        adapter=adapter,
        province="Thành phố Đà Nẵng",
        district="",
        ward="Thạch Thang",
    )
    assert (codes.province_code, codes.district_code, codes.ward_code) == ("203", "1526", "40101")
    # "Phường 1" exists in two districts of TP HCM: without a district it is ambiguous.
    with pytest.raises(ShippingAddressError) as caught:
        address_resolve(
            carrier="ghn", adapter=adapter, province="TP. Hồ Chí Minh", district="", ward="Phường 1"
        )
    assert caught.value.field == "ward"


@pytest.mark.django_db
def test_names_match_without_their_kind_and_in_upper_case(ghn_sandbox, ghn_account):
    adapter = adapter_for(ghn_account)
    codes = address_resolve(
        carrier="ghn",
        adapter=adapter,
        province="HỒ CHÍ MINH",
        district="Q. Phú Nhuận",
        ward="Phường 09",
    )
    assert (codes.province_code, codes.district_code, codes.ward_code) == ("202", "1447", "20709")


@pytest.mark.django_db
def test_a_two_level_order_ships_with_the_wards_district(
    ghn_sandbox, ghn_account, ship_order, ship_spec
):
    order = ship_order(scheme="vn_2level", district="")
    code = _service(order, ghn_account, ship_spec)
    shipment = _create(order, ghn_account, ship_spec, code)
    assert shipment.request_data["receiver"]["district_code"] == "1526"
    assert ghn_sandbox.parcels[shipment.tracking_number].fields["to_ward_code"] == "40101"
