"""Viettel Post partner API v2 pieces that need no HTTP (carriers_einvoice.md section B): the
status table, local-time and number parsing, the envelope check and its error mapping, service
levels and the webhook body.

Pure functions, so the tests check them directly and the adapter stays transport only. The
carrier is tolerant where the doc says values vary: ids, money and statuses may come as JSON
numbers or as strings, `LOCALION_CURRENTLY` is also spelt `LOCATION_CURRENTLY`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from shipping.adapters.base import (
    AddressError,
    AuthError,
    CarrierError,
    CarrierEvent,
    ParcelState,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)

ICT = timezone(timedelta(hours=7), "ICT")  # Viettel Post speaks Vietnam local time
DATE_FORMAT = "%d/%m/%Y %H:%M:%S"  # ORDER_STATUSDATE, DELIVERY_DATE (dd/MM/yyyy HH:mm:ss)

S = ParcelState
# B.8, every documented ORDER_STATUS. 106 (the partner asks for the goods back) and 510 (the
# delivery assignment is withdrawn) have no group in the doc: 106 needs a person (EXCEPTION),
# 510 leaves the parcel at the delivery office (IN_TRANSIT).
STATUS_MAP: dict[str, ParcelState] = {
    "-100": S.CREATED,
    "100": S.CREATED,
    "101": S.CANCELLED,
    "102": S.CREATED,
    "103": S.PICKING,
    "104": S.PICKING,
    "105": S.PICKED_UP,
    "106": S.EXCEPTION,
    "107": S.CANCELLED,
    "200": S.IN_TRANSIT,
    "201": S.CANCELLED,
    "202": S.IN_TRANSIT,
    "300": S.IN_TRANSIT,
    "301": S.IN_TRANSIT,
    "302": S.IN_TRANSIT,
    "303": S.IN_TRANSIT,
    "400": S.IN_TRANSIT,
    "401": S.IN_TRANSIT,
    "402": S.IN_TRANSIT,
    "403": S.IN_TRANSIT,
    "500": S.DELIVERING,
    "501": S.DELIVERED,
    "502": S.RETURNING,
    "503": S.CANCELLED,
    "504": S.RETURNED,
    "505": S.WAITING_ACTION,
    "506": S.DELIVERY_FAILED,
    "507": S.WAITING_ACTION,
    "508": S.DELIVERING,
    "509": S.IN_TRANSIT,
    "510": S.IN_TRANSIT,
    "515": S.RETURNING,
    "550": S.DELIVERING,
}
# With IS_RETURNING the movement statuses are the way back to the sender.
RETURNING_STATES = {S.IN_TRANSIT: S.RETURNING, S.DELIVERING: S.RETURNING, S.DELIVERED: S.RETURNED}

# Service levels: codes seen in VTP price lists, then words of TEN_DICHVU; anything else is
# economy (the cheaper assumption).
EXPRESS_CODES = frozenset({"VCN", "NCOD", "VHT", "PHS", "VCBA", "VBS", "VBE", "V60", "PTN"})
ECONOMY_CODES = frozenset({"VTK", "LCOD", "SCOD", "VCBO", "ECOD", "VBD"})
EXPRESS_WORDS = ("nhanh", "hoa toc", "express", "hom sau", "trong ngay", "duong bay")
EXPIRED_WORDS = ("het han", "expired")
TOKEN_WORDS = ("token",)
DUPLICATE_WORDS = ("da ton tai", "bi trung", "trung lap", "trung ma", "duplicate", "already exist")
NOT_FOUND_WORDS = ("khong tim thay", "khong ton tai", "not found", "does not exist")
# Our field for a refused address, from the carrier's field name or its Vietnamese words.
ADDRESS_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ward", ("_ward", "phuong", "xa ", "xa/", "/xa", "ward")),
    ("district", ("_district", "quan/", "quan ", "huyen", "district")),
    ("province", ("_province", "tinh/", "tinh ", "thanh pho", "province")),
    ("phone", ("_phone", "dien thoai", "sdt", "phone")),
    ("name", ("_fullname", "ho ten", "ten nguoi", "full name", "fullname")),
    ("address", ("_address", "dia chi", "address")),
)
NOT_ADDRESS_WORDS = (
    "dich vu",
    "service",
    "tuyen",
    "ma don",
    "order_number",
    "token",
    "tinh phi",
    "tinh cuoc",
    "tinh duoc",
    "tinh gia",
    " phi ",
    "cuoc",
    "quan ly",
)
SENDER_WORDS = ("sender_", "nguoi gui", "sender", "kho hang")


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ -> d), for matching the carrier's words."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


# -- numbers and times -----------------------------------------------------------------------
def money(value: Any) -> Decimal | None:
    """Whole dong from a JSON number or a numeric string ("32000", "32,000", " 32000.0 ")."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def integer(value: Any) -> int | None:
    amount = money(value)
    return int(amount) if amount is not None else None


def code_text(value: Any) -> str:
    """A carrier id or status as our string: 501, "501" and 501.0 are all "501"."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float | Decimal):
        number = integer(value)
        return str(number) if number is not None else ""
    text = str(value).strip()  # a string keeps its leading zeros ("0123" stays "0123")
    return re.sub(r"^(-?\d+)\.0+$", r"\1", text)


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def local_text(moment: datetime) -> str:
    return moment.astimezone(ICT).strftime(DATE_FORMAT)


def parse_local(value: Any) -> datetime | None:
    """`dd/MM/yyyy HH:mm:ss` in ICT (also without seconds, or ISO 8601) -> aware datetime."""
    text = str(value or "").strip()
    if not text:
        return None
    for pattern in (DATE_FORMAT, "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=ICT)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=ICT)


def lead_time(value: Any, now: datetime) -> datetime | None:
    """THOI_GIAN / KPI_HT: hours as a number, or text such as "24 giờ", "2 ngày"."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return now + timedelta(hours=float(value))
    text = fold(str(value))
    found = re.search(r"(\d+(?:[.,]\d+)?)", text)
    if found is None:
        return None
    number = float(found.group(1).replace(",", "."))
    days = "ngay" in text[found.end() :] or "day" in text[found.end() :]
    return now + (timedelta(days=number) if days else timedelta(hours=number))


