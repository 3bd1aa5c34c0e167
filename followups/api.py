"""Website API: a visitor asks to be called back (POST /api/v1/contact-requests).

Same conventions as the order API (orders.api.views): the website's key in
`Authorization: Bearer <key>` or `X-Api-Key`, JSON in and out, errors as
{"errors": [{field, code, message}]} in the request's language. Idempotent by (website, id):
sending the same id again answers 200 with the first request, nothing is created.

Body: {"id": "REQ-1", "name": "...", "phone": "...", "email"?: "...", "message"?: "...",
       "preferred_at"?: "2026-11-25T15:00:00+07:00"}
Answer: 201 (created) or 200 (repeat) {"id": "REQ-1", "status": "new" | "due" | "scheduled" |
"done"} where status is the request's follow-up marker; 400 invalid; 401 bad key.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import markers
from followups.models import ContactRequest, RequestSource
from followups.services import FollowUpError, contact_request_create
from orders.api.schema import FieldError
from orders.api.views import api_endpoint, api_response
from orders.errors import InvalidPhoneNumber
from orders.models import Website
from orders.validators import phone_normalize

MAX_BODY_BYTES = 64 * 1024
FIELDS = ("id", "name", "phone", "email", "message", "preferred_at")
REQUIRED = ("id", "name", "phone")
MAX_LENGTH = {"id": 64, "name": 200, "phone": 40, "email": 254, "message": 4000}


def _errors(status: int, errors: list[FieldError]) -> HttpResponse:
    return api_response(status, {"errors": [e.as_dict() for e in errors]})


def _decode(raw: bytes) -> tuple[Any, FieldError | None]:
    if len(raw) > MAX_BODY_BYTES:
        return None, FieldError(
            None,
            "payload_too_large",
            _("The body is larger than %(size)d KB.") % {"size": MAX_BODY_BYTES // 1024},
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, FieldError(None, "invalid_json", _("The body is not valid JSON."))
    if not isinstance(data, dict):
        return None, FieldError(None, "invalid_json", _("The body must be a JSON object."))
    return data, None


def contact_request_validate(data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The request's fields, cleaned, and every problem found (field-level)."""
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
        else:
            clean["preferred_at"] = at
    return clean, errors


def _parse_datetime(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if timezone.is_aware(value) else None


def _receipt(contact_request: ContactRequest) -> dict[str, str]:
    status = markers.marker_for(
        state=contact_request.followup_state,
        next_contact_at=contact_request.next_contact_at,
        today=timezone.localdate(),
    )
    return {"id": contact_request.external_id, "status": status}


@api_endpoint("POST")
def contact_request_receive(request: HttpRequest, website: Website) -> HttpResponse:
    data, error = _decode(request.read(MAX_BODY_BYTES + 1))
    if error is not None:
        return _errors(413 if error.code == "payload_too_large" else 400, [error])
    clean, errors = contact_request_validate(data)
    if errors:
        return _errors(400, errors)
    try:
        contact_request, created = contact_request_create(
            name=clean["name"],
            phone=clean["phone"],
            email=clean.get("email", ""),
            message=clean.get("message", ""),
            preferred_at=clean.get("preferred_at"),
            source=RequestSource.WEBSITE,
            website_id=website.pk,
            external_id=clean["id"],
            user_id=None,
        )
    except FollowUpError as refused:
        return _errors(400, [FieldError(None, "invalid", str(refused))])
    return api_response(201 if created else 200, _receipt(contact_request))


def openapi_paths(error_response: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """This endpoint in the API's OpenAPI document (orders.api.openapi.register_api_paths)."""
    ref = {"$ref": "#/components/schemas/ContactRequestIn"}
    answer = {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string", "description": _("The website's id of the request.")},
            "status": {
                "type": "string",
                "enum": list(markers.MARKERS),
                "description": _("The request's follow-up marker."),
            },
        },
    }
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED),
        "properties": {
            "id": {
                "type": ["string", "integer"],
                "maxLength": MAX_LENGTH["id"],
                "description": _("The website's own id: a repeat is answered, not stored twice."),
            },
            "name": {"type": "string", "maxLength": MAX_LENGTH["name"]},
            "phone": {
                "type": "string",
                "maxLength": MAX_LENGTH["phone"],
                "description": _("Vietnamese or Thai phone number, any usual format."),
            },
            "email": {"type": "string", "format": "email", "maxLength": MAX_LENGTH["email"]},
            "message": {"type": "string", "maxLength": MAX_LENGTH["message"]},
            "preferred_at": {
                "type": "string",
                "format": "date-time",
                "description": _("When the customer would like the call, with its UTC offset."),
            },
        },
    }
    created = {
        "description": _("Request stored."),
        "content": {"application/json": {"schema": answer}},
    }
    paths = {
        "/contact-requests": {
            "post": {
                "operationId": "createContactRequest",
                "summary": _("Ask the shop to call a customer back"),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": ref,
                            "example": {
                                "id": "REQ-2041",
                                "name": "Nguyễn Thị Hoa",
                                "phone": "0912 345 678",
                                "message": "Tư vấn giúp em size áo khoác",
                                "preferred_at": "2026-11-26T15:00:00+07:00",
                            },
                        }
                    },
                },
                "responses": {
                    "201": created,
                    "200": {**created, "description": _("Already received: the first request.")},
                    "400": error_response(_("Invalid request."), "required"),
                    "401": error_response(_("Missing or wrong API key."), "unauthorized"),
                    "429": error_response(_("Too many requests."), "rate_limited"),
                },
            }
        }
    }
    return paths, {"ContactRequestIn": schema}
