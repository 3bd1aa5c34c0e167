"""In Chromium, in Vietnamese and Thai: a busy month of everyone's follow-ups. A full day shows
its first four entries and a "+N more" link to its day view; the entry's ⋯ form moves it
(htmx) and the day view lists the whole day. Screenshots: calendar_busy_month_<language>.png,
calendar_busy_day_<language>.png."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from followups.models import FollowUp
from followups.services import followup_finish
from tests.followups.test_calendar import schedule_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2030, 6, 12)  # far ahead: open entries are green, finished ones grey


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.mark.parametrize(("locale", "more"), [("vi-VN", "+4 mục khác"), ("th-TH", "+อีก 4 รายการ")])
def test_a_busy_month_in_both_languages(live_server, signed_in, make_user, artifacts, locale, more):
    make_user("owner", username="chu", first_name="Chủ")
    staff = [make_user("sales", first_name=name) for name in ("Lan", "Somchai")]
    busy = [schedule_order(at(DAY, 8 + i), staff[i % 2].pk, f"Khách {i}") for i in range(6)]
    schedule_order(at(DAY, 16, 30), None, "Chưa Ai Nhận")
    done = schedule_order(at(DAY + timedelta(days=1), 10), staff[0].pk, "Đã Xong")
    followup_finish(followup_id=done.pk, outcome="sold", user_id=None, now=at(DAY, 17))
    later = schedule_order(at(DAY + timedelta(days=2), 9, 15), staff[1].pk, "Hẹn Sau")

    language = locale[:2]
    page = signed_in(
        "chu", next_url="/followups/calendar/?view=month&date=2030-06-12&user=all", locale=locale
    )
    cell = page.locator(f'[data-testid="day-{DAY.isoformat()}"]')
    assert cell.locator(".fu-entry").count() == 4
    assert cell.locator('[data-testid="day-more"]').inner_text() == more
    page.screenshot(path=str(artifacts / f"calendar_busy_month_{language}.png"), full_page=True)

    entry = page.locator(f'.fu-entry[data-entry-id="{later.pk}"]')
    assert entry.get_attribute("data-time") == "09:15"
    assert entry.locator("time").inner_text() == "09:15"
    entry.locator("summary").click()
    form = entry.locator("form")
    assert form.locator('input[name="new_date"]').input_value() == "14/06/2030"
    form.locator('input[name="new_date"]').fill("20/06/2030")
    with page.expect_response(lambda r: "/move/" in r.url):
        form.locator('button[type="submit"]').click()
    page.wait_for_selector(f'[data-testid="day-2030-06-20"] .fu-entry[data-entry-id="{later.pk}"]')
    moved_to = timezone.localtime(FollowUp.objects.get(pk=later.pk).next_contact_at)
    assert (moved_to.date(), moved_to.time()) == (date(2030, 6, 20), time(9, 15))

    page.locator(f'[data-testid="day-{DAY.isoformat()}"] [data-testid="day-more"]').click()
    page.wait_for_selector("#calendar.fu-cal--day")
    shown = page.locator(".fu-entry").evaluate_all("els => els.map(e => +e.dataset.entryId)")
    assert shown[:6] == [thread.pk for thread in busy]
    assert len(shown) == 8  # the six, the unassigned one, the one finished that day (grey)
    assert page.locator(".fu-entry--done").evaluate_all("els => els.length") == 1
    page.screenshot(path=str(artifacts / f"calendar_busy_day_{language}.png"), full_page=True)
