"""In Chromium: the four follow-up markers on the contact-request list, the calendar colours,
logging a contact in the panel (htmx, quick date buttons) and moving an entry by drag and drop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from common import markers
from followups.models import FollowUp
from followups.selectors.calendar import calendar_period
from followups.services import Subject, followup_schedule
from tests.followups.test_pages import a_request, requests_in_four_states

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_markers_calendar_panel_and_drag(live_server, page, sign_in, make_user, artifacts):
    user = make_user("sales", username="lan", first_name="Lan")
    made = requests_in_four_states(user.pk)
    today = timezone.localdate()
    # A green entry inside this month's grid when there is a later day in it.
    period = calendar_period(view="month", anchor=today)
    soon = today + timedelta(days=1)
    green_in_grid = soon < period.end
    if green_in_grid:
        extra = a_request("Chị Ngày Mai", "0912 000 777")
        green = followup_schedule(
            subject=Subject("contact_request", extra.pk),
            next_contact_at=markers.tomorrow_start(today) + timedelta(hours=10),
            user_id=user.pk,
        )

    sign_in(page, "lan")
    page.goto(f"{live_server.url}/followups/requests/")
    for marker, request in made.items():
        row = page.locator(f'tr[data-request-id="{request.pk}"]')
        icon = row.locator(f"td.fu-col-marker .fu-marker--{marker}")
        assert icon.is_visible()
        assert icon.locator("svg").bounding_box()["width"] == 16
    page.screenshot(path=str(artifacts / "followup_markers.png"), full_page=True)

    page.goto(f"{live_server.url}/followups/calendar/")
    calendar = page.locator("#calendar")
    assert calendar.locator(".fu-entry--due").first.is_visible()
    assert calendar.locator(".fu-entry--done").first.is_visible()
    if green_in_grid:
        assert calendar.locator(".fu-entry--scheduled").first.is_visible()
    else:  # the last day of the month is a Sunday: tomorrow is in the next month's grid
        page.keyboard.press("ArrowRight")
        page.wait_for_selector("#calendar .fu-entry--scheduled")
        page.keyboard.press("t")
        page.wait_for_selector("#calendar .fu-entry--done")
    page.screenshot(path=str(artifacts / "followup_calendar.png"), full_page=True)

    if green_in_grid:
        target = soon + timedelta(days=1)
        cell = page.locator(f'[data-testid="day-{target.isoformat()}"]')
        if target < period.end:
            entry = page.locator(f'.fu-entry[data-entry-id="{green.pk}"]')
            before = timezone.localtime(FollowUp.objects.get(pk=green.pk).next_contact_at)
            with page.expect_response(lambda r: "/move/" in r.url):
                entry.drag_to(cell)
            page.wait_for_selector(
                f'[data-testid="day-{target.isoformat()}"] .fu-entry[data-entry-id="{green.pk}"]'
            )
            after = timezone.localtime(FollowUp.objects.get(pk=green.pk).next_contact_at)
            assert (after.date(), after.time()) == (target, before.time())

    # Keyboard: "w" switches to the week view.
    page.keyboard.press("w")
    page.wait_for_selector("#calendar.fu-cal--week")

    # The panel on the request page: a quick date button, then a contact saved through htmx.
    new = made["new"]
    page.goto(f"{live_server.url}/followups/requests/{new.pk}/")
    panel = page.locator(f"#followup-panel-contact_request-{new.pk}")
    panel.locator("textarea[name=note]").fill("Khách hẹn chiều thứ Sáu")
    panel.locator('[data-testid="followup-log-form"] .fu-quick button').nth(1).click()
    three_days = today + timedelta(days=3)
    assert (
        panel.locator('[data-testid="followup-log-form"] input[name=next_date]').input_value()
        == f"{three_days:%d/%m/%Y}"
    )
    panel.locator('[data-testid="followup-log-form"] button[type=submit]').click()
    page.wait_for_selector(f'#followup-panel-contact_request-{new.pk} [data-marker="scheduled"]')
    assert (
        "Khách hẹn chiều thứ Sáu" in page.locator('[data-testid="followup-history"]').inner_text()
    )
    thread = FollowUp.objects.get(contact_request=new)
    assert timezone.localtime(thread.next_contact_at).date() == three_days
    page.screenshot(path=str(artifacts / "followup_panel.png"), full_page=True)
