"""The calendar: periods, entries per day, what is overdue before the period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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
    subject_fields,
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


def _entry_query(assignee_id: int | None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related(
        "order__customer", "customer", "contact_request", "assignee"
    ).only(
        "pk",
        "state",
        "next_contact_at",
        "finished_at",
        "order__id",
        "order__number",
        "order__customer__name",
        "customer__id",
        "customer__name",
        "contact_request__id",
        "contact_request__name",
        "assignee__id",
        "assignee__username",
        "assignee__first_name",
        "assignee__last_name",
    )
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    return qs


def _entry(thread: FollowUp, *, limit: datetime, urls: Callable[[str, int], str]) -> Entry:
    kind, pk, name, reference = subject_fields(thread)
    is_open = thread.state == markers.STATE_OPEN
    at = thread.next_contact_at if is_open else thread.finished_at
    assert at is not None
    colour = DONE_CLASS
    if is_open:
        colour = DUE_CLASS if at < limit else SCHEDULED_CLASS
    return Entry(
        id=thread.pk,
        at=timezone.localtime(at),
        colour=colour,
        name=name,
        reference=reference,
        kind=kind,
        url=urls(kind, pk),
        open=is_open,
        assignee=user_label(thread.assignee),
        assignee_id=thread.assignee_id,
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
    urls = subject_urls()
    entries = [_entry(thread, limit=limit, urls=urls) for thread in threads.order_by("pk")]
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
