"""GhnAdapter over real HTTP against the local GHN sandbox: auth, master data, services and
fees, create / find / parcel, cancel / return / redeliver / update, labels and every error path."""

from __future__ import annotations

import dataclasses
import socket
from datetime import datetime
from decimal import Decimal

import pytest

from common.external import AuthError, PermanentError, TransientError
from shipping.adapters.base import (
    AddressError,
    CarrierPlace,
    ParcelState,
    Payer,
    ServiceOption,
    SwitchResult,
    ViewingRule,
)
from shipping.adapters.ghn import GhnAdapter
from shipping.sandbox.ghn import GhnSandbox
from tests.shipping.conftest_ghn import GHN_RECEIVER, GHN_SENDER, ghn_parcel_request


def ict_end_of_day(sb: GhnSandbox, days: int) -> datetime:
    from shipping.sandbox.ghn_data import expected_delivery

    return expected_delivery(sb.now(), days)


# -- the account ------------------------------------------------------------------------------


def test_authorize_proves_the_token(ghn_adapter, ghn_sandbox):
    assert ghn_adapter.authorize() == ghn_sandbox.token
    assert ghn_sandbox.call_count("/master-data/province") == 1
    assert ghn_adapter.calls == 1


def test_a_wrong_token_is_an_auth_error(ghn_config):
    adapter = GhnAdapter(dataclasses.replace(ghn_config, token="not-a-token"))
    with pytest.raises(AuthError) as caught:
        adapter.authorize()
    assert (caught.value.code, caught.value.message) == ("USER_ERR_AUTH", "Token is not valid!")


def test_an_expired_token_is_an_auth_error(ghn_adapter, ghn_sandbox, ghn_request):
    ghn_sandbox.expire_token()
    with pytest.raises(AuthError) as caught:
        ghn_adapter.create(request=ghn_request)
    assert caught.value.message == "Token is expired!"
    assert ghn_sandbox.parcels == {}
    ghn_sandbox.restore_token()
    assert ghn_adapter.authorize() == ghn_sandbox.token


def test_a_token_refused_with_http_400_is_still_an_auth_error(ghn_adapter, ghn_sandbox):
    ghn_sandbox.configure(status_auth=400)
    ghn_sandbox.expire_token()
    with pytest.raises(AuthError) as caught:
        ghn_adapter.provinces()
    assert caught.value.message == "Token is expired!"


def test_an_unknown_shop_id_is_an_auth_error(ghn_config, ghn_request, ghn_sandbox):
    adapter = GhnAdapter(dataclasses.replace(ghn_config, shop_id="999"))
    with pytest.raises(AuthError) as caught:
        adapter.quote(request=ghn_request)
    assert (caught.value.code, caught.value.message) == ("SHOP_NOT_FOUND", "ShopID is invalid: 999")


# -- master data ------------------------------------------------------------------------------


def test_provinces(ghn_adapter):
    places = ghn_adapter.provinces()
    assert [(p.level, p.code, p.name, p.parent_code) for p in places] == [
        ("province", "201", "Hà Nội", ""),
        ("province", "202", "Hồ Chí Minh", ""),
        ("province", "203", "Đà Nẵng", ""),
        ("province", "220", "Cần Thơ", ""),
        ("province", "224", "Hải Phòng", ""),
        ("province", "244", "Khánh Hòa", ""),
    ]
    assert places[1].raw["NameExtension"][1] == "TP. Hồ Chí Minh"


def test_districts_of_a_province(ghn_adapter):
    assert ghn_adapter.districts(province_code="202") == [
        CarrierPlace("district", "1442", "Quận 1", "202"),
        CarrierPlace("district", "1444", "Quận 3", "202"),
        CarrierPlace("district", "1447", "Quận Phú Nhuận", "202"),
        CarrierPlace("district", "1452", "Quận 10", "202"),
        CarrierPlace("district", "1462", "Huyện Củ Chi", "202"),
    ]


def test_wards_leave_out_locked_ones(ghn_adapter, ghn_sandbox):
    assert ghn_adapter.wards(district_code="1447") == [
        CarrierPlace("ward", "20701", "Phường 1", "1447"),
        CarrierPlace("ward", "20709", "Phường 9", "1447"),
    ]
    assert ghn_sandbox.calls[-1] == ("/master-data/ward", {"district_id": 1447})


