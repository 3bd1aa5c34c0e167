"""JSON bodies from outside, read strictly, and the field-level errors reported about them.

Pure (no database, no app): every app that receives JSON (the website API, and the
marketplace, carrier and e-invoice payloads to come) reads it with `body_decode` and reports
problems as FieldError: `field` is a path into the payload ("items[1].sku", "customer.phone";
None for the body as a whole), `code` a stable machine-readable word and `message` a sentence
in the active language. Validating the decoded document against a pydantic model is
common.payload_models.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "code": self.code, "message": self.message}


# --- Text that PostgreSQL cannot store ---------------------------------------------------------

# NUL and the UTF-16 surrogates (which JSON can write as "\udc80" but which are no character:
# such text is neither valid UTF-8 nor storable in a text or jsonb column).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def escape_text(text: str) -> str:
    """`text` with NUL and lone surrogates written as JSON escapes (\\u0000, \\udc80): safe to
    store and to show."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _unsafe_error(path: str | None, text: str) -> FieldError:
    if "\x00" in text:
        message = _("The text contains a NUL character (\\u0000); remove it.")
    else:
        message = _(
            "The text contains a lone UTF-16 surrogate (such as \\udc80), which is not a "
            "character; send the text as valid Unicode."
        )
    return FieldError(path, "invalid_text", message)


def text_errors(data: Any, path: str | None = None) -> list[FieldError]:
    """An invalid_text error for every string (object key or value) in a decoded JSON document
    that holds NUL or a lone surrogate, at its path ("customer.name", "items[0].sku"; a bad key
    is named with the bad characters escaped)."""
    errors: list[FieldError] = []
    if isinstance(data, str):
        if _UNSAFE.search(data):
            errors.append(_unsafe_error(path, data))
    elif isinstance(data, dict):
        for key, value in data.items():
            key_path = f"{path}.{escape_text(key)}" if path else escape_text(key)
            if _UNSAFE.search(key):
                errors.append(_unsafe_error(key_path, key))
            errors.extend(text_errors(value, key_path))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            errors.extend(text_errors(value, f"{path or ''}[{index}]"))
    return errors


# --- Reading a body ----------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _float_or_text(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def _storable(text: str) -> Any:
    """The payload as JSON the database stores (numbers as they came, never NaN/Infinity)."""
    return json.loads(text, parse_float=_float_or_text, parse_constant=_no_constant)


@dataclass(frozen=True)
class Decoded:
    """A body read as JSON: `data` (numbers with a fraction as Decimal), `payload` (the copy
    the database can store; None when the body cannot be stored as JSON), or the errors."""

    data: Any = None
    payload: Any = None
    errors: tuple[FieldError, ...] = ()
    status: int = 200


def _refused(code: str, message: str, status: int = 400) -> Decoded:
    return Decoded(errors=(FieldError(None, code, message),), status=status)


def body_decode(raw_body: bytes, *, max_bytes: int) -> Decoded:
    """Read a request body: UTF-8, one JSON document, no key twice in an object, no NaN, and
    no string (key or value) holding NUL or a lone UTF-16 surrogate (each reported at its
    path, e.g. items[0].sku, with status 422). Other failures answer 400 (413 too large)."""
    if len(raw_body) > max_bytes:
        return _refused(
            "payload_too_large",
            _("The body is larger than %(size)d KB.") % {"size": max_bytes // 1024},
            413,
        )
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return _refused("invalid_json", _("The body is not UTF-8 text."))
    if not text.strip():
        return _refused("invalid_json", _("The body is empty."))
    try:
        data = json.loads(
            text, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_pairs
        )
    except _DuplicateKey as duplicate:
        key = escape_text(str(duplicate))[:200]
        return _refused(
            "invalid_json", _("The key %(key)s appears twice in one object.") % {"key": key}
        )
    except json.JSONDecodeError as error:
        return _refused(
            "invalid_json",
            _("The body is not valid JSON (line %(line)d, column %(column)d).")
            % {"line": error.lineno, "column": error.colno},
        )
    except (ValueError, RecursionError):
        return _refused("invalid_json", _("The body is not valid JSON."))
    unsafe = text_errors(data)
    if unsafe:
        return Decoded(data=data, errors=tuple(unsafe), status=422)
    return Decoded(data=data, payload=_storable(text))
