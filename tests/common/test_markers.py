"""The follow-up marker rule at its edges: shop-local midnight in Vietnam and Thailand."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from common import markers as m


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Asia/Bangkok"])
@pytest.mark.parametrize(
    ("state", "local_time", "expected"),
    [
        ("", None, m.NEW),
        ("", "2026-11-20 09:00", m.NEW),  # a date without a recorded follow-up stays blue
        ("finished", "2026-11-25 09:00", m.DONE),
        ("finished", None, m.DONE),
        ("open", "2026-11-24 23:59:59", m.DUE),  # yesterday: overdue
        ("open", "2026-11-25 00:00", m.DUE),  # today's first second
        ("open", "2026-11-25 23:59:59.999999", m.DUE),  # today's last instant
        ("open", "2026-11-26 00:00", m.SCHEDULED),  # tomorrow's first second
        ("open", "2026-12-31 10:00", m.SCHEDULED),
        ("open", None, m.DUE),  # open without a date: call now
    ],
)
def test_marker_edges_at_shop_midnight(zone, state, local_time, expected):
    today = date(2026, 11, 25)
    at = datetime.fromisoformat(local_time).replace(tzinfo=ZoneInfo(zone)) if local_time else None
    with override_settings(TIME_ZONE=zone):
        assert m.marker_for(state=state, next_contact_at=at, today=today) == expected


def test_tomorrow_start_is_the_shop_local_midnight():
    with override_settings(TIME_ZONE="Asia/Bangkok"):
        start = m.tomorrow_start(date(2026, 11, 25))
    assert start == datetime(2026, 11, 25, 17, 0, tzinfo=ZoneInfo("UTC"))


def test_unknown_marker_is_refused():
    with pytest.raises(ValueError, match="unknown marker"):
        m.marker_q("purple", today=date(2026, 11, 25))


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Asia/Bangkok"])
def test_the_database_expression_agrees_with_the_function(zone):
    from orders.models import Order
    from tests.inventory.factories import WarehouseFactory
    from tests.orders.factories import make_customer, make_order, stocked_variant

    today = date(2026, 11, 25)
    tz = ZoneInfo(zone)
    cases = [
        ("", None),
        ("finished", datetime(2026, 11, 25, 9, 0, tzinfo=tz)),
        ("open", datetime(2026, 11, 24, 23, 59, 59, tzinfo=tz)),
        ("open", datetime(2026, 11, 25, 0, 0, tzinfo=tz)),
        ("open", datetime(2026, 11, 25, 23, 59, 59, tzinfo=tz)),
        ("open", datetime(2026, 11, 26, 0, 0, tzinfo=tz)),
        ("open", None),
    ]
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 0)
    customer = make_customer()
    ids = []
    for state, at in cases:
        order = make_order(customer, warehouse, [(variant, 1)])
        Order.objects.filter(pk=order.pk).update(followup_state=state, next_contact_at=at)
        ids.append(order.pk)
    with override_settings(TIME_ZONE=zone):
        got = dict(
            Order.objects.filter(pk__in=ids)
            .annotate(marker=m.marker_expression(today=today))
            .values_list("pk", "marker")
        )
        expected = {
            pk: m.marker_for(state=state, next_contact_at=at, today=today)
            for pk, (state, at) in zip(ids, cases, strict=True)
        }
        by_filter = {
            marker: set(
                Order.objects.filter(m.marker_q(marker, today=today), pk__in=ids).values_list(
                    "pk", flat=True
                )
            )
            for marker in m.MARKERS
        }
    assert got == expected
    assert [expected[pk] for pk in ids] == [m.NEW, m.DONE, m.DUE, m.DUE, m.DUE, m.SCHEDULED, m.DUE]
    assert by_filter == {
        marker: {pk for pk, value in expected.items() if value == marker} for marker in m.MARKERS
    }
