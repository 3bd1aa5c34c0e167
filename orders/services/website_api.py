"""Websites that send orders through the inbound API: keys, authentication, receiving orders.

Keys: "crm_" + 43 random URL-safe characters, shown once. Only the SHA-256 hex digest is kept,
with the key's first 12 characters (`key_prefix`, unique) to find the website without a scan.
Rotating replaces prefix and digest in one UPDATE, so the old key stops working at once.

Receiving an order (website_order_receive), in one transaction:
  1. the body as received is decoded (UTF-8, JSON with decimals as Decimal);
  2. an order of this website with the same "id" already exists -> 200 with that order
     (outcome duplicate), nothing created: a website may resend as often as it likes;
  3. the payload is validated (orders.api.schema) and checked against the database (SKUs,
     warehouse, discounts): every problem becomes a field-level error -> 422;
  4. the customer is found by phone (an advisory lock on the number serialises two requests
     for the same new buyer, so the API makes one customer, not two) or created, and the order
     is created by order_create (channel "website", channel account = the website's code,
     external number = its "id"). Two identical requests at the same moment both reach the
     INSERT; the unique constraint orders_order_external_unique lets one win and the other,
     refused, answers 200 with the winner's order.
Every request (created, duplicate, rejected, even a crash) is stored as a WebsiteRequest with
the raw body, and a rejected one can be repaired and re-applied by staff
(website_request_reapply).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.models import Variant, Warehouse
from orders.api.schema import (
    FieldError,
    OrderIn,
    escape_text,
    external_id_of,
    order_validate,
    text_errors,
)
from orders.errors import OrderError
from orders.models import (
    ApiEndpoint,
    ApiRequestOutcome,
    Channel,
    Customer,
    Order,
    PaymentKind,
    Website,
    WebsiteRequest,
)
from orders.selectors import customers_with_phone
from orders.services.customers import CustomerInput, customer_create
from orders.services.orders.core import MAX_LINES
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.orders.payments import order_payment_record

logger = logging.getLogger(__name__)

KEY_START = "crm_"
KEY_PREFIX_LENGTH = 12
MAX_BODY_BYTES = 256 * 1024
LAST_USED_EVERY = timedelta(minutes=1)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


class WebsiteError(OrderError):
    """A website setting or a re-apply that is not allowed; str() is the user's message."""


# --- Keys -------------------------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    return KEY_START + secrets.token_urlsafe(32)


def _clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise WebsiteError(_("Enter the website's name."))
    if len(clean) > 120:
        raise WebsiteError(_("The name is longer than 120 characters."))
    return clean


def website_code_normalize(code: str) -> str:
    clean = (code or "").strip().upper()
    if not CODE_PATTERN.match(clean):
        raise WebsiteError(
            _(
                "The code is 1 to 32 capital letters, digits, - or _, starting with a letter "
                "or a digit (e.g. MAIN-SITE)."
            )
        )
    return clean


def warehouse_check(warehouse_id: int | None) -> None:
    if warehouse_id is None:
        return
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise WebsiteError(_("Choose a warehouse."))
    if not warehouse.is_active:
        raise WebsiteError(_("The warehouse %(code)s is inactive.") % {"code": warehouse.code})


def website_create(
    *,
    name: str,
    code: str,
    warehouse_id: int | None,
    user_id: int | None,
    now: datetime | None = None,
) -> tuple[Website, str]:
    """A new active website and its API key (returned once, in plain text; only its hash is
    stored). `code` becomes the channel account of its orders and cannot change later."""
    clean_name = _clean_name(name)
    clean_code = website_code_normalize(code)
    warehouse_check(warehouse_id)
    for _attempt in range(5):
        key = _new_key()
        try:
            with transaction.atomic():
                website = Website.objects.create(
                    name=clean_name,
                    code=clean_code,
                    key_prefix=key[:KEY_PREFIX_LENGTH],
                    key_hash=key_hash(key),
                    warehouse_id=warehouse_id,
                    created_by_id=user_id,
                    created_at=now or timezone.now(),
                )
        except IntegrityError:
            if Website.objects.filter(code=clean_code).exists():
                raise WebsiteError(
                    _("Another website already has the code %(code)s.") % {"code": clean_code}
                ) from None
            continue  # the random prefix met an existing one: draw again
        return website, key
    raise WebsiteError(_("No key could be made; try again."))  # pragma: no cover


