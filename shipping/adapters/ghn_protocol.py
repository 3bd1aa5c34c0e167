"""Giao Hàng Nhanh: the pure parts of the protocol (no HTTP). Status table, tolerant number and
time parsing, the envelope check and error mapping, request field mapping, and the callback
(webhook) parser. Facts: /work/shared/api/carriers_einvoice.md section A.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from common.external import (
    AuthError,
    ExternalError,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)

from .base import (
    AddressError,
    CarrierEvent,
    Endpoint,
    ParcelInfo,
    ParcelState,
    Payer,
    ViewingRule,
)

ICT = timezone(timedelta(hours=7), "ICT")  # Vietnam; GHN writes UTC ("Z") but local when naive

# A.9: every documented status (lowercase snake) -> ours.
STATUS_MAP: Mapping[str, ParcelState] = {
    "ready_to_pick": ParcelState.CREATED,
    "picking": ParcelState.PICKING,
    "money_collect_picking": ParcelState.PICKING,
    "cancel": ParcelState.CANCELLED,
    "picked": ParcelState.PICKED_UP,
    "storing": ParcelState.IN_TRANSIT,
    "transporting": ParcelState.IN_TRANSIT,
    "sorting": ParcelState.IN_TRANSIT,
    "delivering": ParcelState.DELIVERING,
    "money_collect_delivering": ParcelState.DELIVERING,
    "delivered": ParcelState.DELIVERED,
    "delivery_fail": ParcelState.DELIVERY_FAILED,
    "waiting_to_return": ParcelState.WAITING_ACTION,
    "return": ParcelState.RETURNING,
    "return_transporting": ParcelState.RETURNING,
    "return_sorting": ParcelState.RETURNING,
    "returning": ParcelState.RETURNING,
    "return_fail": ParcelState.RETURNING,  # the return attempt failed; GHN tries again
    "returned": ParcelState.RETURNED,
    "exception": ParcelState.EXCEPTION,
    "damage": ParcelState.DAMAGED,
    "lost": ParcelState.LOST,
}

TEXT_MAX = 1024  # A.7: to_name, to_address (and the sender's, likewise) at most 1024
PAYMENT_TYPE = {Payer.SHOP: 1, Payer.BUYER: 2}
REQUIRED_NOTE = {
    ViewingRule.TRY_ON: "CHOTHUHANG",
    ViewingRule.ALLOW_VIEWING: "CHOXEMHANGKHONGTHU",
    ViewingRule.NO_VIEWING: "KHONGCHOXEMHANG",
}
# service_type_id -> our level: 1 "Nhanh" and 2 (e-commerce, light) are express; 3 "Tiết
# kiệm" and 5 (traditional, heavy) are economy. Unknown types fall back on the name.
SERVICE_LEVEL = {1: "express", 2: "express", 3: "economy", 5: "economy"}
EXPRESS_WORDS = ("nhanh", "express", "hoa toc", "thuong mai dien tu", "hang nhe")
# Callback Type: create, switch_status, update_weight, update_cod, update_fee (any case). Each
# carries the parcel's current Status, so every type is read the same way; raw keeps the Type.


def plain(text: str) -> str:
    """Lowercase, no Vietnamese accents (đ -> d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


# -- values -----------------------------------------------------------------------------------


def to_decimal(value: Any, name: str = "") -> Decimal | None:
    """Whole dong from an int, a float-free numeric string ("33000", "33,000") or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PayloadError("bad_number", f"{name} is not a number: {value!r}", field=name)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise PayloadError("bad_number", f"{name} is not a number: {value!r}", field=name) from None
    return number.quantize(Decimal(1))


def to_int(value: Any, name: str = "") -> int | None:
    number = to_decimal(value, name)
    return None if number is None else int(number)


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "ok")
    return bool(value)


def to_datetime(value: Any, name: str = "") -> datetime | None:
    """Aware datetime from ISO-8601 ("...Z", offsets; naive = ICT), "YYYY-MM-DD HH:MM:SS" or
    unix seconds (int or string)."""
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value), tz=UTC)
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError("bad_time", f"{name} is not a time: {value!r}", field=name) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ICT)


def service_level(service_type_id: Any, name: str) -> str:
    level = SERVICE_LEVEL.get(to_int(service_type_id) or 0)
    if level:
        return level
    return "express" if any(w in plain(name) for w in EXPRESS_WORDS) else "economy"


def status_state(status: Any) -> tuple[str, ParcelState]:
    code = str(status or "").strip().lower()
    state = STATUS_MAP.get(code)
    if state is None:
        raise PayloadError("unknown_status", f"unknown GHN status {status!r}", field="status")
    return code, state


# -- envelope and errors ----------------------------------------------------------------------

# A.13: a refused token is 401, or 400 with a code_message and free text (either word order).
TOKEN_REFUSED = re.compile(
    r"token.*(invalid|not valid|expired|khong hop le|het han)"
    r"|(invalid|expired|missing|wrong|unknown)\W+(api\W+)?token"
)
FIELD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ward", ("ward", "phuong")),
    ("district", ("district", "quan/huyen", "quan huyen", "quan, huyen")),
    ("province", ("province", "tinh/thanh", "tinh thanh", "tinh, thanh")),
    ("phone", ("phone", "so dien thoai")),
    ("name", ("to_name", "from_name", "ten nguoi")),
    ("address", ("to_address", "from_address", "dia chi")),
)
DUPLICATE = re.compile(r"(exist|ton tai|duplicat|\btrung\b)")
NOT_FOUND = re.compile(r"(not found|not exist|khong ton tai|khong tim thay|404)")
ORDER_WORDS = ("client_order_code", "clientordercode", "client order code", "don hang", "order")


def address_field(message: str) -> tuple[str, str] | None:
    """(our field, side) when the carrier's message is about an address part."""
    text = plain(message)
    for our_field, words in FIELD_WORDS:
        if any(re.search(r"(?<![a-z])" + re.escape(w), text) for w in words):
            side = "sender" if re.search(r"\b(from|return)_", text) else "receiver"
            return our_field, side
    return None


def error_for(status: int, body: Any) -> ExternalError:
    """The error of an answer that is not a success: HTTP status AND the body's code."""
    body = body if isinstance(body, Mapping) else {}
    code = to_int(body.get("code"), "code") if _numeric(body.get("code")) else None
    code_message = str(body.get("code_message") or "")
    message = str(body.get("message") or "")
    name = code_message or f"http_{status}"
    effective = code if code and code != 200 else status
    if status == 429 or effective == 429:
        return RateLimited(name, message, retry_after=1.0)
    if effective == 404 or status == 404:
        return PermanentError("not_found", message or "not found")
    if status >= 500 or (effective >= 500):
        return TransientError(name, message or f"HTTP {status}")
    if effective in (401, 403) or status in (401, 403) or "TOKEN" in code_message.upper():
        return AuthError(name, message)
    if code_message == "SHOP_NOT_FOUND" or TOKEN_REFUSED.search(plain(message)):
        return AuthError(name, message)
    return PermanentError(name, message)


def _numeric(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


def create_error(error: ExternalError, reference: str) -> ExternalError:
    """A refused create: an address part -> AddressError(field); a used client_order_code ->
    PermanentError("duplicate_reference"); anything else as it came."""
    if type(error) is not PermanentError:
        return error
    text = plain(error.message)
    about_order = any(w in text for w in ORDER_WORDS) or (reference and plain(reference) in text)
    if about_order and DUPLICATE.search(text) and not NOT_FOUND.search(text):
        return PermanentError("duplicate_reference", error.message)
    where = address_field(error.message)
    if where is not None:
        return AddressError(error.code, error.message, field=where[0], side=where[1])
    return error


def is_not_found(error: ExternalError) -> bool:
    return isinstance(error, PermanentError) and (
        error.code == "not_found" or bool(NOT_FOUND.search(plain(error.message)))
    )


# -- callbacks --------------------------------------------------------------------------------


def _folded(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keys without case or underscores: OrderCode, orderCode and order_code are one."""
    return {str(k).replace("_", "").lower(): v for k, v in data.items()}


def callback_event(data: Mapping[str, Any]) -> CarrierEvent:
    f = _folded(data)
    tracking = str(f.get("ordercode") or "").strip()
    if not tracking:
        raise PayloadError("missing_field", "the callback has no OrderCode", field="OrderCode")
    carrier_status, state = status_state(f.get("status"))
    occurred = to_datetime(f.get("time"), "Time")
    if occurred is None:
        raise PayloadError("missing_field", "the callback has no Time", field="Time")
    fee = to_decimal(f.get("totalfee"), "TotalFee")
    fees = f.get("fee")
    if (fee is None or fee == 0) and isinstance(fees, Mapping):
        fee = to_decimal(_folded(fees).get("total"), "Fee.Total") or fee
    reason = str(f.get("reason") or "").strip()
    return CarrierEvent(
        tracking_number=tracking,
        reference=str(f.get("clientordercode") or "").strip(),
        state=state,
        carrier_status=carrier_status,
        occurred_at=occurred,
        reason=reason or str(f.get("description") or "").strip(),
        cod_amount=to_decimal(f.get("codamount"), "CODAmount"),
        fee=fee,
        weight_g=to_int(f.get("weight"), "Weight"),
        raw=dict(data),
    )


# -- request and answer fields -----------------------------------------------------------


def is_open(row: Mapping[str, Any]) -> bool:
    """Master-data rows with Status 2 (locked) are left out."""
    return str(row.get("Status", 1)).strip() != "2"


def district_id(e: Endpoint, side: str = "receiver") -> int:
    """GHN's DistrictID of an endpoint; AddressError when it has none (GHN needs a district,
    also for addresses written in the 2025 two-level form)."""
    code = str(e.district_code).strip()
    if not code.isdigit():
        raise AddressError(
            "no_district", f"GHN needs a district id, not {code!r}", field="district", side=side
        )
    return int(code)


def ward_code(e: Endpoint, side: str = "receiver") -> str:
    code = str(e.ward_code).strip()
    if not code:
        raise AddressError("no_ward", "GHN needs a ward code", field="ward", side=side)
    return code


def numeric_id(code: str, what: str) -> int:
    text = str(code).strip()
    if not text.isdigit():
        raise PermanentError("bad_id", f"not a GHN {what}: {code!r}")
    return int(text)


def service_id(code: str) -> int:
    return numeric_id(code, "service id")


def receiver_fields(e: Endpoint) -> dict[str, Any]:
    return {
        "to_name": e.name[:TEXT_MAX],
        "to_phone": e.phone,
        "to_address": e.address[:TEXT_MAX],
        "to_ward_code": ward_code(e),
        "to_district_id": district_id(e),
    }


def sender_fields(e: Endpoint) -> dict[str, Any]:
    """The create's sender: by name (A.7 documents only from_ward_name, from_district_name,
    from_province_name; without them GHN picks up at the ShopId's registered address), with
    the ids too for a server that reads them; the return address by id (A.7)."""
    ids = {"ward_code": ward_code(e, "sender"), "district_id": district_id(e, "sender")}
    names = {
        "from_ward_name": e.ward_name,
        "from_district_name": e.district_name,
        "from_province_name": e.province_name,
    }
    return {
        "from_name": e.name[:TEXT_MAX],
        "from_phone": e.phone,
        "from_address": e.address[:TEXT_MAX],
        **(names if all(names.values()) else {}),
        **{f"from_{k}": v for k, v in ids.items()},
        "return_phone": e.phone,
        "return_address": e.address[:TEXT_MAX],
        **{f"return_{k}": v for k, v in ids.items()},
    }


def change_fields(name: str, value: Any) -> dict[str, Any]:
    """One ParcelRequest field as GHN update fields."""
    simple = {
        "cod_amount": "cod_amount",
        "insurance_value": "insurance_value",
        "weight_g": "weight",
        "length_cm": "length",
        "width_cm": "width",
        "height_cm": "height",
    }
    if name in simple:
        return {simple[name]: int(value)}
    if name in ("note", "content"):
        return {name: str(value)}
    if name == "receiver":
        return receiver_fields(value)
    if name == "payer":
        return {"payment_type_id": PAYMENT_TYPE[value]}
    if name == "viewing":
        return {"required_note": REQUIRED_NOTE[value]}
    if name == "service_code":
        return {"service_id": service_id(value)}
    raise PermanentError("not_supported", f"GHN cannot update {name}")


def parcel_info(row: Mapping[str, Any], tracking_number: str = "") -> ParcelInfo:
    carrier_status, state = status_state(row.get("status"))
    order = row.get("leadtime_order")
    expected = None
    if isinstance(order, dict) and order.get("to_estimate_date"):
        expected = to_datetime(order["to_estimate_date"], "to_estimate_date")
    elif row.get("leadtime"):
        expected = to_datetime(row.get("leadtime"), "leadtime")
    return ParcelInfo(
        tracking_number=str(row.get("order_code") or tracking_number),
        reference=str(row.get("client_order_code") or ""),
        state=state,
        carrier_status=carrier_status,
        fee=to_decimal(row.get("total_fee"), "total_fee"),
        cod_amount=to_decimal(row.get("cod_amount"), "cod_amount"),
        expected_delivery=expected,
        raw=row,
    )


def _timed(status: Any, moment: Any, name: str) -> tuple[str, ParcelState, datetime] | None:
    try:
        code, state = status_state(status)
        at = to_datetime(moment, name)
    except PayloadError:
        return None
    return None if at is None else (code, state, at)


def detail_events(row: Mapping[str, Any], info: ParcelInfo) -> tuple[CarrierEvent, ...]:
    """The timed statuses of an order detail, oldest first: its `log[]` entries, then its
    current status at `updated_date` when the log does not end with it. The reason and the
    fee of the detail go with its current status."""
    log = row.get("log")
    entries = [e for e in log if isinstance(e, Mapping)] if isinstance(log, list) else []
    found = [_timed(e.get("status"), e.get("updated_date"), "log.updated_date") for e in entries]
    timed = sorted((t for t in found if t is not None), key=lambda t: t[2])
    now = _timed(row.get("status"), row.get("updated_date"), "updated_date")
    if now is not None and (not timed or timed[-1][0] != now[0]):
        timed.append(now)
    events = []
    for index, (code, state, at) in enumerate(timed):
        last = index == len(timed) - 1 and code == info.carrier_status
        events.append(
            CarrierEvent(
                tracking_number=info.tracking_number,
                reference=info.reference,
                state=state,
                carrier_status=code,
                occurred_at=at,
                reason=str(row.get("reason") or "").strip() if last else "",
                cod_amount=info.cod_amount if last else None,
                fee=info.fee if last else None,
                raw={"status": code, "updated_date": at.isoformat(), "source": "detail"},
            )
        )
    return tuple(events)
