"""Website API: a visitor asks to be called back (POST /api/v1/contact-requests).

Same conventions as the order API (orders.api.views): the website's key in
`Authorization: Bearer <key>` or `X-Api-Key`, JSON in and out, errors as
{"errors": [{field, code, message}]} in the request's language. Idempotent by (website, id):
sending the same id again answers 200 with the first request, nothing is created.

Body: followups.api_schema. Answer: 201 (created) or 200 (repeat) {"id": "REQ-1", "status":
"new" | "due" | "scheduled" | "done"} where status is the request's follow-up marker;
400 invalid; 401 bad key.

Every request is kept with its answer like website orders (a WebsiteRequest, endpoint
"contact_requests"), and a rejected one can be repaired and re-applied by staff: the handler
below is registered with orders.services.website_requests in FollowupsConfig.ready(). It reads
and validates the body here, in the API layer, and gives the service
(followups.services.contact_request_create) plain values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from pydantic import BaseModel, Field

from common import markers
from common.payload_models import components_schema
from common.payloads import FieldError, body_decode
from followups.api_schema import (
    MAX_BODY_BYTES,
    PREFERRED_AT_YEARS_AHEAD,
    ContactRequestIn,
    contact_request_validate,
    external_id_of,
)
from followups.models import ContactRequest, RequestSource
from followups.services import FollowUpError, contact_request_create
from orders.api.views import api_endpoint, api_response
from orders.models import ApiEndpoint, ApiRequestOutcome, Website
from orders.services.website_requests import (
    RequestResult,
    request_rejected,
    website_request_receive,
)


class ContactRequestReceipt(BaseModel):
    id: Annotated[str, Field(description=_l("The website's id of the request."))]
    status: Annotated[
        str,
        Field(
            description=_l("The request's follow-up marker."),
            json_schema_extra={"enum": list(markers.MARKERS)},
        ),
    ]


def contact_request_receipt(contact_request: ContactRequest, *, today: date) -> dict[str, str]:
    """What the website gets back: the request's id and its follow-up marker."""
    status = markers.marker_for(
        state=contact_request.followup_state,
        next_contact_at=contact_request.next_contact_at,
        today=today,
    )
    return ContactRequestReceipt(id=contact_request.external_id, status=status).model_dump()


def contact_request_handle(
    website: Website, raw_body: bytes, user_id: int | None, now: datetime
) -> RequestResult:
    """One contact request of `website` (the endpoint's RequestHandler): 201 created, 200 a
    repeat of an id already received, 400 invalid (413 too large)."""
    decoded = body_decode(raw_body, max_bytes=MAX_BODY_BYTES)
    if decoded.errors:
        # This endpoint answers every invalid body with 400 (documented), text errors too.
        return request_rejected(413 if decoded.status == 413 else 400, decoded.errors)
    external_id = external_id_of(decoded.data)
    data, errors = contact_request_validate(decoded.data, now=now)
    if data is None:
        return request_rejected(400, errors, external_id=external_id, payload=decoded.payload)
    try:
        contact_request, created = contact_request_create(
            name=data.name,
            phone=data.phone,
            email=data.email,
            message=data.message,
            preferred_at=data.preferred_at,
            source=RequestSource.WEBSITE,
            website_id=website.pk,
            external_id=data.id,
            user_id=user_id,
            now=now,
        )
    except FollowUpError as refused:
        return request_rejected(
            400,
            [FieldError(None, "invalid", str(refused))],
            external_id=external_id,
            payload=decoded.payload,
        )
    return RequestResult(
        status=201 if created else 200,
        outcome=ApiRequestOutcome.CREATED if created else ApiRequestOutcome.DUPLICATE,
        body=contact_request_receipt(contact_request, today=timezone.localdate(now)),
        external_id=external_id,
        payload=decoded.payload,
    )


@api_endpoint("POST")
def contact_request_receive(request: HttpRequest, website: Website) -> HttpResponse:
    result = website_request_receive(
        website=website,
        endpoint=ApiEndpoint.CONTACT_REQUESTS,
        handler=contact_request_handle,
        raw_body=request.read(MAX_BODY_BYTES + 1),
    )
    return api_response(result.status, result.body)


EXAMPLE = {
    "id": "REQ-2041",
    "name": "Nguyễn Thị Hoa",
    "phone": "0912 345 678",
    "message": "Tư vấn giúp em size áo khoác",
    "preferred_at": "2026-11-26T15:00:00+07:00",
}


def openapi_paths(error_response: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """This endpoint in the API's OpenAPI document (orders.api.openapi.register_api_paths);
    its schemas are those of the models."""
    schemas = components_schema([ContactRequestIn, ContactRequestReceipt])
    schemas["ContactRequestIn"]["properties"]["preferred_at"]["description"] = _(
        "When the customer would like the call, with its UTC offset; from "
        "2000-01-01 to %(years)d years after the request (else out_of_range)."
    ) % {"years": PREFERRED_AT_YEARS_AHEAD}
    answer = {"$ref": "#/components/schemas/ContactRequestReceipt"}
    created = {
        "description": _("Request stored."),
        "content": {"application/json": {"schema": answer}},
    }
    request_body = {"schema": {"$ref": "#/components/schemas/ContactRequestIn"}, "example": EXAMPLE}
    operation = {
        "operationId": "createContactRequest",
        "summary": _("Ask the shop to call a customer back"),
        "requestBody": {"required": True, "content": {"application/json": request_body}},
        "responses": {
            "201": created,
            "200": {**created, "description": _("Already received: the first request.")},
            "400": error_response(_("Invalid request."), "required"),
            "413": error_response(_("The body is larger than 64 KB."), "payload_too_large"),
            "401": error_response(_("Missing or wrong API key."), "unauthorized"),
            "429": error_response(_("Too many requests."), "rate_limited"),
        },
    }
    return {"/contact-requests": {"post": operation}}, schemas
