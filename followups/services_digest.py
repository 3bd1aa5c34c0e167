"""The morning digest: one e-mail per staff member listing their follow-ups due today or
overdue, in their language.

Sent at most once per user and shop-local day: the DigestRun row (unique user + day) is written
FIRST, so a rerun of the task or a second worker finds it and sends nothing. If sending fails,
that row is deleted again (the next run retries that user) and the error is raised.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from common import markers
from followups.models import DigestRun, FollowUp
from followups.selectors.reminders import DueItem, due_items

logger = logging.getLogger(__name__)


def _site_url() -> str:
    return str(getattr(settings, "SITE_URL", "") or "").rstrip("/")


def digest_recipients(*, today: date) -> list[Any]:
    """Active users with an e-mail address who hold a follow-up due today or overdue."""
    due = FollowUp.objects.filter(
        markers.marker_q(markers.DUE, today=today, state_field="state"),
        assignee__isnull=False,
    ).values("assignee_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=due, is_active=True)
        .exclude(Q(email="") | Q(email__isnull=True))
        .order_by("pk")
    )


def digest_message(*, user: Any, items: list[DueItem], today: date) -> Any:
    """The e-mail (plain text and HTML) for one user, in their language."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    site = _site_url()
    overdue = sum(1 for item in items if item.overdue)
    due_today = len(items) - overdue
    with translation.override(language):
        subject = ngettext(
            "%(count)d follow-up for today",
            "%(count)d follow-ups for today",
            len(items),
        ) % {"count": len(items)}
        context = {
            "user": user,
            "items": items,
            "today": today,
            "overdue": overdue,
            "due_today": due_today,
            "site": site,
            "language": language,
            "reminders_url": site + reverse("followups:reminders"),
        }
        text = render_to_string("followups/email/digest.txt", context)
        html = render_to_string("followups/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def digest_send(*, user: Any, today: date, now: datetime) -> bool:
    """Send the user's digest for `today` unless it was already sent. True when sent."""
    items = due_items(user_id=user.pk, today=today)
    if not items:
        return False
    overdue = sum(1 for item in items if item.overdue)
    run, created = DigestRun.objects.get_or_create(
        user=user,
        day=today,
        defaults={"due": len(items) - overdue, "overdue": overdue, "sent_at": now},
    )
    if not created:
        return False
    try:
        digest_message(user=user, items=items, today=today).send(fail_silently=False)
    except Exception:
        run.delete()
        raise
    FollowUp.objects.filter(pk__in=[item.id for item in items]).update(reminded_at=now)
    return True


def digest_send_all(*, today: date, now: datetime) -> int:
    """Send today's digest to every user who has follow-ups due; returns how many were sent."""
    sent = 0
    for user in digest_recipients(today=today):
        if digest_send(user=user, today=today, now=now):
            sent += 1
    logger.info("follow-up digest %s: %d sent", today.isoformat(), sent)
    return sent
