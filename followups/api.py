"""Website API: a visitor asks to be called back (POST /api/v1/contact-requests).

Same conventions as the order API (orders.api.views): the website's key in
`Authorization: Bearer <key>` or `X-Api-Key`, JSON in and out, errors as
{"errors": [{field, code, message}]} in the request's language. Idempotent by (website, id):
sending the same id again answers 200 with the first request, nothing is created.

Body: {"id": "REQ-1", "name": "...", "phone": "...", "email"?: "...", "message"?: "...",
       "preferred_at"?: "2026-11-25T15:00:00+07:00"}
Answer: 201 (created) or 200 (repeat) {"id": "REQ-1", "status": "new" | "due" | "scheduled" |
"done"} where status is the request's follow-up marker; 400 invalid; 401 bad key.
Every request is kept with its answer (followups.services_website); the fields and their
checks are followups.api_schema.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from common import markers
from followups import services_website
from followups.api_schema import MAX_BODY_BYTES, MAX_LENGTH, PREFERRED_AT_YEARS_AHEAD, REQUIRED
from orders.api.views import api_endpoint, api_response
from orders.models import Website


@api_endpoint("POST")
def contact_request_receive(request: HttpRequest, website: Website) -> HttpResponse:
    result = services_website.contact_request_receive(
        website=website, raw_body=request.read(MAX_BODY_BYTES + 1)
    )
    return api_response(result.status, result.body)


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
                "description": _(
                    "When the customer would like the call, with its UTC offset; from "
                    "2000-01-01 to %(years)d years after the request (else out_of_range)."
                )
                % {"years": PREFERRED_AT_YEARS_AHEAD},
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
                    "413": error_response(_("The body is larger than 64 KB."), "payload_too_large"),
                    "401": error_response(_("Missing or wrong API key."), "unauthorized"),
                    "429": error_response(_("Too many requests."), "rate_limited"),
                },
            }
        }
    }
    return paths, {"ContactRequestIn": schema}
