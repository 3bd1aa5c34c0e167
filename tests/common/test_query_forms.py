"""Bounded query-string fields (common.forms) and the pages that read dates from their query
string: a date beyond what the shop can mean is a field error on the page, never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from common.days import EARLIEST_DAY, latest_day
from common.forms import (
    MAX_ID,
    BoundedDateField,
    IdField,
    id_or_none,
    parse_query,
    valid_values,
)
from common.pagination import page_number


class Filters(forms.Form):
    q = forms.CharField(required=False)
    day = BoundedDateField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "Any"), ("a", "A")])
    shown = IdField()


def test_latest_day_is_five_years_on_and_29_february_becomes_the_28th():
    assert latest_day(date(2026, 12, 6)) == date(2031, 12, 6)
    assert latest_day(date(2028, 2, 29)) == date(2033, 2, 28)
    assert date(2000, 1, 1) == EARLIEST_DAY


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_a_date_outside_the_range_is_a_field_error(value):
    today = timezone.localdate()
    form = Filters(QueryDict(f"day={value}&q=ao"))
    assert valid_values(form) == {"q": "ao", "day": None, "kind": "", "shown": None}
    latest = latest_day(today).strftime("%d/%m/%Y")
    assert form.errors == {"day": [f"Enter a date between 01/01/2000 and {latest}."]}


def test_the_range_error_is_translated():
    with translation.override("vi"):
        form = Filters(QueryDict("day=9999-12-31"))
        assert form.errors["day"][0].startswith("Nhập một ngày từ 01/01/2000 đến ")


def test_the_edges_of_the_range_are_accepted():
    today = timezone.localdate()
    form = Filters(QueryDict(f"day=2000-01-01&shown={MAX_ID}"))
    assert valid_values(form)["day"] == date(2000, 1, 1)
    assert valid_values(form)["shown"] == MAX_ID
    assert valid_values(Filters(QueryDict(f"day={latest_day(today)}")))["day"] == latest_day(today)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1e309", "NaN", str(MAX_ID + 1), "1.5", ""])
def test_ids_are_whole_numbers_within_bigint(value):
    assert id_or_none(value) is None
    assert valid_values(Filters(QueryDict(f"shown={value}")))["shown"] is None


def test_each_field_is_read_on_its_own_and_an_unbound_form_gives_the_defaults():
    parsed = parse_query(Filters, QueryDict("kind=zzz&q=ly&shown=7"))
    assert parsed.values == {"q": "ly", "day": None, "kind": "", "shown": 7}
    assert list(parsed.errors) == ["kind"]
    empty = parse_query(Filters, QueryDict(""))
    assert empty.form.is_bound is False
    assert empty.values == {"q": "", "day": None, "kind": "", "shown": None}
    assert empty.errors == {}


@pytest.mark.parametrize(
    ("value", "page"),
    [("3", 3), ("abc", 1), ("0", 1), ("-2", 1), ("100000", 100000), ("100001", 1), (None, 1)],
)
def test_page_numbers(value, page):
    assert page_number(value) == page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "orders:order_list",
        "followups:calendar",
        "followups:outcomes",
        "orders:report_best_sellers",
        "orders:report_top_customers",
        "orders:report_sales",
    ],
)
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_pages_show_a_date_out_of_range_as_a_field_error(client, login_as, url, value):
    login_as("owner")
    params = {"date": value} if url == "followups:calendar" else {"date_to": value}
    response = client.get(reverse(url), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not applied:" in html
    assert "Enter a date between 01/01/2000 and " in html


@pytest.mark.django_db
def test_the_calendar_with_a_refused_date_shows_today(client, login_as):
    login_as("owner")
    response = client.get(reverse("followups:calendar"), {"date": "9999-12-31", "view": "week"})
    assert response.context["state"].anchor == timezone.localdate()
    assert response.context["state"].view == "week"