def website_update(*, website_id: int, name: str, warehouse_id: int | None) -> Website:
    """Change the name and the default warehouse (the code stays: it is on the orders)."""
    clean_name = _clean_name(name)
    warehouse_check(warehouse_id)
    updated = Website.objects.filter(pk=website_id).update(
        name=clean_name, warehouse_id=warehouse_id
    )
    if not updated:
        raise WebsiteError(_("This website does not exist."))
    return Website.objects.select_related("warehouse").get(pk=website_id)


def website_key_rotate(*, website_id: int) -> str:
    """A new key for the website; the old one stops working with this UPDATE."""
    for _attempt in range(5):
        key = _new_key()
        try:
            with transaction.atomic():
                updated = Website.objects.filter(pk=website_id).update(
                    key_prefix=key[:KEY_PREFIX_LENGTH], key_hash=key_hash(key)
                )
        except IntegrityError:
            continue
        if not updated:
            raise WebsiteError(_("This website does not exist."))
        return key
    raise WebsiteError(_("No key could be made; try again."))  # pragma: no cover


def website_set_active(*, website_id: int, active: bool) -> Website:
    """Switch the website on or off; an inactive website's key is refused (401)."""
    if not Website.objects.filter(pk=website_id).update(is_active=active):
        raise WebsiteError(_("This website does not exist."))
    return Website.objects.get(pk=website_id)


