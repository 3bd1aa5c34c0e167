"""Merging customers re-points the follow-ups and contact requests of the duplicates inside the
merge's own transaction, through the real signal wiring (followups' AppConfig.ready): nothing
is left on the duplicate after the merge commits, and a failure there undoes the whole merge."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from followups.models import ContactNote, ContactRequest, FollowUp
from followups.services import Subject, followup_schedule
from followups.services_requests import contact_request_create
from orders.models import Customer, CustomerPhone, Order
from orders.services.customer_merge import customer_merge
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=HCM)


def _customers_with_follow_ups():
    """Target with its own thread; duplicate with a thread, an order and a contact request."""
    target = make_customer(name="An", phones=("0912 000 111",))
    duplicate = make_customer(name="An N.", phones=("0912 000 222",))
    warehouse = WarehouseFactory()
    order = make_order(duplicate, warehouse, [(stocked_variant(warehouse, 3), 1)])
    request, _created = contact_request_create(
        name="An", phone="0912 000 222", source="staff", user_id=None
    )
    assert request.customer_id == duplicate.pk
    kept = followup_schedule(
        subject=Subject("customer", target.pk), next_contact_at=NOW, user_id=None, now=NOW
    )
    joined = followup_schedule(
        subject=Subject("customer", duplicate.pk),
        next_contact_at=NOW + timedelta(days=2),
        user_id=None,
        now=NOW,
    )
    return target, duplicate, order, request, kept, joined


def test_merging_on_the_page_moves_requests_and_follow_ups_in_the_same_transaction(
    client, login_as
):
    # No on_commit callbacks run inside this test's transaction: whatever is asserted below was
    # done by the merge itself, through the receiver followups connects in its AppConfig.
    target, duplicate, order, request, kept, joined = _customers_with_follow_ups()
    login_as("owner")
    response = client.post(reverse("orders:customer_merge", args=[target.pk, duplicate.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    order.refresh_from_db()
    assert (request.customer_id, order.customer_id) == (target.pk, target.pk)
    assert list(FollowUp.objects.filter(customer__isnull=False).values_list("pk", "customer")) == [
        (kept.pk, target.pk)
    ]
    assert not FollowUp.objects.filter(pk=joined.pk).exists()
    assert sorted(ContactNote.objects.values_list("followup_id", "next_contact_at")) == [
        (kept.pk, NOW),
        (kept.pk, NOW + timedelta(days=2)),
    ]
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == target.pk


def test_a_duplicate_without_a_target_thread_hands_its_thread_over():
    target = make_customer(name="Bình", phones=("0912 000 333",))
    duplicate = make_customer(name="Bình T.", phones=("0912 000 444",))
    thread = followup_schedule(
        subject=Subject("customer", duplicate.pk), next_contact_at=NOW, user_id=None, now=NOW
    )
    customer_merge(target_id=target.pk, duplicate_ids=[duplicate.pk])
    thread.refresh_from_db()
    assert (thread.customer_id, thread.next_contact_at) == (target.pk, NOW)


@pytest.mark.postgres(why="a trigger makes re-pointing the contact requests fail")
def test_when_re_pointing_the_follow_ups_fails_the_whole_merge_is_undone():
    target, duplicate, order, request, kept, joined = _customers_with_follow_ups()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pg_temp.refuse_move() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'contact requests are frozen'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_move BEFORE UPDATE OF customer_id ON followups_contactrequest "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_move()"
        )

    with pytest.raises(DatabaseError, match="contact requests are frozen"):
        customer_merge(target_id=target.pk, duplicate_ids=[duplicate.pk])

    assert list(
        Customer.objects.order_by("pk").values_list("pk", "merged_into", "orders_count")
    ) == [(target.pk, None, 0), (duplicate.pk, None, 1)]  # the duplicate keeps its new order
    assert sorted(CustomerPhone.objects.values_list("customer", "e164")) == [
        (target.pk, "+84912000111"),
        (duplicate.pk, "+84912000222"),
    ]
    assert Order.objects.get(pk=order.pk).customer_id == duplicate.pk
    assert ContactRequest.objects.get(pk=request.pk).customer_id == duplicate.pk
    assert sorted(FollowUp.objects.values_list("pk", "customer")) == [
        (kept.pk, target.pk),
        (joined.pk, duplicate.pk),
    ]
    assert sorted(ContactNote.objects.values_list("followup_id", flat=True)) == [kept.pk, joined.pk]
