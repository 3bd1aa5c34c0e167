"""The private iCalendar feed: the settings page, the token, and the events it holds."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from followups.ical import calendar_feed_rotate, feed_owner
from followups.models import CalendarFeed, FollowUp
from followups.services import Subject, followup_finish, followup_log_contact, followup_schedule
from tests.followups.test_pages import a_request, an_order

pytestmark = pytest.mark.django_db


FEED_URL = re.compile(r'value="http://testserver/followups/calendar/([A-Za-z0-9_-]+)\.ics"')


def feed_of(client, user) -> str:
    """Make (or remake) the user's address on the settings page; the token, read from the page
    (the only place it is ever shown)."""
    response = client.post(reverse("followups:feed_rotate"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (token,) = FEED_URL.findall(response.content.decode())
    assert CalendarFeed.objects.filter(user=user).count() == 1
    return token


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_settings_page_creates_shows_once_and_rotates_the_address(client, login_as):
    user = login_as("sales")
    page = client.get(reverse("followups:feed_settings")).content.decode()
    assert 'data-testid="feed-create"' in page
    assert CalendarFeed.objects.count() == 0
    old = feed_of(client, user)
    assert len(old) == 43
    # Shown once: the settings page afterwards names the address by its start only.
    page = client.get(reverse("followups:feed_settings")).content.decode()
    assert old not in page
    assert FEED_URL.findall(page) == []
    assert f"{old[:6]}…" in page
    assert 'data-testid="feed-rotate"' in page
    anonymous = Client()
    assert anonymous.get(f"/followups/calendar/{old}.ics").status_code == 200
    new = feed_of(client, user)
    assert new != old
    assert anonymous.get(f"/followups/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/followups/calendar/{new}.ics").status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_only_a_digest_of_the_token_is_stored(client, login_as):
    user = login_as("sales")
    token = feed_of(client, user)
    (row,) = CalendarFeed.objects.values()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["token_prefix"] == token[:6]
    assert not any(token in str(value) for value in row.values())


def test_the_service_returns_the_token_once_and_finds_its_owner_by_digest(make_user):
    user = make_user("sales")
    feed, token = calendar_feed_rotate(user_id=user.pk)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert feed_owner(token=token) == user
    assert feed_owner(token=feed.token_hash) is None
    assert feed_owner(token=token[:-1]) is None
    assert feed_owner(token="") is None
    assert feed_owner(token=token + "x" * 100) is None


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

    token = feed_of(client, user)
    response = Client().get(reverse("followups:ical", args=[token]))
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
    assert str(second["DESCRIPTION"]) == "Khách muốn xem thêm mẫu\nPhone: 0912 000 801"
    assert str(second["URL"]) == f"http://testserver/orders/{order.pk}/"

    # The UID stays when the follow-up moves.
    moved = call_at + timedelta(days=1)
    FollowUp.objects.filter(pk=thread.pk).update(next_contact_at=moved)
    again = events(Client().get(reverse("followups:ical", args=[token])).content)
    assert [(str(e["UID"]), e.decoded("DTSTART")) for e in again][1] == (
        f"followup-{thread.pk}@testserver",
        moved.astimezone(UTC),
    )


def test_unknown_tokens_and_inactive_users_get_404(client, login_as):
    user = login_as("sales")
    token = feed_of(client, user)
    anonymous = Client()
    assert anonymous.get("/followups/calendar/not-a-token.ics").status_code == 404
    assert anonymous.get("/followups/calendar/.ics").status_code == 404
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert anonymous.get(f"/followups/calendar/{token}.ics").status_code == 404


def test_summaries_follow_the_users_language(client, login_as):
    user = login_as("sales", language="vi")
    followup_schedule(
        subject=Subject("customer", an_order(name="Bà Tư").customer_id),
        next_contact_at=timezone.now() + timedelta(hours=3),
        user_id=user.pk,
    )
    token = feed_of(client, user)
    body = Client().get(reverse("followups:ical", args=[token])).content
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


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_tokens_and_their_addresses_keep_working(make_user):
    """Addresses made before tokens were hashed keep working after 0002; going back forgets
    the feeds (a digest cannot give the token back), so users make a new address."""
    user = make_user("sales")
    executor = MigrationExecutor(connection)
    before, after = [("followups", "0001_initial")], [("followups", "0002_calendarfeed_token_hash")]
    token = "Old-token_made-before-hashing-0123456789abc"
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        old_apps.get_model("followups", "CalendarFeed").objects.create(
            user_id=user.pk, token=token, created_at=timezone.now()
        )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        assert Client().get(f"/followups/calendar/{token}.ics").status_code == 200
        (row,) = CalendarFeed.objects.values("token_hash", "token_prefix")
        assert row == {
            "token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "token_prefix": token[:6],
        }
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert old_apps.get_model("followups", "CalendarFeed").objects.count() == 0
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
