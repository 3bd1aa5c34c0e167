"""The follow-up calendar: month, week and day views, rescheduling in place (drag and drop or
the entry's small form)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from common.auth import require_perm
from common.forms import parse_query
from common.htmx import is_htmx, render_partial_or_page
from followups.calendar_cells import DayCell, EntryCell, day_cells
from followups.forms import CalendarForm, RescheduleForm
from followups.selectors import staff_who_follow_up
from followups.selectors.calendar import (
    VIEWS,
    calendar_days,
    calendar_entries,
    calendar_period,
    overdue_before,
)
from followups.services import ACT_ON_ALL, FollowUpError, followup_reschedule

TEMPLATE = "followups/calendar.html"
# Entries drawn per day; the rest of a busy day is one "+N more" link to its day view.
PER_DAY = {"month": 4, "week": 12}


@dataclass(frozen=True)
class CalendarState:
    """What the calendar shows, read from the query string (or the reschedule form)."""

    view: str
    anchor: date
    user: str  # "me", "all" or a user id
    form: CalendarForm | None = field(default=None, compare=False)  # its errors are shown

    def assignee_id(self, request: HttpRequest) -> int | None:
        if self.user == "all":
            return None
        if self.user == "me":
            return request.user.pk
        return int(self.user)

    def query(self, **changes: Any) -> str:
        values = {"view": self.view, "date": self.anchor.isoformat(), "user": self.user}
        values.update({k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()})
        query = QueryDict(mutable=True)
        query.update(values)
        return query.urlencode()


def default_scope(user: Any) -> str:
    """Whose follow-ups the calendar opens on: what the role answers for. Who may act on
    anyone's follow-ups (owner, manager) sees everyone's; the others their own."""
    return "all" if user.has_perm(ACT_ON_ALL) else "me"


def calendar_state(params: QueryDict, *, today: date, user: Any) -> CalendarState:
    """The calendar's state; without a `user` in the query string, the role's default scope
    (every link the calendar draws carries the scope, so a choice is kept)."""
    parsed = parse_query(CalendarForm, params)
    view = parsed.values["view"]
    return CalendarState(
        view=view if view in VIEWS else "month",
        anchor=parsed.values["date"] or today,
        user=parsed.values["user"] or default_scope(user),
        form=parsed.form,
    )


def _context(request: HttpRequest, state: CalendarState, *, error: str = "") -> dict[str, Any]:
    today = timezone.localdate()
    period = calendar_period(view=state.view, anchor=state.anchor)
    assignee_id = state.assignee_id(request)
    more: dict[date, int] = {}
    entries = calendar_entries(
        start=period.start,
        end=period.end,
        today=today,
        assignee_id=assignee_id,
        per_day=PER_DAY.get(state.view),
        more=more,
    )
    days = day_cells(
        calendar_days(period=period, today=today, entries=entries, more=more),
        user=request.user,
        can_change=request.user.has_perm("followups.change_followup"),
        hidden=_move_hidden_fields(request, state),
    )
    overdue = overdue_before(start=period.start, today=today, assignee_id=assignee_id)
    return {
        "state": state,
        "anchor_iso": state.anchor.isoformat(),
        "user_query": quote(state.user),
        "period": period,
        "today": today,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "weekdays": days[:7],
        "entries": entries,
        "hours": _hours(days) if state.view == "day" else [],
        "overdue": overdue,
        "staff": list(staff_who_follow_up()),
        "error": error,
        "nav": {
            "previous": state.query(date=period.previous),
            "next": state.query(date=period.next),
            "today": state.query(date=today),
            "month": state.query(view="month"),
            "week": state.query(view="week"),
            "day": state.query(view="day"),
            "oldest": state.query(date=overdue.oldest) if overdue.oldest else "",
        },
    }


def _move_hidden_fields(request: HttpRequest, state: CalendarState) -> SafeString:
    """The hidden fields of every entry's move form: the CSRF token (as {% csrf_token %}
    writes it) and the calendar's state, to redraw the same calendar after the move."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="view" value="{}"><input type="hidden" name="date" value="{}">'
        '<input type="hidden" name="user" value="{}">',
        get_token(request),
        state.view,
        state.anchor.isoformat(),
        state.user,
    )


def _hours(days: list[DayCell]) -> list[tuple[int, list[EntryCell]]]:
    """The day view's rows: the working hours (8 to 18) and any hour holding an entry."""
    cells = [cell for day in days for cell in day.cells]
    hours = set(range(8, 19)) | {cell.entry.at.hour for cell in cells}
    return [(hour, [c for c in cells if c.entry.at.hour == hour]) for hour in sorted(hours)]


def _render(
    request: HttpRequest, state: CalendarState, *, status: int = 200, error: str = ""
) -> HttpResponse:
    context = _context(request, state, error=error)
    return render_partial_or_page(request, TEMPLATE, context, partial="calendar", status=status)


@require_GET
@require_perm("followups.view_followup")
def calendar(request: HttpRequest) -> HttpResponse:
    return _render(
        request, calendar_state(request.GET, today=timezone.localdate(), user=request.user)
    )


@require_POST
@require_perm("followups.change_followup")
def calendar_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an open follow-up to another day and/or time (the drop of a drag, or the entry's
    date-time form); answers the re-rendered calendar."""
    state = calendar_state(request.POST, today=timezone.localdate(), user=request.user)
    error = reschedule_posted(request, pk, RescheduleForm(request.POST))
    if not is_htmx(request):
        return redirect(reverse("followups:calendar") + "?" + state.query())
    response = _render(request, state, status=422 if error else 200, error=error)
    return moved_response(response, pk, error=error)


def reschedule_posted(request: HttpRequest, pk: int, form: RescheduleForm) -> str:
    """Move follow-up `pk` to the time posted in `form` (the calendar's and the reminders'
    reschedule): the error to show, "" when it moved. A plain (not htmx) request gets the
    outcome as a message for the page it is redirected to."""
    at = form.next_contact_at()
    error = "" if at is not None else form.error_text()
    if at is not None:
        try:
            followup_reschedule(followup_id=pk, next_contact_at=at, user_id=request.user.pk)
        except FollowUpError as refused:
            error = str(refused)
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Follow-up moved."))
    return error


def moved_response(response: HttpResponse, pk: int, *, error: str) -> HttpResponse:
    """A moved follow-up tells the page (event followup-changed); a refused move does not."""
    if error:
        return response
    return trigger_client_event(response, "followup-changed", {"id": pk})
