"""What a website sends to POST /api/v1/contact-requests, as a pydantic model: it validates the
body into field-level errors (common.payloads.FieldError) and is the request schema of the
endpoint in the OpenAPI document (followups.api.openapi_paths). Pure: no database.

Body: {"id": "REQ-1", "name": "...", "phone": "...", "email"?: "...", "message"?: "...",
       "preferred_at"?: "2026-11-25T15:00:00+07:00"}
preferred_at is an ISO 8601 date and time with its UTC offset, from 2000-01-01 (UTC) to two
years after the request (PREFERRED_AT_YEARS_AHEAD): a sane range for a call back.
Errors come in this order: unknown fields (by name), each field's type and length, then what
is checked once the text is read (phone, e-mail, preferred_at). Only the API layer
(followups.api) uses this module; the service takes plain values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from pydantic import Field, ValidationError

from common.payload_models import Checked, PayloadModel, payload_errors, refuse
from common.payloads import FieldError
from orders.errors import InvalidPhoneNumber
from orders.validators import phone_normalize

MAX_BODY_BYTES = 64 * 1024
MAX_LENGTH = {"id": 64, "name": 200, "phone": 40, "email": 254, "message": 4000}
PREFERRED_AT_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
PREFERRED_AT_YEARS_AHEAD = 2
# Checked once every field's text is read: reported after the type and length errors.
LATE_CODES = ("invalid_phone", "invalid_email", "invalid_format", "out_of_range")


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


def _text(name: str, *, required: bool = False, number: bool = False) -> Checked:
    """Text of at most MAX_LENGTH[name] characters (if any), stripped ("" when absent, null or
    blank); `number`: a whole JSON number is taken as its text (ids)."""
    limit = MAX_LENGTH.get(name)

    def check(value: Any, context: dict[str, Any]) -> str:
        if number and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise refuse("required", _("This field is required."))
            return ""
        if not isinstance(value, str):
            raise refuse("invalid_type", _("Send this field as a string."))
        if limit is not None and len(value.strip()) > limit:
            raise refuse("too_long", _("At most %(limit)d characters.") % {"limit": limit})
        return value.strip()

    schema: dict[str, Any] = {"type": ["string", "integer"] if number else "string"}
    if limit is not None:
        schema["maxLength"] = limit
    return Checked(check, schema)


def _phone(value: Any, context: dict[str, Any]) -> str:
    text = _text("phone", required=True).check(value, context)
    try:
        return phone_normalize(text).e164
    except InvalidPhoneNumber as error:
        raise refuse("invalid_phone", str(error)) from None


def _email(value: Any, context: dict[str, Any]) -> str:
    text = _text("email").check(value, context)
    if text:
        try:
            validate_email(text)
        except DjangoValidationError:
            raise refuse("invalid_email", _("Enter a valid e-mail address.")) from None
    return text


def _parse_datetime(text: str) -> datetime | None:
    if not text.isascii():  # ASCII digits only, as ISO 8601 writes them
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if timezone.is_aware(value) else None


def _preferred_at(value: Any, context: dict[str, Any]) -> datetime | None:
    text = _text("preferred_at").check(value, context)
    if not text:
        return None
    at = _parse_datetime(text)
    if at is None:
        raise refuse(
            "invalid_format",
            _(
                "Send a date and time in ISO 8601 with its UTC offset, "
                "e.g. 2026-11-25T15:00:00+07:00."
            ),
        )
    earliest, latest = preferred_at_range(context["now"])
    if not earliest <= at <= latest:
        raise refuse(
            "out_of_range",
            _("Send a date and time from 1 January 2000 to %(years)d years from now.")
            % {"years": PREFERRED_AT_YEARS_AHEAD},
        )
    return at


class ContactRequestIn(PayloadModel):
    id: Annotated[
        str,
        _text("id", required=True, number=True),
        Field(description=_l("The website's own id: a repeat is answered, not stored twice.")),
    ]
    name: Annotated[str, _text("name", required=True)]
    phone: Annotated[
        str,
        Checked(_phone, {"type": "string", "maxLength": MAX_LENGTH["phone"]}),
        Field(description=_l("Vietnamese or Thai phone number, any usual format.")),
    ]
    email: Annotated[
        str,
        Checked(_email, {"type": "string", "format": "email", "maxLength": MAX_LENGTH["email"]}),
    ] = ""
    message: Annotated[str, _text("message")] = ""
    # Described in the document with its range (followups.api.openapi_paths).
    preferred_at: Annotated[
        datetime | None, Checked(_preferred_at, {"type": "string", "format": "date-time"})
    ] = None


def _texts(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """Our words for what pydantic itself finds (common.payload_models.payload_errors)."""
    if kind == "unknown_field":
        return "unknown_field", _("%(field)s is not a known field.") % {"field": context["name"]}
    if kind == "required":
        return "required", _("This field is required.")
    return "invalid_type", _("Send this field as a string.")


def contact_request_validate(
    data: Any, *, now: datetime
) -> tuple[ContactRequestIn | None, list[FieldError]]:
    """The request read from a decoded body, or every problem found (field-level); `now`
    bounds preferred_at."""
    if not isinstance(data, dict):
        return None, [FieldError(None, "invalid_json", _("The body must be a JSON object."))]
    try:
        return ContactRequestIn.model_validate(data, context={"now": now}), []
    except ValidationError as error:
        return None, payload_errors(error, ContactRequestIn, texts=_texts, late=LATE_CODES)
