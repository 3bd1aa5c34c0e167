"""The GHN sandbox on its own, over HTTP with plain requests: envelopes and error shapes, the
name-style address, print token expiry, and the /_sandbox/ control API."""

from __future__ import annotations

import pytest
import requests

from shipping.sandbox.ghn import GhnSandbox

BODY = {
    "to_name": "Lê Thị Hoa",
    "to_phone": "0987654321",
    "to_address": "8 Trần Phú",
    "to_ward_code": "550101",
    "to_district_id": 1572,  # an int, as A.7 types it (a string is a syntax error)
    "weight": 800,
    "length": 10,
    "width": 10,
    "height": 10,
    "service_type_id": 2,
    "payment_type_id": 1,
    "required_note": "CHOTHUHANG",
    "client_order_code": "SB-1",
    "items": [{"name": "Cốc sứ", "quantity": 1}],
}


def post(
    sb: GhnSandbox, path: str, body: dict, *, shop: bool = True, token: str = ""
) -> requests.Response:
    headers = {"Token": token or sb.token}
    if shop:
        headers["ShopId"] = str(sb.shop_id)
    return requests.post(sb.base_url + path, json=body, headers=headers, timeout=5)


def control(sb: GhnSandbox, name: str, body: dict | None = None) -> dict:
    answer = requests.post(f"{sb.root_url}/_sandbox/{name}", json=body or {}, timeout=5)
    return {"http": answer.status_code, **answer.json()}


def test_create_envelope(ghn_sandbox):
    answer = post(ghn_sandbox, "/v2/shipping-order/create", BODY)
    envelope = answer.json()
    code = envelope["data"]["order_code"]
    assert (answer.status_code, envelope["code"], envelope["message"]) == (200, 200, "Success")
    assert (envelope["code_message_value"], envelope["message_display"]) == (
        "",
        f"Tạo đơn hàng thành công. Mã đơn hàng: {code}",
    )
    # HCM -> Cần Thơ: same region, 800 g = 2 steps of 500 g: 22,000 + 5,000
    assert (envelope["data"]["total_fee"], envelope["data"]["fee"]["main_service"]) == (
        27000,
        27000,
    )
    assert len(code) == 8


def test_error_shape_and_missing_shop(ghn_sandbox):
    answer = post(ghn_sandbox, "/v2/shipping-order/create", {**BODY, "required_note": "X"})
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "code": 400,
            "message": "required_note: phải là CHOTHUHANG, CHOXEMHANGKHONGTHU hoặc KHONGCHOXEMHANG",
            "data": None,
            "code_message": "USER_ERR_COMMON",
        },
    )
    answer = post(ghn_sandbox, "/v2/shipping-order/create", BODY, shop=False)
    assert (answer.status_code, answer.json()["code_message"]) == (400, "SHOP_NOT_FOUND")


def test_name_style_address(ghn_sandbox):
    body = {k: v for k, v in BODY.items() if k not in ("to_ward_code", "to_district_id")}
    body.update(
        to_province_name="TP. Cần Thơ", to_district_name="Ninh Kiều", to_ward_name="Phường An Hòa"
    )
    answer = post(ghn_sandbox, "/v2/shipping-order/create", body)
    code = answer.json()["data"]["order_code"]
    fields = ghn_sandbox.parcels[code].fields
    assert (fields["to_district_id"], fields["to_ward_code"]) == (1572, "550102")


def test_unknown_path_not_json_and_ward_query(ghn_sandbox):
    answer = post(ghn_sandbox, "/v2/nothing", {})
    assert (answer.status_code, answer.json()["message"]) == (404, "code=404, message=Not Found")
    answer = requests.post(
        ghn_sandbox.base_url + "/master-data/province",
        data=b"{",
        headers={"Token": ghn_sandbox.token},
        timeout=5,
    )
    assert answer.status_code == 400
    answer = requests.get(
        ghn_sandbox.base_url + "/master-data/ward?district_id=1442",
        headers={"token": ghn_sandbox.token},
        timeout=5,
    )
    assert [w["WardCode"] for w in answer.json()["data"]] == ["20101", "20102", "20103", "20104"]


