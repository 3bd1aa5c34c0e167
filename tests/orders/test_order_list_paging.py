"""Order list pages: Next / Previous by cursor, ?page=N by a jump (bounded), boundaries, filters,
a stable order when rows share a timestamp or a total, and the total (exact, then estimated)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from orders.selectors.order_list import OrderListFilters
from orders.selectors.order_pages import PageRequest, order_page, order_total
from tests.orders.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/orders/"
NOON = datetime(2025, 5, 1, 12, 0, tzinfo=HCM)


def bulk(count: int, *, at=lambda i: NOON, total=lambda i: Decimal(1000), status=lambda i: "new"):
    customer = CustomerFactory()
    rows = [
        Order(
            number=f"P{i:04d}",
            channel="phone",
            customer=customer,
            payment_method="cod",
            currency="VND",
            subtotal=total(i),
            total=total(i),
            status=status(i),
            search_text=f"p{i:04d}",
            created_at=at(i),
        )
        for i in range(count)
    ]
    return Order.objects.bulk_create(rows)


def visit(client, query: str = "", **params):
    response = client.get(URL + query, params)
    assert response.status_code == 200
    return response


def shown(response) -> list[str]:
    return [o.number for o in response.context["page"].items]


def link(response, rel: str) -> str:
    return response.context["pager"][rel]


def walk(client, params: dict, rel: str = "next", start=None) -> list[list[str]]:
    """Every page from the first (or `start`) following one link until it is gone."""
    response = start or visit(client, **params)
    pages = [shown(response)]
    while link(response, rel):
        response = visit(client, link(response, rel))
        pages.append(shown(response))
    return pages


def flat(pages: list[list[str]]) -> list[str]:
    return [number for page in pages for number in page]


def test_equal_timestamps_page_by_id_without_gaps_or_repeats(client, login_as):
    login_as("sales")
    orders = bulk(123)  # all created at the same instant
    expected = [o.number for o in sorted(orders, key=lambda o: -o.pk)]
    pages = walk(client, {})
    assert [len(p) for p in pages] == [50, 50, 23]
    assert flat(pages) == expected
    last = visit(client, link(visit(client, link(visit(client), "next")), "next"))
    assert parse_qs(urlsplit(link(last, "previous")).query)["page"] == ["2"]
    back = walk(client, {}, rel="previous", start=last)
    assert flat(back[::-1]) == expected


def test_page_number_jump_lands_where_next_does(client, login_as):
    login_as("sales")
    bulk(160, at=lambda i: NOON + timedelta(minutes=i // 3))
    by_next = walk(client, {})
    for number in (2, 3, 4):
        response = visit(client, page=number)
        assert shown(response) == by_next[number - 1]
        assert response.context["page"].start_index == (number - 1) * 50 + 1
    past_end = visit(client, page=5)
    assert shown(past_end) == []
    assert "No rows" in past_end.content.decode()
    assert link(past_end, "previous") == "?page=4"


def test_exactly_full_pages_have_no_empty_last_page(client, login_as):
    login_as("sales")
    bulk(100)
    first = visit(client)
    assert link(first, "previous") == ""
    second = visit(client, link(first, "next"))
    assert (len(shown(second)), link(second, "next")) == (50, "")
    assert link(second, "previous") == "?"  # back to the first page, read afresh


@pytest.mark.parametrize("sort", ["-created", "created", "-total", "total"])
def test_filters_and_sorts_with_ties_walk_the_same_rows(client, login_as, sort):
    login_as("sales")
    orders = bulk(
        140,
        at=lambda i: NOON + timedelta(hours=i % 7),
        total=lambda i: Decimal(1000 * (i % 4)),
        status=lambda i: "cancelled" if i % 3 == 0 else "new",
    )
    params = {"status": "new", "sort": sort}
    field, descending = {
        "-created": ("created_at", True),
        "created": ("created_at", False),
        "-total": ("total", True),
        "total": ("total", False),
    }[sort]
    matching = [o for o in orders if o.status == "new"]
    matching.sort(key=lambda o: (getattr(o, field), o.pk), reverse=descending)
    pages = walk(client, params)
    assert flat(pages) == [o.number for o in matching]
    assert [len(p) for p in pages] == [50, 43]
    assert shown(visit(client, **params, page=2)) == pages[1]


def test_a_cursor_that_is_not_ours_is_ignored(client, login_as):
    login_as("sales")
    bulk(60)
    by_number = shown(visit(client, page=2))
    for cursor in ("x", "2025-05-01~", "nan~3", "2025-05-01T12:00:00~3", "~~~"):
        assert shown(visit(client, page=2, after=cursor)) == by_number


def test_jumps_stop_at_the_bound_and_next_goes_on():
    bulk(95, at=lambda i: NOON + timedelta(minutes=i))
    filters = OrderListFilters()
    capped = order_page(
        filters=filters, request=PageRequest(number=9), per_page=10, max_jump_rows=30
    )
    assert (capped.number, capped.jump_capped) == (4, True)
    assert [o.number for o in capped.items] == [f"P{i:04d}" for i in range(64, 54, -1)]
    following = order_page(
        filters=filters,
        request=PageRequest(number=5, after=capped.next_cursor),
        per_page=10,
        max_jump_rows=30,
    )
    assert [o.number for o in following.items] == [f"P{i:04d}" for i in range(54, 44, -1)]
    assert not following.jump_capped


def test_capped_jump_says_so(client, login_as):
    login_as("sales")
    bulk(3)
    response = visit(client, page=99999)
    assert response.context["page"].number == 2001
    assert "Page numbers reach as far as page 2,001" in response.content.decode()
    assert "data-page-capped" not in visit(client, page=2).content.decode()


def test_next_contact_sort_pages_by_number(client, login_as):
    login_as("sales")
    orders = bulk(70)
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        followup_state="open", next_contact_at=timezone.now() + timedelta(days=30)
    )
    params = {"marker": "scheduled", "sort": "next_contact"}
    pages = walk(client, params)
    assert [len(p) for p in pages] == [50, 20]
    assert flat(pages) == [o.number for o in orders]  # same date: by id
    assert "after=" not in link(visit(client, **params), "next")


def test_total_is_exact_then_estimated(client, login_as):
    login_as("sales")
    bulk(30, status=lambda i: "cancelled" if i < 4 else "new")
    assert "Rows 1–26 of 26" in visit(client, status="new").content.decode()  # noqa: RUF001
    total = order_total(filters=OrderListFilters(), exact_max=10, at_least=12)
    assert not total.exact
    if connection.vendor == "postgresql":
        # the planner's figure (never below what is known), shown as "about"
        assert total.rows >= 12
    else:
        assert (total.rows, total.estimated) == (12, False)


def test_order_detail_links_stay_on_every_row(client, login_as):
    login_as("sales")
    orders = bulk(2)
    html = visit(client).content.decode()
    for order in orders:
        assert f'href="{reverse("orders:order_detail", args=[order.pk])}"' in html
