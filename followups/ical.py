"""The private iCalendar feed of a user's open follow-ups (for a phone's or Outlook's calendar).

The token in the address is the only credential: it is random (256 bits) and shown once, when
it is made; only its SHA-256 digest is stored (with its first 6 characters, so the user can tell
which address is current), like the website API keys. A request is matched by the digest of the
token it carries, so what the database compares is a digest, never the secret, and a copy of the
database does not give anyone the feeds. Rotating replaces the digest in one UPDATE, so the old
address stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from common.phones import format_phone
from followups.models import CalendarFeed
from followups.selectors.reminders import DueItem, open_threads_of

PAST = timedelta(days=30)
AHEAD = timedelta(days=180)
DURATION = timedelta(minutes=15)
TOKEN_MAX_LENGTH = 64
PREFIX_LENGTH = 6


def _token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_get(*, user_id: int) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user_id=user_id).first()


def calendar_feed_rotate(*, user_id: int, now: datetime | None = None) -> tuple[CalendarFeed, str]:
    """Create the user's feed, or give it a new token (the old address stops working).
    Returns the feed and its token: the only time the token exists outside the address."""
    now = now or timezone.now()
    for _attempt in range(5):
        token = _token()
        fields = {
            "token_hash": token_hash(token),
            "token_prefix": token[:PREFIX_LENGTH],
            "created_at": now,
        }
        try:
            with transaction.atomic():
                updated = CalendarFeed.objects.filter(user_id=user_id).update(**fields)
                if not updated:
                    CalendarFeed.objects.create(user_id=user_id, **fields)
        except IntegrityError:
            continue  # two tabs creating it at once, or (never seen) a digest collision
        return CalendarFeed.objects.get(user_id=user_id), token
    raise RuntimeError("no calendar feed token could be stored")  # pragma: no cover


def feed_owner(*, token: str) -> Any | None:
    """The active user holding this feed token, or None (one indexed lookup by digest)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.filter(token_hash=token_hash(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed else None


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _summary(item: DueItem) -> str:
    if item.reference:
        text = _("Call %(name)s – %(number)s")  # noqa: RUF001 (the dash is meant)
        return text % {"name": item.name, "number": item.reference}
    if item.kind == "contact_request":
        text = _("Call %(name)s – contact request")  # noqa: RUF001
        return text % {"name": item.name}
    return _("Call %(name)s") % {"name": item.name}


def calendar_ical(*, user: Any, host: str, absolute: Any, now: datetime | None = None) -> bytes:
    """The VCALENDAR of the user's open follow-ups from 30 days ago to 180 days ahead: one
    15-minute event each, with a UID stable per thread. `absolute(path)` makes a link absolute.
    Texts are in the user's language."""
    now = now or timezone.now()
    items = open_threads_of(user_id=user.pk, since=now - PAST, until=now + AHEAD)
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//shop-crm//follow-ups//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Follow-ups"))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        for item in items:
            assert item.at is not None
            event = Event()
            event.add("uid", f"followup-{item.id}@{host}")
            event.add("dtstamp", _utc(item.updated_at))
            event.add("dtstart", _utc(item.at))
            event.add("dtend", _utc(item.at + DURATION))
            event.add("summary", _summary(item))
            lines = [item.last_note] if item.last_note else []
            if item.phone:
                lines.append(_("Phone: %(phone)s") % {"phone": format_phone(item.phone)})
            if lines:
                event.add("description", "\n".join(lines))
            event.add("url", absolute(item.url))
            calendar.add_component(event)
    return calendar.to_ical()