def test_wards_of_an_unknown_district_are_none(ghn_adapter):
    assert ghn_adapter.wards(district_code="9999") == []


# -- services and fees ------------------------------------------------------------------------


def test_services_on_a_route_with_their_fees(ghn_adapter, ghn_request, ghn_sandbox):
    options = ghn_adapter.services(request=ghn_request)
    assert [dataclasses.replace(o, expected_delivery=None) for o in options] == [
        ServiceOption("53320", "Chuyển phát thương mại điện tử", "express", Decimal(40000)),
        ServiceOption("53321", "Chuyển phát truyền thống", "economy", Decimal(51000)),
    ]
    assert [o.expected_delivery for o in options] == [
        ict_end_of_day(ghn_sandbox, 3),
        ict_end_of_day(ghn_sandbox, 5),
    ]
    assert ghn_sandbox.calls[0] == (
        "/v2/shipping-order/available-services",
        {"shop_id": 885, "from_district": 1442, "to_district": 1526},
    )


def test_a_rural_district_has_no_heavy_service(ghn_adapter):
    receiver = dataclasses.replace(GHN_RECEIVER, district_code="1530", ward_code="40601")
    request = ghn_parcel_request(receiver=receiver)
    options = ghn_adapter.services(request=request)
    # national, 3 steps of 500 g + 5,000 remote-area fee
    assert [(o.code, o.level, o.fee) for o in options] == [("53320", "express", Decimal(45000))]


def test_a_parcel_too_heavy_for_the_light_service_gets_the_heavy_one(ghn_adapter):
    options = ghn_adapter.services(request=ghn_parcel_request(weight_g=60000))
    # national, heavy: 45,000 + 59 extra kilograms at 6,000
    assert [(o.code, o.level, o.fee) for o in options] == [("53321", "economy", Decimal(399000))]


def test_when_every_service_refuses_the_carriers_message_is_kept(ghn_adapter):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.services(request=ghn_parcel_request(length_cm=250))
    assert caught.value.message == "length: Kích thước phải từ 1 đến 200 cm"


def test_quote_lines(ghn_adapter, ghn_sandbox):
    request = ghn_parcel_request(
        insurance_value=Decimal(2_000_000), cod_amount=Decimal(4_000_000), weight_g=400
    )
    quote = ghn_adapter.quote(request=request)
    # 600 g volumetric -> 2 steps: 35,000; insurance 0.5 % = 10,000; COD 0.5 % = 20,000
    assert quote.total == Decimal(65000)
    assert {k: v for k, v in quote.parts.items() if v} == {
        "service_fee": Decimal(35000),
        "insurance_fee": Decimal(10000),
        "cod_fee": Decimal(20000),
    }
    assert quote.expected_delivery == ict_end_of_day(ghn_sandbox, 3)
    sent = ghn_sandbox.calls[0]
    assert sent[0] == "/v2/shipping-order/fee"
    assert {k: sent[1][k] for k in ("service_id", "to_ward_code", "cod_value", "cod_amount")} == {
        "service_id": 53320,
        "to_ward_code": "40101",
        "cod_value": 4_000_000,
        "cod_amount": 4_000_000,
    }


def test_quote_to_an_unknown_ward_names_the_ward(ghn_adapter):
    receiver = dataclasses.replace(GHN_RECEIVER, ward_code="40199")
    with pytest.raises(AddressError) as caught:
        ghn_adapter.quote(request=ghn_parcel_request(receiver=receiver))
    assert (caught.value.field, caught.value.side) == ("ward", "receiver")
    assert caught.value.message == "to_ward_code: Mã phường/xã không hợp lệ (ward 40199)"


def test_services_to_an_unknown_district_name_the_district(ghn_adapter):
    receiver = dataclasses.replace(GHN_RECEIVER, district_code="9999")
    with pytest.raises(AddressError) as caught:
        ghn_adapter.services(request=ghn_parcel_request(receiver=receiver))
    assert (caught.value.field, caught.value.side) == ("district", "receiver")


# -- create, find, parcel ---------------------------------------------------------------------


