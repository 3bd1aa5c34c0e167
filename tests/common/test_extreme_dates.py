"""Rows holding instants at the edges of time (written straight through the ORM, as a validation
gap once let them in) never break a page: the lists, their search, the detail pages, the
calendar, the reminders and the reports all answer 200.

9999-12-31T23:59:59-14:00 is year 10000 in UTC, 0001-01-01T00:00+14:00 is a day of 1 BC:
PostgreSQL keeps both, Python cannot hold either; 9999-12-31T20:00Z can be read but not shown
in Asia/Ho_Chi_Minh (+07:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone as dj_timezone

from common.db import SAFE_MAX, SAFE_MIN
from followups.models import ContactRequest, FollowUp
from followups.services import Subject, followup_schedule
from followups.services_requests import contact_request_create
from orders.models import Order
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres(
        why="only PostgreSQL holds instants Python cannot (Django cannot write them to SQLite), "
        "and its loaders in common/db.py clamp them"
    ),
]

LATE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14)))  # year 10000 UTC
EARLY = datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14)))  # 1 BC in UTC
LATE_UTC = datetime(9999, 12, 31, 20, 0, tzinfo=UTC)  # readable, but not in local time
EARLY_UTC = datetime(1, 1, 1, 1, 0, tzinfo=UTC)  # readable, not in a zone west of UTC
EDGES = (LATE, EARLY, LATE_UTC, EARLY_UTC)


@pytest.fixture
def extreme(login_as):
    owner = login_as("owner")
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 20)
    now = dj_timezone.now()
    requests, orders = [], []
    for n, edge in enumerate(EDGES):
        contact, _new = contact_request_create(
            name=f"Chị Đào {n}", phone=f"0912 000 00{n}", source="staff", user_id=owner.pk
        )
        thread = followup_schedule(
            subject=Subject("contact_request", contact.pk),
            next_contact_at=now + timedelta(days=1),
            user_id=owner.pk,
            assignee_id=owner.pk,
        )
        order = make_order(
            make_customer(name=f"Anh Minh {n}", phones=(f"0913 000 00{n}",)),
            warehouse,
            [(variant, 1)],
            user_id=owner.pk,
        )
        order_thread = followup_schedule(
            subject=Subject("order", order.pk),
            next_contact_at=now + timedelta(days=1),
            user_id=owner.pk,
            assignee_id=owner.pk,
        )
        # What a validation gap would have stored, bypassing the services.
        ContactRequest.objects.filter(pk=contact.pk).update(
            preferred_at=edge, next_contact_at=edge, created_at=edge
        )
        FollowUp.objects.filter(pk__in=[thread.pk, order_thread.pk]).update(next_contact_at=edge)
        Order.objects.filter(pk=order.pk).update(created_at=edge, next_contact_at=edge)
        requests.append(contact)
        orders.append(order)
    return {"requests": requests, "orders": orders, "owner": owner}


def test_postgresql_keeps_instants_python_cannot_hold_and_reading_clamps_them(extreme):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT preferred_at::text FROM followups_contactrequest WHERE id = ANY(%s) "
            "ORDER BY id",
            [[r.pk for r in extreme["requests"]]],
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert stored == [
        "10000-01-01 13:59:59+00",
        "0001-12-31 10:00:00+00 BC",
        "9999-12-31 20:00:00+00",
        "0001-01-01 01:00:00+00",
    ]
    read = list(
        ContactRequest.objects.filter(pk__in=[r.pk for r in extreme["requests"]])
        .order_by("pk")
        .values_list("preferred_at", flat=True)
    )
    assert read == [SAFE_MAX, SAFE_MIN, SAFE_MAX, SAFE_MIN]
    assert datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC) == SAFE_MAX
    assert datetime(1, 1, 2, tzinfo=UTC) == SAFE_MIN
    # Turning the clamped instants into any zone's local time works.
    for zone in ("Asia/Ho_Chi_Minh", "Asia/Bangkok", "Pacific/Kiritimati", "Etc/GMT+12"):
        with dj_timezone.override(zone):
            for value in read:
                dj_timezone.localtime(value)


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Asia/Bangkok"])
def test_pages_answer_with_extreme_instants_stored(client, extreme, settings, zone):
    settings.TIME_ZONE = zone
    pages = [
        reverse("followups:request_list"),
        reverse("followups:request_list") + "?q=Đào",
        reverse("followups:request_list") + "?q=0912",
        reverse("followups:calendar"),
        reverse("followups:calendar") + "?view=week",
        reverse("followups:calendar") + "?view=day",
        reverse("followups:calendar") + "?user=all",
        reverse("followups:reminders"),
        reverse("followups:reminder_badge"),
        reverse("followups:outcomes"),
        reverse("followups:outcomes") + "?format=csv",
        reverse("orders:order_list"),
        reverse("orders:order_list") + "?sort=next_contact",
        reverse("orders:order_list") + "?q=Minh",
        reverse("orders:order_list") + "?marker=due",
        reverse("orders:order_list") + "?marker=scheduled",
        reverse("orders:customer_list"),
        reverse("orders:report_best_sellers"),
        reverse("orders:report_top_customers"),
        reverse("orders:report_sales"),
        reverse("dashboard"),
    ]
    pages += [reverse("followups:request_detail", args=[r.pk]) for r in extreme["requests"]]
    pages += [reverse("orders:order_detail", args=[o.pk]) for o in extreme["orders"]]
    pages += [reverse("orders:customer_detail", args=[o.customer_id]) for o in extreme["orders"]]
    pages += [reverse("followups:panel", args=["order", o.pk]) for o in extreme["orders"]] + [
        reverse("followups:panel", args=["contact_request", r.pk]) for r in extreme["requests"]
    ]
    client.raise_request_exception = False
    answers = {page: client.get(page).status_code for page in pages}
    assert {page: code for page, code in answers.items() if code != 200} == {}
