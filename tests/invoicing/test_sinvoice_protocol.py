"""S-Invoice pieces without HTTP: the error shapes of C.13 (errorCode null, string or int; the
`{code, message, data}` and `{error}` shapes; any key casing), times, tolerant reading, the
exact JSON numbers and the XML in one or two zips."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from common.external import AuthError, PermanentError, RateLimited, TransientError
from invoicing.adapters import sinvoice_protocol as proto
from invoicing.adapters.sinvoice_payload import dumps, phone


@pytest.mark.parametrize(
    "document",
    [
        {"errorCode": None, "description": None, "result": {"invoiceNo": "C26TAA1"}},
        {"errorCode": "", "description": ""},
        {"ErrorCode": None, "Description": None},
        {"access_token": "t", "expires_in": "600"},
        {"code": 200, "message": "OK", "data": {}},
        {"error": False},
        {"errorCode": 0, "description": "Thành công"},
        {"code": "00", "message": "Thành công"},
    ],
)
def test_successes(document: dict) -> None:
    assert proto.failure(200, document) is None


@pytest.mark.parametrize(
    ("status", "document", "kind", "code", "message"),
    [
        (
            200,
            {"errorCode": "ERR", "description": "Sai mẫu số"},
            PermanentError,
            "ERR",
            "Sai mẫu số",
        ),
        (
            200,
            {"errorCode": 400, "description": "Dữ liệu không hợp lệ"},
            PermanentError,
            "400",
            "Dữ liệu không hợp lệ",
        ),
        (
            200,
            {"ErrorCode": "INVALID_TAX_CODE", "Description": "MST sai"},
            PermanentError,
            "INVALID_TAX_CODE",
            "MST sai",
        ),
        (200, {"error_code": "E1", "description": "x"}, PermanentError, "E1", "x"),
        (
            400,
            {"code": 400, "message": "Bad Request", "data": "Thiếu itemInfo"},
            PermanentError,
            "400",
            "Thiếu itemInfo",
        ),
        (400, {"code": 400, "message": "Bad Request"}, PermanentError, "400", "Bad Request"),
        (
            401,
            {"error": "invalid_token", "error_description": "Access token expired"},
            AuthError,
            "http_401",
            "Access token expired",
        ),
        (403, None, AuthError, "http_403", "Forbidden"),
        (200, {"errorCode": 401, "description": "Unauthorized"}, AuthError, "401", "Unauthorized"),
        (
            200,
            {"errorCode": "TOKEN_EXPIRED", "description": "Hết hạn"},
            AuthError,
            "TOKEN_EXPIRED",
            "Hết hạn",
        ),
        (
            400,
            {"error": "invalid_grant", "error_description": "Bad credentials"},
            AuthError,
            "invalid_grant",
            "Bad credentials",
        ),
        (500, None, TransientError, "http_500", "Forbidden"),
        (
            503,
            {"code": 503, "message": "Service Unavailable"},
            TransientError,
            "http_503",
            "Service Unavailable",
        ),
        (500, {"code": 401, "message": "Token hết hạn"}, AuthError, "401", "Token hết hạn"),
        (429, {}, RateLimited, "http_429", "Forbidden"),
        (404, None, PermanentError, "http_404", "Forbidden"),
        (200, None, TransientError, "http_200", "the answer is not a JSON object"),
    ],
)
def test_failures(status: int, document: object, kind: type, code: str, message: str) -> None:
    error = proto.failure(status, document, reason="Forbidden")
    assert type(error) is kind
    assert (error.code, error.message) == (code, message)  # type: ignore[union-attr]


def test_not_found_and_not_ready_words() -> None:
    assert proto.is_not_found(PermanentError("NOT_FOUND_DATA", "x"))
    assert proto.is_not_found(PermanentError("ERR", "Không tìm thấy hóa đơn"))
    assert not proto.is_not_found(PermanentError("ERR", "Sai mẫu số"))
    assert proto.is_not_ready(PermanentError("ERR", "Hóa đơn đang xử lý, vui lòng thử lại"))
    assert proto.is_not_ready(PermanentError("ERR", "Hóa đơn đang được xử lý"))
    assert proto.is_not_ready(PermanentError("FILE_NOT_READY", ""))
    assert not proto.is_not_ready(PermanentError("INVOICE_NOT_FOUND", "Không tìm thấy"))


def test_times_in_milliseconds_gmt7() -> None:
    moment = datetime(2026, 12, 7, 1, 2, 3, 999000, tzinfo=UTC)
    assert proto.ms(moment) == 1796605323000
    assert proto.day_ms(date(2026, 12, 7)) == 1796576400000
    assert proto.parse_time(1796605323000) == moment.replace(microsecond=0)
    assert proto.parse_time("1796605323000") == moment.replace(microsecond=0)
    assert proto.parse_time("2026-12-07 08:02:03") == moment.replace(microsecond=0)
    assert proto.parse_time("07/12/2026 08:02:03") == moment.replace(microsecond=0)
    assert proto.parse_time("") is None
    with pytest.raises(ValueError, match="aware"):
        proto.ms(datetime(2026, 12, 7))


def test_tolerant_reading() -> None:
    assert proto.pick({"InvoiceNo": "C26TAA1"}, "invoiceNo") == "C26TAA1"
    assert proto.pick({"invoice_no": "C26TAA2"}, "invoiceNo") == "C26TAA2"
    assert proto.text(12.0) == "12"
    assert proto.number("1,500") == Decimal(1500)
    assert proto.first_result({"result": [{"a": 1}]}) == {"a": 1}
    assert proto.first_result({"Result": {"a": 2}}) == {"a": 2}
    assert proto.first_result({"result": []}) is None
    assert proto.series_of("C26TAA123") == "C26TAA"
    assert proto.series_of("") == ""


def test_json_numbers_are_exact() -> None:
    body = {"a": Decimal("1500"), "b": Decimal("0.5"), "c": [Decimal("-150000")], "d": "x"}
    assert dumps(body) == b'{"a": 1500, "b": 0.5, "c": [-150000], "d": "x"}'
    assert dumps({"t": "Đơn 1"}) == '{"t": "Đơn 1"}'.encode()


def test_phone_digits() -> None:
    assert phone("+84 912 345 678") == "0084912345678"
    assert phone("024.3825.7670") == "02438257670"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_xml_from_one_or_two_zips() -> None:
    inner = _zip({"inv.xsl": b"<xsl/>", "inv.xml": b"<HDon/>"})
    assert proto.xml_from_zip(_zip({"inv.zip": inner})) == ("inv.xml", b"<HDon/>")
    assert proto.xml_from_zip(inner) == ("inv.xml", b"<HDon/>")
    assert proto.xml_from_zip(b"not a zip") is None
    assert proto.xml_from_zip(_zip({"readme.txt": b"x"})) is None
