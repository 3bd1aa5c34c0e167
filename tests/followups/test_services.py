"""Follow-up threads: contacts, schedules, finishing, reopening, contact requests."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common import markers
from followups.models import ContactNote, ContactRequest, FollowUp
from followups.services import (
    FollowUpError,
    Subject,
    followup_assign,
    followup_finish,
    followup_log_contact,
    followup_reschedule,
    followup_schedule,
)
from followups.services_requests import contact_request_create
from orders.models import Order
from orders.services.customer_merge import customer_merge
from tests.concurrency import run_concurrently
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=HCM)
TODAY = date(2026, 11, 25)


def an_order() -> Order:
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 5)
    return make_order(make_customer(), warehouse, [(variant, 1)])


def summary(order: Order) -> tuple[str, datetime | None]:
    order.refresh_from_db()
    return order.followup_state, order.next_contact_at


def marker_of(order: Order) -> str:
    return (
        Order.objects.filter(pk=order.pk)
        .annotate(m=markers.marker_expression(today=TODAY))
        .values_list("m", flat=True)
        .get()
    )


def test_a_new_order_is_blue_until_a_contact_is_recorded(make_user):
    order = an_order()
    assert (summary(order), marker_of(order)) == (("", None), markers.NEW)
    user = make_user("sales")
    tomorrow = NOW + timedelta(days=1)
    thread = followup_log_contact(
        subject=Subject("order", order.pk),
        method="phone",
        note="Khách hẹn gọi lại để chốt màu",
        next_contact_at=tomorrow,
        user_id=user.pk,
        now=NOW,
    )
    assert (thread.state, thread.next_contact_at, thread.assignee_id) == ("open", tomorrow, user.pk)
    assert summary(order) == ("open", tomorrow)
    assert marker_of(order) == markers.SCHEDULED
    note = ContactNote.objects.get(followup=thread)
    assert (note.kind, note.method, note.note, note.contacted_at, note.user_id) == (
        "contact",
        "phone",
        "Khách hẹn gọi lại để chốt màu",
        NOW,
        user.pk,
    )


def test_due_today_is_red_then_finished_is_grey(make_user):
    order = an_order()
    user = make_user("sales")
    thread = followup_schedule(
        subject=Subject("order", order.pk),
        next_contact_at=NOW.replace(hour=17),
        user_id=user.pk,
        now=NOW,
    )
    assert marker_of(order) == markers.DUE
    followup_finish(followup_id=thread.pk, outcome="sold", note="Đã chốt", user_id=user.pk, now=NOW)
    thread.refresh_from_db()
    assert (thread.state, thread.outcome, thread.finished_at) == ("finished", "sold", NOW)
    assert marker_of(order) == markers.DONE
    assert list(thread.notes.order_by("id").values_list("kind", flat=True)) == [
        "rescheduled",
        "finished",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"method": "pigeon"}, "Choose how the customer was contacted."),
        ({"note": "   "}, "Write down what was said."),
        ({"next_contact_at": None}, "Plan the next contact, or finish the follow-up"),
        ({"outcome": "sold"}, "Either plan the next contact or finish"),
        ({"outcome": "maybe", "next_contact_at": None}, "Choose the outcome."),
        ({"contacted_at": NOW + timedelta(hours=1)}, "cannot be recorded in the future"),
    ],
)
def test_a_refused_contact_changes_nothing(fields, message):
    order = an_order()
    arguments = {
        "subject": Subject("order", order.pk),
        "method": "zalo",
        "note": "Gọi không nghe máy",
        "next_contact_at": NOW + timedelta(days=2),
        "user_id": None,
        "now": NOW,
        **fields,
    }
    with pytest.raises(FollowUpError, match=message):
        followup_log_contact(**arguments)
    assert (FollowUp.objects.count(), ContactNote.objects.count()) == (0, 0)
    assert summary(order) == ("", None)


def test_a_missing_subject_is_refused():
    with pytest.raises(FollowUpError, match="no longer exists"):
        followup_schedule(subject=Subject("order", 999_999), next_contact_at=NOW, user_id=None)
    assert FollowUp.objects.count() == 0


def test_a_new_contact_with_a_next_date_reopens_a_finished_follow_up(make_user):
    order = an_order()
    subject = Subject("order", order.pk)
    thread = followup_log_contact(
        subject=subject, method="phone", note="Không mua", outcome="not_interested",
        user_id=None, now=NOW,
    )  # fmt: skip
    assert (thread.state, marker_of(order)) == ("finished", markers.DONE)
    later = NOW + timedelta(days=3)
    thread = followup_log_contact(
        subject=subject, method="facebook", note="Khách nhắn lại hỏi giá",
        next_contact_at=later, user_id=None, now=NOW + timedelta(days=1),
    )  # fmt: skip
    assert (thread.state, thread.outcome, thread.finished_at, thread.next_contact_at) == (
        "open",
        "",
        None,
        later,
    )
    assert list(thread.notes.order_by("id").values_list("kind", flat=True)) == [
        "contact",
        "reopened",
        "contact",
    ]
    assert FollowUp.objects.count() == 1


def test_reschedule_and_assign_write_history_and_finished_threads_refuse(make_user):
    order = an_order()
    a, b = make_user("sales"), make_user("sales")
    thread = followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=NOW, user_id=a.pk, now=NOW
    )
    moved = NOW + timedelta(days=7)
    followup_reschedule(followup_id=thread.pk, next_contact_at=moved, user_id=a.pk, now=NOW)
    followup_assign(followup_id=thread.pk, assignee_id=b.pk, user_id=a.pk, now=NOW)
    thread.refresh_from_db()
    assert (thread.next_contact_at, thread.assignee_id) == (moved, b.pk)
    assert summary(order) == ("open", moved)
    assert list(thread.notes.order_by("id").values_list("kind", "assignee_id")) == [
        ("rescheduled", a.pk),
        ("rescheduled", a.pk),
        ("assigned", b.pk),
    ]
    followup_finish(followup_id=thread.pk, outcome="other", user_id=b.pk, now=NOW)
    with pytest.raises(FollowUpError, match="is finished"):
        followup_reschedule(followup_id=thread.pk, next_contact_at=NOW, user_id=b.pk)
    with pytest.raises(FollowUpError, match="already finished"):
        followup_finish(followup_id=thread.pk, outcome="sold", user_id=b.pk)
    assert thread.notes.count() == 4


def test_a_customer_follow_up_has_no_order_summary():
    customer = make_customer()
    thread = followup_schedule(
        subject=Subject("customer", customer.pk), next_contact_at=NOW, user_id=None, now=NOW
    )
    assert (thread.subject_kind, thread.customer_id, thread.order_id) == (
        "customer",
        customer.pk,
        None,
    )


# --- Contact requests -------------------------------------------------------------------------


def test_a_contact_request_matches_the_customer_by_phone_and_is_idempotent_per_website():
    from orders.models import Website

    customer = make_customer(phones=("0912 345 678",))
    website = Website.objects.create(name="Shop", code="SHOP", key_prefix="crm_abc", key_hash="0")
    request, created = contact_request_create(
        name="Chị An",
        phone="+84 912-345-678",
        source="website",
        message="Tư vấn giúp em áo size M",
        website_id=website.pk,
        external_id="REQ-1",
        user_id=None,
        now=NOW,
    )
    again, created_again = contact_request_create(
        name="Chị An",
        phone="0912345678",
        source="website",
        website_id=website.pk,
        external_id="REQ-1",
        user_id=None,
    )
    assert (created, created_again, again.pk) == (True, False, request.pk)
    assert (request.customer_id, request.phone, request.followup_state) == (
        customer.pk,
        "+84912345678",
        "",
    )
    assert "tu van giup em" in request.search_text
    assert "0912345678" in request.search_text
    assert ContactRequest.objects.count() == 1


def test_a_bad_phone_is_refused_with_the_validators_sentence():
    with pytest.raises(FollowUpError, match=r"12 is not a valid phone number in VN\."):
        contact_request_create(name="X", phone="12", source="staff", user_id=None)
    assert ContactRequest.objects.count() == 0


def test_an_order_for_a_customer_created_with_it_links_the_request_from_their_phone(
    django_capture_on_commit_callbacks,
):
    request, _ = contact_request_create(
        name="Anh Bình", phone="0987 654 321", source="staff", user_id=None, now=NOW
    )
    other, _ = contact_request_create(
        name="Chị Khác", phone="0987 000 000", source="staff", user_id=None, now=NOW
    )
    followup_schedule(
        subject=Subject("contact_request", request.pk),
        next_contact_at=NOW + timedelta(hours=2),
        user_id=None,
        now=NOW,
    )
    assert request.customer_id is None
    customer = make_customer(name="Anh Bình", phones=("0987 654 321",))
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 3)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(customer, warehouse, [(variant, 1)])
    request.refresh_from_db()
    other.refresh_from_db()
    thread = FollowUp.objects.get(contact_request=request)
    assert (request.customer_id, request.order_id, request.followup_state) == (
        customer.pk,
        order.pk,
        "finished",
    )
    assert (thread.state, thread.outcome) == ("finished", "sold")
    assert (other.customer_id, other.order_id) == (None, None)


def test_merging_customers_moves_their_requests_and_follow_ups():
    target = make_customer(name="An", phones=("0912 000 111",))
    duplicate = make_customer(name="An N.", phones=("0912 000 222",))
    request, _ = contact_request_create(
        name="An", phone="0912 000 222", source="staff", user_id=None
    )
    thread = followup_schedule(
        subject=Subject("customer", duplicate.pk), next_contact_at=NOW, user_id=None, now=NOW
    )
    # The receiver followups connects in its AppConfig runs inside the merge's transaction.
    customer_merge(target_id=target.pk, duplicate_ids=[duplicate.pk])
    request.refresh_from_db()
    thread.refresh_from_db()
    assert (request.customer_id, thread.customer_id) == (target.pk, target.pk)


@pytest.mark.postgres(why="two staff recording the first contact at the same moment")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_contacts_share_one_thread():
    order = an_order()
    subject = Subject("order", order.pk)

    def contact(text: str):
        return lambda: followup_log_contact(
            subject=subject,
            method="phone",
            note=text,
            next_contact_at=NOW + timedelta(days=1),
            user_id=None,
        )

    outcomes = run_concurrently([contact(f"note {i}") for i in range(6)], {})
    assert Counter(outcomes) == {"ok": 6}
    assert FollowUp.objects.filter(order=order).count() == 1
    assert ContactNote.objects.filter(followup__order=order, kind="contact").count() == 6
