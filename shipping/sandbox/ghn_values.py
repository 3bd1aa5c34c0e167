"""GHN sandbox: reading request values as a typed JSON decoder does (A.3-A.7: ids, sizes and
amounts are integers, ward codes and names strings; anything else is GHN's "Syntax error")."""

from __future__ import annotations

from typing import Any

from .ghn_state import ApiError, Request


def bad(message: str) -> ApiError:
    return ApiError(400, message)


def syntax(name: str, value: Any, kind: str) -> ApiError:
    """A JSON value of the wrong type: GHN's gateway fails to decode the body (A.3)."""
    return bad(
        f"code=400, message=Syntax error: field={name}, error=cannot unmarshal "
        f"{type(value).__name__} into {kind}"
    )


def as_int(body: dict[str, Any], name: str, *, default: int | None = None) -> int:
    """A JSON integer (A.4-A.7 type every id, size and amount `int`: a string is refused, as
    a typed decoder does); ApiError when missing or bad."""
    value = body.get(name)
    if value is None:
        if default is None:
            raise bad(f"{name}: trường bắt buộc (required)")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise syntax(name, value, "int")
    return int(value)


def as_str(body: dict[str, Any], name: str, *, required: bool = False) -> str:
    """A JSON string (ward codes are strings: "20308", A.4)."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise syntax(name, value, "string")
    text = "" if value is None else value.strip()
    if required and not text:
        raise bad(f"{name}: trường bắt buộc (required)")
    return text


def body_or_query(req: Request, name: str) -> dict[str, Any]:
    """The body, or the query (GET style, `?district_id=`: its text is the number)."""
    if name in req.body or name not in req.query:
        return req.body
    text = req.query[name].strip()
    return {name: int(text) if text.isdigit() else text}
