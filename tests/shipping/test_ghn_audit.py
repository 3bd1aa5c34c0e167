"""GHN protocol audit (issue 13): what /work/shared/api/carriers_einvoice.md section A says and
an independent server would hold us to, over real HTTP against the sandbox made as strict."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
import requests

from shipping.adapters.base import Endpoint, Item, SwitchResult
from shipping.sandbox.ghn import GhnSandbox
from tests.shipping.conftest_ghn import GHN_RECEIVER, ghn_parcel_request

# A sender other than the shop's registered address (Quận 1): Quận 3, Phường Võ Thị Sáu.
QUAN_3 = Endpoint(
    "Kho Quận 3",
    "0909000333",
    "99 Võ Văn Tần",
    "202",
    "1444",
    "20308",
    province_name="Hồ Chí Minh",
    district_name="Quận 3",
    ward_name="Phường Võ Thị Sáu",
)


def post(sb: GhnSandbox, path: str, body: dict, *, headers: dict | None = None) -> dict:
    sent = {"Token": sb.token, "ShopId": str(sb.shop_id)} if headers is None else headers
    answer = requests.post(sb.base_url + path, json=body, headers=sent, timeout=5)
    return {"http": answer.status_code, **answer.json()}


# -- A.6: the fee page's cod_value is at most 5,000,000 ------------------------------------


def test_a_quote_with_cod_above_the_fee_pages_maximum(ghn_adapter, ghn_sandbox):
    quote = ghn_adapter.quote(request=ghn_parcel_request(cod_amount=Decimal(6_000_000)))
    # national, 1.2 kg (1,200 g real, 600 g volumetric) = 3 steps: 40,000; COD 0.5 %: 30,000
    assert (quote.total, quote.parts["cod_fee"]) == (Decimal(70000), Decimal(30000))
    sent = ghn_sandbox.calls[0]
    assert (sent[0], sent[1]["cod_value"], sent[1]["cod_amount"]) == (
        "/v2/shipping-order/fee",
        5_000_000,
        6_000_000,
    )


def test_the_sandbox_fee_refuses_a_cod_value_above_5m(ghn_sandbox):
    body = {
        "service_id": 53320,
        "to_district_id": 1526,
        "to_ward_code": "40101",
        "weight": 500,
        "length": 10,
        "width": 10,
        "height": 10,
    }
    assert post(ghn_sandbox, "/v2/shipping-order/fee", {**body, "cod_value": 5_000_001}) == {
        "http": 400,
        "code": 400,
        "message": "cod_value: Giá trị tối đa 5000000 (max 5000000)",
        "data": None,
        "code_message": "USER_ERR_COMMON",
    }
    answer = post(ghn_sandbox, "/v2/shipping-order/fee", {**body, "cod_amount": 50_000_000})
    assert (answer["http"], answer["data"]["cod_fee"]) == (200, 250_000)


# -- A.7: the create names its sender; without names GHN picks up at the shop's address ------


def test_create_names_a_sender_other_than_the_shop(ghn_adapter, ghn_sandbox):
    created = ghn_adapter.create(request=ghn_parcel_request(sender=QUAN_3))
    fields = ghn_sandbox.parcels[created.tracking_number].fields
    assert (fields["from_district_id"], fields["from_ward_code"], fields["from_name"]) == (
        1444,
        "20308",
        "Kho Quận 3",
    )
    sent = ghn_sandbox.calls[-1][1]
    assert {k: sent[k] for k in sent if k.startswith("from_") and k.endswith("_name")} == {
        "from_name": "Kho Quận 3",
        "from_ward_name": "Phường Võ Thị Sáu",
        "from_district_name": "Quận 3",
        "from_province_name": "Hồ Chí Minh",
    }


def test_the_sandbox_create_takes_no_sender_ids(ghn_adapter, ghn_sandbox):
    """A.7 documents no from_district_id / from_ward_code for create: a sender without names
    is picked up at the shop's registered address (Quận 1)."""
    unnamed = dataclasses.replace(QUAN_3, province_name="", district_name="", ward_name="")
    created = ghn_adapter.create(request=ghn_parcel_request(sender=unnamed))
    fields = ghn_sandbox.parcels[created.tracking_number].fields
    assert (fields["from_district_id"], fields["from_ward_code"]) == (1442, "20103")
    assert "from_district_name" not in ghn_sandbox.calls[-1][1]


def test_the_shipment_sender_carries_the_carriers_names(ghn_account, ghn_sandbox):
    from shipping.services.carriers import adapter_for
    from shipping.services.parcels import sender_endpoint

    sender = sender_endpoint(account=ghn_account, adapter=adapter_for(ghn_account))
    assert (sender.district_code, sender.ward_code) == ("1442", "20103")
    assert (sender.province_name, sender.district_name, sender.ward_name) == (
        "Hồ Chí Minh",
        "Quận 1",
        "Phường Bến Nghé",
    )


# -- A.7: text limits -------------------------------------------------------------------------


def test_a_receiver_name_and_address_longer_than_1024_are_cut(ghn_adapter, ghn_sandbox):
    receiver = dataclasses.replace(GHN_RECEIVER, name="N" * 1100, address="A" * 1030)
    created = ghn_adapter.create(request=ghn_parcel_request(receiver=receiver))
    fields = ghn_sandbox.parcels[created.tracking_number].fields
    assert (fields["to_name"], fields["to_address"]) == ("N" * 1024, "A" * 1024)


