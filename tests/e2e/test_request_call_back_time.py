"""In Chromium: a contact request entered with "call back today at 15:00" shows the red marker
in the contact-request list (and its call-back time), one for tomorrow the green one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.models import ContactRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_request(page, live_server, name: str, phone: str, day, at: str) -> ContactRequest:
    page.goto(f"{live_server.url}/followups/requests/new/")
    page.fill("#id_name", name)
    page.fill("#id_phone", phone)
    page.fill("#id_preferred_date", day.isoformat())
    page.fill("#id_preferred_time", at)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/followups/requests/*/")
    return ContactRequest.objects.get(name=name)


def test_the_call_back_time_colours_the_request(live_server, page, sign_in, make_user, artifacts):
    make_user("sales", username="lan", first_name="Lan")
    today = timezone.localdate()
    sign_in(page, "lan")
    due = enter_request(page, live_server, "Chị Gọi Chiều", "0912 000 881", today, "15:00")
    later = enter_request(
        page, live_server, "Anh Gọi Mai", "0912 000 882", today + timedelta(days=1), "10:00"
    )

    page.goto(f"{live_server.url}/followups/requests/")
    row = page.locator(f'tr[data-request-id="{due.pk}"]')
    assert row.locator("td.fu-col-marker .fu-marker--due").is_visible()
    assert "15:00" in row.inner_text()
    green = page.locator(f'tr[data-request-id="{later.pk}"]')
    assert green.locator("td.fu-col-marker .fu-marker--scheduled").is_visible()
    page.screenshot(path=str(artifacts / "contact_request_call_back_due.png"), full_page=True)
