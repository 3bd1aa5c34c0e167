"""The follow-up marker in the order list's leftmost column, and the list filtered by it."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common.markers import tomorrow_start
from followups.services import Subject, followup_finish, followup_schedule
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_orders():
    """One order per marker, relative to the real clock so the test holds at any hour:
    due = a minute before tomorrow starts (still today), scheduled = tomorrow's first second."""
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 10)
    customer = make_customer()
    new, due, overdue, scheduled, done = (
        make_order(customer, warehouse, [(variant, 1)]) for _ in range(5)
    )
    limit = tomorrow_start(timezone.localdate())
    followup_schedule(
        subject=Subject("order", due.pk), next_contact_at=limit - timedelta(minutes=1), user_id=None
    )
    yesterday = datetime.combine(timezone.localdate() - timedelta(days=1), time(9, 0))
    followup_schedule(
        subject=Subject("order", overdue.pk),
        next_contact_at=timezone.make_aware(yesterday),
        user_id=None,
    )
    followup_schedule(subject=Subject("order", scheduled.pk), next_contact_at=limit, user_id=None)
    thread = followup_schedule(
        subject=Subject("order", done.pk), next_contact_at=limit, user_id=None
    )
    followup_finish(followup_id=thread.pk, outcome="sold", user_id=None)
    return {"new": new, "due": due, "overdue": overdue, "scheduled": scheduled, "done": done}


def markers_shown(html: str) -> dict[str, str]:
    """order number -> the marker in its row."""
    rows = re.findall(
        r'<td class="col-marker"><span class="fu-marker[^"]*" data-marker="(\w+)".*?'
        r"data-open>(SO\d+)</a>",
        html,
        flags=re.S,
    )
    return {number: marker for marker, number in rows}


def test_each_order_shows_its_marker(client, login_as, four_orders):
    login_as("sales")
    html = client.get(reverse("orders:order_list")).content.decode()
    assert markers_shown(html) == {
        four_orders["new"].number: "new",
        four_orders["due"].number: "due",
        four_orders["overdue"].number: "due",
        four_orders["scheduled"].number: "scheduled",
        four_orders["done"].number: "done",
    }
    assert 'data-testid="marker-tabs"' in html


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("due", ["overdue", "due"]),  # the most overdue first
        ("new", ["new"]),
        ("scheduled", ["scheduled"]),
        ("done", ["done"]),
    ],
)
def test_the_list_filters_by_marker(client, login_as, four_orders, marker, expected):
    login_as("sales")
    html = client.get(reverse("orders:order_list"), {"marker": marker}).content.decode()
    numbers = re.findall(r"data-open>(SO\d+)</a>", html)
    assert numbers == [four_orders[name].number for name in expected]


def test_the_marker_filter_keeps_the_page_to_a_constant_number_of_queries(
    client, login_as, four_orders, django_assert_num_queries
):
    login_as("sales")
    client.get(reverse("orders:order_list"), {"marker": "due"})
    # session, user, permissions (2), the page, the two warehouse lists (the page holds them
    # all: no count)
    with django_assert_num_queries(7):
        client.get(reverse("orders:order_list"), {"marker": "due"})
