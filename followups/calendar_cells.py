"""The calendar's days and entries as drawn: every date, time, URL and form field the template
shows, formatted in Python once per day or per time of day rather than by template filters and
tags for each entry (a month of the whole shop draws about 170 entries in 42 days, the day view
of a busy day more). What it prints is the same as the filters and tags printed (`date`,
`time`, `url`, date_input, time_input).

The page's markup stays in templates/followups/calendar.html; an entry's, drawn up to 170
times a page, is written here in one pass (ENTRY and MOVE_FORM: a template render per entry
cost about half of the page), its words translated once per page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from django.forms import Widget
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.forms import LocalDateInput, LocalTimeInput
from followups.selectors import id_url
from followups.selectors.calendar import Day, Entry
from followups.services import may_act_on

# Stand-ins for the value and the id of a form field rendered once per page.
_VALUE, _ID = "cal0value0mark", "cal0id0mark"


class _Field:
    """One input of the entries' move form, as common.templatetags.ui's date_input and
    time_input write it (the widget's own markup and attributes): rendered once, then each
    entry's value and id filled in."""

    def __init__(self, widget: Widget, name: str, id_prefix: str) -> None:
        self.widget = widget
        self.html = widget.render(name, _VALUE, attrs={"id": id_prefix + _ID, "required": True})

    def value(self, value: date | time) -> str:
        return str(self.widget.format_value(value))

    def html_for(self, value: str, pk: int) -> SafeString:
        filled = self.html.replace(_VALUE, escape(value)).replace(_ID, str(int(pk)))
        return mark_safe(filled)  # noqa: S308 - the widget's markup; the value escaped above


@dataclass(frozen=True)
class EntryCell:
    """One entry as drawn. `move_url` is "" when this user may not move it (finished, no
    change permission, or someone else's without the right to act on all)."""

    entry: Entry
    date: str  # data-date, Y-m-d
    time: str  # data-time, H:i
    time_text: str  # the language's TIME_FORMAT
    stamp: str  # <time datetime>, ISO 8601 with offset
    move_url: str = ""
    date_field: str = ""
    time_field: str = ""
    html: str = ""  # the entry's markup (ENTRY), safe


@dataclass(frozen=True)
class DayCell:
    """One day as drawn, its labels formatted once."""

    day: date
    in_period: bool
    is_today: bool
    more: int
    iso: str  # Y-m-d
    weekday: str  # D
    number: str  # j
    month_day: str  # MONTH_DAY_FORMAT
    long: str  # DATE_FORMAT
    cells: list[EntryCell] = field(default_factory=list)

    @property
    def entries_html(self) -> SafeString:
        """The markup of the day's entries, one after the other."""
        return mark_safe("".join(cell.html for cell in self.cells))  # noqa: S308 - ENTRY's


class _Shaper:
    """Formats what the entries of one page share once: the move URL pattern, the two form
    fields, the labels of each time of day (entries fall on a few quarter hours)."""

    def __init__(self, *, user: Any, can_change: bool, hidden: SafeString) -> None:
        self.user = user
        self.markup = EntryMarkup(hidden)
        self.can_change = can_change
        self.move_url = id_url("followups:calendar_reschedule")
        self.date_field = _Field(LocalDateInput(), "new_date", "move-date-")
        self.time_field = _Field(LocalTimeInput(), "new_time", "move-time-")
        self.times: dict[time, tuple[str, str, str]] = {}
        self.acts_on: dict[int | None, bool] = {}

    def _may_act_on(self, assignee_id: int | None) -> bool:
        # Once per responsible user (a permission check each entry cost more than the rest).
        if assignee_id not in self.acts_on:
            self.acts_on[assignee_id] = may_act_on(assignee_id=assignee_id, user=self.user)
        return self.acts_on[assignee_id]

    def _time(self, at: datetime) -> tuple[str, str, str]:
        # No format drawn shows fractions of a second; entries share a few minutes of the day.
        key = at.timetz().replace(microsecond=0)
        if key not in self.times:
            self.times[key] = (
                formats.time_format(at, "H:i"),
                formats.time_format(at, "TIME_FORMAT"),
                self.time_field.value(at.time()),
            )
        return self.times[key]

    def cell(self, entry: Entry, *, day_iso: str, date_value: str) -> EntryCell:
        hhmm, time_text, time_value = self._time(entry.at)
        shaped = EntryCell(entry, day_iso, hhmm, time_text, entry.at.isoformat())
        movable = entry.open and self.can_change
        if movable and self._may_act_on(entry.assignee_id):
            shaped = EntryCell(
                entry, day_iso, hhmm, time_text, shaped.stamp,
                move_url=self.move_url(entry.id),
                date_field=self.date_field.html_for(date_value, entry.id),
                time_field=self.time_field.html_for(time_value, entry.id),
            )  # fmt: skip
        return replace(shaped, html=self.markup.entry(shaped))


# An entry, as the template's entry partial wrote it (its white space included).
ENTRY = (
    '\n<article class="fu-entry fu-entry--{colour}" data-testid="calendar-entry" '
    'data-entry-id="{id}" data-colour="{colour}" data-date="{date}" data-time="{time}"{drag}>\n'
    '  <a href="{url}" class="fu-entry__link" title="{time_text} {name}{reference}{responsible}">'
    '<time datetime="{stamp}">{time_text}</time> <span class="fu-entry__name">{name}</span> '
    '<span class="fu-entry__ref">{ref}</span></a>\n'
    "  {move}\n"
    "</article>\n"
)
MOVE_FORM = (
    "\n"
    '  <details class="fu-move">\n'
    '    <summary aria-label="{label}">⋯</summary>\n'
    '    <form method="post" action="{url}" hx-post="{url}" hx-target="#calendar" '
    'hx-swap="outerHTML" class="fu-move__form">\n'
    "      {hidden}\n"
    '      <label class="visually-hidden" for="move-date-{id}">{new_date}</label>{date_field}\n'
    '      <label class="visually-hidden" for="move-time-{id}">{new_time}</label>{time_field}\n'
    '      <button type="submit" class="btn btn--small">{move}</button>\n'
    "    </form>\n"
    "  </details>\n"
    "  "
)


class EntryMarkup:
    """Writes entries (ENTRY): the words every entry shares translated once, and `hidden`, the
    move form's hidden fields (CSRF token, view, date, scope), the same in every entry."""

    def __init__(self, hidden: SafeString) -> None:
        self.hidden = hidden
        self.words = {
            "contact_request": escape(gettext("request")),
            "customer": escape(gettext("customer")),
            "new_date": escape(gettext("New date")),
            "new_time": escape(gettext("New time")),
            "move": escape(gettext("Move")),
        }
        # As blocktranslate writes them: the name escaped, the translation as it is.
        self.responsible = gettext("Responsible: %(name)s")
        self.move_label = gettext("Move the follow-up with %(name)s")

    def entry(self, cell: EntryCell) -> SafeString:
        """The entry's markup. Every value is escaped here (`_escape`, what autoescape does)
        but the form fields, already markup; str.format, not format_html: this runs for
        each of up to 170 entries and format_html costs several times as much."""
        e = cell.entry
        name = _escape(e.name)
        words = self.words
        url = _escape(cell.move_url)
        move = drag = ""
        if cell.move_url:
            drag = f' draggable="true" data-move-url="{url}"'
            move = MOVE_FORM.format(
                label=self.move_label % {"name": name},
                url=url,
                hidden=self.hidden,
                id=int(e.id),
                new_date=words["new_date"],
                new_time=words["new_time"],
                date_field=cell.date_field,
                time_field=cell.time_field,
                move=words["move"],
            )
        responsible = ""
        if e.assignee:
            responsible = " · " + self.responsible % {"name": _escape(e.assignee)}
        markup = ENTRY.format(
            colour=_escape(e.colour),
            id=int(e.id),
            date=_escape(cell.date),
            time=_escape(cell.time),
            drag=drag,
            url=_escape(e.url),
            time_text=_escape(cell.time_text),
            name=name,
            reference=" – " + _escape(e.reference) if e.reference else "",  # noqa: RUF001 (the dash is meant)
            responsible=responsible,
            stamp=_escape(cell.stamp),
            ref=_escape(e.reference) if e.reference else words.get(e.kind, words["customer"]),
            move=move,
        )
        return mark_safe(markup)  # noqa: S308 - every value escaped above


def _escape(text: str) -> str:
    """django.utils.html.escape without its lazy-string wrapper (the same characters)."""
    return html.escape(str(text))


def day_cells(days: list[Day], *, user: Any, can_change: bool, hidden: SafeString) -> list[DayCell]:
    """The days of the period with their entries, everything the template prints formatted
    (`hidden`: the hidden fields of the entries' move form)."""
    shaper = _Shaper(user=user, can_change=can_change, hidden=hidden)
    drawn = []
    for day in days:
        iso = day.day.isoformat()
        date_value = shaper.date_field.value(day.day) if day.entries else ""
        drawn.append(
            DayCell(
                day=day.day,
                in_period=day.in_period,
                is_today=day.is_today,
                more=day.more,
                iso=iso,
                weekday=formats.date_format(day.day, "D"),
                number=formats.date_format(day.day, "j"),
                month_day=formats.date_format(day.day, "MONTH_DAY_FORMAT"),
                long=formats.date_format(day.day, "DATE_FORMAT"),
                cells=[shaper.cell(e, day_iso=iso, date_value=date_value) for e in day.entries],
            )
        )
    return drawn
