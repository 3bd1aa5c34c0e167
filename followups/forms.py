"""Forms of the follow-up pages. They parse what staff typed (dates and times are shop-local);
the rules (what may be combined, what a finished thread refuses) stay in followups.services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import markers
from common.forms import (
    BoundedDateField,
    IdField,
    LocalDateInput,
    LocalTimeInput,
    date_input_value,
    search_field,
)
from followups.models import ContactMethod, Outcome, RequestSource

THEN_NEXT = "next"
THEN_FINISH = "finish"
MAX_NOTE = 4000


# Dates as dd/mm/yyyy text in the UI language's format, times as 24-hour text (common/forms.py).
DateInput = LocalDateInput
TimeInput = LocalTimeInput


def combine(day: date | None, at: time | None) -> datetime | None:
    """A shop-local date and time as an aware instant (None when the date is missing; a missing
    time means 09:00, the start of the working day)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, at or time(9, 0)))


def _quick_days(today: date) -> list[tuple[str, str]]:
    return [
        (date_input_value(today + timedelta(days=1)), str(_("+1 day"))),
        (date_input_value(today + timedelta(days=3)), str(_("+3 days"))),
        (date_input_value(today + timedelta(days=7)), str(_("+1 week"))),
    ]


class NextContactMixin:
    """Date and time of the next contact, with quick "+1 day / +3 days / +1 week" buttons."""

    quick: list[tuple[str, str]]

    def next_contact_at(self) -> datetime | None:
        data = self.cleaned_data  # type: ignore[attr-defined]
        return combine(data.get("next_date"), data.get("next_time"))


def next_fields(*, required: bool) -> tuple[forms.DateField, forms.TimeField]:
    return (
        BoundedDateField(label=_("Next contact"), required=required, widget=DateInput()),
        forms.TimeField(label=_("at"), required=False, widget=TimeInput()),
    )


class LogContactForm(NextContactMixin, forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=ContactMethod.choices)
    note = forms.CharField(
        label=_("What was said"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    then = forms.ChoiceField(
        label=_("Then"),
        choices=[(THEN_NEXT, _("Plan the next contact")), (THEN_FINISH, _("Finish"))],
        initial=THEN_NEXT,
        widget=forms.RadioSelect,
    )
    next_date, next_time = next_fields(required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "method": ContactMethod.PHONE,
                "then": THEN_NEXT,
                "next_date": today + timedelta(days=1),
                "next_time": time(9, 0),
            },
        )
        super().__init__(*args, **kwargs)
        self.quick = _quick_days(today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("then") == THEN_FINISH and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        finish = data.get("then") == THEN_FINISH
        return {
            "method": data["method"],
            "note": data.get("note", ""),
            "next_contact_at": None if finish else self.next_contact_at(),
            "outcome": data.get("outcome", "") if finish else "",
        }


class ScheduleForm(NextContactMixin, forms.Form):
    next_date, next_time = next_fields(required=True)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, required=False, widget=forms.TextInput()
    )

    def __init__(self, *args: Any, today: date, current: datetime | None = None, **kwargs: Any):
        at = timezone.localtime(current) if current else None
        kwargs.setdefault(
            "initial",
            {
                "next_date": at.date() if at else today + timedelta(days=1),
                "next_time": at.time().replace(second=0, microsecond=0) if at else time(9, 0),
            },
        )
        super().__init__(*args, **kwargs)
        self.quick = _quick_days(today)


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Responsible"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("— nobody —")),
            *((u.pk, u.get_full_name() or u.username) for u in users),
        ]


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    note = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, required=False, widget=forms.TextInput()
    )


# --- Contact requests ---------------------------------------------------------------------------


class ContactRequestForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=MAX_NOTE, widget=forms.Textarea({"rows": 3})
    )
    preferred_date = BoundedDateField(label=_("Call back on"), required=False, widget=DateInput())
    preferred_time = forms.TimeField(label=_("at"), required=False, widget=TimeInput())

    def preferred_at(self) -> datetime | None:
        return combine(
            self.cleaned_data.get("preferred_date"), self.cleaned_data.get("preferred_time")
        )


MARKER_LABELS = {
    markers.DUE: _("Due today or overdue"),
    markers.NEW: _("New"),
    markers.SCHEDULED: _("Scheduled"),
    markers.DONE: _("Finished"),
}


class RequestFilterForm(forms.Form):
    q = search_field(_("Name, phone or message"), label=_("Search"), max_length=100)
    marker = forms.ChoiceField(
        required=False,
        choices=[("", _("All follow-ups")), *((m, MARKER_LABELS[m]) for m in markers.MARKERS)],
        widget=forms.Select(attrs={"aria-label": _("Follow-up")}),
    )
    source = forms.ChoiceField(
        required=False,
        choices=[("", _("All sources")), *RequestSource.choices],
        widget=forms.Select(attrs={"aria-label": _("Source")}),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[("", _("Day's work: due first")), ("newest", _("Newest first"))],
        widget=forms.Select(attrs={"aria-label": _("Sort")}),
    )


class OutcomeReportForm(forms.Form):
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if start and end and (end - start).days > 366 * 3:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        return data


CALENDAR_USERS = ("me", "all")


class CalendarForm(forms.Form):
    """The calendar's query string: view, the day it shows around, and whose follow-ups
    ("me", "all" or a staff member's id)."""

    view = forms.ChoiceField(required=False, choices=[(v, v) for v in ("month", "week", "day")])
    date = BoundedDateField(label=_("Date"), required=False)
    user = forms.CharField(label=_("Responsible"), required=False, max_length=20)

    def clean_user(self) -> str:
        user: str = self.cleaned_data.get("user") or ""
        if not user or user in CALENDAR_USERS:  # none: the role's default scope
            return user
        IdField().clean(user)
        return user


class RescheduleForm(forms.Form):
    """A follow-up's new day and time (the calendar's drop or entry form, a reminder's quick
    "+1 day"); `default_time` stands in for a missing time."""

    new_date = BoundedDateField()
    new_time = forms.TimeField(required=False)

    def __init__(self, data: Any, *, default_time: time | None = None) -> None:
        super().__init__(data)
        self.default_time = default_time

    def next_contact_at(self) -> datetime | None:
        """The new instant, or None when the form is not valid."""
        if not self.is_valid():
            return None
        at = self.cleaned_data.get("new_time") or self.default_time
        if at is None:
            return None
        return combine(self.cleaned_data["new_date"], at)

    def error_text(self) -> str:
        """What to tell staff when next_contact_at() is None."""
        if self.has_error("new_date", "out_of_range"):
            return str(self.errors["new_date"][0])
        return str(_("Enter a date and a time."))
