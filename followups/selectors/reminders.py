"""Reminders: what is due today or overdue (badge, dashboard card, reminders page, digest) and the
open threads of the iCalendar feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from common import markers
from common.days import day_start
from followups.models import ContactNote, FollowUp
from followups.selectors import (
    SubjectKind,
    subject_fields,
    subject_url,
)
from orders.models import CustomerPhone


def _due_q(today: date) -> Q:
    return markers.marker_q(
        markers.DUE, today=today, state_field="state", at_field="next_contact_at"
    )


def _my_due(*, user_id: int, today: date) -> QuerySet[FollowUp]:
    """The user's follow-ups due today or overdue: what the top-bar badge counts, what the
    dashboard card splits and what the reminders page lists (one rule for all three)."""
    return FollowUp.objects.filter(_due_q(today), assignee_id=user_id)


@dataclass(frozen=True)
class DueSummary:
    overdue: int  # due before today (or with no date)
    today: int  # due today

    @property
    def total(self) -> int:
        return self.overdue + self.today


def due_summary(*, user_id: int, today: date) -> DueSummary:
    """How many of the user's follow-ups are overdue and due today: one aggregate on the
    (assignee, state, next_contact_at) index, cheap enough to run on every badge load, so it
    is never cached and always agrees with the reminders page."""
    figures = _my_due(user_id=user_id, today=today).aggregate(
        overdue=Count(
            "pk",
            filter=Q(next_contact_at__lt=day_start(today)) | Q(next_contact_at__isnull=True),
        ),
        today=Count("pk", filter=Q(next_contact_at__gte=day_start(today))),
    )
    return DueSummary(overdue=figures["overdue"], today=figures["today"])


def due_count(*, user_id: int, today: date) -> int:
    """How many of the user's follow-ups are due today or overdue (the badge)."""
    return due_summary(user_id=user_id, today=today).total


def my_today(user: Any, today: date) -> tuple[int, int]:
    """(overdue, due today) of the user's open follow-ups, in one query (the dashboard card)."""
    summary = due_summary(user_id=user.pk, today=today)
    return summary.overdue, summary.today


@dataclass(frozen=True)
class DueItem:
    id: int
    at: datetime | None  # shop-local
    overdue: bool
    kind: SubjectKind
    subject_id: int
    name: str
    reference: str
    phone: str
    last_note: str
    url: str
    updated_at: datetime


def _with_contact_details(qs: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """Threads with their subject joined, the customer's first phone and the last note text."""
    last_note = (
        ContactNote.objects.filter(followup=OuterRef("pk"))
        .exclude(note="")
        .order_by("-id")
        .values("note")[:1]
    )
    phone = (
        CustomerPhone.objects.filter(customer_id=OuterRef("subject_customer"))
        .order_by("-is_primary", "id")
        .values("e164")[:1]
    )
    return (
        qs.select_related("order__customer", "customer", "contact_request")
        .only(
            "pk",
            "state",
            "next_contact_at",
            "updated_at",
            "order__id",
            "order__number",
            "order__ship_phone",
            "order__customer__name",
            "customer__id",
            "customer__name",
            "contact_request__id",
            "contact_request__name",
            "contact_request__phone",
        )
        .annotate(subject_customer=Coalesce("order__customer_id", "customer_id"))
        .annotate(last_note=Subquery(last_note), customer_phone=Subquery(phone))
    )


def _due_item(thread: FollowUp, *, overdue_before: datetime) -> DueItem:
    kind, pk, name, reference = subject_fields(thread)
    extra: Any = thread
    if kind == "contact_request":
        number = thread.contact_request.phone  # type: ignore[union-attr]
    elif kind == "order":
        number = extra.customer_phone or thread.order.ship_phone or ""  # type: ignore[union-attr]
    else:
        number = extra.customer_phone or ""
    at = thread.next_contact_at
    return DueItem(
        id=thread.pk,
        at=timezone.localtime(at) if at else None,
        overdue=at is None or at < overdue_before,
        kind=kind,
        subject_id=pk,
        name=name,
        reference=reference,
        phone=number,
        last_note=extra.last_note or "",
        url=subject_url(kind, pk),
        updated_at=thread.updated_at,
    )


def due_items(*, user_id: int, today: date) -> list[DueItem]:
    """The user's follow-ups due today or overdue, oldest first, each with the customer's
    phone and the last thing written about it. One query."""
    threads = _with_contact_details(_my_due(user_id=user_id, today=today)).order_by(
        F("next_contact_at").asc(nulls_first=True), "pk"
    )
    start = day_start(today)
    return [_due_item(thread, overdue_before=start) for thread in threads]


def open_threads_of(*, user_id: int, since: datetime, until: datetime) -> list[DueItem]:
    """The user's open follow-ups with a next contact in [since, until) (the iCalendar feed),
    shaped like the reminders. One query."""
    threads = _with_contact_details(
        FollowUp.objects.filter(
            assignee_id=user_id,
            state=markers.STATE_OPEN,
            next_contact_at__gte=since,
            next_contact_at__lt=until,
        )
    ).order_by("next_contact_at", "pk")
    return [_due_item(thread, overdue_before=since) for thread in threads]