@pytest.mark.parametrize(
    ("name", "limit"),
    [("to_name", 1024), ("to_address", 1024), ("content", 2000), ("note", 5000)],
)
def test_the_sandbox_refuses_text_over_its_limit(ghn_adapter, ghn_sandbox, name, limit):
    body = {
        "to_name": "Lê Thị Hoa",
        "to_phone": "0987654321",
        "to_address": "8 Trần Phú",
        "to_ward_code": "550101",
        "to_district_id": 1572,
        "weight": 800,
        "length": 10,
        "width": 10,
        "height": 10,
        "service_type_id": 2,
        "payment_type_id": 1,
        "required_note": "CHOTHUHANG",
        "items": [{"name": "Cốc sứ", "quantity": 1}],
    }
    answer = post(ghn_sandbox, "/v2/shipping-order/create", {**body, name: "x" * (limit + 1)})
    assert (answer["http"], answer["message"]) == (
        400,
        f"{name}: tối đa {limit} ký tự (at most {limit} characters)",
    )
    assert ghn_sandbox.parcels == {}


# -- A.4-A.7: JSON types; A.2: headers --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field", "kind"),
    [
        ("/master-data/district", {"province_id": "202"}, "province_id", "int"),
        ("/master-data/ward", {"district_id": "1442"}, "district_id", "int"),
        (
            "/v2/shipping-order/fee",
            {"to_district_id": 1526, "to_ward_code": 40101, "weight": 500},
            "to_ward_code",
            "string",
        ),
    ],
)
def test_the_sandbox_refuses_a_json_value_of_the_wrong_type(ghn_sandbox, path, body, field, kind):
    answer = post(ghn_sandbox, path, body)
    given = type(body[field]).__name__
    assert (answer["http"], answer["message"]) == (
        400,
        f"code=400, message=Syntax error: field={field}, error=cannot unmarshal {given} "
        f"into {kind}",
    )


def test_wards_by_query_still_take_the_number_as_text(ghn_sandbox):
    answer = requests.post(
        ghn_sandbox.base_url + "/master-data/ward?district_id=1444",
        headers={"Token": ghn_sandbox.token},
        timeout=5,
    ).json()
    assert [w["WardCode"] for w in answer["data"]] == ["20301", "20302", "20308"]


def test_only_the_return_call_takes_a_shop_id_header(ghn_adapter, ghn_sandbox):
    body = {"order_codes": ["GANOPE00"]}
    lower = {"Token": ghn_sandbox.token, "shop_id": str(ghn_sandbox.shop_id)}
    assert post(ghn_sandbox, "/v2/switch-status/cancel", body, headers=lower)["code_message"] == (
        "SHOP_NOT_FOUND"
    )
    answer = post(ghn_sandbox, "/v2/switch-status/return", body, headers=lower)
    assert (answer["http"], answer["data"]) == (
        200,
        [{"order_code": "GANOPE00", "result": False, "message": "Đơn hàng không tồn tại"}],
    )
    assert ghn_sandbox.parcels == {}


# -- A.5: a heavy service (type 5) charges on the items ---------------------------------------


def test_a_heavy_parcel_of_two_lines_is_charged_its_own_weight(ghn_adapter, ghn_sandbox):
    items = (Item("Tủ gỗ", 1, Decimal(900000), 0, "TU-1"), Item("Kệ", 2, Decimal(100000)))
    request = ghn_parcel_request(items=items, weight_g=60000, service_code="53321")
    quote = ghn_adapter.quote(request=request)
    # national heavy: 45,000 + 59 extra kilograms at 6,000 (the 3 units share the 60 kg)
    assert quote.total == Decimal(399000)
    assert [(i["weight"], i["quantity"]) for i in ghn_sandbox.calls[0][1]["items"]] == [
        (20000, 1),
        (20000, 2),
    ]


def test_the_sandbox_heavy_fee_needs_each_items_size(ghn_sandbox):
    body = {
        "service_id": 53321,
        "to_district_id": 1526,
        "to_ward_code": "40101",
        "weight": 5000,
        "length": 10,
        "width": 10,
        "height": 10,
        "items": [{"name": "Tủ", "quantity": 1, "weight": 5000}],
    }
    answer = post(ghn_sandbox, "/v2/shipping-order/fee", body)
    assert (answer["http"], answer["message"]) == (
        400,
        "items[0]: hàng nặng cần weight, length, width, height (type 5)",
    )


# -- A.11: return only from storage or while waiting to deliver again ------------------------


def test_the_sandbox_refuses_a_return_during_the_failed_attempt(ghn_adapter, ghn_sandbox):
    code = ghn_adapter.create(request=ghn_parcel_request()).tracking_number
    ghn_sandbox.advance(code, "failed_delivery", until="delivery_fail")
    assert ghn_adapter.return_to_sender(tracking_numbers=[code]) == [
        SwitchResult(code, False, "Không thể chuyển hoàn đơn hàng ở trạng thái delivery_fail")
    ]
    assert ghn_sandbox.parcels[code].status == "delivery_fail"
    ghn_sandbox.advance(code, "failed_delivery")
    assert ghn_adapter.return_to_sender(tracking_numbers=[code]) == [SwitchResult(code, True, "OK")]
    assert ghn_sandbox.parcels[code].status == "return"


# -- A.13: a token refused with HTTP 400 and the words the other way round ------------------


@pytest.mark.parametrize(
    "message", ["Invalid token", "invalid API token: abc", "Missing token", "Token không hợp lệ"]
)
def test_a_refused_token_in_any_word_order_is_an_auth_error(message):
    from common.external import AuthError
    from shipping.adapters.ghn_protocol import error_for

    error = error_for(400, {"code": 400, "message": message, "code_message": "USER_ERR_COMMON"})
    assert (type(error), error.code, error.message) == (AuthError, "USER_ERR_COMMON", message)
