"""The website API's statements run as prepared statements (common.db.prepared_cursor): parsed
once per connection, and the customer rollup refresh planned once (PostgreSQL keeps the generic
plan after five custom ones; with the customer's id as an array it planned every run). Django's
own statements stay client-bound and unprepared; the query log shows prepared statements with
their values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.db import prepared_cursor
from orders.models import Customer, Order
from tests.orders.test_intake_queries import ORDERS_URL, body, shop  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres(why="prepared statements and their plans are PostgreSQL's"),
]


def _plans() -> dict[str, tuple[int, int]]:
    """The connection's prepared statements by their first words: (generic, custom) plans."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        rows = cursor.fetchall()
    return {" ".join(s.split()[:3]): (g, c) for s, g, c in rows}


def test_api_orders_run_prepared_statements(shop, client):  # noqa: F811
    for n in range(8):
        response = client.post(
            ORDERS_URL,
            data=body(f"WEB-{n}", "0987 654 321"),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {shop}",
        )
        assert response.status_code == 201, response.content
    plans = _plans()
    # The customer's recount and rollup: 8 runs (the first order's customer was new), planned
    # five times, then the generic plan.
    assert plans["WITH along AS"] == (3, 5)
    # The key, the id lookup (its generic plan uses the unique index: the statement repeats
    # its condition), the customer, the request row: generic plans from the sixth run on.
    assert plans['SELECT w."id", w."name",'] == (3, 5)
    assert plans["SELECT id FROM"] == (3, 5)
    assert plans['SELECT c."id", c."name",'] == (3, 5)
    assert plans['INSERT INTO "orders_websiterequest"'] == (3, 5)
    assert (Order.objects.count(), Customer.objects.get().orders_count) == (8, 8)


def test_prepared_statements_are_logged_with_their_values():
    with CaptureQueriesContext(connection) as captured, prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int + %s::int", [2, 3])
        assert cursor.fetchone() == (5,)
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 2::int + 3::int"]
    assert list(_plans()) == ["SELECT $1::int +"]
