"""Only the person responsible for a follow-up, or an owner or manager, may move, finish or
reassign it (or record a contact that moves or finishes it); an unassigned follow-up may be
taken by anyone who works on follow-ups."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import ContactNote, FollowUp
from followups.services import (
    FollowUpError,
    Subject,
    followup_assign,
    followup_finish,
    followup_log_contact,
    followup_reschedule,
    followup_schedule,
)
from tests.followups.test_pages import HTMX, an_order

pytestmark = pytest.mark.django_db

REFUSED = "Only the person responsible for this follow-up or a manager may change it."


def local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


AT = local(date(2030, 6, 12), 9)
LATER = local(date(2030, 6, 14), 15)


@pytest.fixture
def people(make_user):
    return {
        "owner": make_user("owner"),
        "manager": make_user("manager"),
        "an": make_user("sales", first_name="An"),
        "binh": make_user("sales", first_name="Bình"),
    }


def thread_of(user) -> FollowUp:
    order = an_order()
    return followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=AT, user_id=user.pk if user else None
    )


def state(thread: FollowUp) -> tuple:
    thread.refresh_from_db()
    return (
        thread.state,
        thread.next_contact_at,
        thread.assignee_id,
        thread.outcome,
        ContactNote.objects.filter(followup=thread).count(),
    )


def attempts(thread: FollowUp, user) -> dict:
    return {
        "reschedule": lambda: followup_reschedule(
            followup_id=thread.pk, next_contact_at=LATER, user_id=user.pk
        ),
        "finish": lambda: followup_finish(followup_id=thread.pk, outcome="sold", user_id=user.pk),
        "assign": lambda: followup_assign(
            followup_id=thread.pk, assignee_id=user.pk, user_id=user.pk
        ),
        "schedule": lambda: followup_schedule(
            subject=Subject("order", thread.order_id), next_contact_at=LATER, user_id=user.pk
        ),
        "log": lambda: followup_log_contact(
            subject=Subject("order", thread.order_id),
            method="phone",
            note="Khách bận",
            next_contact_at=LATER,
            user_id=user.pk,
        ),
    }


@pytest.mark.parametrize("action", ["reschedule", "finish", "assign", "schedule", "log"])
def test_a_colleague_cannot_change_someone_elses_follow_up(people, action):
    thread = thread_of(people["an"])
    before = state(thread)
    with pytest.raises(FollowUpError) as refused:
        attempts(thread, people["binh"])[action]()
    assert str(refused.value) == REFUSED
    assert state(thread) == before


@pytest.mark.parametrize("action", ["reschedule", "finish", "assign", "schedule", "log"])
@pytest.mark.parametrize("role", ["owner", "manager", "an"])
def test_the_assignee_and_managers_may(people, action, role):
    thread = thread_of(people["an"])
    attempts(thread, people[role])[action]()
    thread.refresh_from_db()
    changed = {
        "reschedule": thread.next_contact_at == LATER,
        "finish": thread.outcome == "sold",
        "assign": thread.assignee_id == people[role].pk,
        "schedule": thread.next_contact_at == LATER,
        "log": thread.next_contact_at == LATER,
    }[action]
    assert changed is True


def test_an_unassigned_follow_up_may_be_taken_by_anyone(people):
    thread = thread_of(None)
    assert thread.assignee_id is None
    followup_reschedule(followup_id=thread.pk, next_contact_at=LATER, user_id=people["binh"].pk)
    followup_assign(followup_id=thread.pk, assignee_id=people["binh"].pk, user_id=people["binh"].pk)
    thread.refresh_from_db()
    assert (thread.next_contact_at, thread.assignee_id) == (LATER, people["binh"].pk)
    with pytest.raises(FollowUpError):  # now it is Bình's
        followup_finish(followup_id=thread.pk, outcome="sold", user_id=people["an"].pk)


def test_the_assignee_may_hand_it_over_and_then_no_longer_change_it(people):
    thread = thread_of(people["an"])
    followup_assign(followup_id=thread.pk, assignee_id=people["binh"].pk, user_id=people["an"].pk)
    with pytest.raises(FollowUpError):
        followup_reschedule(followup_id=thread.pk, next_contact_at=LATER, user_id=people["an"].pk)


# --- Pages ------------------------------------------------------------------------------------


def panel_url(name: str, thread: FollowUp) -> str:
    return reverse(f"followups:{name}", args=["order", thread.order_id])


POSTS = {
    "panel_schedule": {"next_date": "2030-06-14", "next_time": "15:00"},
    "panel_finish": {"outcome": "sold"},
    "panel_assign": {"assignee": ""},
    "panel_log": {"method": "phone", "note": "Khách bận", "then": "next", "next_date": "2030-06-14",
                  "next_time": "15:00"},
}  # fmt: skip


@pytest.mark.parametrize("name", list(POSTS))
def test_panel_refuses_a_colleague(client, people, name):
    thread = thread_of(people["an"])
    before = state(thread)
    client.force_login(people["binh"])
    response = client.post(panel_url(name, thread), POSTS[name], **HTMX)
    assert response.status_code == 422
    assert REFUSED in response.content.decode()
    assert state(thread) == before


def test_panel_hides_the_controls_from_a_colleague(client, people):
    thread = thread_of(people["an"])
    client.force_login(people["binh"])
    html = client.get(reverse("followups:panel", args=["order", thread.order_id])).content.decode()
    assert [
        panel_url(name, thread) in html
        for name in ("panel_log", "panel_schedule", "panel_assign", "panel_finish")
    ] == [False, False, False, False]
    assert "Only An or a manager can change this follow-up." in html
    client.force_login(people["manager"])
    html = client.get(reverse("followups:panel", args=["order", thread.order_id])).content.decode()
    assert [
        panel_url(name, thread) in html
        for name in ("panel_log", "panel_schedule", "panel_assign", "panel_finish")
    ] == [True, True, True, True]


def test_calendar_drag_of_a_colleagues_entry_is_refused_and_not_offered(client, people):
    thread = thread_of(people["an"])
    mine = thread_of(people["binh"])
    before = state(thread)
    client.force_login(people["binh"])
    move_url = reverse("followups:calendar_reschedule", args=[thread.pk])
    page = client.get(reverse("followups:calendar"), {"date": "2030-06-12", "user": "all"})
    html = page.content.decode()
    assert move_url not in html
    assert reverse("followups:calendar_reschedule", args=[mine.pk]) in html
    response = client.post(
        move_url,
        {"new_date": "2030-06-14", "new_time": "15:00", "view": "month", "date": "2030-06-12"},
        **HTMX,
    )
    assert response.status_code == 422
    assert REFUSED in response.content.decode()
    assert state(thread) == before


def test_reminder_reschedule_of_a_colleagues_entry_is_refused(client, people):
    thread = thread_of(people["an"])
    before = state(thread)
    client.force_login(people["binh"])
    url = reverse("followups:reminder_reschedule", args=[thread.pk])
    response = client.post(url, {"new_date": "2030-06-14", "new_time": "15:00"}, **HTMX)
    assert REFUSED in response.content.decode()
    assert state(thread) == before
