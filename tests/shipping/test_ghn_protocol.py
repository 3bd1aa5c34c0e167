"""GHN protocol rules without HTTP: how answers of any GHN-speaking server map onto our errors
(wordings other servers may use), and tolerant values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from common.external import AuthError, PayloadError, PermanentError, RateLimited, TransientError
from shipping.adapters.base import AddressError
from shipping.adapters.ghn_protocol import (
    create_error,
    error_for,
    is_not_found,
    service_level,
    to_datetime,
    to_decimal,
)


def body(code: int, message: str, code_message: str | None = None) -> dict:
    answer = {"code": code, "message": message, "data": None}
    if code_message is not None:
        answer["code_message"] = code_message
    return answer


@pytest.mark.parametrize(
    ("status", "answer", "kind", "code"),
    [
        (401, body(401, "Token is not valid!"), AuthError, "http_401"),
        (400, body(400, "Token không hợp lệ"), AuthError, "http_400"),
        (400, body(400, "bad", "ERR_TOKEN_EXPIRED"), AuthError, "ERR_TOKEN_EXPIRED"),
        (200, body(401, "Unauthorized"), AuthError, "http_200"),
        (400, body(400, "ShopID is invalid: 1", "SHOP_NOT_FOUND"), AuthError, "SHOP_NOT_FOUND"),
        (429, {}, RateLimited, "http_429"),
        (500, {}, TransientError, "http_500"),
        (200, body(500, "busy"), TransientError, "http_200"),
        (404, body(404, "code=404, message=Not Found"), PermanentError, "not_found"),
        (400, body(400, "weight: too heavy", "USER_ERR_COMMON"), PermanentError, "USER_ERR_COMMON"),
    ],
)
def test_error_for(status, answer, kind, code):
    error = error_for(status, answer)
    assert (type(error), error.code) == (kind, code)


@pytest.mark.parametrize(
    ("message", "field", "side"),
    [
        ("to_ward_code: Mã phường/xã không hợp lệ", "ward", "receiver"),
        ("Ward code is invalid", "ward", "receiver"),
        ("Invalid from_ward_code", "ward", "sender"),
        ("to_district_id not found", "district", "receiver"),
        ("Quận/Huyện không tồn tại", "district", "receiver"),
        ("Không tìm thấy Tỉnh/Thành phố", "province", "receiver"),
        ("Số điện thoại không đúng định dạng", "phone", "receiver"),
        ("to_address is required", "address", "receiver"),
    ],
)
def test_address_errors(message, field, side):
    error = create_error(PermanentError("USER_ERR_COMMON", message), "SO-1")
    assert isinstance(error, AddressError)
    assert (error.field, error.side, error.message) == (field, side, message)


@pytest.mark.parametrize(
    "message",
    [
        "client_order_code đã tồn tại",
        "Duplicate client order code SO-1",
        "Order SO-1 already exists",
        "Đơn hàng đã tồn tại",
    ],
)
def test_duplicate_reference(message):
    error = create_error(PermanentError("USER_ERR_COMMON", message), "SO-1")
    assert (type(error), error.code) == (PermanentError, "duplicate_reference")


@pytest.mark.parametrize(
    "message",
    ["Đơn hàng không tồn tại", "weight: Khối lượng tối đa 50000 gram", "forwarding failed"],
)
def test_other_refusals_stay_as_they_came(message):
    error = PermanentError("USER_ERR_COMMON", message)
    assert create_error(error, "") is error


def test_not_found():
    assert is_not_found(PermanentError("USER_ERR_COMMON", "Lỗi: Đơn hàng không tồn tại")) is True
    assert is_not_found(PermanentError("not_found", "")) is True
    assert is_not_found(PermanentError("USER_ERR_COMMON", "weight")) is False
    assert is_not_found(TransientError("not_found", "")) is False


def test_tolerant_values():
    assert [to_decimal(v) for v in (33000, "33000", "33,000", " 33000 ", None, "")] == [
        Decimal(33000),
        Decimal(33000),
        Decimal(33000),
        Decimal(33000),
        None,
        None,
    ]
    ict = timezone(timedelta(hours=7))
    assert to_datetime("2022-01-15T23:59:59Z") == datetime(2022, 1, 15, 23, 59, 59, tzinfo=UTC)
    assert to_datetime("2022-01-15 23:59:59") == datetime(2022, 1, 15, 23, 59, 59, tzinfo=ict)
    assert to_datetime("1642291199") == datetime(2022, 1, 15, 23, 59, 59, tzinfo=UTC)
    with pytest.raises(PayloadError):
        to_decimal(True, "x")


@pytest.mark.parametrize(
    ("type_id", "name", "level"),
    [
        (1, "Nhanh", "express"),
        (2, "Hàng nhẹ", "express"),
        ("2", "", "express"),
        (3, "Tiết kiệm", "economy"),
        (5, "Hàng nặng", "economy"),
        (0, "Hỏa tốc", "express"),
        (0, "Chuẩn", "economy"),
    ],
)
def test_service_level(type_id, name, level):
    assert service_level(type_id, name) == level
