"""Reads of the follow-ups app, shaped for its pages: the panel, the contact-request list, the
calendar, the reminders, the outcomes report. Each decides its joins and runs a fixed number of
queries (templates never query); lists have an explicit order with a unique tiebreaker.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from common import markers
from common.days import day_start
from followups.models import ContactNote, ContactRequest, FollowUp, Outcome
from orders.models import Customer, CustomerPhone, Order
from orders.selectors import customers_with_phone, search_words
from orders.transitions import CLOSED_STATUSES

SubjectKind = Literal["order", "customer", "contact_request"]
KINDS: tuple[SubjectKind, ...] = ("order", "customer", "contact_request")
# How many history rows the panel shows (a thread rarely has more; the rest stay in the DB).
PANEL_NOTES = 100


def local_at(day: date, at: time) -> datetime:
    """`day` at the shop-local time `at`, aware."""
    return timezone.make_aware(datetime.combine(day, at))


def default_next_contact(today: date) -> datetime:
    """The form's default for the next contact: tomorrow 09:00 shop-local."""
    return local_at(today + timedelta(days=1), time(9, 0))


def staff_who_follow_up() -> QuerySet[Any]:
    """Active users who may hold a follow-up (their role has change_followup), by name."""
    user_model = get_user_model()
    perm = Q(
        groups__permissions__codename="change_followup",
        groups__permissions__content_type__app_label="followups",
    ) | Q(
        user_permissions__codename="change_followup",
        user_permissions__content_type__app_label="followups",
    )
    ids = user_model.objects.filter(perm).values("pk")
    return (
        user_model.objects.filter(Q(pk__in=ids) | Q(is_superuser=True), is_active=True)
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username", "pk")
    )


