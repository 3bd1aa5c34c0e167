"""Contact requests sent by websites (POST /api/v1/contact-requests), received like website
orders: every request, accepted or rejected, is kept as a WebsiteRequest (endpoint
"contact_requests") with the body as received, what was answered and why, and a rejected one
can be repaired and re-applied by staff on the website's page (the handler is registered with
orders.services.website_api in FollowupsConfig.ready())."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from common import markers
from followups.api_schema import MAX_BODY_BYTES, contact_request_validate, external_id_of
from followups.models import ContactRequest, RequestSource
from followups.services import FollowUpError, contact_request_create
from orders.api.schema import FieldError
from orders.models import ApiEndpoint, ApiRequestOutcome, Website
from orders.services.website_api import (
    RequestResult,
    body_decode,
    request_rejected,
    website_request_receive,
)


def contact_request_receipt(contact_request: ContactRequest, *, today: Any) -> dict[str, str]:
    """What the website gets back: the request's id and its follow-up marker."""
    status = markers.marker_for(
        state=contact_request.followup_state,
        next_contact_at=contact_request.next_contact_at,
        today=today,
    )
    return {"id": contact_request.external_id, "status": status}


def contact_request_process(
    website: Website, raw_body: bytes, user_id: int | None, now: datetime
) -> RequestResult:
    """One contact request of `website` (the endpoint's RequestHandler): 201 created, 200 a
    repeat of an id already received, 400 invalid (413 too large)."""
    decoded = body_decode(raw_body, max_bytes=MAX_BODY_BYTES)
    if decoded.errors:
        # This endpoint answers every invalid body with 400 (documented), text errors too.
        return request_rejected(413 if decoded.status == 413 else 400, decoded.errors)
    external_id = external_id_of(decoded.data)
    clean, errors = contact_request_validate(decoded.data, now=now)
    if errors:
        return request_rejected(400, errors, external_id=external_id, payload=decoded.payload)
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


def contact_request_receive(
    *, website: Website, raw_body: bytes, now: datetime | None = None
) -> RequestResult:
    """Receive and keep one contact request of `website` (already authenticated)."""
    return website_request_receive(
        website=website,
        endpoint=ApiEndpoint.CONTACT_REQUESTS,
        handler=contact_request_process,
        raw_body=raw_body,
        now=now,
    )
