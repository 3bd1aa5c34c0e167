"""A customer asks to be called back (website form, staff entering a call): the request, matched
to a customer by phone, idempotent per website and its id, with the follow-up the requested
call-back time opens."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import fold
from followups.models import ContactRequest, RequestSource
from followups.services import FollowUpError, Subject, followup_schedule
from orders.errors import InvalidPhoneNumber
from orders.selectors import customers_with_phone
from orders.services.customers import phone_from_e164
from orders.validators import phone_normalize


def _request_search_text(*, name: str, email: str, message: str, phone: str) -> str:
    """Folded words, then the phone's local and E.164 digits (as customers are searched)."""
    words = fold(" ".join(p for p in (name, email, message[:200]) if p))
    return " ".join(p for p in (words, phone_from_e164(phone).search_digits) if p)


def contact_request_create(
    *,
    name: str,
    phone: str,
    source: str,
    user_id: int | None,
    email: str = "",
    message: str = "",
    preferred_at: datetime | None = None,
    website_id: int | None = None,
    external_id: str = "",
    now: datetime | None = None,
) -> tuple[ContactRequest, bool]:
    """A customer asked to be contacted. Idempotent by (website, external_id): a repeat returns
    the first request and False. The customer is matched by phone when one exists. A requested
    call-back time (`preferred_at`, aware) opens the request's follow-up with that time as its
    next contact, held by the staff member who entered it (nobody for the website's)."""
    now = now or timezone.now()
    name, email, message, external_id = (
        name.strip()[:200],
        email.strip()[:254],
        message.strip(),
        external_id.strip()[:64],
    )
    e164 = _request_checked(source=source, name=name, phone=phone)
    existing = _request_existing(website_id=website_id, external_id=external_id)
    if existing is not None:
        return existing, False
    matches = customers_with_phone(phone=e164)
    request = ContactRequest(
        name=name,
        phone=e164,
        email=email,
        message=message,
        source=source,
        website_id=website_id,
        external_id=external_id,
        preferred_at=preferred_at,
        customer=matches[0] if matches else None,
        search_text=_request_search_text(name=name, email=email, message=message, phone=e164),
        created_by_id=user_id,
        created_at=now,
    )
    try:
        _request_insert(request, user_id=user_id, now=now)
    except IntegrityError:
        # The same website request saved meanwhile by another worker: that one stands.
        existing = _request_existing(website_id=website_id, external_id=external_id)
        if existing is None:
            raise
        return existing, False
    return request, True


def _request_checked(*, source: str, name: str, phone: str) -> str:
    """The request's phone in E.164; FollowUpError for an unknown source, no name, a bad phone."""
    if source not in RequestSource.values:
        raise FollowUpError(_("Unknown source of the request."))
    if not name:
        raise FollowUpError(_("Enter the name of the person to call back."))
    try:
        return phone_normalize(phone).e164
    except InvalidPhoneNumber as error:
        raise FollowUpError(str(error)) from None


def _request_existing(*, website_id: int | None, external_id: str) -> ContactRequest | None:
    """The request a website already sent under this id (None for requests entered by staff)."""
    if not (website_id and external_id):
        return None
    return ContactRequest.objects.filter(website_id=website_id, external_id=external_id).first()


def _request_insert(request: ContactRequest, *, user_id: int | None, now: datetime) -> None:
    with transaction.atomic():
        request.save(force_insert=True)
        if request.preferred_at is not None:
            # "Call me at 15:00": that is when it is due (red from that day, green before).
            thread = followup_schedule(
                subject=Subject("contact_request", request.pk),
                next_contact_at=request.preferred_at,
                user_id=user_id,
                now=now,
            )
            request.followup_state = thread.state
            request.next_contact_at = thread.next_contact_at