def user_label(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- The panel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSubject:
    kind: SubjectKind
    pk: int
    name: str  # the customer's (or requester's) name
    reference: str  # order number, "" otherwise
    url: str
    closed: bool = False  # a completed, cancelled or returned order (common.markers)


@dataclass
class Panel:
    subject: PanelSubject
    thread: FollowUp | None
    notes: list[ContactNote]
    marker: str


def panel_subject(*, kind: str, pk: int) -> PanelSubject | None:
    """The subject of a panel, or None when it does not exist. One query."""
    if kind == "order":
        order = (
            Order.objects.filter(pk=pk)
            .select_related("customer")
            .only("pk", "number", "status", "customer__name")
            .first()
        )
        if order is None:
            return None
        return PanelSubject(
            "order",
            order.pk,
            order.customer.name,
            order.number,
            _subject_url("order", pk),
            closed=order.status in CLOSED_STATUSES,
        )
    if kind == "customer":
        customer = Customer.objects.filter(pk=pk).only("pk", "name").first()
        if customer is None:
            return None
        return PanelSubject("customer", pk, customer.name, "", _subject_url("customer", pk))
    if kind == "contact_request":
        request = ContactRequest.objects.filter(pk=pk).only("pk", "name").first()
        if request is None:
            return None
        return PanelSubject(
            "contact_request", pk, request.name, "", _subject_url("contact_request", pk)
        )
    return None


def _subject_url(kind: str, pk: int) -> str:
    name = {
        "order": "orders:order_detail",
        "customer": "orders:customer_detail",
        "contact_request": "followups:request_detail",
    }[kind]
    return reverse(name, args=[pk])


def panel_thread(*, kind: str, pk: int) -> FollowUp | None:
    field_name = {"order": "order_id", "customer": "customer_id"}.get(kind, "contact_request_id")
    return (
        FollowUp.objects.filter(**{field_name: pk})
        .select_related("assignee")
        .order_by("pk")
        .first()
    )


def panel_notes(*, thread: FollowUp | None) -> list[ContactNote]:
    if thread is None:
        return []
    return list(
        ContactNote.objects.filter(followup=thread)
        .select_related("user", "assignee")
        .order_by("-created_at", "-id")[:PANEL_NOTES]
    )


def panel(*, subject: PanelSubject, today: date) -> Panel:
    """Thread, history (newest first) and marker of one subject: two queries."""
    thread = panel_thread(kind=subject.kind, pk=subject.pk)
    notes = panel_notes(thread=thread)
    marker = markers.marker_for(
        state=thread.state if thread is not None else markers.STATE_NONE,
        next_contact_at=thread.next_contact_at if thread is not None else None,
        today=today,
        closed=subject.closed,
    )
    return Panel(subject=subject, thread=thread, notes=notes, marker=marker)


# --- Contact requests ---------------------------------------------------------------------------

SORT_WORK = "work"
SORT_NEWEST = "newest"


def request_list(
    *, today: date, q: str = "", marker: str = "", source: str = "", sort: str = SORT_WORK
) -> QuerySet[ContactRequest]:
    """Contact requests with their marker computed by the database.

    The default order is the day's work: red (due, oldest promise first), then blue (new,
    newest first: someone is waiting for a first call), then green (next contact soonest
    first), then grey (newest first). `sort="newest"` lists by arrival only.
    """
    qs = ContactRequest.objects.annotate(marker=markers.marker_expression(today=today))
    if marker:
        qs = qs.filter(markers.marker_q(marker, today=today))
    if source:
        qs = qs.filter(source=source)
    for word in search_words(q):
        qs = qs.filter(search_text__contains=word)
    qs = qs.select_related("customer", "order").only(
        "pk",
        "name",
        "phone",
        "email",
        "message",
        "source",
        "preferred_at",
        "followup_state",
        "next_contact_at",
        "created_at",
        "customer__id",
        "customer__name",
        "order__id",
        "order__number",
    )
    if sort == SORT_NEWEST:
        return qs.order_by("-created_at", "-id")
    rank = Case(
        *(
            When(markers.marker_q(code, today=today), then=Value(position))
            for position, code in enumerate(markers.MARKERS)
        ),
        output_field=IntegerField(),
    )
    planned = Case(
        When(followup_state=markers.STATE_OPEN, then=F("next_contact_at")),
        default=None,
    )
    return qs.alias(rank=rank, planned=planned).order_by(
        "rank", F("planned").asc(nulls_last=True), "-created_at", "-id"
    )


def request_detail(*, pk: int) -> ContactRequest | None:
    return (
        ContactRequest.objects.filter(pk=pk)
        .select_related("customer", "order", "website", "created_by")
        .first()
    )


def request_customer(*, request: ContactRequest) -> Customer | None:
    """The customer a request would sell to: its own (followed through merges), else the
    first live customer with its phone; None when the order must add a new one."""
    customer_id = request.customer_id
    while customer_id is not None:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None or customer.merged_into_id is None:
            return customer
        customer_id = customer.merged_into_id
    matches = customers_with_phone(phone=request.phone)
    return matches[0] if matches else None


# --- Calendar -----------------------------------------------------------------------------------

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


def subject_fields(thread: FollowUp) -> tuple[SubjectKind, int, str, str]:
    """(kind, pk, name, order number) of a thread loaded with its subject."""
    if thread.order_id:
        order = thread.order
        assert order is not None
        return "order", order.pk, order.customer.name, order.number
    if thread.customer_id:
        customer = thread.customer
        assert customer is not None
        return "customer", customer.pk, customer.name, ""
    request = thread.contact_request
    assert request is not None
    return "contact_request", request.pk, request.name, ""


def _entry(thread: FollowUp, *, limit: datetime) -> Entry:
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
        url=_subject_url(kind, pk),
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
    `more`. That is one light query over the range (ids and times only), then one for the
    entries shown."""
    lower, upper = day_start(start), day_start(end)
    limit = markers.tomorrow_start(today)
    threads = _entry_query(assignee_id).filter(_in_range(lower, upper))
    if per_day is not None:
        light = FollowUp.objects.filter(_in_range(lower, upper))
        if assignee_id is not None:
            light = light.filter(assignee_id=assignee_id)
        by_day: dict[date, list[tuple[datetime, int]]] = defaultdict(list)
        for pk, state, next_at, finished_at in light.values_list(
            "pk", "state", "next_contact_at", "finished_at"
        ):
            at = next_at if state == markers.STATE_OPEN else finished_at
            local = timezone.localtime(at)
            by_day[local.date()].append((local, pk))
        shown: list[int] = []
        for day, items in by_day.items():
            items.sort()
            shown.extend(pk for _at, pk in items[:per_day])
            if more is not None and len(items) > per_day:
                more[day] = len(items) - per_day
        threads = threads.filter(pk__in=shown)
    entries = [_entry(thread, limit=limit) for thread in threads.order_by("pk")]
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


# --- Reminders ----------------------------------------------------------------------------------


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
        url=_subject_url(kind, pk),
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


# --- Outcomes report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    outcome: str
    label: str
    count: int
    share: float  # 0..100, for display only (counts are exact)


@dataclass(frozen=True)
class StaffRow:
    user_id: int | None
    name: str
    counts: dict[str, int]
    total: int

    @property
    def cells(self) -> list[int]:
        """The counts in the order of Outcome (the report's columns)."""
        return [self.counts.get(value, 0) for value in Outcome.values]

    @property
    def sold_share(self) -> float:
        return 100 * self.counts.get(Outcome.SOLD, 0) / self.total if self.total else 0.0


@dataclass(frozen=True)
class OutcomeReport:
    date_from: date
    date_to: date
    total: int
    outcomes: list[OutcomeRow]
    staff: list[StaffRow]
    requests_total: int
    requests_ordered: int

    @property
    def requests_share(self) -> float:
        return 100 * self.requests_ordered / self.requests_total if self.requests_total else 0.0


def outcome_report(*, date_from: date, date_to: date) -> OutcomeReport:
    """Follow-ups finished in [date_from, date_to] (shop-local days) by outcome and by the
    staff member responsible, and the contact requests received then that became orders.
    Two grouped queries."""
    lower, upper = day_start(date_from), day_start(date_to + timedelta(days=1))
    rows = (
        FollowUp.objects.filter(
            finished_at__gte=lower, finished_at__lt=upper, state=markers.STATE_FINISHED
        )
        .values(
            "assignee_id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "outcome",
        )
        .annotate(n=Count("pk"))
        .order_by("assignee_id", "outcome")
    )
    by_outcome: dict[str, int] = dict.fromkeys(Outcome.values, 0)
    staff: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        by_outcome[row["outcome"]] = by_outcome.get(row["outcome"], 0) + row["n"]
        person = staff.setdefault(
            row["assignee_id"],
            {
                "name": " ".join(
                    p for p in (row["assignee__first_name"], row["assignee__last_name"]) if p
                )
                or (row["assignee__username"] or ""),
                "counts": dict.fromkeys(Outcome.values, 0),
            },
        )
        person["counts"][row["outcome"]] = person["counts"].get(row["outcome"], 0) + row["n"]
    total = sum(by_outcome.values())
    outcomes = [
        OutcomeRow(
            value,
            str(label),
            by_outcome.get(value, 0),
            100 * by_outcome.get(value, 0) / total if total else 0.0,
        )
        for value, label in Outcome.choices
    ]
    staff_rows = sorted(
        (
            StaffRow(uid, data["name"], data["counts"], sum(data["counts"].values()))
            for uid, data in staff.items()
        ),
        key=lambda r: (-r.total, r.name, r.user_id or 0),
    )
    requests = ContactRequest.objects.filter(created_at__gte=lower, created_at__lt=upper).aggregate(
        total=Count("pk"), ordered=Count("pk", filter=Q(order__isnull=False))
    )
    return OutcomeReport(
        date_from=date_from,
        date_to=date_to,
        total=total,
        outcomes=outcomes,
        staff=staff_rows,
        requests_total=requests["total"],
        requests_ordered=requests["ordered"],
    )