def test_create(ghn_adapter, ghn_request, ghn_sandbox):
    created = ghn_adapter.create(request=ghn_request)
    parcel = ghn_sandbox.parcels[created.tracking_number]
    assert (created.fee, created.sort_code, created.expected_delivery) == (
        Decimal(40000),
        parcel.sort_code,
        ict_end_of_day(ghn_sandbox, 3),
    )
    assert created.raw["order_code"] == created.tracking_number
    f = parcel.fields
    assert (parcel.client_order_code, parcel.status, parcel.service_id) == (
        "SO-1001-1",
        "ready_to_pick",
        53320,
    )
    assert (f["payment_type_id"], f["required_note"], f["cod_amount"]) == (
        2,
        "CHOXEMHANGKHONGTHU",
        350000,
    )
    assert (f["to_district_id"], f["to_ward_code"], f["from_district_id"]) == (1526, "40101", 1442)
    assert f["items"] == [
        {
            "name": "Áo thun",
            "code": "TS-M",
            "quantity": 2,
            "price": 150000,
            "weight": 600,  # 2 x 500 g declared, scaled to the 1,200 g parcel (A.5)
            "length": 20,
            "width": 15,
            "height": 10,
        }
    ]


@pytest.mark.parametrize(
    ("payer", "viewing", "payment_type_id", "required_note"),
    [
        (Payer.SHOP, ViewingRule.TRY_ON, 1, "CHOTHUHANG"),
        (Payer.BUYER, ViewingRule.NO_VIEWING, 2, "KHONGCHOXEMHANG"),
    ],
)
def test_create_payer_and_viewing(
    ghn_adapter, ghn_sandbox, payer, viewing, payment_type_id, required_note
):
    request = ghn_parcel_request(payer=payer, viewing=viewing)
    created = ghn_adapter.create(request=request)
    f = ghn_sandbox.parcels[created.tracking_number].fields
    assert (f["payment_type_id"], f["required_note"]) == (payment_type_id, required_note)


def test_duplicate_reference_is_refused_and_find_returns_the_first(
    ghn_adapter, ghn_request, ghn_sandbox
):
    first = ghn_adapter.create(request=ghn_request)
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.create(request=ghn_request)
    assert caught.value.code == "duplicate_reference"
    assert caught.value.message == (
        "client_order_code: Mã đơn hàng của khách hàng đã tồn tại (SO-1001-1)"
    )
    assert list(ghn_sandbox.parcels) == [first.tracking_number]
    found = ghn_adapter.find(reference="SO-1001-1")
    assert found is not None
    assert (found.tracking_number, found.reference, found.state, found.carrier_status) == (
        first.tracking_number,
        "SO-1001-1",
        ParcelState.CREATED,
        "ready_to_pick",
    )
    assert (found.fee, found.cod_amount, found.expected_delivery) == (
        Decimal(40000),
        Decimal(350000),
        ict_end_of_day(ghn_sandbox, 3),
    )


def test_find_an_unknown_reference(ghn_adapter):
    assert ghn_adapter.find(reference="SO-404") is None


def test_parcel_polling_follows_the_status(ghn_adapter, ghn_request, ghn_sandbox):
    code = ghn_adapter.create(request=ghn_request).tracking_number
    ghn_sandbox.advance(code, "happy", until="transporting")
    info = ghn_adapter.parcel(tracking_number=code)
    assert (info.state, info.carrier_status) == (ParcelState.IN_TRANSIT, "transporting")
    ghn_sandbox.advance(code, "happy")
    assert ghn_adapter.parcel(tracking_number=code).state == ParcelState.DELIVERED


def test_parcel_unknown(ghn_adapter):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.parcel(tracking_number="GANOPE00")
    assert (caught.value.code, caught.value.message) == (
        "not_found",
        "Lỗi gọi API: corev2_tenant_order_detail - code=404, message=Đơn hàng không tồn tại",
    )


# -- validation and address errors ------------------------------------------------------------


def test_a_validation_error_keeps_the_carriers_message(ghn_adapter, ghn_sandbox):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.create(request=ghn_parcel_request(weight_g=60000))
    assert type(caught.value) is PermanentError
    assert (caught.value.code, caught.value.message) == (
        "USER_ERR_COMMON",
        "weight: Khối lượng tối đa 50000 gram cho hàng nhẹ",
    )
    assert ghn_sandbox.parcels == {}


def test_create_to_an_unknown_ward_is_an_address_error(ghn_adapter, ghn_sandbox):
    receiver = dataclasses.replace(GHN_RECEIVER, ward_code="99999")
    with pytest.raises(AddressError) as caught:
        ghn_adapter.create(request=ghn_parcel_request(receiver=receiver))
    assert (caught.value.field, caught.value.side, caught.value.code) == (
        "ward",
        "receiver",
        "USER_ERR_COMMON",
    )
    assert ghn_sandbox.parcels == {}


