"""The stock overview starts its SKU-ordered read at the first matching SKU for category and
word filters (inventory.selectors.stock._first_sku); these pin that nothing is skipped."""

import pytest
from django.db.models import Q
from django.urls import reverse

from inventory.selectors.stock import _first_sku, stock_levels
from inventory.services.stock import stock_receive
from tests.inventory.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelves():
    """Bags (category "Túi" and its child "Balo") sort between and after other SKUs."""
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    bags = CategoryFactory(name="Túi")
    backpacks = CategoryFactory(name="Balo", parent=bags)
    shirts = CategoryFactory(name="Áo")
    tote = ProductFactory(name="Túi xách tay", category=bags)
    backpack = ProductFactory(name="Balo laptop", category=backpacks)
    shirt = ProductFactory(name="Áo thun", category=shirts)
    skus = {
        "AT-01": shirt,
        "BL-01": backpack,
        "CA-01": shirt,
        "TX-01": tote,
        "TX-02": tote,
        "ZZ-01": shirt,
    }
    for sku, product in skus.items():
        variant = VariantFactory(sku=sku, product=product, option1=sku[-2:] + sku[0])
        stock_receive(variant_id=variant.pk, warehouse_id=hcm.pk, quantity=3)
        if sku.startswith("TX"):
            stock_receive(variant_id=variant.pk, warehouse_id=hn.pk, quantity=1)
    return {"bags": bags, "backpacks": backpacks, "shirts": shirts, "hn": hn}


def listed(**filters):
    return [(lv.variant.sku, lv.warehouse.code) for lv in stock_levels(**filters)]


def test_category_with_descendants_lists_every_match_in_sku_order(shelves):
    assert listed(category_id=shelves["bags"].pk) == [
        ("BL-01", "HCM01"),
        ("TX-01", "HCM01"),
        ("TX-01", "HN01"),
        ("TX-02", "HCM01"),
        ("TX-02", "HN01"),
    ]
    assert listed(category_id=shelves["shirts"].pk) == [
        ("AT-01", "HCM01"),
        ("CA-01", "HCM01"),
        ("ZZ-01", "HCM01"),
    ]


def test_words_whose_first_match_sorts_late_list_every_match(shelves):
    assert listed(q="túi xách") == [
        ("TX-01", "HCM01"),
        ("TX-01", "HN01"),
        ("TX-02", "HCM01"),
        ("TX-02", "HN01"),
    ]
    assert listed(q="ao thun") == [("AT-01", "HCM01"), ("CA-01", "HCM01"), ("ZZ-01", "HCM01")]
    assert listed(q="tx-02", warehouse_id=shelves["hn"].pk) == [("TX-02", "HN01")]


def test_short_words_still_search(shelves):
    assert [sku for sku, _wh in listed(q="bl")] == ["BL-01"]


def test_no_match_is_an_empty_list(shelves):
    empty = CategoryFactory(name="Giày")
    assert listed(q="không có") == []
    assert listed(category_id=empty.pk) == []
    assert listed(category_id=shelves["backpacks"].pk, q="túi xách") == []
    assert stock_levels(q="không có").order_by().count() == 0


def test_no_match_renders_the_empty_table(client, login_as, shelves):
    login_as("sales")
    response = client.get(reverse("inventory:stock_overview"), {"q": "không có"})
    assert list(response.context["page"].items) == []
    assert "No stock matches these filters." in response.content.decode()


def test_a_word_search_costs_two_queries_more_than_the_plain_list(
    client, login_as, shelves, django_assert_num_queries
):
    login_as("owner")
    url = reverse("inventory:stock_overview")
    with django_assert_num_queries(6):
        client.get(url)
    with django_assert_num_queries(8):  # + the end of the SKU head, + the first match
        client.get(url, {"q": "túi xách"})


@pytest.mark.parametrize(
    ("catalogue", "head", "expected"),
    [
        (Q(product__category__name="Áo"), 2, "AT-01"),  # inside the first 2 SKUs
        (Q(search_text__contains="tui xach"), 2, "TX-01"),  # only after them
        (Q(search_text__contains="tui xach"), 100, "TX-01"),  # fewer SKUs than the head
        (Q(search_text__contains="khong co"), 2, None),
    ],
)
def test_first_sku_looks_at_the_head_then_at_every_match(shelves, catalogue, head, expected):
    assert _first_sku(catalogue, head=head) == expected
