"""Every request a website sends to the API is kept, whatever it came to, and a rejected one
can be repaired and applied again by staff.

How a request is read and applied belongs to its endpoint: a RequestHandler (website, raw body,
user id, now) -> RequestResult, written by the API layer of the app that owns the endpoint
(orders.api.handlers for orders, followups.api for contact requests). The API view passes its
handler to `website_request_receive`; each app also registers it in its AppConfig.ready() with
`register_request_handler`, so `website_request_reapply` can run a kept body again without an
HTTP request, and without this module (a service) importing any API module or schema.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import insert_row
from common.payloads import FieldError
from orders.models import ApiRequestOutcome, Order, Website, WebsiteRequest
from orders.services.websites import WebsiteError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


@dataclass
class RequestResult:
    """What one API request came to: the answer (status, body) and what is kept of it."""

    status: int
    outcome: str
    body: dict[str, Any]
    external_id: str = ""
    payload: Any = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    order: Order | None = None


# Receives one request's body for an endpoint: (website, raw body, user id, now) -> result.
RequestHandler = Callable[[Website, bytes, int | None, datetime], RequestResult]


def request_rejected(
    status: int, errors: Sequence[FieldError], *, external_id: str = "", payload: Any = None
) -> RequestResult:
    as_dicts = [e.as_dict() for e in errors]
    return RequestResult(
        status=status,
        outcome=ApiRequestOutcome.REJECTED,
        body={"errors": as_dicts},
        external_id=external_id,
        payload=payload,
        errors=as_dicts,
    )


class RequestUndo(Exception):
    """Raised by a handler when what it wrote in the request's transaction must go (an order
    refused after its new customer was inserted, or the same id recorded meanwhile): the
    transaction is rolled back and `resolve`, called in a new one, gives the result to keep.
    Handlers thus need no savepoint of their own on the common path."""

    def __init__(self, resolve: Callable[[], RequestResult]) -> None:
        super().__init__("request undone")
        self.resolve = resolve


_HANDLERS: dict[str, RequestHandler] = {}


def register_request_handler(endpoint: str, handler: RequestHandler) -> None:
    """How requests to `endpoint` (an ApiEndpoint) are applied again by staff: each app with
    an endpoint registers its handler in its AppConfig.ready()."""
    _HANDLERS[endpoint] = handler


def _raw_text(raw_body: bytes) -> str:
    # PostgreSQL text cannot hold NUL; everything else is kept as received.
    return raw_body[:MAX_BODY_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _store(
    website: Website, endpoint: str, raw_body: bytes, result: RequestResult, now: datetime
) -> WebsiteRequest:
    text = _raw_text(raw_body)
    request = WebsiteRequest(
        website=website,
        endpoint=endpoint,
        external_number=result.external_id,
        payload=result.payload,
        raw_body=text,
        # The bytes themselves when the text is not exactly them (not UTF-8, NUL, too long).
        raw_bytes=None if text.encode() == raw_body else raw_body,
        outcome=result.outcome,
        status_code=result.status,
        errors=result.errors,
        order=result.order,
        received_at=now,
    )
    # Written out (common.db.insert_row: a prepared statement on PostgreSQL), not compiled by
    # the ORM on every request.
    insert_row(request, connection)
    return request


def website_request_receive(
    *,
    website: Website,
    endpoint: str,
    handler: RequestHandler,
    raw_body: bytes,
    now: datetime | None = None,
) -> RequestResult:
    """Receive one request to `endpoint` from `website` (already authenticated) with
    `handler`, and keep it whatever happens (a crash answers 500, the request is still kept):
    the body as received, the outcome, the answer's status and errors, the order."""
    now = now or timezone.now()
    try:
        try:
            with transaction.atomic():
                result = handler(website, raw_body, None, now)
                _store(website, endpoint, raw_body, result, now)
        except RequestUndo as undo:
            with transaction.atomic():
                result = undo.resolve()
                _store(website, endpoint, raw_body, result, now)
    except Exception:
        logger.exception("website %s: %s request failed", website.code, endpoint)
        error = FieldError(
            None, "server_error", _("The request could not be processed; send it again later.")
        )
        result = request_rejected(500, [error])
        _store(website, endpoint, raw_body, result, now)
    return result


def website_request_reapply(
    *, request_id: int, payload_text: str, user_id: int | None, now: datetime | None = None
) -> WebsiteRequest:
    """Apply a rejected request again with a payload repaired by staff (JSON text), through
    the handler registered for its endpoint.

    The row keeps the body as first received and records the repaired payload, the new
    outcome, status, errors and order. An id that meanwhile became an order (a contact
    request) gives outcome duplicate. Only rejected requests can be re-applied; two staff
    re-applying the same request at once are serialised by a lock on its row.
    """
    now = now or timezone.now()
    # Text typed in a form cannot hold a lone surrogate as UTF-8: keep it escaped so the
    # JSON reader reports it as the invalid text it is.
    raw = payload_text.encode("utf-8", errors="backslashreplace")
    try:
        return _reapply(request_id, lambda r: _handler_of(r)(r.website, raw, user_id, now))
    except RequestUndo as undo:
        resolve = undo.resolve
        return _reapply(request_id, lambda _r: resolve())


def _handler_of(request: WebsiteRequest) -> RequestHandler:
    handler = _HANDLERS.get(request.endpoint)
    if handler is None:
        raise WebsiteError(_("Requests to this endpoint cannot be re-applied."))
    return handler


def _reapply(request_id: int, apply: Callable[[WebsiteRequest], RequestResult]) -> WebsiteRequest:
    """website_request_reapply in one transaction, the request's row locked: `apply` gives
    the result for it (a RequestUndo it raises rolls it all back)."""
    with transaction.atomic():
        request = (
            WebsiteRequest.objects.select_for_update()
            .select_related("website")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            raise WebsiteError(_("This request does not exist."))
        if request.outcome != ApiRequestOutcome.REJECTED:
            raise WebsiteError(_("This request was already applied."))
        result = apply(request)
        if result.payload is not None:
            request.payload = result.payload
        if result.external_id:
            request.external_number = result.external_id
        request.outcome = result.outcome
        request.status_code = result.status
        request.errors = result.errors
        request.order = result.order
        request.save(
            update_fields=[
                "payload",
                "external_number",
                "outcome",
                "status_code",
                "errors",
                "order",
            ]
        )
    return request
