"""Pages of a search: up to COUNT_EXACT_MAX matches the page and its exact total come from one
query; more matches are read again in list order (and the total is not counted again)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.text import fold
from orders.models import Order
from orders.selectors.order_list import OrderListFilters
from orders.selectors.order_pages import COUNT_EXACT_MAX, PageRequest, order_page
from tests.orders.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/orders/"
NOON = datetime(2025, 5, 1, 12, 0, tzinfo=HCM)


def bulk(count: int, *, name=lambda i: "Bùi Hữu Hà", at=lambda i: NOON):
    customer = CustomerFactory(name="Khách lẻ")
    return Order.objects.bulk_create(
        Order(
            number=f"S{i:05d}",
            channel="phone",
            customer=customer,
            ship_name=name(i),
            payment_method="cod",
            currency="VND",
            search_text=f"s{i:05d} {fold(name(i))}",
            created_at=at(i),
        )
        for i in range(count)
    )


def folded(i: int) -> str:
    return "bui huu ha" if i % 3 else "bui huu thanh"


def walk(client, params: dict) -> tuple[list[list[str]], list]:
    response = client.get(URL, params)
    pages, responses = [], [response]
    while True:
        pages.append([o.number for o in response.context["page"].items])
        link = response.context["pager"]["next"]
        if not link:
            return pages, responses
        response = client.get(URL + link)
        responses.append(response)


def test_a_search_pages_its_matches_in_list_order_with_an_exact_total(client, login_as):
    login_as("sales")
    orders = bulk(180, name=folded, at=lambda i: NOON + timedelta(minutes=i % 13))
    matching = sorted(
        (o for o in orders if o.ship_name == "bui huu ha"),
        key=lambda o: (o.created_at, o.pk),
        reverse=True,
    )
    pages, responses = walk(client, {"q": "Bùi Hữu Hà"})
    assert [number for page in pages for number in page] == [o.number for o in matching]
    assert [len(page) for page in pages] == [50, 50, 20]
    assert "Rows 1–50 of 120" in responses[0].content.decode()  # noqa: RUF001
    last = responses[-1]
    back = client.get(URL + last.context["pager"]["previous"])
    assert [o.number for o in back.context["page"].items] == pages[1]
    assert [
        o.number for o in client.get(URL, {"q": "bui huu ha", "page": 3}).context["page"].items
    ] == pages[2]


def test_the_page_and_its_total_are_one_query(client, login_as, django_assert_num_queries):
    login_as("sales")
    bulk(120, name=folded)
    # session, user, permissions (user, groups), the page with its count
    with django_assert_num_queries(5):
        response = client.get(URL, {"q": "bui huu ha"}, HTTP_HX_REQUEST="true")
    assert response.context["page"].total.rows == 80


def test_more_matches_than_counted_are_read_in_list_order():
    orders = bulk(COUNT_EXACT_MAX + 30, at=lambda i: NOON + timedelta(seconds=i))
    filters = OrderListFilters(q="bui huu ha")
    first = order_page(filters=filters, request=PageRequest())
    newest = [o.number for o in sorted(orders, key=lambda o: o.pk, reverse=True)]
    assert [o.number for o in first.items] == newest[:50]
    assert first.total is not None
    assert not first.total.exact
    assert first.total.rows >= COUNT_EXACT_MAX + 1
    following = order_page(filters=filters, request=PageRequest(2, after=first.next_cursor))
    assert [o.number for o in following.items] == newest[50:100]
    deep = order_page(filters=filters, request=PageRequest(21))
    assert [o.number for o in deep.items] == newest[1000:1030]
