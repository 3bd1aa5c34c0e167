"""One date format per language (crm/formats/), read back from what staff type or link."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from common.forms import LocalDateInput, LocalTimeInput, date_input_value, parse_date
from common.spreadsheets import csv_datetime, shop_local

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
LANGUAGES = ("vi", "th", "en")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_writes_day_month_year(language):
    moment = datetime(2026, 12, 7, 0, 48, tzinfo=HCM)
    with translation.override(language):
        assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "07/12/2026"
        assert date_format(moment.date(), "DATE_FORMAT") == "07/12/2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "07/12/2026 00:48"
        assert date_format(moment, "DATETIME_FORMAT") == "07/12/2026 00:48"
        assert date_format(moment.time(), "TIME_FORMAT") == "00:48"
        html = Template('{{ d|date:"SHORT_DATETIME_FORMAT" }} {{ d|time:"TIME_FORMAT" }}').render(
            Context({"d": moment})
        )
        assert html == "07/12/2026 00:48 00:48"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_date_is_day_first_and_iso_still_reads(language):
    with translation.override(language):
        field = forms.DateField()
        assert field.clean("12/08/2026") == date(2026, 8, 12)
        assert field.clean("12/8/26") == date(2026, 8, 12)
        assert field.clean("12-08-2026") == date(2026, 8, 12)
        assert field.clean("2026-08-12") == date(2026, 8, 12)  # links already out there
        with pytest.raises(forms.ValidationError):
            field.clean("08/31/2026")  # a month-first date is not read as one
        assert parse_date(" 12/08/2026 ") == date(2026, 8, 12)
        assert parse_date("2026-08-12") == date(2026, 8, 12)
        assert (parse_date("31/02/2026"), parse_date(""), parse_date(None)) == (None, None, None)
        assert date_input_value(date(2026, 8, 12)) == "12/08/2026"
        assert forms.TimeField().clean("14:30") == time(14, 30)


def test_the_date_widget_is_text_in_the_language_format():
    with translation.override("th"):
        html = LocalDateInput(attrs={"aria-label": "From"}).render("date_from", date(2026, 8, 12))
        assert 'type="text"' in html
        assert 'value="12/08/2026"' in html
        assert 'inputmode="numeric"' in html
        assert 'placeholder="วว/ดด/ปปปป"' in html
        assert "data-datepicker" in html
        # A bound value from an old ISO link is shown the language's way; junk as typed.
        assert 'value="12/08/2026"' in LocalDateInput().render("d", "2026-08-12")
        assert 'value="someday"' in LocalDateInput().render("d", "someday")
        time_html = LocalTimeInput().render("at", time(9, 5))
        assert ('type="text"' in time_html, 'value="09:05"' in time_html) == (True, True)


def test_csv_dates_are_iso_and_shop_local(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    moment = datetime(2026, 12, 6, 17, 48, tzinfo=ZoneInfo("UTC"))
    assert csv_datetime(moment) == "2026-12-07 00:48"
    assert shop_local(moment) == datetime(2026, 12, 7, 0, 48)


# What the templates may pass to |date and |time: the named formats, and ISO forms inside
# attribute values only (datetime="", data-*, hidden inputs, links), which machines read.
NAMED = re.compile(r"^[A-Z_]+_FORMAT$")
MACHINE = {"c", "Y-m-d", "H:i"}
NAMES = {"D", "l", "j"}  # a weekday's name, a day number in the calendar grid
FILTER = re.compile(r"\|(date|time):(?:\"([^\"]*)\"|'([^']*)')")


def _inside_attribute(text: str, at: int) -> bool:
    tag_start = text.rfind("<", 0, at)
    between = text[tag_start:at]
    return tag_start >= 0 and ">" not in between.replace("->", "") and between.count('"') % 2 == 1


def test_templates_use_only_the_named_date_formats():
    wrong = []
    for path in sorted(TEMPLATES.rglob("*.*")):
        text = path.read_text()
        for match in FILTER.finditer(text):
            fmt = match.group(2) if match.group(2) is not None else match.group(3)
            if NAMED.match(fmt) or fmt in NAMES:
                continue
            if fmt in MACHINE and _inside_attribute(text, match.start()):
                continue
            line = text.count("\n", 0, match.start()) + 1
            wrong.append(f"{path.relative_to(TEMPLATES)}:{line} {match.group(0)}")
    assert wrong == []


def test_python_writes_no_date_format_of_its_own():
    root = TEMPLATES.parent
    allowed = {root / "common" / "spreadsheets.py"}
    wrong = []
    for app in ("common", "crm", "orders", "inventory", "followups"):
        for path in sorted((root / app).rglob("*.py")):
            if path in allowed or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                # file-name stamps ("%Y%m%d-%H%M") are not shown to anyone
                if re.search(r"strftime\(\"%[dmYy][/.\-]%|number_format = \"(dd|yyyy)", line):
                    wrong.append(f"{path.relative_to(root)}:{number}")
    assert wrong == []
