"""The Viettel Post sandbox's own surface: the /_sandbox/ control API over HTTP (what the demo
and the shipping app's tests use), its protocol edges, and the adapter on hosts that answer
outside the envelope."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from common.external import ExternalError
from shipping.adapters.base import AuthError, ParcelState, PermanentError, TransientError
from shipping.adapters.viettel_post import ViettelPostAdapter
from shipping.adapters.viettel_post_protocol import parse_local
from shipping.sandbox.viettel_post import Fault


def _post(sandbox, name, body=None):
    return requests.post(f"{sandbox.base_url}/_sandbox/{name}", json=body or {}, timeout=5)


def _get(sandbox, name, **params):
    return requests.get(f"{sandbox.base_url}/_sandbox/{name}", params=params, timeout=5)


def test_control_api_drives_a_parcel_and_its_webhooks(
    vtp_sandbox, vtp_adapter, vtp_request, vtp_receiver
):
    assert _post(vtp_sandbox, "webhook", {"url": vtp_receiver.url, "token": "s3"}).json() == {
        "ok": True
    }
    number = vtp_adapter.create(request=vtp_request).tracking_number

    scenario = _post(vtp_sandbox, "scenario", {"order_number": number, "scenario": "fail"})
    redelivered = vtp_adapter.redeliver(tracking_numbers=[number])
    rest = _post(vtp_sandbox, "scenario", {"order_number": number, "scenario": "redeliver"})
    flushed = _post(vtp_sandbox, "flush_webhooks", {"timeout": 5})

    assert scenario.json() == {
        "ok": True,
        "statuses": [103, 104, 105, 200, 300, 400, 500, 506, 505],
    }
    assert redelivered[0].ok is True
    assert rest.json() == {"ok": True, "statuses": [500, 501]}
    assert flushed.json() == {"ok": True, "flushed": True}
    parcels = _get(vtp_sandbox, "parcels").json()
    assert parcels == {
        "ok": True,
        "parcels": [
            {"order_number": number, "reference": "SO-1001-1", "status": 501, "returning": False}
        ],
    }
    steps = _get(vtp_sandbox, "parcel", order_number=number).json()["parcel"]["steps"]
    assert [s["status"] for s in steps] == [
        *(-100, 100, 103, 104, 105, 200, 300, 400, 500, 506, 505),
        *(508, 500, 501),
    ]
    sent = _get(vtp_sandbox, "webhooks").json()["deliveries"]
    assert [json.loads(d["body"])["DATA"]["ORDER_STATUS"] for d in sent][-4:] == [
        505,
        508,
        500,
        501,
    ]
    assert {json.loads(d["body"])["TOKEN"] for d in sent} == {"s3"}
    assert vtp_adapter.parcel(tracking_number=number).state == ParcelState.DELIVERED


def test_control_api_status_and_faults(vtp_sandbox, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number

    moved = _post(vtp_sandbox, "status", {"order_number": number, "status": 507, "note": "Hẹn"})
    fault = _post(vtp_sandbox, "fault", {"kind": "error", "status": 502, "path": "listWards"})

    assert moved.json() == {"ok": True, "status": 507}
    assert fault.json() == {"ok": True}
    with pytest.raises(TransientError) as caught:
        vtp_adapter.wards(district_code="4")
    assert caught.value.code == "http_502"
    assert len(vtp_adapter.wards(district_code="4")) == 3
    info = vtp_adapter.parcel(tracking_number=number)
    assert (info.state, info.carrier_status) == (ParcelState.WAITING_ACTION, "507")


def test_control_api_refuses_what_it_does_not_know(vtp_sandbox):
    assert _post(vtp_sandbox, "nothing").status_code == 404
    unknown = _post(vtp_sandbox, "configure", {"colour": "red"})
    assert unknown.status_code == 400
    assert unknown.json() == {"ok": False, "error": "ValueError: unknown options ['colour']"}
    bad = _post(vtp_sandbox, "status", {"order_number": "1", "status": 777})
    assert bad.json() == {"ok": False, "error": "ValueError: unknown ORDER_STATUS 777"}


def test_control_api_expires_tokens_and_configures(vtp_sandbox, vtp_adapter, vtp_request):
    assert _post(vtp_sandbox, "expire_tokens").json() == {"ok": True, "expired": 1}
    assert _post(vtp_sandbox, "configure", {"initial_status": 100}).json() == {"ok": True}
    vtp_adapter.authorize()

    created = vtp_adapter.create(request=vtp_request)

    assert vtp_sandbox.status_of(created.tracking_number) == 100
    assert _get(vtp_sandbox, "calls").json()["counts"]["/v2/user/Login"] == 2


def test_the_parcel_has_its_expected_delivery(vtp_sandbox, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    first = vtp_sandbox.parcels[number].steps[0].at

    info = vtp_adapter.parcel(tracking_number=number)

    assert info.expected_delivery is not None
    assert info.expected_delivery.timestamp() == int(first) + 48 * 3600
    assert info.expected_delivery == parse_local(info.raw["EXPECTED_DELIVERY_DATE"])


def test_an_expired_print_code_is_refused(vtp_sandbox, vtp_config, vtp_adapter, vtp_request):
    number = vtp_adapter.create(request=vtp_request).tracking_number
    past = vtp_config.clock() - timedelta(hours=2)
    late = ViettelPostAdapter(replace(vtp_config, token=vtp_adapter.token, clock=lambda: past))

    with pytest.raises(PermanentError) as caught:
        late.label(tracking_numbers=[number])

    assert caught.value.message == "EXPIRY_TIME phải lớn hơn thời điểm hiện tại"


def test_a_4xx_outside_the_envelope_is_permanent(vtp_sandbox, vtp_adapter, vtp_request):
    _post(vtp_sandbox, "fault", {"kind": "error", "status": 400, "path": "/order/getPrice"})

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.quote(request=vtp_request)

    assert (caught.value.code, caught.value.message) == (
        "http_400",
        "the answer is not a JSON object",
    )


def test_a_host_without_the_tracking_pull(vtp_sandbox, vtp_adapter):
    _post(vtp_sandbox, "fault", {"kind": "error", "status": 404, "path": "listOrderTracking"})

    with pytest.raises(PermanentError) as caught:
        vtp_adapter.parcel(tracking_number="10345381601")

    assert caught.value.code == "not_supported"
    _post(vtp_sandbox, "fault", {"kind": "error", "status": 404, "path": "listOrderTracking"})
    assert vtp_adapter.find(reference="SO-1001-1") is None


def test_a_slow_answer_within_the_timeout_is_fine(vtp_sandbox, vtp_adapter):
    _post(vtp_sandbox, "fault", {"kind": "slow", "delay": 0.2, "path": "listProvince"})

    assert [p.code for p in vtp_adapter.provinces()] == ["1", "2", "3", "32", "40"]
    assert vtp_sandbox.faults == []


@pytest.mark.parametrize("http_status", [200, 401])
def test_a_refused_token_with_either_http_status(vtp_sandbox, vtp_config, vtp_adapter, http_status):
    vtp_sandbox.auth_http_status = http_status
    no_login = replace(vtp_config, password="")
    holder = ViettelPostAdapter(replace(no_login, token=vtp_adapter.token))
    stranger = ViettelPostAdapter(replace(no_login, token="not-a-token"))
    vtp_sandbox.expire_tokens()

    with pytest.raises(AuthError) as expired:
        holder.label(tracking_numbers=["10345381601"])
    with pytest.raises(AuthError) as unknown:
        stranger.label(tracking_numbers=["10345381601"])
    with pytest.raises(PermanentError) as renewed:  # logs in again, then the parcel is unknown
        vtp_adapter.label(tracking_numbers=["10345381601"])

    assert (expired.value.code, unknown.value.code) == ("expired_token", "vtp_401")
    assert (renewed.value.code, renewed.value.message) == (
        "not_found",
        "Không tìm thấy vận đơn 10345381601",
    )


@pytest.mark.parametrize("business_status", [400, 204, 500])
def test_the_envelope_status_of_a_business_error(
    vtp_sandbox, vtp_adapter, vtp_request, business_status
):
    vtp_sandbox.business_status = business_status

    with pytest.raises(ExternalError) as caught:
        vtp_adapter.create(request=replace(vtp_request, service_code="XYZ"))

    expected = TransientError if business_status == 500 else PermanentError
    assert type(caught.value) is expected
    assert (caught.value.code, caught.value.message) == (
        f"vtp_{business_status}",
        "Mã dịch vụ không hợp lệ: XYZ",
    )


def test_a_create_whose_confirmation_failed_is_confirmed_later(
    vtp_sandbox, vtp_adapter, vtp_request
):
    vtp_sandbox.add_fault(Fault("error", status=502, path="/order/UpdateOrder"))

    created = vtp_adapter.create(request=vtp_request)

    assert (created.raw["confirmed"], created.raw["confirm_error"]) == (False, "Bad Gateway")
    assert vtp_sandbox.status_of(created.tracking_number) == -100
    vtp_adapter.confirm(tracking_number=created.tracking_number)
    assert vtp_sandbox.status_of(created.tracking_number) == 100


def test_the_demo_tick_moves_open_parcels_and_waits_at_505(vtp_sandbox, vtp_adapter, vtp_request):
    numbers = [
        vtp_adapter.create(request=replace(vtp_request, reference=f"SO-{n}-1")).tracking_number
        for n in range(1, 7)
    ]  # by crc32 % 5 the third waybill (10345381603) fails its delivery
    failing = numbers[2]

    ticks = [_post(vtp_sandbox, "step").json()["moved"] for _ in range(10)]

    assert ticks[0] == [[n, 103] for n in numbers]
    assert {vtp_sandbox.status_of(n) for n in numbers if n != failing} == {501}
    assert vtp_sandbox.status_of(failing) == 505
    assert ticks[-1] == []
    vtp_adapter.return_to_sender(tracking_numbers=[failing])
    assert vtp_sandbox.step_all() == [(failing, 502)]
    assert vtp_sandbox.step_all() == [(failing, 504)]
    assert vtp_adapter.parcel(tracking_number=failing).state == ParcelState.RETURNED


def test_the_command_line_serves_until_stopped():
    process = subprocess.Popen(
        [sys.executable, "-m", "shipping.sandbox.viettel_post", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        banner = process.stdout.readline()
        base = banner.split()[3]
        login = {"USERNAME": "0987654321", "PASSWORD": "vtp-sandbox-pass"}
        short = requests.post(f"{base}/user/Login", json=login, timeout=30).json()["data"]
        owner = requests.post(
            f"{base}/user/ownerconnect", json=login, headers={"Token": short["token"]}, timeout=30
        ).json()["data"]
        answer = requests.get(
            f"{base}/categories/listProvinceById?provinceId=2",
            headers={"Token": owner["token"]},
            timeout=30,
        )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)

    assert banner.endswith("login 0987654321 / vtp-sandbox-pass\n")
    assert answer.json()["data"] == [
        {"PROVINCE_ID": 2, "PROVINCE_CODE": "HCM", "PROVINCE_NAME": "HỒ CHÍ MINH"}
    ]
    assert process.returncode == 0
