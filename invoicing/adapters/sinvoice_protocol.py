"""Viettel S-Invoice pieces that need no HTTP (carriers_einvoice.md section C): times as epoch
milliseconds, tolerant reading of answers (key casing, numbers as strings, `errorCode` null,
string or int), the error mapping of the three error shapes (C.13) and the XML inside the
provider's zip (C.8).

Pure functions, so tests check them directly and the adapter stays transport only.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from common.external import (
    AuthError,
    ExternalError,
    PermanentError,
    RateLimited,
    TransientError,
)

ICT = timezone(timedelta(hours=7), "ICT")  # S-Invoice dates carry GMT+7 semantics (C.3)
AUTH_WORDS = ("token", "unauthori", "het han", "expired", "dang nhap", "invalid_grant")
NOT_FOUND_WORDS = ("not_found", "not found", "khong tim thay", "khong ton tai", "no data")
NOT_READY_WORDS = (
    "dang xu ly",
    "dang duoc xu ly",
    "chua san sang",
    "chua ky",
    "not ready",
    "not_ready",
    "processing",
)
SUCCESS_CODES = frozenset({"", "0", "200", "false", "none", "null", "ok", "success"})


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ -> d), for matching the provider's words."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


# -- times -----------------------------------------------------------------------------------
def ms(moment: datetime) -> int:
    """Epoch milliseconds to the second (C.3: seconds precision, ms = 000)."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return int(moment.timestamp()) * 1000


def day_ms(day: date) -> int:
    """A calendar date as the epoch milliseconds of its midnight in Vietnam (GMT+7)."""
    return ms(datetime.combine(day, time(0, 0), tzinfo=ICT))


def parse_time(value: Any) -> datetime | None:
    """Epoch ms (number or digits), or a text date in GMT+7 (`yyyy-MM-dd HH:mm:ss`,
    `dd/MM/yyyy HH:mm:ss`, ISO 8601) -> aware datetime."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        number = int(Decimal(text))
        seconds = number / 1000 if abs(number) > 10**11 else number
        return datetime.fromtimestamp(int(seconds), tz=ICT)
    for pattern in ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=ICT)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=ICT)


# -- tolerant reading ------------------------------------------------------------------------
def _norm(key: str) -> str:
    return key.replace("_", "").lower()


def pick(document: Any, *names: str) -> Any:
    """The first present value of `names` in a JSON object, whatever the keys' casing
    (`errorCode`, `ErrorCode`, `error_code` are one key)."""
    if not isinstance(document, Mapping):
        return None
    folded = {_norm(str(k)): v for k, v in document.items()}
    for name in names:
        if name in document:
            return document[name]
        value = folded.get(_norm(name))
        if value is not None:
            return value
    return None


def text(value: Any) -> str:
    """A provider value as our string: None -> "", 12 and 12.0 -> "12"."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


# -- errors ----------------------------------------------------------------------------------
def _message(document: Any) -> str:
    """The provider's own text: `description`, `data` (when it is text), `message`, `error`."""
    for name in ("description", "data", "message", "error_description", "error"):
        value = pick(document, name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _is_auth(code: str, message: str) -> bool:
    words = fold(f"{code} {message}")
    return code in ("401", "403") or any(w in words for w in AUTH_WORDS)


def failure(status: int, document: Any, *, reason: str = "") -> ExternalError | None:
    """The error of an answer, or None for a success (C.13): HTTP 401/403 and refused tokens
    are AuthError, 429 RateLimited, 5xx TransientError; a truthy `errorCode`, `code` or `error`
    is the provider's refusal (PermanentError keeping its text)."""
    message = _message(document) or reason
    if status in (401, 403):
        return AuthError(f"http_{status}", message)
    if status == 429:
        return RateLimited(f"http_{status}", message, retry_after=1.0)
    if status >= 500:
        if text(pick(document, "code")) in ("401", "403"):  # a gateway's refused token
            return AuthError(text(pick(document, "code")), message)
        return TransientError(f"http_{status}", message)
    found = None
    for name in ("errorCode", "code", "error"):
        value = pick(document, name)
        given = text(value).lower()
        if value is not None and given not in SUCCESS_CODES and not re.fullmatch(r"0+", given):
            found = text(value)
            break
    if found is None:
        if status >= 400:
            return PermanentError(f"http_{status}", message)
        if not isinstance(document, Mapping):
            return TransientError(f"http_{status}", "the answer is not a JSON object")
        return None
    code = found if len(found) <= 64 else "error"
    if _is_auth(code, message if status >= 400 or code in ("401", "403") else ""):
        return AuthError(code, message)
    if code in ("500", "502", "503", "504"):
        return TransientError(code, message)
    return PermanentError(code, message or code)


def is_not_found(error: ExternalError) -> bool:
    return any(w in fold(f"{error.code} {error.message}") for w in NOT_FOUND_WORDS)


def is_not_ready(error: ExternalError) -> bool:
    return any(w in fold(f"{error.code} {error.message}") for w in NOT_READY_WORDS)


# -- results ---------------------------------------------------------------------------------
def first_result(document: Any) -> Mapping[str, Any] | None:
    """`result` as one object: the first of a list, the object itself, or None."""
    result = pick(document, "result")
    if isinstance(result, list):
        result = next((r for r in result if isinstance(r, Mapping)), None)
    return result if isinstance(result, Mapping) else None


def series_of(invoice_no: str) -> str:
    """ "C25TAA12" -> "C25TAA" (E.3: six characters, then the number)."""
    found = re.match(r"^([A-Za-z0-9]{6})\d+$", invoice_no)
    return found.group(1) if found else ""


def xml_from_zip(content: bytes) -> tuple[str, bytes] | None:
    """The first .xml of the zip inside the zip (C.8), or of a single-level zip."""
    try:
        outer = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return None
    with outer:
        names = outer.namelist()
        for name in names:
            if name.lower().endswith(".xml"):
                return name.rsplit("/", 1)[-1], outer.read(name)
        for name in names:
            if name.lower().endswith(".zip"):
                found = xml_from_zip(outer.read(name))
                if found is not None:
                    return found
    return None