def test_print_token_expires_after_30_minutes(ghn_sandbox):
    code = post(ghn_sandbox, "/v2/shipping-order/create", BODY).json()["data"]["order_code"]
    token = post(ghn_sandbox, "/v2/a5/gen-token", {"order_codes": [code]}, shop=False).json()[
        "data"
    ]["token"]
    url = f"{ghn_sandbox.root_url}/a5/public-api/printA5?token={token}"
    assert requests.get(url, timeout=5).status_code == 200
    assert control(ghn_sandbox, "advance_clock", {"seconds": 1801})["ok"] is True
    answer = requests.get(url, timeout=5)
    assert (answer.status_code, answer.json()["code"]) == (400, 400)


def test_control_advance_and_state(ghn_sandbox):
    code = post(ghn_sandbox, "/v2/shipping-order/create", BODY).json()["data"]["order_code"]
    assert control(ghn_sandbox, "advance", {"order_code": code, "until": "picked"}) == {
        "http": 200,
        "ok": True,
        "statuses": ["picking", "picked"],
        "status": "picked",
    }
    answer = control(ghn_sandbox, "advance", {"order_code": code, "path": "failed_delivery"})
    assert answer["statuses"][-2:] == ["delivery_fail", "waiting_to_return"]
    answer = control(ghn_sandbox, "advance", {"order_code": code, "path": "happy"})
    assert (answer["http"], answer["ok"]) == (400, False)
    assert control(ghn_sandbox, "set_status", {"order_code": code, "status": "lost"})["ok"] is True
    parcels = requests.get(f"{ghn_sandbox.root_url}/_sandbox/parcels", timeout=5).json()["parcels"]
    assert [(p["order_code"], p["status"], p["client_order_code"]) for p in parcels] == [
        (code, "lost", "SB-1")
    ]
    state = requests.get(f"{ghn_sandbox.root_url}/_sandbox/state", timeout=5).json()
    assert (state["token"], state["shop_id"], state["base_url"]) == (
        ghn_sandbox.token,
        885,
        ghn_sandbox.base_url,
    )
    assert control(ghn_sandbox, "nothing")["http"] == 404


def test_control_faults(ghn_sandbox):
    assert control(ghn_sandbox, "fail", {"status": 503, "times": 2})["ok"] is True
    statuses = [post(ghn_sandbox, "/master-data/province", {}).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    control(ghn_sandbox, "expire_token")
    assert post(ghn_sandbox, "/master-data/province", {}).status_code == 401
    control(ghn_sandbox, "clear_faults")
    assert post(ghn_sandbox, "/master-data/province", {}).status_code == 200
    control(ghn_sandbox, "slow", {"seconds": 0.5, "path": "/master-data/province"})
    with pytest.raises(requests.Timeout):
        requests.post(
            ghn_sandbox.base_url + "/master-data/province",
            headers={"Token": ghn_sandbox.token},
            timeout=0.2,
        )
    assert ghn_sandbox.call_count("/master-data/province") == 6


def test_demo_ticks_move_open_parcels(ghn_sandbox):
    from shipping.sandbox.ghn_cli import step_all

    codes = [
        post(
            ghn_sandbox, "/v2/shipping-order/create", {**BODY, "client_order_code": f"T-{i}"}
        ).json()["data"]["order_code"]
        for i in range(10)
    ]
    for _ in range(12):
        step_all(ghn_sandbox)
    statuses = [ghn_sandbox.parcels[c].status for c in codes]
    assert statuses == ["delivered"] * 4 + ["waiting_to_return", "delivered"] + [
        "waiting_to_return"
    ] * 3 + ["delivered"]
    waiting = [c for c, status in zip(codes, statuses, strict=True) if status != "delivered"]
    post(ghn_sandbox, "/v2/switch-status/return", {"order_codes": waiting[:2]})
    post(ghn_sandbox, "/v2/switch-status/storing", {"order_codes": waiting[2:]})
    for _ in range(6):
        step_all(ghn_sandbox)
    assert [ghn_sandbox.parcels[c].status for c in waiting] == ["returned"] * 2 + ["delivered"] * 2


def test_soc_after_delivery(ghn_sandbox):
    code = post(ghn_sandbox, "/v2/shipping-order/create", {**BODY, "payment_type_id": 2}).json()[
        "data"
    ]["order_code"]
    before = post(ghn_sandbox, "/v2/shipping-order/soc", {"order_code": code}).json()["data"]
    assert (before["detail"]["main_service"], before["payment"], before["cod_collect_date"]) == (
        27000,
        [],
        None,
    )
    ghn_sandbox.advance(code, "happy")
    after = post(ghn_sandbox, "/v2/shipping-order/soc", {"order_code": code}).json()["data"]
    assert [(p["value"], p["payment_type"]) for p in after["payment"]] == [(27000, 2)]
