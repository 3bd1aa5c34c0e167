"""Stock count pages: list, new count, counting (scan + inline edit), posting, permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import StockCount, StockMovement
from inventory.selectors.movements import count_summary
from inventory.selectors.stock import ledger_mismatches
from inventory.services.counts import count_line_set, count_post, count_scan, count_start
from inventory.services.stock import stock_deduct, stock_reserve
from tests.inventory.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.inventory.factories_movements import level, levels, put

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop():
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    fashion = CategoryFactory(name="Thời trang")
    shirt = ProductFactory(name="Áo thun", category=fashion)
    red = VariantFactory(product=shirt, sku="AO-RED", barcode="8930000000011", option1="Đỏ")
    blue = VariantFactory(product=shirt, sku="AO-BLUE", option1="Xanh")
    mug = VariantFactory(product=ProductFactory(name="Ly sứ"), sku="LY-01")
    put(red, hcm, 10)
    put(blue, hcm, 4)
    put(mug, hcm, 6)
    return {"hcm": hcm, "hn": hn, "fashion": fashion, "red": red, "blue": blue, "mug": mug}


def line_of(count, variant):
    return count.lines.get(variant=variant)


def test_new_count_form_starts_a_count(client, login_as, shop):
    user = login_as("warehouse")
    url = reverse("inventory:count_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"warehouse": shop["hcm"].pk, "categories": [shop["fashion"].pk], "notes": "Q1"}
    )
    count = StockCount.objects.get()
    assert response["Location"] == reverse("inventory:count_detail", args=[count.pk])
    assert (count.warehouse, count.created_by, count.notes) == (shop["hcm"], user, "Q1")
    assert count.lines.count() == 2
    again = client.post(url, {"warehouse": shop["hcm"].pk})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "Count SC000001 of HCM01 is still open and covers some of the same products. "
        "Post or cancel it first, or choose other categories."
    ]


def test_count_list_filters_and_query_count(client, login_as, shop, django_assert_num_queries):
    login_as("accountant")
    first = count_start(warehouse_id=shop["hcm"].pk, category_ids=[shop["fashion"].pk])
    count_scan(count_id=first.pk, code="AO-RED")
    count_start(warehouse_id=shop["hn"].pk)
    url = reverse("inventory:count_list")
    response = client.get(url)
    rows = [(c.number, c.line_count, c.counted_count) for c in response.context["page"].items]
    assert rows == [("SC000002", 0, 0), ("SC000001", 2, 1)]
    assert "Thời trang" in response.content.decode()
    assert [
        c.number for c in client.get(url, {"warehouse": shop["hcm"].pk}).context["page"].items
    ] == ["SC000001"]
    assert [c.number for c in client.get(url, {"q": "02"}).context["page"].items] == ["SC000002"]
    count_post(count_id=first.pk)
    assert [c.number for c in client.get(url, {"status": "posted"}).context["page"].items] == [
        "SC000001"
    ]
    fragment = client.get(url, **HX)
    assert fragment.content.decode().lstrip().startswith('<section id="count-table"')

    with django_assert_num_queries(7):
        client.get(url)
    for n in range(10):
        wh = WarehouseFactory(code=f"X{n}")
        count_start(warehouse_id=wh.pk, category_ids=[shop["fashion"].pk])
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["page"].items) == 12


def test_counting_page_query_count_does_not_grow_with_lines(
    client, login_as, shop, django_assert_num_queries
):
    login_as("warehouse")
    for n in range(60):
        v = VariantFactory(product=ProductFactory(name=f"Sản phẩm {n}"), sku=f"X-{n:03d}")
        put(v, shop["hcm"], n + 1)
    count = count_start(warehouse_id=shop["hcm"].pk)
    url = reverse("inventory:count_detail", args=[count.pk])
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    page = response.context["page"]
    assert (len(page.items), page.has_next) == (50, True)
    assert [line.variant.sku for line in page.items[:2]] == ["AO-BLUE", "AO-RED"]
    with django_assert_num_queries(8):
        second = client.get(url, {"page": 2})
    assert len(second.context["page"].items) == 13
    html = response.content.decode()
    assert html.count('name="counted"') == 50
    assert "data-scan-form" in html


def test_counting_page_filters_rows(client, login_as, shop):
    login_as("warehouse")
    count = count_start(warehouse_id=shop["hcm"].pk)
    count_line_set(count_id=count.pk, line_id=line_of(count, shop["red"]).pk, counted=9)
    count_line_set(count_id=count.pk, line_id=line_of(count, shop["mug"]).pk, counted=6)
    url = reverse("inventory:count_detail", args=[count.pk])

    def skus(params):
        response = client.get(url, params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="count-lines")
        assert response.content.decode().lstrip().startswith('<section id="count-lines"')
        return [line.variant.sku for line in response.context["page"].items]

    assert skus({}) == ["AO-BLUE", "AO-RED", "LY-01"]
    assert skus({"show": "uncounted"}) == ["AO-BLUE"]
    assert skus({"show": "counted"}) == ["AO-RED", "LY-01"]
    assert skus({"show": "variance"}) == ["AO-RED"]
    assert skus({"q": "ly su"}) == ["LY-01"]


def test_scanning_returns_the_log_entry_row_and_summary(client, login_as, shop):
    login_as("warehouse")
    count = count_start(warehouse_id=shop["hcm"].pk)
    url = reverse("inventory:count_scan", args=[count.pk])
    line = line_of(count, shop["red"])
    for _ in range(2):
        response = client.post(url, {"code": "8930000000011"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="scan-entry scan-entry--ok">')
    assert "+1 → <strong>2</strong>" in html
    assert f'<template data-count-row="line-{line.pk}">' in html
    assert f'<tr id="line-{line.pk}" class="row--variance row--flash">' in html
    assert '<section id="count-summary" class="cards count-summary" hx-swap-oob="true">' in html
    assert "2 lines not counted yet" in html
    line.refresh_from_db()
    assert line.counted == 2
    bulk = client.post(url, {"code": "8*ao-red"}, **HX)
    assert "+8 → <strong>10</strong>" in bulk.content.decode()
    added = client.post(url, {"code": "AO-RED"}, **HX)
    assert "+1 → <strong>11</strong>" in added.content.decode()
    assert count_summary(count_id=count.pk).counted == 1


def test_an_unknown_code_gives_a_visible_error_and_changes_nothing(client, login_as, shop):
    login_as("warehouse")
    count = count_start(warehouse_id=shop["hcm"].pk)
    response = client.post(
        reverse("inventory:count_scan", args=[count.pk]), {"code": "NOPE-42"}, **HX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="scan-entry scan-entry--error" role="alert">')
    assert "No product has the barcode or SKU “NOPE-42”." in html
    assert "hx-swap-oob" not in html
    assert count.lines.filter(counted__isnull=False).count() == 0


def test_a_scan_of_a_variant_not_in_the_snapshot_adds_a_line(client, login_as, shop):
    login_as("warehouse")
    count = count_start(warehouse_id=shop["hcm"].pk)
    extra = VariantFactory(product=ProductFactory(name="Nón"), sku="NON-1")
    response = client.post(
        reverse("inventory:count_scan", args=[count.pk]), {"code": "non-1"}, **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "new line · expected 0" in html
    assert f'<template data-count-row="line-{line_of(count, extra).pk}" data-added>' in html
    assert (line_of(count, extra).expected, line_of(count, extra).counted) == (0, 1)


def test_scan_without_javascript_redirects_back_with_a_message(client, login_as, shop):
    login_as("warehouse")
    count = count_start(warehouse_id=shop["hcm"].pk)
    url = reverse("inventory:count_scan", args=[count.pk])
    ok = client.post(url, {"code": "AO-RED"}, follow=True)
    assert [str(m) for m in ok.context["messages"]] == ["AO-RED: counted 1."]
    bad = client.post(url, {"code": "???"}, follow=True)
    assert [str(m) for m in bad.context["messages"]] == ["No product has the barcode or SKU “???”."]


def test_typing_a_counted_quantity_updates_the_row_and_summary(client, login_as, shop):
    login_as("manager")  # values at cost: test_costs_visibility for warehouse
    count = count_start(warehouse_id=shop["hcm"].pk)
    line = line_of(count, shop["blue"])
    url = reverse("inventory:count_line_set", args=[count.pk, line.pk])
    response = client.post(url, {"counted": "7"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="line-{line.pk}" class="row--variance">')
    assert '<span class="ok strong">+3</span>' in html
    assert "240.000" in html or "240,000" in html  # 3 x 80000, formatted for the language
    assert 'hx-swap-oob="true"' in html
    assert count_summary(count_id=count.pk).value_over == Decimal("240000")
    line.refresh_from_db()
    assert line.counted == 7

    bad = client.post(url, {"counted": "-2"}, **HX)
    assert bad.status_code == 422
    assert "Ensure this value is greater than or equal to 0." in bad.content.decode()
    line.refresh_from_db()
    assert line.counted == 7
    cleared = client.post(url, {"counted": ""}, **HX)
    assert "not counted" in cleared.content.decode()
    line.refresh_from_db()
    assert line.counted is None
    other = count_start(warehouse_id=shop["hn"].pk)
    wrong = reverse("inventory:count_line_set", args=[other.pk, line.pk])
    assert client.post(wrong, {"counted": "1"}, **HX).status_code == 404


def test_posting_page_reviews_and_posts_the_variances(client, login_as, shop):
    user = login_as("manager")  # values at cost: test_costs_visibility for warehouse
    hcm = shop["hcm"]
    count = count_start(warehouse_id=hcm.pk)
    count_line_set(count_id=count.pk, line_id=line_of(count, shop["red"]).pk, counted=7)
    count_line_set(count_id=count.pk, line_id=line_of(count, shop["mug"]).pk, counted=8)
    stock_deduct(variant_id=shop["red"].pk, warehouse_id=hcm.pk, quantity=1, from_reserved=False)
    url = reverse("inventory:count_post", args=[count.pk])
    review = client.get(url)
    assert review.status_code == 200
    assert [line.variant.sku for line in review.context["largest"]] == ["AO-RED", "LY-01"]
    html = review.content.decode()
    assert "1 line was not counted" in html
    assert 'name="uncounted_as_zero"' in html
    assert "If ticked, 4 units worth" in html

    response = client.post(url, {}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Count SC000001 posted: 2 stock adjustment(s)."
    ]
    assert level(shop["red"], hcm) == (6, 0)  # 10 - 1 sold - 3 missing
    assert level(shop["mug"], hcm) == (8, 0)
    assert level(shop["blue"], hcm) == (4, 0)  # not counted, not ticked: unchanged
    count.refresh_from_db()
    assert (count.status, count.posted_by) == ("posted", user)
    # The posted count is read-only: no scan box, no inputs.
    page = client.get(reverse("inventory:count_detail", args=[count.pk])).content.decode()
    assert "data-scan-form" not in page
    assert 'name="counted"' not in page
    assert "This count is posted" in page
    assert reverse("inventory:count_post", args=[count.pk]) not in page
    again = client.post(url, {}, follow=True)
    assert [str(m) for m in again.context["messages"]] == ["Count SC000001 is no longer open."]
    scan = client.post(reverse("inventory:count_scan", args=[count.pk]), {"code": "AO-RED"}, **HX)
    assert scan.status_code == 422
    assert "can no longer be changed" in scan.content.decode()
    assert StockMovement.objects.filter(source_type="stock_count").count() == 2
    assert ledger_mismatches() == []


def test_posting_refusal_is_shown_and_changes_nothing(client, login_as, shop):
    login_as("manager")
    hcm = shop["hcm"]
    count = count_start(warehouse_id=hcm.pk)
    count_line_set(count_id=count.pk, line_id=line_of(count, shop["blue"]).pk, counted=0)
    stock_reserve(variant_id=shop["blue"].pk, warehouse_id=hcm.pk, quantity=2)
    before = levels()
    response = client.post(reverse("inventory:count_post", args=[count.pk]), {})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Count SC000001 was not posted: removing 4 of AO-BLUE in HCM01 would leave less than "
        "is reserved for orders (2 available now). Ship or release those orders, or recount "
        "AO-BLUE. Nothing was changed."
    ]
    assert levels() == before
    count.refresh_from_db()
    assert count.status == "open"
    assert ledger_mismatches() == []


def test_cancel_an_open_count(client, login_as, shop):
    login_as("warehouse")
    count = count_start(warehouse_id=shop["hcm"].pk)
    response = client.post(reverse("inventory:count_cancel", args=[count.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Count SC000001 cancelled; no stock was changed."
    ]
    count.refresh_from_db()
    assert count.status == "cancelled"
    assert 'name="counted"' not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "view", "count_", "post"),
    [
        ("sales", 403, 403, 403),
        ("accountant", 200, 403, 403),
        ("warehouse", 200, 200, 302),
        ("manager", 200, 200, 302),
        ("owner", 200, 200, 302),
    ],
)
def test_permissions(client, login_as, shop, role, view, count_, post):
    login_as(role)
    count = count_start(warehouse_id=shop["hcm"].pk)
    line = line_of(count, shop["red"])
    assert client.get(reverse("inventory:count_list")).status_code == view
    assert client.get(reverse("inventory:count_detail", args=[count.pk])).status_code == view
    scan = client.post(reverse("inventory:count_scan", args=[count.pk]), {"code": "AO-RED"}, **HX)
    assert scan.status_code == count_
    edit = reverse("inventory:count_line_set", args=[count.pk, line.pk])
    assert client.post(edit, {"counted": "3"}, **HX).status_code == count_
    assert client.get(reverse("inventory:count_create")).status_code == count_
    assert client.get(reverse("inventory:count_post", args=[count.pk])).status_code == (
        200 if post == 302 else 403
    )
    assert client.post(reverse("inventory:count_post", args=[count.pk]), {}).status_code == post
    count.refresh_from_db()
    assert count.status == ("posted" if post == 302 else "open")
    if view == 200 and count_ == 403:  # read-only roles see no inputs
        html = client.get(reverse("inventory:count_detail", args=[count.pk])).content.decode()
        assert 'name="counted"' not in html
        assert "data-scan-form" not in html
