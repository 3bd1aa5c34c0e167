"""ViettelPostAdapter over real HTTP against the local Viettel Post sandbox: the account, master
data, services and fees, parcels, labels and every error path (webhooks:
test_viettel_post_webhooks.py)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from shipping.adapters.base import (
    AddressError,
    AuthError,
    CarrierConfig,
    CarrierPlace,
    Endpoint,
    ParcelRequest,
    ParcelState,
    Payer,
    PayloadError,
    PermanentError,
    SwitchResult,
    TransientError,
    ViewingRule,
)
from shipping.adapters.viettel_post import ViettelPostAdapter
from shipping.sandbox.viettel_post import Fault, ViettelPostSandbox

# -- the account ---------------------------------------------------------------------------------


def test_authorize_is_login_then_ownerconnect(vtp_sandbox, vtp_config):
    adapter = ViettelPostAdapter(vtp_config)

    token = adapter.authorize()

    assert token.startswith("vtp-long-")
    assert adapter.token == token
    assert vtp_sandbox.token_state(token) == "ok"
    assert vtp_sandbox.call_counts() == {"/v2/user/Login": 1, "/v2/user/ownerconnect": 1}


def test_authorize_with_a_wrong_password_is_an_auth_error(vtp_sandbox, vtp_config):
    adapter = ViettelPostAdapter(replace(vtp_config, password="wrong"))

    with pytest.raises(AuthError) as caught:
        adapter.authorize()

    assert (caught.value.code, caught.value.message) == (
        "vtp_401",
        "Sai tên đăng nhập hoặc mật khẩu",
    )
    assert vtp_sandbox.call_counts() == {"/v2/user/Login": 1}


def test_an_expired_token_is_renewed_once_by_the_two_step_login(vtp_sandbox, vtp_config):
    kept: list[str] = []
    adapter = ViettelPostAdapter(replace(vtp_config, on_token=kept.append))
    old = adapter.authorize()
    vtp_sandbox.expire_tokens()
    vtp_sandbox.calls.clear()

    services = adapter.services(request=_request())

    assert [s.code for s in services] == ["VCN", "VTK", "SCOD"]
    assert vtp_sandbox.calls == [
        "/v2/order/getPriceAll",
        "/v2/user/Login",
        "/v2/user/ownerconnect",
        "/v2/order/getPriceAll",
    ]
    assert kept == [old, adapter.token]
    assert adapter.token != old
    assert vtp_sandbox.token_state(adapter.token) == "ok"


def test_without_a_token_the_adapter_logs_in_first(vtp_sandbox, vtp_config):
    kept: list[str] = []
    adapter = ViettelPostAdapter(replace(vtp_config, on_token=kept.append))

    provinces = adapter.provinces()

    assert len(provinces) == 5
    assert vtp_sandbox.calls == [
        "/v2/user/Login",
        "/v2/user/ownerconnect",
        "/v2/categories/listProvinceById",
    ]
    assert kept == [adapter.token]


def test_an_expired_token_without_credentials_is_an_auth_error(vtp_sandbox, vtp_adapter):
    stranger = ViettelPostAdapter(replace(vtp_adapter.config, username="", password=""))
    vtp_sandbox.expire_tokens()
    vtp_sandbox.calls.clear()

    with pytest.raises(AuthError) as caught:
        stranger.services(request=_request())

    assert (caught.value.code, caught.value.message) == (
        "expired_token",
        "Token đã hết hạn, vui lòng đăng nhập lại",
    )
    assert vtp_sandbox.calls == ["/v2/order/getPriceAll"]


def test_a_renewal_the_carrier_refuses_is_an_auth_error(vtp_sandbox, vtp_adapter, vtp_request):
    vtp_sandbox.expire_tokens()
    vtp_sandbox.accounts[vtp_adapter.config.username] = "changed-in-the-portal"
    vtp_sandbox.calls.clear()

    with pytest.raises(AuthError) as caught:
        vtp_adapter.create(request=vtp_request)

    assert (caught.value.code, caught.value.message) == (
        "vtp_401",
        "Sai tên đăng nhập hoặc mật khẩu",
    )
    assert vtp_sandbox.calls == ["/v2/order/createOrder", "/v2/user/Login"]
    assert vtp_sandbox.parcels == {}


def test_the_expired_token_fault_renews_the_token(vtp_sandbox, vtp_adapter, vtp_request):
    vtp_sandbox.add_fault(Fault("expired_token", path="/order/getPrice"))
    old = vtp_adapter.token

    assert vtp_adapter.quote(request=vtp_request).total == Decimal(49680)
    assert vtp_adapter.token != old
    assert vtp_sandbox.call_counts()["/v2/order/getPrice"] == 2


def test_an_unknown_token_is_an_auth_error(vtp_config, vtp_request):
    adapter = ViettelPostAdapter(replace(vtp_config, token="not-a-token", password=""))

    with pytest.raises(AuthError) as caught:
        adapter.quote(request=vtp_request)

    assert (caught.value.code, caught.value.message) == ("vtp_401", "Token không hợp lệ")


# -- master data ---------------------------------------------------------------------------------


def test_provinces_districts_wards(vtp_adapter):
    provinces = vtp_adapter.provinces()
    districts = vtp_adapter.districts(province_code="1")
    wards = vtp_adapter.wards(district_code="9")

    assert [(p.level, p.code, p.name, p.parent_code) for p in provinces] == [
        ("province", "1", "HÀ NỘI", ""),
        ("province", "2", "HỒ CHÍ MINH", ""),
        ("province", "3", "HẢI PHÒNG", ""),
        ("province", "32", "ĐÀ NẴNG", ""),
        ("province", "40", "KHÁNH HÒA", ""),
    ]
    assert provinces[0].raw == {"PROVINCE_ID": 1, "PROVINCE_CODE": "HNI", "PROVINCE_NAME": "HÀ NỘI"}
    assert [(d.code, d.name, d.parent_code) for d in districts] == [
        ("4", "QUẬN BA ĐÌNH", "1"),
        ("5", "QUẬN HOÀN KIẾM", "1"),
        ("9", "QUẬN CẦU GIẤY", "1"),
        ("28", "HUYỆN GIA LÂM", "1"),
    ]
    assert wards == [
        CarrierPlace("ward", "160", "PHƯỜNG DỊCH VỌNG", "9"),
        CarrierPlace("ward", "161", "PHƯỜNG NGHĨA ĐÔ", "9"),
        CarrierPlace("ward", "162", "PHƯỜNG QUAN HOA", "9"),
    ]


def test_master_data_with_ids_as_strings(vtp_sandbox, vtp_adapter):
    vtp_sandbox.string_numbers = True

    wards = vtp_adapter.wards(district_code="43")

    assert [(w.code, w.parent_code) for w in wards] == [
        ("700", "43"),
        ("701", "43"),
        ("702", "43"),
        ("703", "43"),
    ]
    assert wards[0].raw["WARDS_ID"] == "700"


# -- services and fees ---------------------------------------------------------------------------


def test_services_across_regions_with_fees_and_levels(vtp_adapter, vtp_request, vtp_clock):
    options = vtp_adapter.services(request=vtp_request)

    # 600 g -> first 500 g + one step; COD fee 1 % of 300,000; VAT 8 %.
    assert [(o.code, o.name, o.level, o.fee) for o in options] == [
        ("VCN", "Chuyển phát nhanh", "express", Decimal(49680)),
        ("VTK", "Chuyển phát tiết kiệm", "economy", Decimal(38880)),
        ("SCOD", "Giao hàng thu tiền (SCOD)", "economy", Decimal(43200)),
    ]
    assert [o.expected_delivery for o in options] == [
        vtp_clock + timedelta(hours=48),
        vtp_clock + timedelta(hours=120),
        vtp_clock + timedelta(hours=96),
    ]


def test_services_inside_one_province_add_the_same_day_service(vtp_adapter, vtp_request):
    inside = replace(vtp_request.receiver, province_code="1", district_code="9", ward_code="160")

    options = vtp_adapter.services(request=replace(vtp_request, receiver=inside))

    assert [(o.code, o.level, o.fee) for o in options] == [
        ("VCN", "express", Decimal(32400)),
        ("VTK", "economy", Decimal(25920)),
        ("VHT", "express", Decimal(60480)),
        ("SCOD", "economy", Decimal(29160)),
    ]


def test_services_with_fees_as_strings(vtp_sandbox, vtp_adapter, vtp_request):
    vtp_sandbox.string_numbers = True

    options = vtp_adapter.services(request=vtp_request)

    assert [o.fee for o in options] == [Decimal(49680), Decimal(38880), Decimal(43200)]
    assert options[0].raw["GIA_CUOC"] == "49680"


def test_quote_has_the_fee_lines(vtp_adapter, vtp_request, vtp_clock):
    quote = vtp_adapter.quote(request=vtp_request)

    assert quote.total == Decimal(49680)
    assert quote.parts == {
        "service": Decimal(43000),
        "cod": Decimal(3000),
        "other": Decimal(0),
        "vat": Decimal(3680),
    }
    assert quote.expected_delivery == vtp_clock + timedelta(hours=48)


def test_quote_of_a_volume_weight_parcel(vtp_adapter, vtp_request):
    big = replace(vtp_request, service_code="VTK", cod_amount=Decimal(0), length_cm=40)
    big = replace(big, width_cm=30, height_cm=30)  # 36,000 cm³ -> 6,000 g

    quote = vtp_adapter.quote(request=big)

    assert quote.parts["service"] == Decimal(30000 + 11 * 3000)
    assert quote.total == Decimal(68040)


# -- parcels -------------------------------------------------------------------------------------


def test_create_sends_the_documented_fields_and_confirms(vtp_sandbox, vtp_adapter, vtp_request):
    created = vtp_adapter.create(request=vtp_request)

    assert created.tracking_number == "10345381601"
    assert created.fee == Decimal(49680)
    assert created.raw["confirmed"] is True
    parcel = vtp_sandbox.parcels["10345381601"]
    assert parcel.reference == "SO-1001-1"
    assert [s.status for s in parcel.steps] == [-100, 100]
    body = parcel.body
    assert {k: body[k] for k in ("ORDER_NUMBER", "ORDER_PAYMENT", "MONEY_COLLECTION")} == {
        "ORDER_NUMBER": "SO-1001-1",
        "ORDER_PAYMENT": 3,
        "MONEY_COLLECTION": 300000,
    }
    assert (body["RECEIVER_PROVINCE"], body["RECEIVER_DISTRICT"], body["RECEIVER_WARD"]) == (
        2,
        43,
        700,
    )
    assert body["ORDER_NOTE"] == "Cho xem hàng, không cho thử. Gọi trước khi giao"
    assert body["PRODUCT_PRICE"] == 300000
    assert body["CHECK_UNIQUE"] is True
    assert body["LIST_ITEM"] == [
        {
            "PRODUCT_NAME": "Áo thun",
            "PRODUCT_PRICE": 150000,
            "PRODUCT_WEIGHT": 300,
            "PRODUCT_QUANTITY": 2,
        }
    ]
    assert datetime.strptime(body["DELIVERY_DATE"], "%d/%m/%Y %H:%M:%S")


@pytest.mark.parametrize(
    ("payer", "cod", "payment"),
    [(Payer.SHOP, 0, 1), (Payer.BUYER, 100000, 2), (Payer.SHOP, 100000, 3), (Payer.BUYER, 0, 4)],
)
def test_order_payment_follows_payer_and_cod(
    vtp_sandbox, vtp_adapter, vtp_request, payer, cod, payment
):
    request = replace(vtp_request, payer=payer, cod_amount=Decimal(cod))

    created = vtp_adapter.create(request=request)

    body = vtp_sandbox.parcels[created.tracking_number].body
    assert (body["ORDER_PAYMENT"], body["MONEY_COLLECTION"]) == (payment, cod)


def test_create_on_an_account_that_confirms_by_itself(vtp_sandbox, vtp_adapter, vtp_request):
    vtp_sandbox.initial_status = 100

    created = vtp_adapter.create(request=replace(vtp_request, viewing=ViewingRule.NO_VIEWING))

    assert (created.raw["confirmed"], created.raw["confirm_error"]) == (
        False,
        "Đơn hàng đã được duyệt",
    )
    parcel = vtp_sandbox.parcels[created.tracking_number]
    assert [s.status for s in parcel.steps] == [100]
    assert parcel.body["ORDER_NOTE"] == "Không cho xem hàng. Gọi trước khi giao"


def test_a_duplicate_reference_is_refused_and_find_returns_the_first(
    vtp_sandbox, vtp_adapter, vtp_request
):
    first = vtp_adapter.create(request=vtp_request)

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.create(request=replace(vtp_request, cod_amount=Decimal(1)))

    assert (caught.value.code, caught.value.message) == (
        "duplicate_reference",
        "Mã đơn hàng SO-1001-1 đã tồn tại trên hệ thống",
    )
    found = vtp_adapter.find(reference="SO-1001-1")
    assert found is not None
    assert (found.tracking_number, found.reference, found.state, found.carrier_status) == (
        first.tracking_number,
        "SO-1001-1",
        ParcelState.CREATED,
        "100",
    )
    assert (found.fee, found.cod_amount) == (Decimal(49680), Decimal(300000))
    assert list(vtp_sandbox.parcels) == [first.tracking_number]


def test_find_an_unknown_reference_is_none(vtp_adapter):
    assert vtp_adapter.find(reference="SO-404-1") is None


def test_parcel_polling_follows_the_statuses(vtp_sandbox, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    vtp_sandbox.set_status(number, 105)

    picked = vtp_adapter.parcel(tracking_number=number)
    vtp_sandbox.run_scenario(number, "deliver")
    delivered = vtp_adapter.parcel(tracking_number=number)

    assert (picked.state, picked.carrier_status) == (ParcelState.PICKED_UP, "105")
    assert (delivered.state, delivered.carrier_status) == (ParcelState.DELIVERED, "501")
    assert delivered.raw["STATUS_NAME"] == "Phát thành công"
    assert delivered.reference == "SO-1001-1"


def test_parcel_unknown_is_not_found(vtp_adapter):
    with pytest.raises(PermanentError) as caught:
        vtp_adapter.parcel(tracking_number="19999999999")

    assert caught.value.code == "not_found"


def test_cancel_before_pickup_and_refused_after(vtp_sandbox, vtp_adapter, vtp_request):
    early = vtp_adapter.create(request=vtp_request).tracking_number
    late = vtp_adapter.create(request=replace(vtp_request, reference="SO-1002-1"))
    vtp_sandbox.set_status(late.tracking_number, 105)

    results = vtp_adapter.cancel(tracking_numbers=[early, late.tracking_number, "19999999999"])

    assert results == [
        SwitchResult(early, True),
        SwitchResult(late.tracking_number, False, "Đơn hàng đã được bưu tá lấy, không thể hủy"),
        SwitchResult("19999999999", False, "Không tìm thấy vận đơn 19999999999"),
    ]
    assert vtp_sandbox.status_of(early) == 107
    assert vtp_sandbox.status_of(late.tracking_number) == 105
    assert vtp_adapter.parcel(tracking_number=early).state == ParcelState.CANCELLED


def test_redeliver_and_return_only_while_waiting_at_505(vtp_sandbox, vtp_adapter, vtp_request):
    one = vtp_adapter.create(request=vtp_request).tracking_number
    two = vtp_adapter.create(request=replace(vtp_request, reference="SO-1002-1")).tracking_number
    vtp_sandbox.set_status(one, 500)
    refused = "Chỉ xử lý được đơn ở trạng thái 505 (chờ duyệt hoàn)"

    assert vtp_adapter.redeliver(tracking_numbers=[one]) == [SwitchResult(one, False, refused)]
    assert vtp_adapter.return_to_sender(tracking_numbers=[one]) == [
        SwitchResult(one, False, refused)
    ]
    vtp_sandbox.run_scenario(one, "fail")
    vtp_sandbox.run_scenario(two, "fail")
    assert vtp_adapter.parcel(tracking_number=one).state == ParcelState.WAITING_ACTION

    assert vtp_adapter.redeliver(tracking_numbers=[one]) == [SwitchResult(one, True)]
    assert vtp_adapter.return_to_sender(tracking_numbers=[two]) == [SwitchResult(two, True)]
    assert (vtp_sandbox.status_of(one), vtp_sandbox.status_of(two)) == (508, 515)
    assert vtp_adapter.parcel(tracking_number=one).state == ParcelState.DELIVERING
    assert vtp_adapter.parcel(tracking_number=two).state == ParcelState.RETURNING


def test_update_before_pickup_changes_the_parcel(vtp_sandbox, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    moved = Endpoint("Trần Thị Cúc", "0901234567", "9 Đồng Khởi", "2", "43", "702")

    vtp_adapter.update(
        tracking_number=number, changes={"receiver": moved, "cod_amount": Decimal(500000)}
    )

    parcel = vtp_sandbox.parcels[number]
    assert (parcel.body["RECEIVER_FULLNAME"], parcel.body["RECEIVER_WARD"]) == ("Trần Thị Cúc", 702)
    assert (parcel.body["MONEY_COLLECTION"], parcel.body["ORDER_PAYMENT"]) == (500000, 3)
    assert parcel.fees["MONEY_COLLECTION_FEE"] == 5000


def test_update_note_viewing_and_payer(vtp_sandbox, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number

    vtp_adapter.update(
        tracking_number=number,
        changes={
            "note": "Giao giờ hành chính",
            "viewing": ViewingRule.TRY_ON,
            "payer": Payer.BUYER,
            "cod_amount": Decimal(0),
        },
    )

    body = vtp_sandbox.parcels[number].body
    assert body["ORDER_NOTE"] == "Cho thử hàng. Giao giờ hành chính"
    assert (body["ORDER_PAYMENT"], body["MONEY_COLLECTION"]) == (4, 0)


def test_update_of_the_payer_needs_the_cod_amount(vtp_sandbox, vtp_adapter):
    with pytest.raises(PayloadError) as caught:
        vtp_adapter.update(tracking_number="10345381601", changes={"payer": Payer.BUYER})

    assert (caught.value.code, caught.value.field) == ("not_editable", "payer")


def test_update_after_pickup_is_refused_and_changes_nothing(vtp_sandbox, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    vtp_sandbox.set_status(number, 105)

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.update(tracking_number=number, changes={"note": "Giao giờ hành chính"})

    assert caught.value.message == "Đơn hàng đã được bưu tá lấy, không thể sửa"
    assert vtp_sandbox.parcels[number].body["ORDER_NOTE"] == (
        "Cho xem hàng, không cho thử. Gọi trước khi giao"
    )


def test_update_of_a_field_the_carrier_cannot_change(vtp_sandbox, vtp_adapter):
    with pytest.raises(PayloadError) as caught:
        vtp_adapter.update(tracking_number="10345381601", changes={"service_code": "VTK"})

    assert (caught.value.code, caught.value.field) == ("not_editable", "service_code")
    assert vtp_sandbox.call_counts() == {"/v2/user/Login": 1, "/v2/user/ownerconnect": 1}


def test_label_prints_through_a_print_code(vtp_sandbox, vtp_adapter, vtp_request):
    one = vtp_adapter.create(request=vtp_request).tracking_number
    two = vtp_adapter.create(request=replace(vtp_request, reference="SO-1002-1")).tracking_number

    label = vtp_adapter.label(tracking_numbers=[one, two])
    small = vtp_adapter.label(tracking_numbers=[one], paper="a6")

    assert label.content_type == "text/html"
    page = label.content.decode()
    assert (page.count("<section"), one in page, two in page) == (2, True, True)
    assert label.url.startswith(f"{vtp_sandbox.base_url}/DigitalizePrint/report.do?type=1&bill=")
    assert label.url.endswith("&showPostage=1")
    assert "paper-A6" in small.content.decode()
    assert "?type=2&" in small.url


def test_label_on_paper_the_carrier_has_not(vtp_adapter):
    with pytest.raises(PermanentError) as caught:
        vtp_adapter.label(tracking_numbers=["10345381601"], paper="80x80")

    assert caught.value.code == "paper_not_supported"


def test_label_of_an_unknown_parcel(vtp_adapter):
    with pytest.raises(PermanentError) as caught:
        vtp_adapter.label(tracking_numbers=["19999999999"])

    assert (caught.value.code, caught.value.message) == (
        "not_found",
        "Không tìm thấy vận đơn 19999999999",
    )


# -- errors --------------------------------------------------------------------------------------


def test_a_validation_error_keeps_the_carrier_message(vtp_sandbox, vtp_adapter, vtp_request):
    with pytest.raises(PermanentError) as caught:
        vtp_adapter.create(request=replace(vtp_request, weight_g=0))

    assert type(caught.value) is PermanentError
    assert (caught.value.code, caught.value.message) == (
        "vtp_400",
        "Trọng lượng hàng hóa phải lớn hơn 0",
    )
    assert vtp_sandbox.parcels == {}


@pytest.mark.parametrize(
    ("side", "change", "field", "message"),
    [
        ("receiver", {"ward_code": "701"}, "ward", "Phường/xã người nhận"),
        ("receiver", {"district_code": "9"}, "district", "Quận/huyện người nhận"),
        ("receiver", {"province_code": "63"}, "province", "Tỉnh/thành phố người nhận"),
        ("receiver", {"phone": "12345"}, "phone", "Số điện thoại người nhận không hợp lệ"),
        ("receiver", {"name": " "}, "name", "Họ tên người nhận không được để trống"),
        ("sender", {"ward_code": "1"}, "ward", "Phường/xã người gửi"),
        ("sender", {"address": ""}, "address", "Địa chỉ người gửi không được để trống"),
    ],
)
def test_a_refused_address_names_our_field(
    vtp_sandbox, vtp_adapter, vtp_request, side, change, field, message
):
    endpoint = replace(getattr(vtp_request, side), **change)
    if side == "receiver" and field == "ward":
        endpoint = replace(endpoint, district_code="43", ward_code="760")  # Thảo Điền is Thủ Đức

    with pytest.raises(AddressError) as caught:
        vtp_adapter.create(request=replace(vtp_request, **{side: endpoint}))

    assert (caught.value.field, caught.value.side) == (field, side)
    assert caught.value.message.startswith(message)
    assert vtp_sandbox.parcels == {}


def test_a_place_code_that_is_not_a_number_is_refused_before_sending(vtp_sandbox, vtp_adapter):
    request = _request(receiver=replace(_request().receiver, district_code="Q1"))

    with pytest.raises(AddressError) as caught:
        vtp_adapter.quote(request=request)

    assert (caught.value.code, caught.value.field, caught.value.side) == (
        "invalid_code",
        "district",
        "receiver",
    )
    assert "/v2/order/getPrice" not in vtp_sandbox.call_counts()


def test_a_5xx_is_transient(vtp_sandbox, vtp_adapter, vtp_request):
    vtp_sandbox.add_fault(Fault("error", status=503, path="/order/createOrder"))

    with pytest.raises(TransientError) as caught:
        vtp_adapter.create(request=vtp_request)

    assert caught.value.code == "http_503"
    assert vtp_sandbox.parcels == {}
    assert vtp_adapter.create(request=vtp_request).tracking_number == "10345381601"


def test_a_timeout_is_transient_and_the_retry_finds_the_parcel(
    vtp_sandbox, vtp_config, vtp_adapter, vtp_request
):
    hasty = ViettelPostAdapter(replace(vtp_config, token=vtp_adapter.token, timeout=(1.0, 0.3)))
    vtp_sandbox.add_fault(Fault("slow", delay=0.8, path="/order/createOrder"))

    with pytest.raises(TransientError) as caught:
        hasty.create(request=vtp_request)

    assert caught.value.code == "timeout"
    time.sleep(0.8)  # the retry comes later; the slow create has gone through by then
    found = hasty.find(reference=vtp_request.reference)  # the slow create went through
    assert found is not None
    assert found.tracking_number == "10345381601"


def test_a_refused_connection_is_transient(vtp_config, vtp_request):
    gone = ViettelPostAdapter(replace(vtp_config, base_url="http://127.0.0.1:9/v2", token="t"))

    with pytest.raises(TransientError) as caught:
        gone.quote(request=vtp_request)

    assert caught.value.code == "network"


def test_a_body_that_is_not_json_is_transient(vtp_sandbox, vtp_adapter):
    vtp_sandbox.add_fault(Fault("error", status=200, path="/categories/"))

    with pytest.raises(TransientError) as caught:
        vtp_adapter.provinces()

    assert caught.value.code == "http_200"


def test_the_adapter_counts_its_calls(vtp_adapter, vtp_request):
    vtp_adapter.create(request=vtp_request)

    assert vtp_adapter.calls == 2  # createOrder + UpdateOrder TYPE 1


def test_production_hosts(vtp_clock):
    adapter = ViettelPostAdapter(CarrierConfig(base_url="https://partner.viettelpost.vn/v2"))
    dev = ViettelPostAdapter(CarrierConfig(base_url="https://partnerdev.viettelpost.vn/v2"))

    assert adapter.tracking_base == "https://api.viettelpost.vn"
    assert adapter.print_base == "https://digitalize.viettelpost.vn/DigitalizePrint/report.do"
    assert dev.print_base == "https://dev-print.viettelpost.vn/DigitalizePrint/report.do"
    host = ViettelPostAdapter(replace(dev.config, print_base_url="https://print.example.vn/"))
    page = ViettelPostAdapter(replace(dev.config, print_base_url="https://p.example.vn/r.do"))
    assert host.print_base == "https://print.example.vn/DigitalizePrint/report.do"
    assert page.print_base == "https://p.example.vn/r.do"


def test_label_with_the_print_host_alone(vtp_sandbox, vtp_config, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    config = replace(vtp_config, token=vtp_adapter.token, print_base_url=vtp_sandbox.base_url)

    label = ViettelPostAdapter(config).label(tracking_numbers=[number])

    assert label.content_type == "text/html"
    assert number in label.content.decode()


def test_a_print_page_that_answers_an_envelope(vtp_sandbox, vtp_config, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    wrong = replace(vtp_config, token=vtp_adapter.token, print_base_url=vtp_sandbox.api_base)

    with pytest.raises(PermanentError) as caught:
        ViettelPostAdapter(wrong).label(tracking_numbers=[number])

    assert caught.value.code == "not_found"


def _request(**changes) -> ParcelRequest:
    from tests.shipping.conftest_viettel_post import VTP_RECEIVER, VTP_SENDER

    base = ParcelRequest(
        reference="SO-2001-1",
        sender=VTP_SENDER,
        receiver=VTP_RECEIVER,
        items=(),
        weight_g=600,
        length_cm=20,
        width_cm=15,
        height_cm=10,
        service_code="VCN",
        cod_amount=Decimal(300000),
    )
    return replace(base, **changes)


def test_sandbox_runs_as_a_context_manager():
    with ViettelPostSandbox.running() as sandbox:
        assert sandbox.api_base.startswith("http://127.0.0.1:")
        assert sandbox.api_base.endswith("/v2")
