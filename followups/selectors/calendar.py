"""The calendar: periods, entries per day, what is overdue before the period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    F,
    Min,
    Q,
    QuerySet,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from common import markers
from common.days import day_start
from followups.models import FollowUp
from followups.selectors import (
    SubjectKind,
    subject_urls,
    user_label,
)

VIEWS = ("month", "week", "day")
DUE_CLASS, SCHEDULED_CLASS, DONE_CLASS = markers.DUE, markers.SCHEDULED, markers.DONE


@dataclass(frozen=True)
class Entry:
    """One follow-up on the calendar (already shaped for the template: no query can follow)."""

    id: int
    at: datetime  # shop-local
    colour: str  # due | scheduled | done
    name: str
    reference: str  # order number, "" for customers and requests
    kind: SubjectKind
    url: str
    open: bool
    assignee: str
    assignee_id: int | None = None


@dataclass
class Day:
    day: date
    in_period: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)
    more: int = 0  # entries of this day left out of a month or week view


@dataclass(frozen=True)
class Period:
    view: str
    anchor: date
    start: date  # first day shown
    end: date  # day after the last day shown
    previous: date
    next: date


def calendar_period(*, view: str, anchor: date) -> Period:
    """The days a view shows around `anchor`: the month's full weeks (Monday first), the week
    (Monday to Sunday), or the day; with the anchors of the previous and next periods."""
    if view == "day":
        return Period(view, anchor, anchor, anchor + timedelta(days=1),
                      anchor - timedelta(days=1), anchor + timedelta(days=1))  # fmt: skip
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return Period(view, anchor, start, start + timedelta(days=7),
                      anchor - timedelta(days=7), anchor + timedelta(days=7))  # fmt: skip
    first = anchor.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    last = next_month - timedelta(days=1)
    end = last + timedelta(days=7 - last.weekday())
    return Period(view, anchor, start, end, add_months(anchor, -1), add_months(anchor, 1))


def add_months(day: date, months: int) -> date:
    """The same day of another month (the 31st becomes that month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (first_of_next - timedelta(days=1)).day))


# The columns an entry needs, read as plain rows (no model instances): the thread, its subject
# (one of three, with the order's customer) and the responsible user.
_COLUMNS = (
    "pk",
    "state",
    "next_contact_at",
    "finished_at",
    "order_id",
    "order__number",
    "order__customer__name",
    "customer_id",
    "customer__name",
    "contact_request_id",
    "contact_request__name",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def _entry_query(assignee_id: int | None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.all()
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    return qs


class _EntryRows:
    """Turns rows of _COLUMNS into entries: the subject URLs each reversed once per kind, each
    responsible user's label worded once."""

    def __init__(self, *, limit: datetime) -> None:
        self.limit = limit
        self.urls = subject_urls()
        self.labels: dict[int, str] = {}

    def _label(self, user_id: int | None, username: str, first: str, last: str) -> str:
        if user_id is None:
            return ""
        if user_id not in self.labels:
            user = get_user_model()(username=username, first_name=first, last_name=last)
            self.labels[user_id] = user_label(user)
        return self.labels[user_id]

    def entry(self, row: tuple[Any, ...]) -> Entry:
        (pk, state, next_at, finished_at, order_id, number, buyer, customer_id, customer,
         request_id, request, assignee_id, *assignee) = row  # fmt: skip
        kind: SubjectKind = "contact_request"
        subject_id, name, reference = request_id, request, ""
        if order_id is not None:
            kind, subject_id, name, reference = "order", order_id, buyer, number
        elif customer_id is not None:
            kind, subject_id, name = "customer", customer_id, customer
        is_open = state == markers.STATE_OPEN
        at = next_at if is_open else finished_at
        colour = DONE_CLASS
        if is_open:
            colour = DUE_CLASS if at < self.limit else SCHEDULED_CLASS
        return Entry(
            id=pk,
            at=timezone.localtime(at),
            colour=colour,
            name=name,
            reference=reference,
            kind=kind,
            url=self.urls(kind, subject_id),
            open=is_open,
            assignee=self._label(assignee_id, *assignee),
            assignee_id=assignee_id,
        )


def _in_range(lower: datetime, upper: datetime) -> Q:
    return Q(state=markers.STATE_OPEN, next_contact_at__gte=lower, next_contact_at__lt=upper) | Q(
        # finished_at is set only on finished threads (a check constraint): the range alone
        # uses followups_finished_idx.
        finished_at__gte=lower,
        finished_at__lt=upper,
    )


def _first_of_each_day(
    threads: QuerySet[FollowUp], *, per_day: int
) -> tuple[list[int], dict[date, int]]:
    """The ids of the first `per_day` threads of each shop-local day (by time, then id) and how
    many each day holds beyond them. The database ranks and counts (a window over the day), so
    only the ids shown come back, however busy the month."""
    at = Case(When(state=markers.STATE_OPEN, then=F("next_contact_at")), default=F("finished_at"))
    day = TruncDate("at", tzinfo=timezone.get_current_timezone())
    ranked = (
        threads.annotate(at=at)
        .annotate(day=day)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("day")], order_by=[F("at"), F("pk")]),
            total=Window(Count("pk"), partition_by=[F("day")]),
        )
        .filter(rank__lte=per_day)
        .values_list("pk", "day", "total")
    )
    shown: list[int] = []
    more: dict[date, int] = {}
    for pk, local_day, total in ranked:
        shown.append(pk)
        if total > per_day:
            more[local_day] = total - per_day
    return shown, more


