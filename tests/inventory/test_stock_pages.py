import re

import pytest
from django.urls import reverse

from inventory.models import StockMovement
from inventory.services.stock import (
    Source,
    StockChange,
    stock_apply,
    stock_receive,
    stock_reserve,
    stock_write_off,
)
from tests.inventory.factories import ProductFactory, VariantFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    shirt = ProductFactory(name="Áo thun cổ tròn")
    red = VariantFactory(product=shirt, sku="AO-RED", option1="Đỏ", low_stock_threshold=5)
    blue = VariantFactory(product=shirt, sku="AO-BLUE", option1="Xanh")
    mug = VariantFactory(product=ProductFactory(name="Ly sứ"), sku="LY-01", barcode="8934567000011")
    stock_receive(variant_id=red.pk, warehouse_id=hcm.pk, quantity=4)  # low (<= 5)
    stock_receive(variant_id=red.pk, warehouse_id=hn.pk, quantity=20)
    stock_receive(variant_id=blue.pk, warehouse_id=hcm.pk, quantity=2)
    stock_reserve(variant_id=blue.pk, warehouse_id=hcm.pk, quantity=2)  # out
    stock_receive(variant_id=mug.pk, warehouse_id=hn.pk, quantity=7)
    return {"hcm": hcm, "hn": hn, "red": red, "blue": blue, "mug": mug}


def rows(response):
    return [(r.variant.sku, r.warehouse.code, r.units) for r in response.context["page"].items]


def test_overview_lists_every_level_by_sku(client, login_as, stocked):
    login_as("sales")
    response = client.get(reverse("inventory:stock_overview"))
    assert rows(response) == [
        ("AO-BLUE", "HCM01", 0),
        ("AO-RED", "HCM01", 4),
        ("AO-RED", "HN01", 20),
        ("LY-01", "HN01", 7),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ao thun"}, ["AO-BLUE", "AO-RED", "AO-RED"]),  # accents folded
        ({"q": "8934567000011"}, ["LY-01"]),  # barcode
        ({"q": "red"}, ["AO-RED", "AO-RED"]),
        ({"state": "out"}, ["AO-BLUE"]),
        ({"state": "low"}, ["AO-RED"]),
        ({"state": "in"}, ["AO-RED", "AO-RED", "LY-01"]),
    ],
)
def test_overview_filters(client, login_as, stocked, params, expected):
    login_as("sales")
    response = client.get(reverse("inventory:stock_overview"), params)
    assert [sku for sku, _wh, _a in rows(response)] == expected


def test_overview_by_warehouse_and_htmx_fragment(client, login_as, stocked):
    login_as("sales")
    response = client.get(
        reverse("inventory:stock_overview"), {"warehouse": stocked["hn"].pk}, HTTP_HX_REQUEST="true"
    )
    assert [sku for sku, _wh, _a in rows(response)] == ["AO-RED", "LY-01"]
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="stock-table"')


def test_overview_query_count_is_constant(client, login_as, stocked, django_assert_num_queries):
    login_as("owner")
    # A fixed number of queries, whatever the number of rows on the page.
    with django_assert_num_queries(6):
        client.get(reverse("inventory:stock_overview"))
    for n in range(30):
        v = VariantFactory(sku=f"X-{n:03d}")
        stock_receive(variant_id=v.pk, warehouse_id=stocked["hcm"].pk, quantity=1)
    with django_assert_num_queries(6):
        client.get(reverse("inventory:stock_overview"))


