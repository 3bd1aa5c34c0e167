"""The follow-up marker rule, shared by every list that shows it (orders, contact requests).

A subject (an order, a customer, a contact request) carries a follow-up state and the next
contact time:
    state ""          -> NEW        blue plus: nothing recorded yet;
    state "finished"  -> DONE       grey calendar: the follow-up is over;
    state "open" and next contact before the start of tomorrow (shop-local)
                      -> DUE        red calendar: due today or overdue;
    state "open" otherwise
                      -> SCHEDULED  green calendar: the next contact is after today.
A closed subject (a sale completed, cancelled or returned) with no follow-up recorded reads as
finished, not new: there is nothing left to do about it (`summary_state`). Lists store that
summary state on the subject, so the SQL form below stays a range on the (state, at) index.
"Today" is the shop's local day (settings.TIME_ZONE): the caller passes `today`, so the rule is
testable at any midnight. The same rule exists twice, as a plain function for one row and as
a SQL expression for a whole list (so the list can be filtered and sorted by it in the query);
tests check that the two agree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from django.db.models import Case, CharField, Q, Value, When

from common.days import day_start

NEW: Final = "new"
DUE: Final = "due"
SCHEDULED: Final = "scheduled"
DONE: Final = "done"
MARKERS: Final = (DUE, NEW, SCHEDULED, DONE)  # the order a day's work is read in

STATE_NONE: Final = ""
STATE_OPEN: Final = "open"
STATE_FINISHED: Final = "finished"


def tomorrow_start(today: date) -> datetime:
    """The aware instant the shop-local day after `today` begins."""
    return day_start(today + timedelta(days=1))


def summary_state(*, state: str, closed: bool) -> str:
    """The state a subject shows: its follow-up's, except that a closed subject with no
    follow-up recorded is finished. An open follow-up stays open whatever the subject."""
    if closed and state == STATE_NONE:
        return STATE_FINISHED
    return state


def marker_for(
    *, state: str, next_contact_at: datetime | None, today: date, closed: bool = False
) -> str:
    state = summary_state(state=state, closed=closed)
    if state == STATE_FINISHED:
        return DONE
    if state != STATE_OPEN:
        return NEW
    if next_contact_at is None or next_contact_at < tomorrow_start(today):
        return DUE
    return SCHEDULED


def marker_q(
    marker: str,
    *,
    today: date,
    state_field: str = "followup_state",
    at_field: str = "next_contact_at",
) -> Q:
    """The rows showing `marker`, as a filter (each a range on an index of (state, at)).
    `state_field` holds the summary state (see summary_state)."""
    limit = tomorrow_start(today)
    if marker == DONE:
        return Q(**{state_field: STATE_FINISHED})
    if marker == NEW:
        return Q(**{state_field: STATE_NONE})
    if marker == DUE:
        return Q(**{state_field: STATE_OPEN}) & (
            Q(**{f"{at_field}__lt": limit}) | Q(**{f"{at_field}__isnull": True})
        )
    if marker == SCHEDULED:
        return Q(**{state_field: STATE_OPEN, f"{at_field}__gte": limit})
    raise ValueError(f"unknown marker {marker!r}")


def marker_expression(
    *, today: date, state_field: str = "followup_state", at_field: str = "next_contact_at"
) -> Case:
    """The marker of each row, computed by the database."""
    fields = {"state_field": state_field, "at_field": at_field}
    return Case(
        *(When(marker_q(m, today=today, **fields), then=Value(m)) for m in (DONE, NEW, DUE)),
        default=Value(SCHEDULED),
        output_field=CharField(),
    )
