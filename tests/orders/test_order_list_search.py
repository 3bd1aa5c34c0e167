"""Order list search by names of short words: a word of one or two letters matches the start of
a word (not any substring), longer ones any substring, typed with or without diacritics; on
PostgreSQL through the GIN index of the search keys, with the same results as without it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from orders.models import Order
from orders.selectors.order_list import OrderListFilters, order_list
from orders.selectors.order_search import has_keys, order_search, search_keys, search_terms
from orders.services.orders.core import order_search_text
from tests.orders.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Vũ Ngọc Vy",  # 0
    "Võ Ngọc Vy",  # 1: vo, not vu
    "Vũ Ngọc Vân",  # 2: van, not vy
    "Vương Ngọc Vy",  # 3: "vu" starts "vuong"
    "Bùi Hữu Hà",  # 4
    "Trần Thanh Hạnh",  # 5: "ha" starts "hanh", but only sits inside "thanh"
    "Lê Thị Thanh",  # 6: "ha" only inside "thanh"
    "Đỗ Hữu (Vy)",  # 7: a word after punctuation
    "Nguyễn A.Vy",  # 8
]


@pytest.fixture
def orders():
    customer = CustomerFactory(name="Khách lẻ")
    rows = [
        Order(
            number=f"DH{i:05d}",
            channel="phone",
            customer=customer,
            ship_name=name,
            payment_method="cod",
            currency="VND",
            search_text=order_search_text(
                number=f"DH{i:05d}", external_number="", names=[name], phones=["+84912345678"]
            ),
        )
        for i, name in enumerate(NAMES)
    ]
    return Order.objects.bulk_create(rows)


def found(q: str, **filters) -> list[str]:
    qs = order_list(filters=OrderListFilters(q=q, **filters))
    return sorted(o.ship_name for o in qs)


def names(*indexes: int) -> list[str]:
    return sorted(NAMES[i] for i in indexes)


def test_search_terms_split_short_words_from_substrings():
    assert search_terms("Vũ Ngọc Vy") == (["ngoc"], ["vu", "vy"])
    assert search_terms("DH 0912 a.") == (["0912"], ["dh", "a"])
    assert search_terms("") == ([], [])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Vũ Ngọc Vy", (0, 3)),
        ("vu ngoc vy", (0, 3)),
        ("Võ Ngọc Vy", (1,)),
        ("vy", (0, 1, 3, 7, 8)),
        ("Bùi Hữu Hà", (4,)),
        ("ha", (4, 5)),  # Hà, Hạnh; not "Thanh"
        ("thanh", (5, 6)),  # three letters and more: any substring, as before
        ("uong", (3,)),
        ("Đỗ vy", (7,)),
        ("a vy", (8,)),
        ("dh", tuple(range(len(NAMES)))),  # the order numbers' start
        ("h", (4, 5, 7)),  # Hà, Hạnh, Hữu; not the "dh" of the order numbers
        ("x", ()),
    ],
)
def test_short_words_match_the_start_of_a_word(orders, q, expected):
    assert found(q) == names(*expected)


def test_short_words_with_digits_and_filters(orders):
    assert found("vy 0912") == names(0, 1, 3, 7, 8)
    assert found("vy 0913") == []
    Order.objects.filter(number="DH00001").update(status="cancelled")
    assert found("vy", status="cancelled") == names(1)


def test_list_page_finds_two_letter_names(client, login_as, orders):
    login_as("sales")
    response = client.get(reverse("orders:order_list"), {"q": "Bùi Hữu Hà"})
    assert [o.number for o in response.context["page"].items] == ["DH00004"]


@pytest.mark.postgres(why="the GIN index of the search keys")
def test_names_use_the_keys_index(orders):
    qs = order_list(filters=OrderListFilters(q="Vũ Ngọc Vy"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "orders_order_search_keys" in plan


def test_search_keys_are_word_starts_and_covering_trigrams():
    assert search_keys("Vũ Ngọc Vy") == ["vu", "vy", "ngo", "goc"]
    assert search_keys("Đỗ Hữu Hạnh") == ["do", "huu", "han", "anh"]
    assert search_keys("nguyen") == ["ngu", "yen"]  # side by side, not guy, uye
    assert search_keys("0912345") == ["091", "234", "345"]
    assert search_keys("xin-chao") == ["xin", "cha", "hao"]  # each piece, not across "-"
    assert search_keys("12 a.vy") == []  # nothing the index can narrow
    assert not has_keys("12")
    assert has_keys("h")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bui huu ha", (4,)),  # without diacritics, as typed on a phone
        ("BUI HUU HA", (4,)),
        ("Bui Hữu ha", (4,)),
        ("do huu", (7,)),
        ("Đỗ Hữu", (7,)),
        ("vu vy", (0, 3)),
        ("ng vy", (0, 1, 3, 8)),  # "ng": Ngọc, Nguyễn
        ("anh", (5, 6)),  # three letters: inside Thanh and Hạnh
        ("tran thanh hanh", (5,)),
        ("ha thanh", (5,)),  # Hạnh starts with "ha"; no word of "Lê Thị Thanh" does
        ("le thi th", (6,)),
        ("vuong", (3,)),
        ("dh0000", tuple(range(len(NAMES)))),
        ("dh00004 ha", (4,)),
        ("0912 vu", (0, 2, 3)),
        ("vy)", (7,)),  # three characters: a substring, brackets and all
        ("(vy)", (7,)),
        ("(vu)", ()),
    ],
)
def test_names_with_and_without_diacritics(orders, q, expected):
    assert found(q) == names(*expected)
    plain = order_search(Order.objects.all(), q=q, indexed=False)
    assert sorted(o.ship_name for o in plain) == names(*expected)