def website_authenticate(key: str, *, now: datetime | None = None) -> Website | None:
    """The active website holding this key, or None. One indexed lookup by prefix, a
    constant-time comparison of the digests, and at most one UPDATE of last_used_at a minute
    (skipped when it was stamped less than a minute ago)."""
    key = (key or "").strip()
    if not key.startswith(KEY_START) or len(key) > 200:
        return None
    website = (
        Website.objects.filter(key_prefix=key[:KEY_PREFIX_LENGTH])
        .select_related("warehouse")
        .first()
    )
    digest = key_hash(key)
    if website is None or not hmac.compare_digest(digest, website.key_hash):
        return None
    if not website.is_active:
        return None
    now = now or timezone.now()
    stale = now - LAST_USED_EVERY
    if website.last_used_at is None or website.last_used_at < stale:
        Website.objects.filter(pk=website.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
        website.last_used_at = now
    return website


# --- Receiving requests -----------------------------------------------------------------------


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


def _existing(website: Website, external_id: str) -> Order | None:
    if not external_id:
        return None
    return Order.objects.filter(
        channel=Channel.WEBSITE, channel_account=website.code, external_number=external_id
    ).first()


def _duplicate(order: Order, external_id: str, payload: Any) -> RequestResult:
    return RequestResult(
        status=200,
        outcome=ApiRequestOutcome.DUPLICATE,
        body=order_receipt(order, external_id),
        external_id=external_id,
        payload=payload,
        order=order,
    )


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


def body_decode(raw_body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> Decoded:
    """Read a request body: UTF-8, one JSON document, no key twice in an object, no NaN, and
    no string (key or value) holding NUL or a lone UTF-16 surrogate (each reported at its
    path, e.g. items[0].sku, with status 422). Other failures answer 400 (413 too large)."""

    def refused(code: str, message: str, status: int = 400) -> Decoded:
        return Decoded(errors=(FieldError(None, code, message),), status=status)

    if len(raw_body) > max_bytes:
        return refused(
            "payload_too_large",
            _("The body is larger than %(size)d KB.") % {"size": max_bytes // 1024},
            413,
        )
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return refused("invalid_json", _("The body is not UTF-8 text."))
    if not text.strip():
        return refused("invalid_json", _("The body is empty."))
    try:
        data = json.loads(
            text, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_pairs
        )
    except _DuplicateKey as duplicate:
        key = escape_text(str(duplicate))[:200]
        return refused(
            "invalid_json", _("The key %(key)s appears twice in one object.") % {"key": key}
        )
    except json.JSONDecodeError as error:
        return refused(
            "invalid_json",
            _("The body is not valid JSON (line %(line)d, column %(column)d).")
            % {"line": error.lineno, "column": error.colno},
        )
    except (ValueError, RecursionError):
        return refused("invalid_json", _("The body is not valid JSON."))
    unsafe = text_errors(data)
    if unsafe:
        return Decoded(data=data, errors=tuple(unsafe), status=422)
    return Decoded(data=data, payload=_storable(text))


def _variants(skus: Sequence[str]) -> dict[str, Variant]:
    """Variants by upper-cased SKU (one query on the UPPER(sku) unique index)."""
    wanted = sorted({sku.upper() for sku in skus})
    if not wanted:
        return {}
    return {
        v.sku.upper(): v
        for v in Variant.objects.alias(sku_upper=Upper("sku"))
        .filter(sku_upper__in=wanted)
        .select_related("product")
        .only("pk", "sku", "sale_price", "is_active", "product__is_active")
    }


def _sku_errors(skus: Sequence[tuple[int, str]], variants: dict[str, Variant]) -> list[FieldError]:
    """Unknown and no longer sold SKUs of (item index, sku) pairs."""
    errors = []
    for index, sku in skus:
        variant = variants.get(sku.upper())
        if variant is None:
            errors.append(
                FieldError(
                    f"items[{index}].sku",
                    "unknown_sku",
                    _("No product has the SKU %(sku)s.") % {"sku": sku},
                )
            )
        elif not (variant.is_active and variant.product.is_active):
            errors.append(
                FieldError(
                    f"items[{index}].sku",
                    "not_sold",
                    _("%(sku)s is no longer sold.") % {"sku": variant.sku},
                )
            )
    return errors


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
        and 0 < len(item["sku"].strip()) <= 64
    ]


def _check_against_database(
    website: Website, data: OrderIn
) -> tuple[list[FieldError], dict[str, Variant], int | None]:
    """SKUs (case-insensitive), the warehouse and discounts that depend on catalogue prices."""
    variants = _variants([item.sku for item in data.items])
    errors = _sku_errors([(i, item.sku) for i, item in enumerate(data.items)], variants)
    subtotal = Decimal(0)
    for index, item in enumerate(data.items):
        path = f"items[{index}]"
        variant = variants.get(item.sku.upper())
        if variant is None or not (variant.is_active and variant.product.is_active):
            continue
        price = variant.sale_price if item.unit_price is None else item.unit_price
        gross = quantize(price * item.quantity, data.currency)
        if item.discount > gross:
            errors.append(
                FieldError(
                    f"{path}.discount",
                    "too_large",
                    _("The discount is larger than the item's amount (%(amount)s).")
                    % {"amount": str(gross)},
                )
            )
        subtotal += gross - min(item.discount, gross)
    if not errors and data.discount > subtotal:
        errors.append(
            FieldError(
                "discount",
                "too_large",
                _("The order discount is larger than the items' total (%(amount)s).")
                % {"amount": str(quantize(subtotal, data.currency))},
            )
        )

    warehouse_id = website.warehouse_id
    if data.warehouse:
        warehouse = Warehouse.objects.filter(code__iexact=data.warehouse).first()
        if warehouse is None:
            errors.append(
                FieldError(
                    "warehouse",
                    "unknown_warehouse",
                    _("No warehouse has the code %(code)s.") % {"code": data.warehouse},
                )
            )
        elif not warehouse.is_active:
            errors.append(
                FieldError(
                    "warehouse",
                    "inactive_warehouse",
                    _("The warehouse %(code)s is inactive.") % {"code": warehouse.code},
                )
            )
        else:
            warehouse_id = warehouse.pk
    return errors, variants, warehouse_id


def _lock_phone(e164: str) -> None:
    """Serialise customer lookup-or-create for one phone number until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"website-buyer:{e164}"])


def _customer_for(data: OrderIn) -> Customer:
    """The oldest live customer with this phone, else a new one with name, phone, e-mail and
    the shipping address as default address."""
    _lock_phone(data.customer.phone)
    found = customers_with_phone(phone=data.customer.phone)
    if found:
        return found[0]
    return customer_create(
        data=CustomerInput(
            name=data.customer.name,
            phones=[data.customer.phone],
            emails=[data.customer.email] if data.customer.email else [],
            country=data.shipping.country,
        ),
        addresses=[data.shipping],
    )


def order_request_process(
    website: Website, raw_body: bytes, user_id: int | None, now: datetime
) -> RequestResult:
    """One order request (the endpoint's RequestHandler); see the module docstring."""
    decoded = body_decode(raw_body)
    if decoded.errors:
        return request_rejected(decoded.status, decoded.errors)
    data, payload = decoded.data, decoded.payload
    # Only a valid id is looked up: an over-long one is refused below, never cut to match.
    external_id = external_id_of(data)

    existing = _existing(website, external_id)
    if existing is not None:
        return _duplicate(existing, external_id, payload)

    currency = settings.SHOP_CURRENCY
    order_in, errors = order_validate(data, currency=currency)
    if order_in is None:
        skus = _skus_of_invalid(data)
        errors = [*errors, *_sku_errors(skus, _variants([sku for _i, sku in skus]))]
        return request_rejected(422, errors, external_id=external_id, payload=payload)
    db_errors, variants, warehouse_id = _check_against_database(website, order_in)
    if db_errors:
        return request_rejected(422, db_errors, external_id=external_id, payload=payload)

    lines = [
        LineInput(
            variant_id=variants[item.sku.upper()].pk,
            quantity=item.quantity,
            unit_price=item.unit_price,
            discount=item.discount,
        )
        for item in order_in.items
    ]
    try:
        with transaction.atomic():
            customer = _customer_for(order_in)
            order = order_create(
                customer_id=customer.pk,
                lines=lines,
                channel=Channel.WEBSITE,
                channel_account=website.code,
                external_number=order_in.external_id,
                payment_method=order_in.payment_method,
                warehouse_id=warehouse_id,
                shipping=order_in.shipping,
                discount_total=order_in.discount,
                shipping_fee=order_in.shipping_fee,
                notes=order_in.notes,
                currency=currency,
                user_id=user_id,
                now=now,
            )
            if order_in.paid_amount:
                if order_in.paid_amount > order.total:
                    raise OrderError(_("The amount paid is larger than the order total."))
                order_payment_record(
                    order_id=order.pk,
                    kind=PaymentKind.PAYMENT,
                    amount=order_in.paid_amount,
                    method=order_in.payment_method,
                    reference=order_in.payment_reference,
                    user_id=user_id,
                    now=now,
                )
                order.refresh_from_db()
    except OrderError as error:
        # Sent twice at the same moment: the other request's order won the unique constraint.
        existing = _existing(website, order_in.external_id)
        if existing is not None:
            return _duplicate(existing, order_in.external_id, payload)
        return request_rejected(
            422,
            [FieldError(None, "order_rejected", str(error))],
            external_id=external_id,
            payload=payload,
        )
    return RequestResult(
        status=201,
        outcome=ApiRequestOutcome.CREATED,
        body=order_receipt(order, order_in.external_id),
        external_id=order_in.external_id,
        payload=payload,
        order=order,
    )


def _raw_text(raw_body: bytes) -> str:
    # PostgreSQL text cannot hold NUL; everything else is kept as received.
    return raw_body[:MAX_BODY_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


_HANDLERS: dict[str, RequestHandler] = {ApiEndpoint.ORDERS: order_request_process}


def register_request_handler(endpoint: str, handler: RequestHandler) -> None:
    """How requests to `endpoint` (an ApiEndpoint) are applied again by staff: apps above
    orders that add an endpoint register its handler in their AppConfig.ready()."""
    _HANDLERS[endpoint] = handler


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
        with transaction.atomic():
            result = handler(website, raw_body, None, now)
            _store(website, endpoint, raw_body, result, now)
    except Exception:
        logger.exception("website %s: %s request failed", website.code, endpoint)
        error = FieldError(
            None, "server_error", _("The request could not be processed; send it again later.")
        )
        result = request_rejected(500, [error])
        _store(website, endpoint, raw_body, result, now)
    return result


def website_order_receive(
    *, website: Website, raw_body: bytes, now: datetime | None = None
) -> tuple[int, dict[str, Any]]:
    """Receive one order request from `website` (already authenticated): returns the HTTP
    status and the JSON body to answer (see the module docstring). The request is stored
    whatever happens, with the order it created or found."""
    result = website_request_receive(
        website=website,
        endpoint=ApiEndpoint.ORDERS,
        handler=order_request_process,
        raw_body=raw_body,
        now=now,
    )
    return result.status, result.body


def _store(
    website: Website, endpoint: str, raw_body: bytes, result: RequestResult, now: datetime
) -> WebsiteRequest:
    text = _raw_text(raw_body)
    return WebsiteRequest.objects.create(
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


def website_request_reapply(
    *, request_id: int, payload_text: str, user_id: int | None, now: datetime | None = None
) -> WebsiteRequest:
    """Apply a rejected request again with a payload repaired by staff (JSON text), through
    the handler of its endpoint.

    The row keeps the body as first received and records the repaired payload, the new
    outcome, status, errors and order. An id that meanwhile became an order (a contact
    request) gives outcome duplicate. Only rejected requests can be re-applied; two staff
    re-applying the same request at once are serialised by a lock on its row.
    """
    now = now or timezone.now()
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
        handler = _HANDLERS.get(request.endpoint)
        if handler is None:
            raise WebsiteError(_("Requests to this endpoint cannot be re-applied."))
        # Text typed in a form cannot hold a lone surrogate as UTF-8: keep it escaped so the
        # JSON reader reports it as the invalid text it is.
        raw = payload_text.encode("utf-8", errors="backslashreplace")
        result = handler(request.website, raw, user_id, now)
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
