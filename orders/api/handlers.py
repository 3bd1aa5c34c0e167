"""The order endpoint's request handler: from the body as received to the answer.

  1. the body is decoded (common.payloads.body_decode: UTF-8, JSON with decimals as Decimal);
  2. an order of this website with the same "id" already exists -> 200 with that order
     (outcome duplicate), nothing created: a website may resend as often as it likes;
  3. the payload is validated (orders.api.schema) into an OrderIn and checked against the
     database (orders.services.website_orders): every problem becomes a field-level
     error -> 422;
  4. the order is created (website_order_apply) -> 201; two identical requests at the same
     moment make one order, the other answers 200 with it (its transaction rolled back,
     orders.services.website_requests.RequestUndo: no savepoint on every order).
Every request (created, duplicate, rejected, even a crash) is kept by
orders.services.website_requests, which also re-applies a repaired one through this same
handler (registered in OrdersConfig.ready()).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from common.money import quantize
from common.payloads import body_decode
from orders.api.fields import MAX_LENGTH
from orders.api.schema import external_id_of, order_validate
from orders.models import ApiEndpoint, ApiRequestOutcome, Order, Website
from orders.services.orders.core import MAX_LINES
from orders.services.website_orders import (
    OrderApplied,
    OrderIn,
    OrderUndone,
    website_order_apply,
    website_order_find,
    website_sku_errors,
)
from orders.services.website_requests import (
    MAX_BODY_BYTES,
    RequestResult,
    RequestUndo,
    request_rejected,
    website_request_receive,
)


def order_receipt(order: Order, external_id: str) -> dict[str, Any]:
    """What the website gets back for its order (201 created, 200 duplicate)."""
    return {
        "id": external_id,
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "total": str(quantize(order.total, order.currency)),
        "currency": order.currency,
        "url": reverse("api:order_status", kwargs={"external_id": external_id}),
    }


def _answer(order: Order, external_id: str, payload: Any, *, created: bool) -> RequestResult:
    return RequestResult(
        status=201 if created else 200,
        outcome=ApiRequestOutcome.CREATED if created else ApiRequestOutcome.DUPLICATE,
        body=order_receipt(order, external_id),
        external_id=external_id,
        payload=payload,
        order=order,
    )


def _skus_of_invalid(data: Any) -> list[tuple[int, str]]:
    """The readable SKUs of a payload that failed validation, to report them in the same
    answer (a website should not have to fix its payload twice)."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) > MAX_LINES:
        return []
    return [
        (index, item["sku"].strip())
        for index, item in enumerate(items)
        if isinstance(item, dict)
        and isinstance(item.get("sku"), str)
        and 0 < len(item["sku"].strip()) <= MAX_LENGTH["sku"]
    ]


def order_request_handle(
    website: Website, raw_body: bytes, user_id: int | None, now: datetime
) -> RequestResult:
    """One order request (the endpoint's RequestHandler); see the module docstring."""
    decoded = body_decode(raw_body, max_bytes=MAX_BODY_BYTES)
    if decoded.errors:
        return request_rejected(decoded.status, decoded.errors)
    data, payload = decoded.data, decoded.payload
    # Only a valid id is looked up: an over-long one is refused below, never cut to match.
    external_id = external_id_of(data)
    existing = website_order_find(website=website, external_id=external_id)
    if existing is not None:
        return _answer(existing, external_id, payload, created=False)

    order_in, errors = order_validate(data, currency=settings.SHOP_CURRENCY)
    if order_in is None:
        errors = [*errors, *website_sku_errors(skus=_skus_of_invalid(data))]
        return request_rejected(422, errors, external_id=external_id, payload=payload)
    try:
        applied = website_order_apply(website=website, data=order_in, user_id=user_id, now=now)
    except OrderUndone as undone:
        # The transaction is rolled back; the outcome is settled in a new one.
        resolve = undone.resolve  # (the name `undone` is unbound once this block ends)
        raise RequestUndo(lambda: _applied(resolve(), order_in, payload)) from undone
    return _applied(applied, order_in, payload)


def _applied(applied: OrderApplied, order_in: OrderIn, payload: Any) -> RequestResult:
    if applied.order is None:
        errors = applied.errors
        return request_rejected(422, errors, external_id=order_in.external_id, payload=payload)
    return _answer(applied.order, order_in.external_id, payload, created=applied.created)


def website_order_receive(
    *, website: Website, raw_body: bytes, now: datetime | None = None
) -> tuple[int, dict[str, Any]]:
    """Receive one order request from `website` (already authenticated): returns the HTTP
    status and the JSON body to answer. The request is kept whatever happens, with the order
    it created or found."""
    result = website_request_receive(
        website=website,
        endpoint=ApiEndpoint.ORDERS,
        handler=order_request_handle,
        raw_body=raw_body,
        now=now,
    )
    return result.status, result.body
