"""A contact request's requested call-back time ("call me at 15:00 today") is its next contact:
red from that day on, green before. Shop-local midnight in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from common import markers
from followups.models import ContactRequest, FollowUp
from followups.selectors.contact_requests import request_list
from followups.selectors.reminders import due_items
from followups.services import contact_request_create
from orders.services.websites import website_create

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=HCM)


def listed(today: date) -> dict[str, str]:
    return {r.name: r.marker for r in request_list(today=today)}


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_the_call_back_time_makes_the_request_due_or_scheduled():
    def made(name: str, at: datetime | None) -> ContactRequest:
        request, created = contact_request_create(
            name=name, phone="0912 345 678", source="staff", user_id=None, preferred_at=at, now=NOW
        )
        assert created
        return request

    made("Chiều nay", datetime(2026, 11, 25, 15, 0, tzinfo=HCM))  # later today: red
    made("Nửa đêm", datetime(2026, 11, 25, 23, 59, 59, tzinfo=HCM))  # today's last second: red
    made("Sáng mai", datetime(2026, 11, 26, 0, 0, tzinfo=HCM))  # tomorrow's first second: green
    made("Hôm qua", datetime(2026, 11, 24, 16, 0, tzinfo=HCM))  # already past: red
    made("Không hẹn", None)  # no time asked: blue
    assert listed(TODAY) == {
        "Chiều nay": markers.DUE,
        "Nửa đêm": markers.DUE,
        "Sáng mai": markers.SCHEDULED,
        "Hôm qua": markers.DUE,
        "Không hẹn": markers.NEW,
    }
    # the next day, tomorrow's call is due too
    assert listed(date(2026, 11, 26))["Sáng mai"] == markers.DUE
    thread = FollowUp.objects.get(contact_request__name="Sáng mai")
    assert (thread.state, thread.next_contact_at, thread.assignee_id) == (
        "open",
        datetime(2026, 11, 25, 17, 0, tzinfo=ZoneInfo("UTC")),
        None,
    )
    assert not FollowUp.objects.filter(contact_request__name="Không hẹn").exists()


def test_a_request_entered_by_staff_is_theirs_to_call(client, login_as):
    user = login_as("sales")
    today = timezone.localdate()
    response = client.post(
        reverse("followups:request_create"),
        {"name": "Chị Hẹn", "phone": "0988.123.456", "preferred_date": today.isoformat(),
         "preferred_time": "15:00"},
    )  # fmt: skip
    assert response.status_code == 302
    request = ContactRequest.objects.get()
    at = timezone.make_aware(datetime.combine(today, datetime.min.time().replace(hour=15)))
    assert (request.followup_state, request.next_contact_at) == ("open", at)
    assert request.followup.assignee_id == user.pk
    # it is in the staff member's reminders today
    assert [item.name for item in due_items(user_id=user.pk, today=today)] == ["Chị Hẹn"]


def test_a_website_request_with_a_time_later_is_green_and_a_repeat_adds_nothing():
    _site, key = website_create(name="Shop", code="WEB", warehouse_id=None, user_id=None)
    later = timezone.localtime(markers.tomorrow_start(timezone.localdate()))  # 00:00 tomorrow
    body = {"id": "R-9", "name": "Anh Sau", "phone": "0912 000 999",
            "preferred_at": later.isoformat()}  # fmt: skip
    client = Client()
    for expected_status in (201, 200):
        response = client.post(
            "/api/v1/contact-requests",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == expected_status
        assert response.json() == {"id": "R-9", "status": "scheduled"}
    assert FollowUp.objects.count() == 1
    assert ContactRequest.objects.get().next_contact_at == later


def test_the_migration_gives_waiting_requests_their_call_back_time():
    import importlib

    from django.apps import apps

    at = datetime(2026, 11, 25, 15, 0, tzinfo=HCM)
    asked, _ = contact_request_create(
        name="Cũ Có Hẹn", phone="0912 000 111", source="staff", user_id=None, now=NOW
    )
    plain, _ = contact_request_create(
        name="Cũ Không Hẹn", phone="0912 000 112", source="staff", user_id=None, now=NOW
    )
    ContactRequest.objects.filter(pk=asked.pk).update(preferred_at=at)  # as the old code left it
    migration = importlib.import_module(
        "followups.migrations.0004_requested_call_back_time_is_next_contact"
    )
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: nothing more
    assert list(
        ContactRequest.objects.order_by("pk").values_list("followup_state", "next_contact_at")
    ) == [("open", at), ("", None)]
    assert list(FollowUp.objects.values_list("contact_request_id", "state")) == [(asked.pk, "open")]
    assert plain.pk != asked.pk
