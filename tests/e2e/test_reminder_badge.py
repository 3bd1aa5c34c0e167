"""In Chromium: the top-bar reminders badge, the dashboard card and the reminders page show one
figure, and a quick move on the reminders page changes the badge without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from common import markers
from tests.followups.test_reminders import due_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_follows_a_reschedule_and_agrees_with_card_and_page(
    live_server, page, sign_in, make_user, artifacts
):
    user = make_user("sales", username="lan", first_name="Lan")
    today = timezone.localdate()
    start = markers.tomorrow_start(today) - timedelta(days=1)
    due_order(start - timedelta(days=2), user.pk, "Khách Một", "0912 000 701")  # overdue
    due_order(start - timedelta(hours=3), user.pk, "Khách Hai", "0912 000 702")  # overdue
    moved = due_order(start + timedelta(minutes=30), user.pk, "Khách Ba", "0912 000 703")
    due_order(markers.tomorrow_start(today) + timedelta(hours=9), user.pk, "Sau", "0912 000 704")

    sign_in(page, "lan")  # lands on the dashboard
    badge = page.locator('[data-testid="followup-due-count"]')
    badge.wait_for()
    assert badge.inner_text() == "3"
    assert page.locator('[data-testid="stat-followups-overdue"]').inner_text() == "2 quá hạn"
    assert page.locator('[data-testid="stat-followups-today"]').inner_text() == "1 đến hạn hôm nay"

    page.goto(f"{live_server.url}/followups/reminders/")
    rows = page.locator('[data-testid="reminder-row"]')
    assert rows.count() == 3
    assert badge.inner_text() == "3"

    row = page.locator(f'[data-testid="reminder-row"][data-followup-id="{moved.pk}"]')
    row.locator("form.fu-inline-form button").first.click()  # +1 day
    row.wait_for(state="detached")
    assert rows.count() == 2
    # expect() polls without evaluating a string: the page's policy forbids eval.
    expect(badge).to_have_text("2")
    page.screenshot(path=str(artifacts / "reminder_badge_after_move.png"), full_page=True)

    page.goto(f"{live_server.url}/")
    badge.wait_for()
    assert badge.inner_text() == "2"
    assert page.locator('[data-testid="stat-followups-overdue"]').inner_text() == "2 quá hạn"
    assert page.locator('[data-testid="stat-followups-today"]').inner_text() == "0 đến hạn hôm nay"
