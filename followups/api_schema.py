"""What a website sends to POST /api/v1/contact-requests: its fields and their validation
into field-level errors (orders.api.schema.FieldError). Pure: no database.

Body: {"id": "REQ-1", "name": "...", "phone": "...", "email"?: "...", "message"?: "...",
       "preferred_at"?: "2026-11-25T15:00:00+07:00"}
preferred_at is an ISO 8601 date and time with its UTC offset, from 2000-01-01 (UTC) to two
years after the request (PREFERRED_AT_YEARS_AHEAD): a sane range for a call back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.api.schema import FieldError
from orders.errors import InvalidPhoneNumber
from orders.validators import phone_normalize

MAX_BODY_BYTES = 64 * 1024
FIELDS = ("id", "name", "phone", "email", "message", "preferred_at")
REQUIRED = ("id", "name", "phone")
MAX_LENGTH = {"id": 64, "name": 200, "phone": 40, "email": 254, "message": 4000}
PREFERRED_AT_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
PREFERRED_AT_YEARS_AHEAD = 2


def preferred_at_range(now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest preferred_at accepted at `now`."""
    return PREFERRED_AT_EARLIEST, now + timedelta(days=366 * PREFERRED_AT_YEARS_AHEAD)


def external_id_of(data: Any) -> str:
    """The request's id when it is one the API accepts (for the request log), else ""."""
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    text = str(value).strip()
    return text if len(text) <= MAX_LENGTH["id"] else ""


def contact_request_validate(
    data: Any, *, now: datetime
) -> tuple[dict[str, Any], list[FieldError]]:
    """The request's fields, cleaned, and every problem found (field-level); `now` bounds
    preferred_at."""
    if not isinstance(data, dict):
        return {}, [FieldError(None, "invalid_json", _("The body must be a JSON object."))]
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name in sorted(set(data) - set(FIELDS)):
        errors.append(
            FieldError(
                name, "unknown_field", _("%(field)s is not a known field.") % {"field": name}
            )
        )
    for name in FIELDS:
        value = data.get(name)
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in REQUIRED:
                errors.append(FieldError(name, "required", _("This field is required.")))
            continue
        if not isinstance(value, str):
            errors.append(FieldError(name, "invalid_type", _("Send this field as a string.")))
            continue
        value = value.strip()
        limit = MAX_LENGTH.get(name)
        if limit and len(value) > limit:
            errors.append(
                FieldError(
                    name,
                    "too_long",
                    _("At most %(limit)d characters.") % {"limit": limit},
                )
            )
            continue
        clean[name] = value
    if "phone" in clean:
        try:
            clean["phone"] = phone_normalize(clean["phone"]).e164
        except InvalidPhoneNumber as error:
            errors.append(FieldError("phone", "invalid_phone", str(error)))
    if "email" in clean:
        try:
            validate_email(clean["email"])
        except ValidationError:
            errors.append(FieldError("email", "invalid_email", _("Enter a valid e-mail address.")))
    if "preferred_at" in clean:
        at = _parse_datetime(clean["preferred_at"])
        earliest, latest = preferred_at_range(now)
        if at is None:
            errors.append(
                FieldError(
                    "preferred_at",
                    "invalid_format",
                    _(
                        "Send a date and time in ISO 8601 with its UTC offset, "
                        "e.g. 2026-11-25T15:00:00+07:00."
                    ),
                )
            )
        elif not earliest <= at <= latest:
            errors.append(
                FieldError(
                    "preferred_at",
                    "out_of_range",
                    _("Send a date and time from 1 January 2000 to %(years)d years from now.")
                    % {"years": PREFERRED_AT_YEARS_AHEAD},
                )
            )
        else:
            clean["preferred_at"] = at
    return clean, errors


def _parse_datetime(text: str) -> datetime | None:
    if not text.isascii():  # ASCII digits only, as ISO 8601 writes them
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if timezone.is_aware(value) else None
