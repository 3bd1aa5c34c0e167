"""Viettel Post webhooks: verification, parsing of what the sandbox really sends (each status
group, retries, replays) and of the variants the doc lists; the status table and protocol
helpers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from shipping.adapters import viettel_post_protocol as proto
from shipping.adapters.base import ParcelState, PayloadError
from shipping.adapters.viettel_post import ViettelPostAdapter
from shipping.sandbox import viettel_post_data

S = ParcelState
SECRET = "vtp-webhook-secret"


def _body(data, token=SECRET) -> bytes:
    return json.dumps({"DATA": data, "TOKEN": token}, ensure_ascii=False).encode()


def _events(bodies: list[bytes]):
    return [e for body in bodies for e in ViettelPostAdapter.parse_webhook(body)]


@pytest.fixture
def vtp_parcel(vtp_sandbox, vtp_adapter, vtp_request, vtp_receiver) -> str:
    """A created, confirmed parcel whose webhooks go to vtp_receiver (TOKEN = SECRET)."""
    vtp_sandbox.configure_webhook(vtp_receiver.url, SECRET)
    return vtp_adapter.create(request=vtp_request).tracking_number


# -- verification --------------------------------------------------------------------------------


def test_verify_the_body_token():
    body = _body({"ORDER_NUMBER": "1"})

    assert ViettelPostAdapter.verify_webhook(secret=SECRET, body=body, headers={}, query={})
    assert not ViettelPostAdapter.verify_webhook(
        secret="another-secret", body=body, headers={}, query={}
    )


def test_verify_an_authorization_header():
    body = _body({"ORDER_NUMBER": "1"}, token="")

    assert ViettelPostAdapter.verify_webhook(
        secret=SECRET, body=body, headers={"authorization": SECRET}, query={}
    )
    assert ViettelPostAdapter.verify_webhook(
        secret=SECRET, body=body, headers={"Authorization": f"Bearer {SECRET}"}, query={}
    )
    assert not ViettelPostAdapter.verify_webhook(
        secret=SECRET, body=body, headers={"Authorization": "nope"}, query={}
    )


def test_verify_refuses_without_a_secret_or_a_token():
    assert not ViettelPostAdapter.verify_webhook(
        secret="", body=_body({}, token=""), headers={}, query={}
    )
    assert not ViettelPostAdapter.verify_webhook(secret="", body=_body({}), headers={}, query={})
    assert not ViettelPostAdapter.verify_webhook(
        secret=SECRET, body=_body({}, token=""), headers={}, query={"token": SECRET}
    )
    assert not ViettelPostAdapter.verify_webhook(
        secret=SECRET, body=b"not json", headers={}, query={}
    )


# -- what the sandbox sends ----------------------------------------------------------------------


def test_the_return_path_webhooks(vtp_sandbox, vtp_receiver, vtp_parcel):
    vtp_sandbox.run_scenario(vtp_parcel, "return")
    assert vtp_sandbox.flush_webhooks()

    events = _events(vtp_receiver.bodies)

    assert [(e.carrier_status, e.state) for e in events] == [
        ("-100", S.CREATED),
        ("100", S.CREATED),
        ("103", S.PICKING),
        ("104", S.PICKING),
        ("105", S.PICKED_UP),
        ("200", S.IN_TRANSIT),
        ("300", S.IN_TRANSIT),
        ("400", S.IN_TRANSIT),
        ("500", S.DELIVERING),
        ("506", S.DELIVERY_FAILED),
        ("505", S.WAITING_ACTION),
        ("515", S.RETURNING),
        ("502", S.RETURNING),
        ("504", S.RETURNED),
    ]
    assert all(
        ViettelPostAdapter.verify_webhook(secret=SECRET, body=b, headers={}, query={})
        for b in vtp_receiver.bodies
    )
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    assert len(set(times)) == 14
    assert {t.utcoffset().total_seconds() for t in times} == {7 * 3600.0}
    failed = events[9]
    assert failed.reason == "Khách không nghe máy, hẹn giao lại (Bưu cục Quận 1)"
    assert (failed.tracking_number, failed.reference) == (vtp_parcel, "SO-1001-1")
    assert (failed.cod_amount, failed.fee, failed.weight_g) == (
        Decimal(300000),
        Decimal(49680),
        600,
    )
    assert [e.raw["IS_RETURNING"] for e in events[-3:]] == [True, True, True]


def test_the_delivered_and_cancelled_webhooks(
    vtp_sandbox, vtp_adapter, vtp_request, vtp_receiver, vtp_parcel
):
    second = vtp_adapter.create(request=replace(vtp_request, reference="SO-1002-1"))
    vtp_sandbox.run_scenario(vtp_parcel, "deliver")
    vtp_adapter.cancel(tracking_numbers=[second.tracking_number])
    assert vtp_sandbox.flush_webhooks()

    last = {e.tracking_number: e for e in _events(vtp_receiver.bodies)}

    delivered, cancelled = last[vtp_parcel], last[second.tracking_number]
    assert (delivered.carrier_status, delivered.state) == ("501", S.DELIVERED)
    assert delivered.raw["STATUS_NAME"] == "Phát thành công"
    assert (cancelled.carrier_status, cancelled.state) == ("107", S.CANCELLED)
    assert cancelled.reason == "Hủy đơn (Bưu cục Quận Hoàn Kiếm)"


def test_a_replayed_event_has_the_same_key(vtp_sandbox, vtp_receiver, vtp_parcel):
    vtp_sandbox.set_status(vtp_parcel, 105)
    vtp_sandbox.replay(vtp_parcel)
    assert vtp_sandbox.flush_webhooks()

    *_, first, again = _events(vtp_receiver.bodies)

    assert first.key == again.key == f"{vtp_parcel}|105|{first.occurred_at.isoformat()}"
    assert first == again


def test_duplicate_sends_parse_to_one_key(vtp_sandbox, vtp_receiver, vtp_parcel):
    vtp_sandbox.configure_webhook(vtp_receiver.url, SECRET, duplicate=True)
    vtp_sandbox.set_status(vtp_parcel, 103)
    assert vtp_sandbox.flush_webhooks()

    last_two = _events(vtp_receiver.bodies)[-2:]

    assert [e.carrier_status for e in last_two] == ["103", "103"]
    assert last_two[0].key == last_two[1].key


def test_a_refused_webhook_is_retried(vtp_sandbox, vtp_receiver, vtp_parcel):
    assert vtp_sandbox.flush_webhooks()
    vtp_receiver.fail_first = len(vtp_receiver.bodies) + 2
    before = len(vtp_sandbox.deliveries)

    vtp_sandbox.set_status(vtp_parcel, 103)
    assert vtp_sandbox.flush_webhooks()

    tries = vtp_sandbox.deliveries[before:]
    assert [(d.attempt, d.status, d.ok) for d in tries] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    assert len({d.body for d in tries}) == 1


def test_a_webhook_that_always_fails_gives_up(vtp_sandbox, vtp_receiver, vtp_parcel):
    assert vtp_sandbox.flush_webhooks()
    vtp_receiver.fail_first = 1000
    before = len(vtp_sandbox.deliveries)

    vtp_sandbox.set_status(vtp_parcel, 103)
    assert vtp_sandbox.flush_webhooks()

    assert [d.attempt for d in vtp_sandbox.deliveries[before:]] == [1, 2, 3, 4]


def test_string_numbers_and_the_correct_spelling(vtp_sandbox, vtp_receiver, vtp_parcel):
    vtp_sandbox.string_numbers = True
    vtp_sandbox.location_key = "LOCATION_CURRENTLY"
    vtp_sandbox.set_status(vtp_parcel, 500, location="Bưu cục Bến Nghé")
    assert vtp_sandbox.flush_webhooks()

    last = _events(vtp_receiver.bodies)[-1]

    assert last.raw["ORDER_STATUS"] == "500"
    assert (last.carrier_status, last.state, last.reason) == (
        "500",
        S.DELIVERING,
        "Bưu cục Bến Nghé",
    )
    assert (last.cod_amount, last.fee, last.weight_g) == (Decimal(300000), Decimal(49680), 600)


# -- the variants of the doc ---------------------------------------------------------------------

DOC_SAMPLE = (
    '{"DATA":{"ORDER_NUMBER":"DMK83559","ORDER_REFERENCE":"TKS1801492",'
    '"ORDER_STATUSDATE":"13/12/2018 17:34:05","ORDER_STATUS":501,"STATUS_NAME":"...",'
    '"LOCATION_CURRENTLY":"TT Quận 1 - Hồ Chí Minh","NOTE":"Giao cho bưu cục",'
    '"MONEY_COLLECTION":1500000,"MONEY_FEECOD":0,"MONEY_TOTAL":45650,'
    '"EXPECTED_DELIVERY":"Khoảng 2 ngày làm việc","PRODUCT_WEIGHT":245,"ORDER_SERVICE":"SCOD"},'
    '"TOKEN":""}'
).encode()


def test_the_sample_of_the_doc():
    (event,) = ViettelPostAdapter.parse_webhook(DOC_SAMPLE)

    assert (event.tracking_number, event.reference) == ("DMK83559", "TKS1801492")
    assert (event.carrier_status, event.state) == ("501", S.DELIVERED)
    assert event.occurred_at == datetime(2018, 12, 13, 17, 34, 5, tzinfo=proto.ICT)
    assert event.reason == "Giao cho bưu cục (TT Quận 1 - Hồ Chí Minh)"
    assert (event.cod_amount, event.fee, event.weight_g) == (Decimal(1500000), Decimal(45650), 245)
    assert not ViettelPostAdapter.verify_webhook(
        secret=SECRET, body=DOC_SAMPLE, headers={}, query={}
    )


def test_misspelt_location_string_status_and_a_list_of_data():
    body = _body(
        [
            {
                "ORDER_NUMBER": 10345381601,
                "ORDER_STATUSDATE": "07/12/2026 09:05",
                "ORDER_STATUS": "506",
                "LOCALION_CURRENTLY": "Bưu cục Cầu Giấy",
                "MONEY_COLLECTION": "250,000",
                "IS_RETURNING": "false",
            },
            {
                "ORDER_NUMBER": "10345381601",
                "ORDER_STATUSDATE": "07/12/2026 18:00:00",
                "ORDER_STATUS": 200,
                "IS_RETURNING": True,
            },
        ]
    )

    first, second = ViettelPostAdapter.parse_webhook(body)

    assert (first.tracking_number, first.carrier_status, first.state) == (
        "10345381601",
        "506",
        S.DELIVERY_FAILED,
    )
    assert (first.reason, first.cod_amount, first.fee) == (
        "Bưu cục Cầu Giấy",
        Decimal(250000),
        None,
    )
    assert first.occurred_at == datetime(2026, 12, 7, 9, 5, tzinfo=proto.ICT)
    assert (second.carrier_status, second.state) == ("200", S.RETURNING)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"{not json", "bad_json", "body"),
        (b"[1, 2]", "bad_body", "body"),
        (b'{"TOKEN": "x"}', "missing_field", "DATA"),
        (
            _body({"ORDER_STATUS": 501, "ORDER_STATUSDATE": "13/12/2018 17:34:05"}),
            "missing_field",
            "ORDER_NUMBER",
        ),
        (
            _body({"ORDER_NUMBER": "1", "ORDER_STATUS": 501, "ORDER_STATUSDATE": "yesterday"}),
            "bad_field",
            "ORDER_STATUSDATE",
        ),
        (
            _body({"ORDER_NUMBER": "1", "ORDER_STATUSDATE": "13/12/2018 17:34:05"}),
            "missing_field",
            "ORDER_STATUS",
        ),
    ],
)
def test_a_body_that_cannot_be_used(body, code, field):
    with pytest.raises(PayloadError) as caught:
        ViettelPostAdapter.parse_webhook(body)

    assert (caught.value.code, caught.value.field) == (code, field)


def test_an_unknown_status_is_an_exception():
    body = _body(
        {"ORDER_NUMBER": "1", "ORDER_STATUS": 999, "ORDER_STATUSDATE": "13/12/2018 17:34:05"}
    )

    (event,) = ViettelPostAdapter.parse_webhook(body)

    assert (event.carrier_status, event.state) == ("999", S.EXCEPTION)


# -- the status table and helpers ----------------------------------------------------------------


def test_every_documented_status_is_mapped():
    documented = {str(code) for code in viettel_post_data.STATUS_NAMES}

    assert set(ViettelPostAdapter.STATUS_MAP) == documented
    assert len(documented) == 33


def test_returning_movements_map_to_the_way_back():
    def state(status, returning):
        return proto.state_of({"ORDER_STATUS": status, "IS_RETURNING": returning})[1]

    assert [state(200, True), state(500, True), state(501, True), state(501, False)] == [
        S.RETURNING,
        S.RETURNING,
        S.RETURNED,
        S.DELIVERED,
    ]


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (32000, Decimal(32000)),
        ("32000", Decimal(32000)),
        ("32,000", Decimal(32000)),
        (32000.4, Decimal(32000)),
        ("", None),
        (None, None),
        ("abc", None),
        (True, None),
    ],
)
def test_money_is_tolerant(value, amount):
    assert proto.money(value) == amount


def test_codes_keep_leading_zeros_of_strings():
    assert [proto.code_text(v) for v in (501, "501", 501.0, "0123", " 77 ", "DMK83559", None)] == [
        "501",
        "501",
        "501",
        "0123",
        "77",
        "DMK83559",
        "",
    ]


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("Phường/xã người nhận không tồn tại", "ward"),
        ("RECEIVER_WARDS không hợp lệ", "ward"),
        ("Quận/huyện người gửi không tồn tại", "district"),
        ("Tỉnh người nhận không hợp lệ", "province"),
        ("Số điện thoại người nhận không hợp lệ", "phone"),
        ("Dịch vụ VHT không hỗ trợ tuyến này", None),
        ("Không tính được phí cho đơn này", None),
        ("Trọng lượng hàng hóa phải lớn hơn 0", None),
    ],
)
def test_address_field_of_a_message(message, field):
    assert proto.address_field(message) == field


def test_the_sandbox_gives_a_webhook_body_to_post_by_hand(vtp_sandbox, vtp_parcel):
    vtp_sandbox.set_status(vtp_parcel, 501)

    body = vtp_sandbox.webhook_body(vtp_parcel, token="my-secret")

    assert ViettelPostAdapter.verify_webhook(secret="my-secret", body=body, headers={}, query={})
    (event,) = ViettelPostAdapter.parse_webhook(body)
    assert (event.tracking_number, event.state) == (vtp_parcel, S.DELIVERED)
