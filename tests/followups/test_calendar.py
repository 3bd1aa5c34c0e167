"""The follow-up calendar: month, week and day contents and colours, the staff filter,
rescheduling in place, the overdue count, and a query count that does not grow with entries."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common import markers
from followups.models import ContactNote, FollowUp
from followups.selectors.calendar import add_months, calendar_period
from followups.services import (
    Subject,
    followup_finish,
    followup_log_contact,
    followup_schedule,
)
from tests.followups.test_pages import HTMX, a_request, an_order

pytestmark = pytest.mark.django_db


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def entries(html: str) -> list[tuple[str, str, str]]:
    """(follow-up id, colour, day) of each calendar entry, in page order."""
    return re.findall(
        r'data-testid="calendar-entry" data-entry-id="(\d+)" data-colour="(\w+)" '
        r'data-date="([\d-]+)"',
        html,
    )


def calendar(client, **params):
    return client.get(reverse("followups:calendar"), params)


def schedule_order(at: datetime, user_id: int | None, name: str = "Nguyễn Văn An") -> FollowUp:
    order = an_order(name=name)
    return followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=at, user_id=user_id
    )


def test_month_view_colours_due_scheduled_and_finished(client, login_as):
    user = login_as("sales")
    today = timezone.localdate()
    due = schedule_order(timezone.now() - timedelta(minutes=1), user.pk, "Khách Đỏ")
    scheduled = schedule_order(markers.tomorrow_start(today), user.pk, "Khách Xanh")
    done = schedule_order(local(today, 9), user.pk, "Khách Xám")
    followup_finish(followup_id=done.pk, outcome="sold", user_id=user.pk)
    done.refresh_from_db()
    response = calendar(client, date=today.isoformat())
    html = response.content.decode()
    assert response.status_code == 200
    finished_day = timezone.localdate(done.finished_at).isoformat()
    expected = {
        (str(due.pk), "due", timezone.localdate(due.next_contact_at).isoformat()),
        (str(scheduled.pk), "scheduled", (today + timedelta(days=1)).isoformat()),
        (str(done.pk), "done", finished_day),
    }
    # The month grid shows whole weeks: tomorrow may fall in the next month's first week.
    period = calendar_period(view="month", anchor=today)
    visible = {e for e in expected if period.start.isoformat() <= e[2] < period.end.isoformat()}
    assert set(entries(html)) == visible
    assert 'class="fu-entry fu-entry--due"' in html
    assert "Khách Đỏ" in html
    assert "Khách Xanh" in html
    order_number = due.order.number
    assert order_number in html


def test_the_labels_link_to_the_subject(client, login_as):
    user = login_as("sales")
    today = timezone.localdate()
    thread = schedule_order(local(today, 15), user.pk, "Chị Liên Kết")
    customer_thread = followup_schedule(
        subject=Subject("customer", thread.order.customer_id),
        next_contact_at=local(today, 16),
        user_id=user.pk,
    )
    request = a_request("Anh Gọi Lại", "0912 000 771")
    followup_schedule(
        subject=Subject("contact_request", request.pk),
        next_contact_at=local(today, 17),
        user_id=user.pk,
    )
    html = calendar(client, view="day", date=today.isoformat()).content.decode()
    assert reverse("orders:order_detail", args=[thread.order_id]) in html
    assert reverse("orders:customer_detail", args=[customer_thread.customer_id]) in html
    assert reverse("followups:request_detail", args=[request.pk]) in html
    day_entries = entries(html)
    assert [colour for _id, colour, _day in day_entries] == ["due", "due", "due"]
    assert ">request</span>" in html
    assert ">customer</span>" in html
    assert ">15:00</time>" in html


def test_week_and_day_views_show_only_their_days(client, login_as):
    user = login_as("sales")
    monday = date(2030, 3, 4)  # a Monday, far in the future: every entry is green
    inside = [
        schedule_order(local(monday, 8), user.pk),
        schedule_order(local(monday + timedelta(days=6), 20), user.pk),
    ]
    outside = [
        schedule_order(local(monday - timedelta(days=1), 23, 59), user.pk),
        schedule_order(local(monday + timedelta(days=7), 0), user.pk),
    ]
    week = entries(calendar(client, view="week", date="2030-03-06").content.decode())
    assert week == [
        (str(inside[0].pk), "scheduled", "2030-03-04"),
        (str(inside[1].pk), "scheduled", "2030-03-10"),
    ]
    assert outside[0].pk not in [int(i) for i, _c, _d in week]
    day = calendar(client, view="day", date="2030-03-10").content.decode()
    assert entries(day) == [(str(inside[1].pk), "scheduled", "2030-03-10")]
    assert ">20:00</time>" in day


def test_month_view_spans_whole_weeks():
    period = calendar_period(view="month", anchor=date(2026, 11, 25))
    assert (period.start, period.end, period.previous, period.next) == (
        date(2026, 10, 26),
        date(2026, 12, 7),
        date(2026, 10, 25),
        date(2026, 12, 25),
    )
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -13) == date(2025, 2, 28)
    week = calendar_period(view="week", anchor=date(2026, 11, 25))
    assert (week.start, week.end) == (date(2026, 11, 23), date(2026, 11, 30))


def test_the_staff_filter(client, login_as, make_user):
    me = login_as("sales")
    colleague = make_user("sales", first_name="Đồng", last_name="Nghiệp")
    day = date(2030, 6, 12)
    mine = schedule_order(local(day, 9), me.pk)
    theirs = schedule_order(local(day, 10), colleague.pk)
    nobody = schedule_order(local(day, 11), None)
    FollowUp.objects.filter(pk=nobody.pk).update(assignee=None)

    def ids(**params) -> list[int]:
        html = calendar(client, view="day", date="2030-06-12", **params).content.decode()
        return [int(i) for i, _c, _d in entries(html)]

    assert ids() == [mine.pk]  # default: me
    assert ids(user="me") == [mine.pk]
    assert ids(user=str(colleague.pk)) == [theirs.pk]
    assert ids(user="all") == [mine.pk, theirs.pk, nobody.pk]
    assert ids(user="nonsense") == [mine.pk]
    html = calendar(client, user=str(colleague.pk)).content.decode()
    assert f'<option value="{colleague.pk}" selected>Đồng Nghiệp</option>' in html


def test_drag_reschedule_moves_the_entry_keeps_the_time_and_writes_history(client, login_as):
    user = login_as("sales")
    thread = schedule_order(local(date(2030, 6, 12), 14, 45), user.pk)
    response = client.post(
        reverse("followups:calendar_reschedule", args=[thread.pk]),
        {"new_date": "2030-06-14", "new_time": "14:45", "view": "week", "date": "2030-06-12",
         "user": "me"},
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar"')
    assert entries(html) == [(str(thread.pk), "scheduled", "2030-06-14")]
    thread.refresh_from_db()
    assert thread.next_contact_at == local(date(2030, 6, 14), 14, 45)
    note = ContactNote.objects.filter(followup=thread).order_by("-id").first()
    assert (note.kind, note.next_contact_at, note.user_id) == (
        "rescheduled",
        local(date(2030, 6, 14), 14, 45),
        user.pk,
    )
    thread.order.refresh_from_db()
    assert thread.order.next_contact_at == local(date(2030, 6, 14), 14, 45)


def test_the_move_form_reads_the_day_first_date_and_time_it_shows(client, login_as):
    user = login_as("sales")
    thread = schedule_order(local(date(2030, 6, 12), 9), user.pk)
    html = calendar(client, view="week", date="2030-06-12").content.decode()
    assert 'name="new_date" value="12/06/2030"' in html
    assert f'id="move-date-{thread.pk}"' in html
    response = client.post(
        reverse("followups:calendar_reschedule", args=[thread.pk]),
        {"new_date": "08/07/2030", "new_time": "15.30", "view": "week", "date": "2030-06-12"},
        **HTMX,
    )
    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.next_contact_at == local(date(2030, 7, 8), 15, 30)


def test_a_finished_entry_cannot_be_moved(client, login_as):
    user = login_as("sales")
    thread = schedule_order(local(date(2030, 6, 12), 9), user.pk)
    followup_finish(followup_id=thread.pk, outcome="sold", user_id=user.pk)
    notes = ContactNote.objects.count()
    response = client.post(
        reverse("followups:calendar_reschedule", args=[thread.pk]),
        {"new_date": "2030-06-20", "new_time": "09:00", "view": "month", "date": "2030-06-12"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "This follow-up is finished; record a new contact to reopen it." in (
        response.content.decode()
    )
    thread.refresh_from_db()
    assert (thread.state, thread.next_contact_at) == ("finished", local(date(2030, 6, 12), 9))
    assert ContactNote.objects.count() == notes


def test_a_bad_date_is_refused(client, login_as):
    user = login_as("sales")
    thread = schedule_order(local(date(2030, 6, 12), 9), user.pk)
    response = client.post(
        reverse("followups:calendar_reschedule", args=[thread.pk]),
        {"new_date": "2030-02-30", "new_time": "09:00"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Enter a date and a time." in response.content.decode()
    thread.refresh_from_db()
    assert thread.next_contact_at == local(date(2030, 6, 12), 9)


def test_plain_post_redirects_back_to_the_same_calendar(client, login_as):
    user = login_as("sales")
    thread = schedule_order(local(date(2030, 6, 12), 9), user.pk)
    response = client.post(
        reverse("followups:calendar_reschedule", args=[thread.pk]),
        {"new_date": "2030-06-13", "new_time": "10:30", "view": "week", "date": "2030-06-12",
         "user": "all"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("followups:calendar") + "?view=week&date=2030-06-12&user=all"
    )


def test_overdue_entries_before_the_period_are_counted(client, login_as):
    user = login_as("sales")
    today = timezone.localdate()
    old = [
        schedule_order(local(today - timedelta(days=70), 9), user.pk),
        schedule_order(local(today - timedelta(days=50), 9), user.pk),
    ]
    html = calendar(client, view="day", date=(today + timedelta(days=3)).isoformat()).content
    html = html.decode()
    assert "2 overdue before this period" in html
    oldest = timezone.localdate(old[0].next_contact_at).isoformat()
    assert f"date={oldest}" in html
    # The month holding the oldest one starts before both.
    html = calendar(client, view="month", date=oldest).content.decode()
    assert "overdue before this period" not in html


def test_the_calendar_runs_a_constant_number_of_queries(
    client, login_as, django_assert_num_queries
):
    user = login_as("sales")
    day = date(2030, 6, 12)
    for i in range(3):
        thread = schedule_order(local(day, 9 + i), user.pk)
    followup_log_contact(
        subject=Subject("order", thread.order_id), method="phone", note="xong", outcome="sold",
        user_id=user.pk, now=local(day, 18),
    )  # fmt: skip
    url = reverse("followups:calendar") + "?date=2030-06-12"
    client.get(url)
    with django_assert_num_queries(8) as captured:
        response = client.get(url)
    assert len(entries(response.content.decode())) == 3
    for i in range(27):
        schedule_order(local(day + timedelta(days=i % 10), 8), user.pk)
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    # June 12 holds 6: a month cell draws 4 and links the other 2 to the day view.
    assert len(entries(html)) == 28
    assert html.count('data-testid="day-more"') == 1
    assert "+2 more" in html
    day_view = client.get(url + "&view=day").content.decode()
    assert len(entries(day_view)) == 6


def test_roles_without_follow_up_permission_get_403(client, login_as):
    login_as("warehouse")
    assert calendar(client).status_code == 403
    assert client.post(reverse("followups:calendar_reschedule", args=[1]), {}).status_code == 403


@pytest.mark.parametrize(("role", "scope"), [("owner", "all"), ("manager", "all"), ("sales", "me")])
def test_the_calendar_opens_on_what_the_role_answers_for(client, login_as, make_user, role, scope):
    user = login_as(role)
    colleague = make_user("sales")
    today = timezone.localdate()
    mine = schedule_order(local(today, 9), user.pk, "Khách Của Tôi")
    theirs = schedule_order(local(today, 10), colleague.pk, "Khách Đồng Nghiệp")
    response = calendar(client, date=today.isoformat())
    assert response.context["state"].user == scope
    expected = {"all": {mine.pk, theirs.pk}, "me": {mine.pk}}[scope]
    assert {int(pk) for pk, _c, _d in entries(response.content.decode())} == expected
    # The links the calendar draws keep the scope.
    assert f"user={scope}" in response.context["nav"]["next"]


def test_a_chosen_scope_is_kept_in_the_query_string(client, login_as):
    user = login_as("owner")
    today = timezone.localdate()
    schedule_order(local(today, 9), None, "Chưa Ai Nhận")
    mine = schedule_order(local(today, 10), user.pk, "Của Chủ")
    response = calendar(client, date=today.isoformat(), user="me")
    assert response.context["state"].user == "me"
    assert [int(pk) for pk, _c, _d in entries(response.content.decode())] == [mine.pk]
    assert "user=me" in response.context["nav"]["previous"]


def test_a_busy_day_shows_its_first_entries_by_shop_local_time(client, login_as):
    """The month cell of a busy day keeps its first four by time (ties by id) of the shop-local
    day: 00:15 there is still the previous day in UTC, 23:45 of the day before is not in it."""
    user = login_as("sales")
    day = date(2030, 6, 12)
    before = schedule_order(local(day - timedelta(days=1), 23, 45), user.pk)
    early = schedule_order(local(day, 0, 15), user.pk)
    tied = [schedule_order(local(day, 9), user.pk) for _ in range(2)]
    late = [schedule_order(local(day, 23, 45), user.pk) for _ in range(3)]
    after = schedule_order(local(day + timedelta(days=1), 0, 15), user.pk)
    html = calendar(client, view="month", date=day.isoformat()).content.decode()
    shown = [(int(pk), shown_day) for pk, _colour, shown_day in entries(html)]
    assert shown == [
        (before.pk, "2030-06-11"),
        (early.pk, "2030-06-12"),
        (tied[0].pk, "2030-06-12"),
        (tied[1].pk, "2030-06-12"),
        (late[0].pk, "2030-06-12"),
        (after.pk, "2030-06-13"),
    ]
    assert html.count('data-testid="day-more"') == 1
    assert "+2 more" in html
    cell = html.split('data-testid="day-2030-06-12"', 1)[1].split('role="gridcell"', 1)[0]
    assert 'href="/followups/calendar/?view=day&amp;date=2030-06-12&amp;user=me"' in cell
    assert 'data-time="00:15"' in cell
    assert f'data-move-url="/followups/calendar/{early.pk}/move/"' in cell


@pytest.mark.parametrize("view", ["month", "week", "day"])
def test_everyones_calendar_runs_the_same_queries_however_full(
    client, login_as, make_user, django_assert_num_queries, view
):
    login_as("owner")
    staff = [make_user("sales"), make_user("sales")]
    day = date(2030, 6, 12)
    schedule_order(local(day, 9), staff[0].pk)
    url = reverse("followups:calendar") + f"?view={view}&date=2030-06-12&user=all"
    client.get(url)
    # Session, user, the entries (month and week: ranked per day first), overdue, staff.
    with django_assert_num_queries(5 if view == "day" else 6) as captured:
        client.get(url)
    for i in range(24):  # 8 more on each of June 12, 13 and 14; a quarter of them finished
        at = local(day + timedelta(days=i % 3), 8 + i % 10)
        thread = schedule_order(at, staff[i % 2].pk)
        if i % 4 == 0:
            followup_finish(followup_id=thread.pk, outcome="sold", user_id=None, now=at)
    unassigned = schedule_order(local(day, 7), None)
    with django_assert_num_queries(len(captured.captured_queries)):
        html = client.get(url).content.decode()
    # June 12 holds 10, June 13 and 14 hold 8 each; a month cell draws 4 of them.
    drawn = {"month": 4 + 4 + 4, "week": 10 + 8 + 8, "day": 10}[view]
    assert len(entries(html)) == drawn
    assert (
        sum(1 for _pk, colour, _day in entries(html) if colour == "done")
        == {"month": 2, "week": 6, "day": 2}[view]
    )
    assert f'id="move-date-{unassigned.pk}"' in html


def test_an_entry_is_written_whole_with_its_names_escaped(client, login_as):
    """The entries' markup is written in Python (followups.calendar_cells): every value is
    escaped, the move form carries the page's state and a valid CSRF token."""
    user = login_as("sales")
    thread = schedule_order(local(date(2030, 6, 12), 9, 30), user.pk, 'Khách <b>"Đậm"</b>')
    html = calendar(client, view="week", date="2030-06-12", user="me").content.decode()
    name = "Khách &lt;b&gt;&quot;Đậm&quot;&lt;/b&gt;"
    assert "<b>" not in html
    number = thread.order.number
    start = html.index(f'data-entry-id="{thread.pk}"')
    entry = html[html.rindex("<article", 0, start) : html.index("</article>", start)]
    move = reverse("followups:calendar_reschedule", args=[thread.pk])
    order = reverse("orders:order_detail", args=[thread.order_id])
    assert (
        f'data-date="2030-06-12" data-time="09:30" draggable="true" data-move-url="{move}"' in entry
    )
    assert f'<a href="{order}" class="fu-entry__link" title="09:30 {name} – {number} · ' in entry  # noqa: RUF001
    assert f'<span class="fu-entry__name">{name}</span>' in entry
    assert f'<summary aria-label="Move the follow-up with {name}">' in entry
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', entry)
    assert token is not None
    assert (
        '<input type="hidden" name="view" value="week"><input type="hidden" name="date" '
        'value="2030-06-12"><input type="hidden" name="user" value="me">'
    ) in entry
