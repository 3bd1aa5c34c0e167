"""Viettel Post protocol pieces without HTTP: local time (ICT, across midnight), lead times,
the envelope's error mapping and the shapes of answers other servers may give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shipping.adapters import viettel_post_parse as parse
from shipping.adapters import viettel_post_protocol as proto
from shipping.adapters.base import (
    AddressError,
    AuthError,
    ParcelState,
    PermanentError,
    RateLimited,
    TransientError,
)

NOW = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)  # 00:30 on 8 December in Vietnam


def test_local_time_crosses_midnight_in_vietnam():
    assert proto.local_text(NOW) == "08/12/2026 00:30:00"
    assert proto.parse_local("08/12/2026 00:30:00") == NOW
    assert proto.parse_local("08/12/2026 00:30") == NOW
    assert proto.parse_local("2026-12-08T00:30:00") == NOW
    assert proto.parse_local("2026-12-07T17:30:00+00:00") == NOW
    assert [proto.parse_local(v) for v in ("", None, "31/02/2026 10:00:00")] == [None, None, None]


@pytest.mark.parametrize(
    ("value", "later"),
    [
        (24, timedelta(hours=24)),
        ("36", timedelta(hours=36)),
        ("24 giờ", timedelta(hours=24)),
        ("Khoảng 2 ngày làm việc", timedelta(days=2)),
        ("1,5 ngày", timedelta(hours=36)),
        ("", None),
        ("sớm", None),
        (None, None),
    ],
)
def test_lead_time(value, later):
    assert proto.lead_time(value, NOW) == (NOW + later if later is not None else None)


@pytest.mark.parametrize(
    ("body", "kind", "code"),
    [
        ({"status": 200, "error": True, "messageKey": "EXPIRED_TOKEN"}, AuthError, "expired_token"),
        ({"status": 400, "error": True, "message": "Token hết hạn"}, AuthError, "expired_token"),
        ({"status": 401, "error": True, "message": "Unauthorized"}, AuthError, "vtp_401"),
        ({"status": 400, "error": True, "message": "Token không đúng"}, AuthError, "vtp_400"),
        ({"status": 429, "error": True, "message": "Quá nhiều yêu cầu"}, RateLimited, "vtp_429"),
        ({"status": 503, "error": True, "message": "Hệ thống bận"}, TransientError, "vtp_503"),
        ({"status": 400, "error": True, "message": "Đơn hàng bị trùng mã"}, PermanentError,
         "duplicate_reference"),
        ({"status": 404, "error": True, "message": "Order missing"}, PermanentError, "not_found"),
        ({"error": True, "message": "Lỗi"}, PermanentError, "vtp_error"),
        ({"status": "400", "error": "true", "message": "Lỗi"}, PermanentError, "vtp_400"),
    ],
)  # fmt: skip
def test_error_mapping(body, kind, code):
    error = proto.error_for(body)

    assert type(error) is kind
    assert (error.code, error.message) == (code, str(body.get("message") or ""))


def test_an_address_error_names_the_side():
    receiver = proto.error_for({"status": 400, "error": True, "message": "Sai mã phường nhận"})
    sender = proto.error_for({"status": 400, "error": True, "message": "SENDER_WARD invalid"})

    assert isinstance(receiver, AddressError)
    assert isinstance(sender, AddressError)
    assert (receiver.field, receiver.side, receiver.code) == ("ward", "receiver", "invalid_ward")
    assert (sender.field, sender.side) == ("ward", "sender")


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ({"status": 200, "error": False}, True),
        ({"status": "200", "error": "false"}, True),
        ({"error": False, "data": []}, True),
        ({"status": 200, "error": True}, False),
        ({"status": 204, "error": False}, False),
    ],
)
def test_envelope_ok(body, ok):
    assert proto.envelope_ok(body) is ok


def test_rows_of_every_shape():
    row = {"PROVINCE_ID": 1}

    assert parse.rows([row, "x"]) == [row]
    assert parse.rows({"data": [row]}) == [row]
    assert parse.rows({"RESULT": [row]}) == [row]
    assert parse.rows(None) == []
    assert parse.as_object([row]) == row


def test_parcel_info_prefers_the_live_parcel_and_its_latest_status():
    rows = [
        {"ORDER_NUMBER": "111", "ORDER_STATUS": 107, "ORDER_STATUSDATE": "07/12/2026 10:00:00"},
        {"ORDER_NUMBER": "222", "ORDER_STATUS": 100, "ORDER_STATUSDATE": "07/12/2026 11:00:00"},
        {"ORDER_NUMBER": "222", "ORDER_STATUS": "105", "ORDER_STATUSDATE": "07/12/2026 12:00:00"},
        {"ORDER_NUMBER": "222", "ORDER_STATUS": 103, "ORDER_STATUSDATE": "07/12/2026 11:30:00"},
    ]

    info = parse.parcel_info(rows, "SO-9-1")

    assert (info.tracking_number, info.reference, info.state, info.carrier_status) == (
        "222",
        "SO-9-1",
        ParcelState.PICKED_UP,
        "105",
    )
    assert (info.fee, info.cod_amount, info.expected_delivery) == (None, None, None)


def test_parcel_info_of_a_cancelled_parcel_alone():
    rows = [{"ORDER_NUMBER": 111, "ORDER_STATUS": 107, "ORDER_STATUSDATE": "07/12/2026 10:00"}]

    info = parse.parcel_info(rows, "")

    assert (info.tracking_number, info.state, info.fee) == ("111", ParcelState.CANCELLED, None)


def test_money_rounds_half_up_to_whole_dong():
    assert [proto.money(v) for v in ("1000.5", 999.49, "1 500 000")] == [
        Decimal(1001),
        Decimal(999),
        Decimal(1500000),
    ]
