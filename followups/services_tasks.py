"""Staff tasks: a follow-up about something other than a customer (a marketplace shop whose
authorisation ends, later a carrier contract...), raised by the system for one staff member.

It is kept as a contact request noted by staff (source "staff", no phone) whose follow-up is
due at `due_at` and assigned to that person, so it shows where every follow-up shows: the
reminders badge and page, the calendar, the morning digest and the iCalendar feed. `key`
makes it idempotent: while a task with that key is open, asking again returns it unchanged.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from common import markers
from common.text import fold
from followups.models import ContactRequest, FollowUp, RequestSource
from followups.services import FollowUpError, Subject, followup_schedule

KEY_PREFIX = "task:"


def staff_task_create(
    *,
    title: str,
    message: str,
    assignee_id: int | None,
    due_at: datetime,
    key: str,
    now: datetime | None = None,
) -> FollowUp:
    """A to-do for `assignee_id`, due at `due_at` (red from that day). `message` may hold a
    link (plain text: the pages show it escaped)."""
    now = now or timezone.now()
    title, message = title.strip()[:200], message.strip()
    if not title:
        raise FollowUpError("a staff task needs a title")
    external_id = (KEY_PREFIX + key)[:64]
    with transaction.atomic():
        existing = (
            FollowUp.objects.select_for_update()
            .filter(
                contact_request__website__isnull=True,
                contact_request__external_id=external_id,
                state=markers.STATE_OPEN,
            )
            .first()
        )
        if existing is not None:
            return existing
        request = ContactRequest.objects.create(
            name=title,
            phone="",
            message=message,
            source=RequestSource.STAFF,
            external_id=external_id,
            search_text=fold(f"{title} {message[:200]}"),
            created_at=now,
        )
        return followup_schedule(
            subject=Subject("contact_request", request.pk),
            next_contact_at=due_at,
            user_id=None,
            assignee_id=assignee_id,
            note=message,
            now=now,
        )
