"""Reminders: my due follow-ups, the top-bar badge (context processor), the dashboard card and
the morning digest e-mail."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from common import markers
from followups.context_processors import reminders
from followups.models import DigestRun, FollowUp
from followups.selectors.reminders import my_today
from followups.services import Subject, followup_log_contact, followup_schedule
from followups.services_digest import digest_send_all
from followups.tasks import send_digests
from tests.followups.test_pages import HTMX, a_request, an_order

pytestmark = pytest.mark.django_db


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def today() -> date:
    return timezone.localdate()


def due_order(at: datetime, user_id: int | None, name: str, phone: str, note: str = "") -> FollowUp:
    order = an_order(name=name, phone=phone)
    if note:
        return followup_log_contact(
            subject=Subject("order", order.pk), method="phone", note=note,
            next_contact_at=at, user_id=user_id,
        )  # fmt: skip
    return followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=at, user_id=user_id
    )


def row_ids(html: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'data-testid="reminder-row" data-followup-id="(\d+)"', html)
    ]


# --- Reminders page -----------------------------------------------------------------------------


def test_my_reminders_oldest_first_only_due_and_only_mine(client, login_as, make_user):
    me = login_as("sales")
    other = make_user("sales")
    now = timezone.now()
    overdue = due_order(now - timedelta(days=2), me.pk, "Khách Trễ", "0912 000 201", "Hẹn gọi lại")
    edge = due_order(markers.tomorrow_start(today()) - timedelta(seconds=1), me.pk,
                     "Khách Cuối Ngày", "0912 000 202")  # fmt: skip
    due_order(markers.tomorrow_start(today()), me.pk, "Khách Ngày Mai", "0912 000 203")
    due_order(now - timedelta(hours=1), other.pk, "Khách Người Khác", "0912 000 204")
    response = client.get(reverse("followups:reminders"))
    html = response.content.decode()
    assert response.status_code == 200
    assert row_ids(html) == [overdue.pk, edge.pk]
    assert "Hẹn gọi lại" in html
    assert "+84912000201" in html
    assert overdue.order.number in html
    assert "Khách Ngày Mai" not in html
    assert "Khách Người Khác" not in html


def test_quick_move_from_the_reminders_keeps_the_time(client, login_as):
    me = login_as("sales")
    thread = due_order(local(today() - timedelta(days=1), 10, 30), me.pk, "Khách", "0912 000 205")
    target = today() + timedelta(days=3)
    response = client.post(
        reverse("followups:reminder_reschedule", args=[thread.pk]),
        {"new_date": target.isoformat(), "new_time": "10:30"},
        **HTMX,
    )
    assert response.status_code == 200
    assert row_ids(response.content.decode()) == []
    # the top-bar badge listens for this event and counts again
    assert response.headers["HX-Trigger"] == f'{{"followup-changed": {{"id": {thread.pk}}}}}'
    thread.refresh_from_db()
    assert thread.next_contact_at == local(target, 10, 30)
    html = client.get(reverse("followups:reminders")).content.decode()
    form = re.search(r'name="new_date" value="([\d-]+)"><input type="hidden" name="new_time"', html)
    assert form is None  # nothing left to move


def test_reminders_need_the_permission(client, login_as):
    login_as("warehouse")
    assert client.get(reverse("followups:reminders")).status_code == 403


# --- Badge, dashboard card ----------------------------------------------------------------------


def test_the_badge_counts_my_due_follow_ups_and_is_never_stale(
    client, make_user, django_assert_num_queries
):
    me = make_user("sales")
    now = timezone.now()
    due_order(now - timedelta(days=1), me.pk, "A", "0912 000 301")
    due_order(now - timedelta(minutes=5), me.pk, "B", "0912 000 302")
    due_order(markers.tomorrow_start(today()) + timedelta(hours=9), me.pk, "C", "0912 000 303")
    request = RequestFactory().get("/")
    request.user = me
    me.has_perm("followups.view_followup")  # load the permission cache
    with django_assert_num_queries(0):
        assert reminders(request) == {"followup_badge": True}  # the page pays nothing
    client.force_login(me)
    page = client.get(reverse("dashboard")).content.decode()
    assert (
        'hx-get="/followups/reminders/badge/" '
        'hx-trigger="load, every 120s, followup-changed from:body"'
    ) in page
    html = client.get(reverse("followups:reminder_badge")).content.decode()
    assert 'data-testid="followup-due-count">2</span>' in html
    due_order(now, me.pk, "D", "0912 000 304")
    html = client.get(reverse("followups:reminder_badge")).content.decode()
    assert 'data-testid="followup-due-count">3</span>' in html  # counted afresh, not cached
    html = render_to_string(
        "followups/partials/reminder_badge_count.html", {"followup_due_count": 2}
    )
    assert 'href="/followups/reminders/"' in html
    assert '<span class="pill pill--bad" data-testid="followup-due-count">2</span>' in html
    assert 'aria-label="2 follow-ups due today or overdue"' in html


def test_no_badge_without_the_permission_or_when_signed_out(make_user):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = make_user("warehouse")
    assert reminders(request) == {}
    request.user = AnonymousUser()
    assert reminders(request) == {}
    assert render_to_string("followups/partials/reminder_badge.html", {}).strip() == ""


def test_my_today_and_the_dashboard_card(make_user):
    me = make_user("sales")
    now = timezone.now()
    start = markers.tomorrow_start(today()) - timedelta(days=1)
    due_order(start - timedelta(seconds=1), me.pk, "A", "0912 000 401")
    due_order(start - timedelta(days=3), me.pk, "B", "0912 000 402")
    due_order(start, me.pk, "C", "0912 000 403")
    due_order(now + timedelta(days=2), me.pk, "D", "0912 000 404")
    assert my_today(me, today()) == (2, 1)
    html = render_to_string(
        "followups/partials/dashboard_card.html",
        {"followups_overdue": 2, "followups_due_today": 1},
    )
    assert '<span class="bad" data-testid="stat-followups-overdue">2 overdue</span>' in html
    assert '<span class="warn" data-testid="stat-followups-today">1 due today</span>' in html


# --- Morning digest -----------------------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("smtp down")


def test_one_digest_per_user_with_due_items_and_never_twice(make_user):
    now = timezone.now()
    day = today()
    vi = make_user("sales", email="an@example.vn", language="vi", first_name="An")
    th = make_user("sales", email="somchai@example.co.th", language="th")
    nothing_due = make_user("sales", email="free@example.vn")
    no_email = make_user("sales", email="")
    inactive = make_user("sales", email="gone@example.vn")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    a = due_order(now - timedelta(days=1), vi.pk, "Khách Một", "0912 000 501", "Báo giá áo")
    b = due_order(local(day, 23, 59), vi.pk, "Khách Hai", "0912 000 502")
    request = a_request("Chị Web", "0912 000 503")
    followup_schedule(
        subject=Subject("contact_request", request.pk),
        next_contact_at=now - timedelta(hours=1),
        user_id=th.pk,
    )
    due_order(markers.tomorrow_start(day), nothing_due.pk, "Ngày Mai", "0912 000 504")
    due_order(now, no_email.pk, "Không Email", "0912 000 505")
    due_order(now, inactive.pk, "Nghỉ Việc", "0912 000 506")

    assert digest_send_all(today=day, now=now) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.vn", "somchai@example.co.th"]
    to_vi = next(m for m in mail.outbox if m.to == ["an@example.vn"])
    to_th = next(m for m in mail.outbox if m.to == ["somchai@example.co.th"])
    # The messages list the right subjects and phones; each is in its reader's language.
    for order_thread in (a, b):
        assert order_thread.order.number in to_vi.body
    assert "0912 000 501" in to_vi.body
    assert "0912 000 502" in to_vi.body
    assert "Báo giá áo" in to_vi.body
    assert f"/orders/{a.order_id}/" in to_vi.body
    assert "Chị Web" in to_th.body
    assert "0912 000 503" in to_th.body
    assert "Khách Một" not in to_th.body
    html_vi = to_vi.alternatives[0][0]
    assert '<html lang="vi">' in html_vi
    assert '<html lang="th">' in to_th.alternatives[0][0]
    assert "Khách Hai" in html_vi
    assert set(DigestRun.objects.values_list("user_id", "day", "due", "overdue")) == {
        (vi.pk, day, 1, 1),
        (th.pk, day, 1, 0),
    }
    assert FollowUp.objects.filter(pk__in=[a.pk, b.pk], reminded_at=now).count() == 2

    # Run again (a rerun, a second worker): nothing more is sent.
    assert digest_send_all(today=day, now=now) == 0
    assert send_digests.run() == 0
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_on_the_next_run(make_user):
    now = timezone.now()
    user = make_user("sales", email="an@example.vn")
    due_order(now - timedelta(hours=2), user.pk, "Khách", "0912 000 601")
    with (
        override_settings(EMAIL_BACKEND="tests.followups.test_reminders.FailingBackend"),
        pytest.raises(ConnectionRefusedError),
    ):
        digest_send_all(today=today(), now=now)
    assert DigestRun.objects.count() == 0
    assert mail.outbox == []
    assert digest_send_all(today=today(), now=now) == 1
    assert len(mail.outbox) == 1


def test_the_digest_uses_the_shop_language_when_the_user_has_none(make_user):
    now = timezone.now()
    user = make_user("sales", email="an@example.vn", language="")
    due_order(now - timedelta(hours=2), user.pk, "Khách", "0912 000 701")
    with override_settings(LANGUAGE_CODE="th"):
        assert digest_send_all(today=today(), now=now) == 1
    assert '<html lang="th">' in mail.outbox[0].alternatives[0][0]


def test_badge_dashboard_card_and_page_agree_right_after_a_change(client, login_as):
    me = login_as("sales")
    now = timezone.now()
    start = markers.tomorrow_start(today()) - timedelta(days=1)
    due_order(start - timedelta(days=1), me.pk, "A", "0912 000 501")  # overdue
    moved = due_order(start - timedelta(hours=2), me.pk, "B", "0912 000 502")  # overdue
    due_order(start + timedelta(hours=1), me.pk, "C", "0912 000 503")  # due today
    due_order(now + timedelta(days=2), me.pk, "D", "0912 000 504")  # later

    def figures() -> tuple[str, int, tuple[int, int]]:
        badge = client.get(reverse("followups:reminder_badge")).content.decode()
        count = re.search(r'data-testid="followup-due-count">(\d+)</span>', badge)
        rows = row_ids(client.get(reverse("followups:reminders")).content.decode())
        return (count.group(1) if count else "0"), len(rows), my_today(me, today())

    assert figures() == ("3", 3, (2, 1))
    client.post(
        reverse("followups:reminder_reschedule", args=[moved.pk]),
        {"new_date": (today() + timedelta(days=1)).isoformat(), "new_time": "09:00"},
        **HTMX,
    )
    # within the same 30 seconds: all three say 2 at once
    assert figures() == ("2", 2, (1, 1))


def test_a_calendar_move_announces_the_change(client, login_as):
    me = login_as("sales")
    thread = due_order(local(today(), 8, 0), me.pk, "Khách", "0912 000 601")
    target = today() + timedelta(days=1)
    response = client.post(
        reverse("followups:calendar_reschedule", args=[thread.pk]),
        {"new_date": target.isoformat(), "new_time": "08:00"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == f'{{"followup-changed": {{"id": {thread.pk}}}}}'