# -- envelope and errors ---------------------------------------------------------------------
def body_status(body: Mapping[str, Any]) -> int | None:
    return integer(body.get("status"))


def envelope_ok(body: Mapping[str, Any]) -> bool:
    """B.3: success is `error` false and `status` 200 (a missing status is not an error)."""
    status = body_status(body)
    return not truthy(body.get("error")) and status in (None, 200)


def error_for(body: Mapping[str, Any]) -> CarrierError:
    """The exception for an envelope that is not a success (B.2, B.3)."""
    message = str(body.get("message") or "")
    status = body_status(body)
    code = f"vtp_{status}" if status is not None else "vtp_error"
    key = str(body.get("messageKey") or "")
    words = fold(message)
    if key.upper() == "EXPIRED_TOKEN" or any(w in words for w in EXPIRED_WORDS):
        return AuthError("expired_token", message)
    if status in (401, 403) or (any(w in words for w in TOKEN_WORDS) and status != 200):
        return AuthError(code, message)
    if status == 429:
        return RateLimited(code, message, retry_after=1.0)
    if status is not None and status >= 500:
        return TransientError(code, message)
    if any(w in words for w in DUPLICATE_WORDS):
        return PermanentError("duplicate_reference", message)
    field = address_field(message)
    if field is not None:
        side = "sender" if any(w in words for w in SENDER_WORDS) else "receiver"
        return AddressError(f"invalid_{field}", message, field=field, side=side)
    if any(w in words for w in NOT_FOUND_WORDS) or status == 404:
        return PermanentError("not_found", message)
    return PermanentError(code, message)


def address_field(message: str) -> str | None:
    """Our field named by a message that refuses an address ("Phường/xã người nhận không tồn
    tại" -> "ward"), or None when the message is about something else."""
    words = fold(message) + " "
    if any(w in words for w in NOT_ADDRESS_WORDS):
        return None
    for ours, marks in ADDRESS_FIELDS:
        if any(mark in words for mark in marks):
            return ours
    return None


def is_not_found(error: CarrierError) -> bool:
    return error.code == "not_found"


def service_level(code: str, name: str) -> str:
    upper = code.strip().upper()
    if upper in EXPRESS_CODES:
        return "express"
    if upper in ECONOMY_CODES:
        return "economy"
    words = fold(name)
    return "express" if any(w in words for w in EXPRESS_WORDS) else "economy"


# -- webhooks and tracking items -------------------------------------------------------------
def state_of(item: Mapping[str, Any]) -> tuple[str, ParcelState]:
    status = code_text(item.get("ORDER_STATUS"))
    state = STATUS_MAP.get(status, ParcelState.EXCEPTION)
    if truthy(item.get("IS_RETURNING")):
        state = RETURNING_STATES.get(state, state)
    return status, state


def location(item: Mapping[str, Any]) -> str:
    return str(item.get("LOCALION_CURRENTLY") or item.get("LOCATION_CURRENTLY") or "").strip()


def reason(item: Mapping[str, Any]) -> str:
    """NOTE, then the current location in brackets: "Khách không nghe máy (Bưu cục Cầu Giấy)"."""
    note, place = str(item.get("NOTE") or "").strip(), location(item)
    if note and place:
        return f"{note} ({place})"
    return note or place


def event_from(item: Mapping[str, Any]) -> CarrierEvent:
    tracking = code_text(item.get("ORDER_NUMBER"))
    occurred = parse_local(item.get("ORDER_STATUSDATE"))
    if not tracking:
        raise PayloadError("missing_field", "ORDER_NUMBER is missing", field="ORDER_NUMBER")
    if occurred is None:
        raise PayloadError(
            "bad_field", "ORDER_STATUSDATE is missing or unreadable", field="ORDER_STATUSDATE"
        )
    status, state = state_of(item)
    if not status:
        raise PayloadError("missing_field", "ORDER_STATUS is missing", field="ORDER_STATUS")
    return CarrierEvent(
        tracking_number=tracking,
        reference=str(item.get("ORDER_REFERENCE") or "").strip(),
        state=state,
        carrier_status=status,
        occurred_at=occurred,
        reason=reason(item),
        cod_amount=money(item.get("MONEY_COLLECTION")),
        fee=money(item.get("MONEY_TOTAL")),
        weight_g=integer(item.get("PRODUCT_WEIGHT")),
        raw=dict(item),
    )


def webhook_items(body: bytes) -> list[Mapping[str, Any]]:
    """The DATA of a callback `{"DATA": {...}, "TOKEN": "..."}`; DATA may also be a list."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("bad_json", "the callback body is not JSON", field="body") from None
    if not isinstance(document, dict):
        raise PayloadError("bad_body", "the callback body is not an object", field="body")
    data = document.get("DATA", document.get("data"))
    given = data if isinstance(data, list) else [data]
    items: list[Mapping[str, Any]] = [x for x in given if isinstance(x, dict)]
    if not items or len(items) != len(given):
        raise PayloadError("missing_field", "DATA is missing or not an object", field="DATA")
    return items


def webhook_token(body: bytes) -> str:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(document, dict):
        return ""
    return str(document.get("TOKEN") or document.get("token") or "")
