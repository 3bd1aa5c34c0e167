"""The order list page: filters, search, shop-local dates, sort, pages, htmx, permissions and a
constant number of queries."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.models import User
from orders.models import Order
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_confirm
from tests.orders.factories import (
    HCM_ADDRESS,
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/orders/"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


def numbers(client, params=None, **headers) -> list[str]:
    response = client.get(reverse("orders:order_list"), params or {}, **headers)
    assert response.status_code == 200
    return [o.number for o in response.context["page"].items]


def vary(response) -> set[str]:
    return {v.strip() for v in response["Vary"].split(",")}


def customer(name: str, phone: str):
    address = dataclasses.replace(HCM_ADDRESS, recipient_name=name, recipient_phone=phone)
    return make_customer(name=name, phones=(phone,), addresses=(address,))


@pytest.fixture
def shop(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    hcm = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    hn = WarehouseFactory(code="HN01", name="Kho Hà Nội")
    shirt = stocked_variant(hcm, 50, price="150000", sku="AO-001")
    hoa = customer("Nguyễn Thị Hoa", "0912 345 678")
    somchai = customer("Trần Văn Bình", "0987 654 321")
    # Oldest first: a (phone, new, HCM), b (shopee, processing), c (bank transfer, paid, HN).
    a = make_order(hoa, hcm, [(shirt, 1)], now=local(2025, 3, 1, 9, 0))
    b = make_order(
        somchai,
        hcm,
        [(shirt, 3)],
        channel=Order.Channel.SHOPEE,
        external_number="2503ABCXYZ",
        payment_method="marketplace",
        now=local(2025, 3, 2, 10, 0),
    )
    order_confirm(order_id=b.pk, user_id=None)
    c = make_order(
        somchai, hn, [(shirt, 2)], payment_method="bank_transfer", now=local(2025, 3, 3, 11, 0)
    )
    order_payment_record(
        order_id=c.pk, kind="payment", amount=c.total, method="bank_transfer", user_id=None
    )
    return {"hcm": hcm, "hn": hn, "shirt": shirt, "a": a, "b": b, "c": c, "hoa": hoa}


def test_list_shows_newest_first_with_columns(client, login_as, shop):
    login_as("sales")
    a, b, c = shop["a"], shop["b"], shop["c"]
    response = client.get(URL)
    assert [o.number for o in response.context["page"].items] == [c.number, b.number, a.number]
    html = response.content.decode()
    assert f'href="{reverse("orders:order_detail", args=[a.pk])}"' in html
    # New orders: the blue "new" follow-up marker in the leftmost column.
    assert html.count('<td class="col-marker"><span class="fu-marker fu-marker--new"') == 3
    assert '<th class="col-marker">' in html
    assert "2503ABCXYZ" in html
    assert "0912 345 678" in html  # the recipient phone as shown everywhere
    assert "Nguyễn Thị Hoa" in html
    assert '<span class="pill order-status order-status--processing">Processing</span>' in html
    assert '<span class="pill payment-status payment-status--paid">Paid</span>' in html
    assert "Paid on marketplace" in html
    assert "HN01" in html
    assert "₫450,000" in html  # 3 x 150,000 in the shop currency
    assert vary(response) == {"HX-Request", "Cookie", "Accept-Language"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "new"}, ["c", "a"]),
        ({"status": "processing"}, ["b"]),
        ({"channel": "shopee"}, ["b"]),
        ({"channel": "phone"}, ["c", "a"]),
        ({"payment": "paid"}, ["c", "b"]),  # b was paid at the Shopee checkout
        ({"payment": "unpaid"}, ["a"]),
        ({"method": "bank_transfer"}, ["c"]),
        ({"method": "cod"}, ["a"]),
        ({"channel": "phone", "status": "new", "method": "cod"}, ["a"]),
        ({"status": "shipped"}, []),
    ],
)
def test_filters(client, login_as, shop, params, expected):
    login_as("warehouse")
    assert numbers(client, params) == [shop[key].number for key in expected]


def test_warehouse_filter(client, login_as, shop):
    login_as("warehouse")
    assert numbers(client, {"warehouse": shop["hn"].pk}) == [shop["c"].number]
    assert numbers(client, {"warehouse": shop["hcm"].pk}) == [shop["b"].number, shop["a"].number]


def test_invalid_filter_values_are_ignored_not_the_whole_bar(client, login_as, shop):
    login_as("warehouse")
    assert numbers(client, {"status": "lost", "channel": "shopee"}) == [shop["b"].number]
    assert numbers(client, {"warehouse": "abc", "date_from": "yesterday", "sort": "x"}) == [
        shop["c"].number,
        shop["b"].number,
        shop["a"].number,
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("345 67", ["a"]),  # any part of the phone
        ("0987", ["c", "b"]),
        ("84912", ["a"]),  # E.164 digits
        ("nguyen thi hoa", ["a"]),  # without accents
        ("NGUYỄN hoa", ["a"]),
        ("tran van binh", ["c", "b"]),
        ("abcxyz", ["b"]),  # channel order number
        ("binh 0912", []),
        ("xyz-none", []),
    ],
)
def test_search(client, login_as, shop, q, expected):
    login_as("warehouse")
    assert numbers(client, {"q": q}) == [shop[key].number for key in expected]


def test_search_by_order_number(client, login_as, shop):
    login_as("warehouse")
    b = shop["b"]
    assert numbers(client, {"q": b.number}) == [b.number]
    assert numbers(client, {"q": b.number.lower()}) == [b.number]
    # the number's digits alone match it too (a digits-only query is a fragment)
    assert b.number in numbers(client, {"q": b.number[2:]})


def test_date_filter_uses_shop_local_days(client, login_as, shop):
    login_as("warehouse")
    customer_ = shop["hoa"]
    shirt, hcm = shop["shirt"], shop["hcm"]
    last_minute = make_order(customer_, hcm, [(shirt, 1)], now=local(2025, 3, 5, 23, 59))
    midnight = make_order(customer_, hcm, [(shirt, 1)], now=local(2025, 3, 6, 0, 0))
    before = make_order(customer_, hcm, [(shirt, 1)], now=local(2025, 3, 4, 23, 59, 59))
    assert numbers(client, {"date_to": "2025-03-05", "date_from": "2025-03-05"}) == [
        last_minute.number
    ]
    assert numbers(client, {"date_from": "2025-03-06"}) == [midnight.number]
    assert numbers(client, {"date_from": "2025-03-04", "date_to": "2025-03-05"}) == [
        last_minute.number,
        before.number,
    ]
    # 23:59 on the 5th in Ho Chi Minh City is 16:59 UTC: still the 5th for the shop
    assert last_minute.created_at == datetime(2025, 3, 5, 16, 59, tzinfo=ZoneInfo("UTC"))
    assert numbers(client, {"date_to": "2025-03-02"}) == [shop["b"].number, shop["a"].number]


def test_sort(client, login_as, shop):
    login_as("warehouse")
    a, b, c = (shop[k].number for k in "abc")  # totals 150,000 / 450,000 / 300,000
    assert numbers(client, {"sort": "-created"}) == [c, b, a]
    assert numbers(client, {"sort": "created"}) == [a, b, c]
    assert numbers(client, {"sort": "-total"}) == [b, c, a]
    assert numbers(client, {"sort": "total"}) == [a, c, b]


def _bulk_orders(count: int, *, customer_, start: datetime) -> list[Order]:
    """Orders straight into the table (no lines): enough for a list."""
    orders = [
        Order(
            number=f"BULK{i:05d}",
            channel="phone",
            customer=customer_,
            payment_method="cod",
            currency="VND",
            subtotal=Decimal(1000 * (i + 1)),
            total=Decimal(1000 * (i + 1)),
            search_text=f"bulk{i:05d}",
            created_at=start.replace(minute=i % 60, hour=(i // 60) % 24),
        )
        for i in range(count)
    ]
    return Order.objects.bulk_create(orders)


def test_second_page(client, login_as, shop):
    login_as("warehouse")
    _bulk_orders(52, customer_=shop["hoa"], start=local(2025, 4, 1, 0, 0))
    first = client.get(URL, {"q": "bulk"})
    page = first.context["page"]
    assert (len(page.items), page.has_next, page.has_previous) == (50, True, False)
    assert [o.number for o in page.items[:2]] == ["BULK00051", "BULK00050"]
    assert 'rel="next"' in first.content.decode()
    second = client.get(URL, {"q": "bulk", "page": 2})
    page = second.context["page"]
    assert [o.number for o in page.items] == ["BULK00001", "BULK00000"]
    assert (page.has_next, page.has_previous, page.start_index) == (False, True, 51)


def test_htmx_request_gets_the_table_only(client, login_as, shop):
    login_as("warehouse")
    response = client.get(URL, {"channel": "shopee"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<section id="order-table"')
    assert "<html" not in html
    assert shop["b"].number in html
    assert shop["a"].number not in html
    assert '<input type="hidden" name="query" value="channel=shopee">' in html
    assert vary(response) == {"HX-Request", "Cookie", "Accept-Language"}


def test_full_page_has_filter_bar_tabs_and_bulk_form(client, login_as, shop):
    login_as("sales")
    html = client.get(URL, {"status": "new", "channel": "phone", "page": "1"}).content.decode()
    assert 'hx-target="#order-table"' in html
    assert 'hx-push-url="true"' in html
    assert 'id="order-table"' in html
    assert 'id="bulk-form"' in html
    # the status tabs keep the other filters and drop the page
    assert '<a href="?channel=phone">All</a>' in html
    assert '<a href="?status=processing&amp;channel=phone">Processing</a>' in html
    assert (
        '<a href="?status=new&amp;channel=phone" class="active" aria-current="page">New</a>' in html
    )
    assert '<input type="hidden" name="query" value="status=new&amp;channel=phone">' in html
    assert '<option value="phone" selected>Phone</option>' in html
    assert 'type="search" name="q"' in html


def _action_urls(html: str) -> dict[str, bool]:
    return {
        name: f'formaction="{reverse(f"orders:order_bulk_{name}")}"' in html
        for name in ("confirm", "cancel", "assign", "picking_list", "export")
    }


def test_buttons_follow_permissions(client, login_as, shop):
    login_as("warehouse")
    assert _action_urls(client.get(URL).content.decode()) == {
        "confirm": False,
        "cancel": False,
        "assign": False,
        "picking_list": True,
        "export": True,
    }
    login_as("sales")
    assert _action_urls(client.get(URL).content.decode()) == {
        "confirm": True,
        "cancel": True,
        "assign": True,
        "picking_list": True,
        "export": True,
    }
    login_as("accountant")
    assert _action_urls(client.get(URL).content.decode()) == {
        "confirm": False,
        "cancel": False,
        "assign": False,
        "picking_list": True,
        "export": True,
    }


def test_user_without_view_order_gets_403(client, db):
    user = User.objects.create_user(username="nobody", password="x-Long-passw0rd")
    client.force_login(user)
    assert client.get(URL).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    assert client.get(URL).status_code == 200


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_query_count_does_not_grow_with_orders(client, login_as, shop, django_assert_num_queries):
    login_as("sales")
    Order.objects.exclude(pk=shop["a"].pk).exclude(pk=shop["b"].pk).exclude(
        pk=shop["c"].pk
    ).delete()
    # session, user, permissions (user, groups), the page of orders, the warehouses of the
    # filter, the active warehouses of the bulk bar (one page holds them all: nothing to count)
    with django_assert_num_queries(7) as few:
        response = client.get(URL)
    assert len(response.context["page"].items) == 3
    _bulk_orders(27, customer_=shop["hoa"], start=local(2025, 4, 1, 0, 0))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["page"].items) == 30
    # the htmx table needs neither warehouse list
    with django_assert_num_queries(len(few.captured_queries) - 2):
        client.get(URL, {"q": "bulk"}, HTTP_HX_REQUEST="true")


def test_list_shows_the_recipient_with_their_own_phone_and_the_buyer_when_another(
    client, login_as, shop
):
    """A gift: Bình buys, Hoa's mother receives. The recipient's name stands beside the
    recipient's phone, and the buyer (another person) is named with the buyer's phone."""
    login_as("sales")
    binh = customer("Trần Văn Bình", "0987 111 222")
    gift = make_order(
        binh,
        shop["hcm"],
        [(shop["shirt"], 1)],
        shipping=dataclasses.replace(
            HCM_ADDRESS, recipient_name="Lê Thị Mai", recipient_phone="0903 333 444"
        ),
        now=local(2025, 3, 4, 9, 0),
    )
    response = client.get(URL, {"q": gift.number})
    assert [o.number for o in response.context["page"].items] == [gift.number]
    html = response.content.decode()
    assert (
        '<td class="customer"><span data-recipient>Lê Thị Mai</span>'
        '<div class="muted small mono" data-recipient-phone>0903 333 444</div>'
        '<div class="muted small" data-buyer>Buyer: Trần Văn Bình '
        '<span class="mono">0987 111 222</span></div></td>'
    ) in html
    assert "<th>Recipient</th>" in html

    # Hoa's own order goes to Hoa: her name, her phone, no buyer line.
    html = client.get(URL, {"q": shop["a"].number}).content.decode()
    assert (
        '<td class="customer"><span data-recipient>Nguyễn Thị Hoa</span>'
        '<div class="muted small mono" data-recipient-phone>0912 345 678</div></td>'
    ) in html
    assert "data-buyer" not in html