def calendar_entries(
    *,
    start: date,
    end: date,
    today: date,
    assignee_id: int | None,
    per_day: int | None = None,
    more: dict[date, int] | None = None,
) -> list[Entry]:
    """The follow-ups of [start, end): open ones at their next contact (red up to today, green
    later), finished ones grey at their finish. A range on (state, next_contact_at) OR a range
    on (finished_at), with the subjects joined for the labels.

    With `per_day`, only the first `per_day` entries of each day are loaded and shaped (a
    month of the whole shop can hold thousands); how many were left out per day goes into
    `more`. That is one light query over the range (ranked per day in the database, ids of
    the shown ones only), then one for the entries shown."""
    lower, upper = day_start(start), day_start(end)
    limit = markers.tomorrow_start(today)
    threads = _entry_query(assignee_id).filter(_in_range(lower, upper))
    if per_day is not None:
        light = FollowUp.objects.filter(_in_range(lower, upper))
        if assignee_id is not None:
            light = light.filter(assignee_id=assignee_id)
        shown, left_out = _first_of_each_day(light, per_day=per_day)
        if more is not None:
            more.update(left_out)
        threads = threads.filter(pk__in=shown)
    shaper = _EntryRows(limit=limit)
    entries = [shaper.entry(row) for row in threads.order_by("pk").values_list(*_COLUMNS)]
    entries.sort(key=lambda e: (e.at, e.id))
    return entries


def calendar_days(
    *, period: Period, today: date, entries: list[Entry], more: dict[date, int] | None = None
) -> list[Day]:
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.at.date()].append(entry)
    days = []
    current = period.start
    while current < period.end:
        in_period = period.view != "month" or current.month == period.anchor.month
        days.append(
            Day(
                current,
                in_period,
                current == today,
                by_day.get(current, []),
                (more or {}).get(current, 0),
            )
        )
        current += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Overdue:
    count: int
    oldest: date | None


def overdue_before(*, start: date, today: date, assignee_id: int | None) -> Overdue:
    """Open follow-ups due before the visible period that are already late (one aggregate on
    the (state, next_contact_at) index)."""
    limit = min(day_start(start), markers.tomorrow_start(today))
    qs = FollowUp.objects.filter(state=markers.STATE_OPEN, next_contact_at__lt=limit)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    figures = qs.aggregate(count=Count("pk"), oldest=Min("next_contact_at"))
    oldest = figures["oldest"]
    return Overdue(figures["count"], timezone.localdate(oldest) if oldest else None)
