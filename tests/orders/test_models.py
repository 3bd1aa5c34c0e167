"""The models agree with the status table, and the constraints guard what services keep."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from orders import transitions as t
from orders.models import Order, OrderStatus
from tests.orders.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_status_choices_are_the_transition_table_statuses():
    assert tuple(OrderStatus.values) == t.STATUSES


def test_order_offers_the_table_actions():
    order = Order(status="shipped")
    assert order.allowed_actions == ("complete", "return")
    assert order.is_editable is False
    assert Order(status="processing").is_editable is True


def test_no_default_ordering_on_the_big_tables():
    assert Order._meta.ordering == []


def test_an_unknown_status_is_refused_by_the_database():
    customer = CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            number="SO-X",
            channel="phone",
            customer=customer,
            payment_method="cod",
            currency="VND",
            status="lost",
        )
    assert Order.objects.count() == 0


@pytest.mark.postgres(why="the search indexes are created on PostgreSQL only")
def test_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'orders_%%_trgm' "
            "OR indexname LIKE 'orders_order_search_%%' ORDER BY indexname"
        )
        names = [row[0] for row in cursor.fetchall()]
    # The orders' search keys (migration 0018) replaced their trigram and words indexes.
    assert names == [
        "orders_customer_search_trgm",
        "orders_customerphone_digits_trgm",
        "orders_order_search_keys",
    ]
