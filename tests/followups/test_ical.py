"""The private iCalendar feed: the settings page, the token, and the events it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from followups.models import CalendarFeed, FollowUp
from followups.services import Subject, followup_finish, followup_log_contact, followup_schedule
from tests.followups.test_pages import a_request, an_order

pytestmark = pytest.mark.django_db


def feed_of(client, user) -> CalendarFeed:
    response = client.post(reverse("followups:feed_rotate"))
    assert response.status_code == 302
    return CalendarFeed.objects.get(user=user)


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_settings_page_creates_shows_and_rotates_the_address(client, login_as):
    user = login_as("sales")
    page = client.get(reverse("followups:feed_settings")).content.decode()
    assert 'data-testid="feed-create"' in page
    assert CalendarFeed.objects.count() == 0
    feed = feed_of(client, user)
    assert len(feed.token) == 43
    page = client.get(reverse("followups:feed_settings")).content.decode()
    assert f'value="http://testserver/followups/calendar/{feed.token}.ics"' in page
    old = feed.token
    anonymous = Client()
    assert anonymous.get(f"/followups/calendar/{old}.ics").status_code == 200
    new = feed_of(client, user).token
    assert new != old
    assert anonymous.get(f"/followups/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/followups/calendar/{new}.ics").status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_the_feed_holds_my_open_follow_ups_in_the_window(client, login_as, make_user):
    user = login_as("sales", language="en")
    other = make_user("sales")
    now = timezone.now()
    order = an_order(name="Chị Hằng", phone="0912 000 801")
    call_at = (now + timedelta(days=2)).replace(microsecond=0)
    thread = followup_log_contact(
        subject=Subject("order", order.pk), method="phone", note="Khách muốn xem thêm mẫu",
        next_contact_at=call_at, user_id=user.pk,
    )  # fmt: skip
    request = a_request("Anh Web", "0912 000 802")
    request_at = (now - timedelta(days=29)).replace(microsecond=0)
    request_thread = followup_schedule(
        subject=Subject("contact_request", request.pk), next_contact_at=request_at,
        user_id=user.pk,
    )  # fmt: skip
    # Not in the feed: too old, too far ahead, finished, someone else's.
    for at in (now - timedelta(days=31), now + timedelta(days=181)):
        followup_schedule(
            subject=Subject("order", an_order().pk), next_contact_at=at, user_id=user.pk
        )
    finished = followup_schedule(
        subject=Subject("order", an_order().pk), next_contact_at=now, user_id=user.pk
    )
    followup_finish(followup_id=finished.pk, outcome="sold", user_id=user.pk)
    followup_schedule(
        subject=Subject("order", an_order().pk), next_contact_at=now, user_id=other.pk
    )

    feed = feed_of(client, user)
    response = Client().get(reverse("followups:ical", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.content)
    thread.refresh_from_db()
    request_thread.refresh_from_db()
    assert [str(e["UID"]) for e in found] == [
        f"followup-{request_thread.pk}@testserver",
        f"followup-{thread.pk}@testserver",
    ]
    first, second = found
    assert first.decoded("DTSTART") == request_at.astimezone(UTC)
    assert first.decoded("DTEND") == request_at.astimezone(UTC) + timedelta(minutes=15)
    assert str(first["SUMMARY"]) == "Call Anh Web \N{EN DASH} contact request"
    assert str(first["URL"]) == f"http://testserver/followups/requests/{request.pk}/"
    assert second.decoded("DTSTART") == call_at.astimezone(UTC)
    assert f"DTSTART:{call_at.astimezone(UTC):%Y%m%dT%H%M%S}Z" in response.content.decode()
    assert second.decoded("DTSTAMP") == thread.updated_at.astimezone(UTC).replace(microsecond=0)
    assert str(second["SUMMARY"]) == f"Call Chị Hằng \N{EN DASH} {order.number}"
    assert str(second["DESCRIPTION"]) == "Khách muốn xem thêm mẫu\nPhone: +84912000801"
    assert str(second["URL"]) == f"http://testserver/orders/{order.pk}/"

    # The UID stays when the follow-up moves.
    moved = call_at + timedelta(days=1)
    FollowUp.objects.filter(pk=thread.pk).update(next_contact_at=moved)
    again = events(Client().get(reverse("followups:ical", args=[feed.token])).content)
    assert [(str(e["UID"]), e.decoded("DTSTART")) for e in again][1] == (
        f"followup-{thread.pk}@testserver",
        moved.astimezone(UTC),
    )


def test_unknown_tokens_and_inactive_users_get_404(client, login_as):
    user = login_as("sales")
    feed = feed_of(client, user)
    anonymous = Client()
    assert anonymous.get("/followups/calendar/not-a-token.ics").status_code == 404
    assert anonymous.get("/followups/calendar/.ics").status_code == 404
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert anonymous.get(f"/followups/calendar/{feed.token}.ics").status_code == 404


def test_summaries_follow_the_users_language(client, login_as):
    user = login_as("sales", language="vi")
    followup_schedule(
        subject=Subject("customer", an_order(name="Bà Tư").customer_id),
        next_contact_at=timezone.now() + timedelta(hours=3),
        user_id=user.pk,
    )
    feed = feed_of(client, user)
    body = Client().get(reverse("followups:ical", args=[feed.token])).content
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    (event,) = events(body)
    # Until the Vietnamese catalogue has the sentence, gettext falls back to English; the name
    # and the structure are what this checks.
    assert str(event["SUMMARY"]).endswith("Bà Tư")
    assert isinstance(event.decoded("DTSTART"), datetime)


def test_the_settings_page_needs_the_permission(client, login_as):
    login_as("warehouse")
    assert client.get(reverse("followups:feed_settings")).status_code == 403
    assert client.post(reverse("followups:feed_rotate")).status_code == 403
    assert CalendarFeed.objects.count() == 0
