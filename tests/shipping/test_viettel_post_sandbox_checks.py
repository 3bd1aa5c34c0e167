"""The Viettel Post sandbox refuses what carriers_einvoice.md section B forbids, as a server
written from the doc would (so a regression of the adapter shows here): the Token header on
every call but the login (master data included), JSON bodies, the enums and int fields of
getPriceAll, getPrice and createOrder, DELIVERY_DATE in Vietnam time, ORDER_PAYMENT against
MONEY_COLLECTION and the LIST_ITEM rows. Each refusal changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from shipping.adapters import viettel_post_parse as parse
from shipping.adapters.base import AuthError, Payer, PermanentError
from shipping.adapters.viettel_post import ViettelPostAdapter


def _order(vtp_request, vtp_clock, **changes):
    return {**parse.order_body(vtp_request, vtp_clock), **changes}


def test_the_adapter_body_is_accepted(vtp_sandbox, vtp_adapter, vtp_request, vtp_clock):
    data = vtp_adapter.call("POST", "/order/createOrder", body=_order(vtp_request, vtp_clock))

    assert data["ORDER_NUMBER"] == "10345381601"
    assert list(vtp_sandbox.parcels) == ["10345381601"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"PRODUCT_TYPE": "GOODS"}, "PRODUCT_TYPE không hợp lệ (HH: hàng hóa, TH: thư/tài liệu)"),
        ({"NATIONAL_TYPE": None}, "NATIONAL_TYPE không được để trống"),
        ({"PRODUCT_WEIGHT": 0.6}, "PRODUCT_WEIGHT phải là số nguyên"),
        ({"MONEY_COLLECTION": 300000.5}, "MONEY_COLLECTION phải là số nguyên"),
        ({"DELIVERY_DATE": "2026-12-07 10:00:00"}, None),
        ({"ORDER_PAYMENT": 5}, "Hình thức thanh toán ORDER_PAYMENT không hợp lệ"),
        (
            {"ORDER_PAYMENT": 1},
            "ORDER_PAYMENT 1 không thu hộ tiền hàng: MONEY_COLLECTION phải là 0",
        ),
        (
            {"ORDER_PAYMENT": 4},
            "ORDER_PAYMENT 4 không thu hộ tiền hàng: MONEY_COLLECTION phải là 0",
        ),
        (
            {"ORDER_PAYMENT": 2, "MONEY_COLLECTION": 0},
            "ORDER_PAYMENT 2 thu hộ tiền hàng: MONEY_COLLECTION phải lớn hơn 0",
        ),
        ({"LIST_ITEM": {"PRODUCT_NAME": "Áo"}}, "LIST_ITEM phải là danh sách hàng hóa"),
        (
            {"LIST_ITEM": [{"PRODUCT_NAME": "Áo", "PRODUCT_PRICE": 1, "PRODUCT_WEIGHT": 1}]},
            "PRODUCT_QUANTITY không được để trống",
        ),
        ({"ORDER_SERVICE_ADD": ["GNG"]}, "ORDER_SERVICE_ADD phải là chuỗi mã dịch vụ cộng thêm"),
    ],
)
def test_create_order_refuses_what_the_doc_forbids(
    vtp_sandbox, vtp_adapter, vtp_request, vtp_clock, changes, message
):
    body = _order(vtp_request, vtp_clock, **changes)

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.call("POST", "/order/createOrder", body=body)

    expected = message or "DELIVERY_DATE không đúng định dạng dd/MM/yyyy HH:mm:ss"
    assert (caught.value.code, caught.value.message) == ("vtp_400", expected)
    assert vtp_sandbox.parcels == {}


def test_a_delivery_date_in_utc_instead_of_vietnam_time_is_refused(
    vtp_sandbox, vtp_adapter, vtp_request
):
    now = datetime.fromtimestamp(vtp_sandbox.now(), tz=UTC)
    written_in_utc = now.strftime("%d/%m/%Y %H:%M:%S")  # 7 hours behind Vietnam time
    in_vietnam_time = (now + timedelta(hours=7)).strftime("%d/%m/%Y %H:%M:%S")
    body = _order(vtp_request, now, DELIVERY_DATE=written_in_utc)

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.call("POST", "/order/createOrder", body=body)

    assert caught.value.message == "DELIVERY_DATE không được nhỏ hơn thời điểm hiện tại"
    assert vtp_sandbox.parcels == {}
    assert parse.order_body(vtp_request, now)["DELIVERY_DATE"] == in_vietnam_time


@pytest.mark.parametrize(
    ("payer", "cod", "payment"),
    [
        (Payer.SHOP, Decimal(0), 1),
        (Payer.BUYER, Decimal(300000), 2),
        (Payer.SHOP, Decimal(300000), 3),
        (Payer.BUYER, Decimal(0), 4),
    ],
)
def test_every_order_payment_the_adapter_sends_is_accepted(
    vtp_sandbox, vtp_adapter, vtp_request, payer, cod, payment
):
    created = vtp_adapter.create(request=replace(vtp_request, payer=payer, cod_amount=cod))

    body = vtp_sandbox.parcels[created.tracking_number].body
    assert (body["ORDER_PAYMENT"], body["MONEY_COLLECTION"]) == (payment, int(cod))


@pytest.mark.parametrize(
    ("path", "changes", "message"),
    [
        ("/order/getPriceAll", {"TYPE": None}, "TYPE không được để trống"),
        ("/order/getPriceAll", {"TYPE": 2}, "TYPE không hợp lệ: 1 là bảng giá trong nước"),
        (
            "/order/getPriceAll",
            {"PRODUCT_TYPE": ""},
            "PRODUCT_TYPE không hợp lệ (HH: hàng hóa, TH: thư/tài liệu)",
        ),
        (
            "/order/getPrice",
            {"NATIONAL_TYPE": 0},
            "NATIONAL_TYPE không hợp lệ: chỉ hỗ trợ hàng trong nước (1)",
        ),
    ],
)
def test_prices_refuse_what_the_doc_forbids(vtp_adapter, path, changes, message):
    body = {  # Hà Nội / Hoàn Kiếm -> TP HCM / Quận 1, as the adapter sends it
        "SENDER_PROVINCE": 1,
        "SENDER_DISTRICT": 5,
        "RECEIVER_PROVINCE": 2,
        "RECEIVER_DISTRICT": 43,
        "PRODUCT_TYPE": "HH",
        "PRODUCT_WEIGHT": 600,
        "PRODUCT_PRICE": 300000,
        "MONEY_COLLECTION": 300000,
        "TYPE": 1,
        "ORDER_SERVICE": "VCN",
        "ORDER_SERVICE_ADD": "",
        "NATIONAL_TYPE": 1,
    }
    body = {k: v for k, v in {**body, **changes}.items() if v is not None}

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.call("POST", path, body=body)

    assert (caught.value.code, caught.value.message) == ("vtp_400", message)


def test_master_data_needs_the_token(vtp_sandbox, vtp_config):
    answer = requests.get(
        f"{vtp_sandbox.api_base}/categories/listProvinceById", params={"provinceId": -1}, timeout=5
    )

    assert (answer.status_code, answer.json()) == (
        200,
        {
            "status": 401,
            "error": True,
            "message": "Token không hợp lệ",
            "data": None,
            "messageKey": "INVALID_TOKEN",
        },
    )
    with pytest.raises(AuthError) as caught:  # without credentials it cannot log in first
        ViettelPostAdapter(replace(vtp_config, password="")).provinces()
    assert caught.value.code == "vtp_401"


def test_a_body_that_is_not_json_is_refused(vtp_sandbox, vtp_adapter, vtp_request, vtp_clock):
    answer = requests.post(
        f"{vtp_sandbox.api_base}/order/createOrder",
        data=str(_order(vtp_request, vtp_clock)).encode(),
        headers={"Token": vtp_adapter.token, "Content-Type": "text/plain"},
        timeout=5,
    )

    assert (answer.status_code, answer.json()) == (
        415,
        {
            "status": 415,
            "error": "Unsupported Media Type",
            "message": "Content-Type must be application/json",
        },
    )
    assert vtp_sandbox.parcels == {}
