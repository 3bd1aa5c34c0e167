"""In Chromium: the four follow-up markers in the order list's leftmost column, the marker tab
that shows the day's work, and the follow-up panel loaded on the order page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from common import markers
from followups.services import Subject, followup_finish, followup_schedule
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_list_markers_tab_and_panel(live_server, page, sign_in, make_user, artifacts):
    user = make_user("sales", username="an", first_name="An")
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 10)
    customer = make_customer()
    new, due, scheduled, done = (make_order(customer, warehouse, [(variant, 1)]) for _ in range(4))
    today = timezone.localdate()
    morning = timezone.make_aware(datetime.combine(today, time(0, 0)))
    followup_schedule(subject=Subject("order", due.pk), next_contact_at=morning, user_id=user.pk)
    followup_schedule(
        subject=Subject("order", scheduled.pk),
        next_contact_at=markers.tomorrow_start(today) + timedelta(hours=9),
        user_id=user.pk,
    )
    thread = followup_schedule(
        subject=Subject("order", done.pk), next_contact_at=morning, user_id=user.pk
    )
    followup_finish(followup_id=thread.pk, outcome="sold", user_id=user.pk)

    sign_in(page, "an")
    page.goto(f"{live_server.url}/orders/")
    for marker, order in (("new", new), ("due", due), ("scheduled", scheduled), ("done", done)):
        row = page.locator("tr[data-order-row]", has=page.locator(f"text={order.number}"))
        icon = row.locator(f"td.col-marker .fu-marker--{marker}")
        assert icon.is_visible(), marker
        assert icon.locator("svg").bounding_box()["width"] == 16
    page.screenshot(path=str(artifacts / "order_list_markers.png"), full_page=True)

    # The red tab: only the orders to call today.
    page.locator('[data-testid="marker-tabs"] a[href*="marker=due"]').click()
    page.wait_for_url("**marker=due**")
    numbers = page.locator("tr[data-order-row] a[data-open]").all_inner_texts()
    assert numbers == [due.number]

    # The order page loads its follow-up panel.
    page.goto(f"{live_server.url}/orders/{due.pk}/")
    panel = page.locator(f"#followup-panel-order-{due.pk}")
    panel.wait_for()
    assert panel.locator('[data-marker="due"]').first.is_visible()
    page.screenshot(path=str(artifacts / "order_followup_panel.png"), full_page=True)