def test_an_unknown_sender_district_names_the_sender(ghn_adapter, ghn_sandbox):
    sender = dataclasses.replace(GHN_SENDER, district_code="9998")  # the fee reads its id
    with pytest.raises(AddressError) as caught:
        ghn_adapter.quote(request=ghn_parcel_request(sender=sender))
    assert (caught.value.field, caught.value.side) == ("district", "sender")
    sender = dataclasses.replace(GHN_SENDER, district_name="Quận 99")  # the create its name
    with pytest.raises(AddressError) as caught:
        ghn_adapter.create(request=ghn_parcel_request(sender=sender))
    assert (caught.value.field, caught.value.side) == ("district", "sender")
    assert ghn_sandbox.parcels == {}


def test_an_address_without_a_district_is_an_address_error(ghn_adapter, ghn_sandbox):
    receiver = dataclasses.replace(GHN_RECEIVER, district_code="")  # 2025 two-level form
    with pytest.raises(AddressError) as caught:
        ghn_adapter.create(request=ghn_parcel_request(receiver=receiver))
    assert (caught.value.code, caught.value.field, caught.value.side) == (
        "no_district",
        "district",
        "receiver",
    )
    sender = dataclasses.replace(GHN_SENDER, ward_code="")
    with pytest.raises(AddressError) as caught:
        ghn_adapter.quote(request=ghn_parcel_request(sender=sender))
    assert (caught.value.code, caught.value.field, caught.value.side) == (
        "no_ward",
        "ward",
        "sender",
    )
    assert ghn_sandbox.calls == []


def test_a_service_code_that_is_not_ghns(ghn_adapter):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.create(request=ghn_parcel_request(service_code="express"))
    assert (caught.value.code, caught.value.message) == (
        "bad_id",
        "not a GHN service id: 'express'",
    )


def test_a_bad_phone_is_an_address_error(ghn_adapter):
    receiver = dataclasses.replace(GHN_RECEIVER, phone="12345")
    with pytest.raises(AddressError) as caught:
        ghn_adapter.create(request=ghn_parcel_request(receiver=receiver))
    assert (caught.value.field, caught.value.message) == (
        "phone",
        "to_phone: Số điện thoại người nhận không hợp lệ",
    )


# -- transient errors -------------------------------------------------------------------------


def test_a_timeout_is_transient_and_the_retry_finds_the_parcel(
    ghn_config, ghn_sandbox, ghn_request
):
    adapter = GhnAdapter(dataclasses.replace(ghn_config, timeout=(2.0, 0.3)))
    ghn_sandbox.slow(1.0, path="/v2/shipping-order/create")
    with pytest.raises(TransientError) as caught:
        adapter.create(request=ghn_request)
    assert caught.value.code == "timeout"
    found = adapter.find(reference=ghn_request.reference)
    assert found is not None
    assert list(ghn_sandbox.parcels) == [found.tracking_number]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_transient_and_nothing_is_created(ghn_adapter, ghn_sandbox, ghn_request, status):
    ghn_sandbox.fail(status, path="/v2/shipping-order/create")
    with pytest.raises(TransientError) as caught:
        ghn_adapter.create(request=ghn_request)
    assert caught.value.code == f"http_{status}"
    assert ghn_sandbox.parcels == {}
    created = ghn_adapter.create(request=ghn_request)  # the fault was for one call
    assert list(ghn_sandbox.parcels) == [created.tracking_number]


def test_a_redirect_is_not_followed(ghn_config, ghn_sandbox):
    ghn_sandbox.fail(301, path="/master-data/province")
    with pytest.raises(PermanentError) as caught:
        GhnAdapter(ghn_config).provinces()
    assert (caught.value.code, caught.value.message) == (
        "http_301",
        "GHN redirected to https://online-gateway.ghn.vn/shiip/public-api/master-data/province",
    )


def test_nothing_listening_is_transient(ghn_config):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = GhnAdapter(
        dataclasses.replace(ghn_config, base_url=f"http://127.0.0.1:{port}/shiip/public-api")
    )
    with pytest.raises(TransientError) as caught:
        adapter.provinces()
    assert caught.value.code == "network"


# -- cancel, return, redeliver, update --------------------------------------------------------


def _created(adapter, n: int) -> list[str]:
    return [adapter.create(request=ghn_parcel_request(f"SO-{i}")).tracking_number for i in range(n)]