def test_ledger_page_and_manual_adjustment(client, login_as, stocked):
    user = login_as("warehouse")
    url = reverse("inventory:variant_ledger", args=[stocked["red"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert [m.kind for m in page.context["page"].items] == ["receipt", "receipt"]
    response = client.post(
        reverse("inventory:variant_adjust", args=[stocked["red"].pk]),
        {"warehouse": stocked["hcm"].pk, "delta": "-3", "reason": "Hỏng khi kiểm kho"},
    )
    assert response.status_code == 302
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.created_by) == ("adjustment", -3, user)
    assert movement.reason == "Hỏng khi kiểm kho"


def test_adjustment_below_reserved_is_refused_with_a_message(client, login_as, stocked):
    login_as("warehouse")
    response = client.post(
        reverse("inventory:variant_adjust", args=[stocked["blue"].pk]),
        {"warehouse": stocked["hcm"].pk, "delta": "-1", "reason": "lost"},
    )
    assert response.status_code == 200
    assert response.context["adjust_form"].non_field_errors() == [
        "Insufficient stock for AO-BLUE in HCM01: 1 requested, 0 available."
    ]


def test_sales_may_see_stock_but_not_the_ledger(client, login_as, stocked):
    login_as("sales")
    assert client.get(reverse("inventory:stock_overview")).status_code == 200
    url = reverse("inventory:variant_ledger", args=[stocked["red"].pk])
    assert client.get(url).status_code == 403


def test_per_warehouse_threshold_overrides_the_variants(client, login_as, stocked):
    login_as("warehouse")
    url = reverse("inventory:variant_threshold", args=[stocked["red"].pk])
    # HN01 holds 20 of AO-RED: with its own threshold of 25 it becomes low there.
    assert client.post(url, {"warehouse": stocked["hn"].pk, "threshold": "25"}).status_code == 302
    low = client.get(reverse("inventory:stock_overview"), {"state": "low"})
    assert [(sku, wh) for sku, wh, _a in rows(low)] == [("AO-RED", "HCM01"), ("AO-RED", "HN01")]
    # Cleared: the variant's threshold (5) applies again.
    client.post(url, {"warehouse": stocked["hn"].pk, "threshold": ""})
    low = client.get(reverse("inventory:stock_overview"), {"state": "low"})
    assert [(sku, wh) for sku, wh, _a in rows(low)] == [("AO-RED", "HCM01")]
    assert StockMovement.objects.filter(variant=stocked["red"]).count() == 2


def test_threshold_needs_stock_rights_and_a_whole_number(client, login_as, stocked):
    login_as("sales")
    url = reverse("inventory:variant_threshold", args=[stocked["red"].pk])
    assert client.post(url, {"warehouse": stocked["hn"].pk, "threshold": "3"}).status_code == 403
    client.logout()
    login_as("warehouse")
    client.post(url, {"warehouse": stocked["hn"].pk, "threshold": "-1"})
    from inventory.models import StockLevel

    level = StockLevel.objects.get(variant=stocked["red"], warehouse=stocked["hn"])
    assert level.low_stock_threshold is None


def ledger_rows(response):
    return sorted((m.warehouse.code, m.on_hand_delta) for m in response.context["page"].items)


def test_ledger_narrows_to_one_warehouse(client, login_as, stocked):
    login_as("warehouse")
    url = reverse("inventory:variant_ledger", args=[stocked["red"].pk])
    response = client.get(url, {"warehouse": stocked["hn"].pk})
    assert ledger_rows(response) == [("HN01", 20)]
    assert response.context["warehouse_id"] == stocked["hn"].pk
    assert "Some filters were not applied" not in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "1e309", "-1", "0", "99999999999999999999999", "1.5"])
def test_ledger_with_a_warehouse_that_is_not_one_says_so_and_shows_every_warehouse(
    client, login_as, stocked, value
):
    """Not page-number parsing (which read 'abc' as 1, another warehouse's ledger): a field
    error, and the ledger of every warehouse, not of a warehouse nobody chose."""
    login_as("warehouse")
    url = reverse("inventory:variant_ledger", args=[stocked["red"].pk])
    response = client.get(url, {"warehouse": value})
    assert response.status_code == 200
    assert response.context["warehouse_id"] is None
    assert ledger_rows(response) == [("HCM01", 4), ("HN01", 20)]
    assert response.context["form"].errors == {
        "warehouse": ["Select a valid choice. That choice is not one of the available choices."]
    }
    html = response.content.decode()
    assert "Some filters were not applied:" in html
    assert "Warehouse: Select a valid choice." in html


def test_ledger_with_an_unknown_warehouse_id_says_so(client, login_as, stocked):
    login_as("warehouse")
    url = reverse("inventory:variant_ledger", args=[stocked["red"].pk])
    missing = max(stocked["hcm"].pk, stocked["hn"].pk) + 1000
    response = client.get(url, {"warehouse": missing})
    assert response.context["warehouse_id"] is None
    assert ledger_rows(response) == [("HCM01", 4), ("HN01", 20)]
    assert list(response.context["form"].errors) == ["warehouse"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ["Kiểm kho SC000001", "Chuyển đến HN01", "Hỏng khi kiểm kho"]),
        ("th", ["ตรวจนับสต็อก SC000001", "โอนไปยัง HN01", "Hỏng khi kiểm kho"]),
        ("en", ["Count SC000001", "To HN01", "Hỏng khi kiểm kho"]),
    ],
)
def test_ledger_reasons_are_worded_in_the_readers_language(
    client, login_as, stocked, language, expected
):
    """Services store a reason code and the document; staff's own words are shown as typed."""
    red, hcm = stocked["red"], stocked["hcm"]
    stock_apply(
        changes=[StockChange.adjust(red.pk, hcm.pk, 1, reason_code="count", kind="count")],
        source=Source("stock_count", "1", "SC000001"),
    )
    stock_apply(
        changes=[
            StockChange(
                red.pk,
                hcm.pk,
                "transfer_out",
                -1,
                reason_code="transfer_to",
                reason_args=(("warehouse", "HN01"),),
            )
        ],
        source=Source("transfer", "1", "TR000001"),
    )
    stock_write_off(variant_id=red.pk, warehouse_id=hcm.pk, quantity=1, reason="Hỏng khi kiểm kho")
    login_as("warehouse")
    url = reverse("inventory:variant_ledger", args=[red.pk])
    html = client.get(url, {"warehouse": hcm.pk}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.findall(r'<td class="muted">([^<]+)</td>\s*<td>', html)[:3] == expected[::-1]