def test_cancel_allowed_before_pickup_refused_after(ghn_adapter, ghn_sandbox):
    first, second = _created(ghn_adapter, 2)
    ghn_sandbox.advance(second, "happy", until="picked")
    assert ghn_adapter.cancel(tracking_numbers=[first, second, "GANOPE00"]) == [
        SwitchResult(first, True, "OK"),
        SwitchResult(second, False, "Không thể hủy đơn hàng ở trạng thái picked"),
        SwitchResult("GANOPE00", False, "Đơn hàng không tồn tại"),
    ]
    assert (ghn_sandbox.parcels[first].status, ghn_sandbox.parcels[second].status) == (
        "cancel",
        "picked",
    )
    assert ghn_adapter.parcel(tracking_number=first).state == ParcelState.CANCELLED


def test_redeliver_only_while_waiting(ghn_adapter, ghn_sandbox):
    waiting, delivering = _created(ghn_adapter, 2)
    ghn_sandbox.advance(waiting, "failed_delivery")
    ghn_sandbox.advance(delivering, "happy", until="delivering")
    assert ghn_adapter.redeliver(tracking_numbers=[waiting, delivering]) == [
        SwitchResult(waiting, True, "OK"),
        SwitchResult(delivering, False, "Không thể giao lại đơn hàng ở trạng thái delivering"),
    ]
    assert ghn_sandbox.parcels[waiting].status == "storing"
    assert ghn_sandbox.calls[-1][0] == "/v2/switch-status/storing"


def test_return_rules(ghn_adapter, ghn_sandbox):
    waiting, fresh = _created(ghn_adapter, 2)
    ghn_sandbox.advance(waiting, "failed_delivery")
    assert ghn_adapter.return_to_sender(tracking_numbers=[waiting, fresh]) == [
        SwitchResult(waiting, True, "OK"),
        SwitchResult(fresh, False, "Không thể chuyển hoàn đơn hàng ở trạng thái ready_to_pick"),
    ]
    info = ghn_adapter.parcel(tracking_number=waiting)
    assert (info.state, info.carrier_status) == (ParcelState.RETURNING, "return")
    ghn_sandbox.advance(waiting, "return")
    assert ghn_adapter.parcel(tracking_number=waiting).state == ParcelState.RETURNED


def test_update_cod_note_and_receiver(ghn_adapter, ghn_sandbox, ghn_request):
    code = ghn_adapter.create(request=ghn_request).tracking_number
    receiver = dataclasses.replace(GHN_RECEIVER, name="Trần Thị Bình", ward_code="40102")
    ghn_adapter.update(
        tracking_number=code,
        changes={"cod_amount": Decimal(420000), "note": "Gọi trước 30 phút", "receiver": receiver},
    )
    f = ghn_sandbox.parcels[code].fields
    assert (f["cod_amount"], f["note"], f["to_name"], f["to_ward_code"]) == (
        420000,
        "Gọi trước 30 phút",
        "Trần Thị Bình",
        "40102",
    )
    assert ghn_adapter.parcel(tracking_number=code).cod_amount == Decimal(420000)


def test_update_refused_after_pickup_keeps_the_message(ghn_adapter, ghn_sandbox, ghn_request):
    code = ghn_adapter.create(request=ghn_request).tracking_number
    ghn_sandbox.advance(code, "happy", until="picked")
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.update(tracking_number=code, changes={"weight_g": 2000})
    assert caught.value.message == "Đơn hàng ở trạng thái picked không được phép cập nhật"
    assert ghn_sandbox.parcels[code].fields["weight"] == 1200


def test_update_to_an_unknown_ward(ghn_adapter, ghn_sandbox, ghn_request):
    code = ghn_adapter.create(request=ghn_request).tracking_number
    receiver = dataclasses.replace(GHN_RECEIVER, ward_code="77777")
    with pytest.raises(AddressError) as caught:
        ghn_adapter.update(tracking_number=code, changes={"receiver": receiver})
    assert caught.value.field == "ward"
    assert ghn_sandbox.parcels[code].fields["to_ward_code"] == "40101"


def test_update_of_an_unknown_field(ghn_adapter):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.update(tracking_number="GA000000", changes={"reference": "x"})
    assert (caught.value.code, caught.value.message) == (
        "not_supported",
        "GHN cannot update reference",
    )
