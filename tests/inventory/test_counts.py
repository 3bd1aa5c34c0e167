"""Stock count services: snapshot scope, scanning, variances, posting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from inventory.errors import DocumentStateError
from inventory.forms_movements import CountScanForm
from inventory.models import StockCount, StockCountLine, StockMovement
from inventory.selectors.movements import count_largest_variances, count_lines, count_summary
from inventory.selectors.stock import ledger_mismatches
from inventory.services.counts import (
    CountError,
    CountPostRefused,
    count_cancel,
    count_line_set,
    count_post,
    count_scan,
    count_start,
)
from inventory.services.stock import stock_deduct, stock_reserve
from tests.inventory.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.inventory.factories_movements import ledger, level, levels, put

pytestmark = pytest.mark.django_db

POSTED_AT = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)


@pytest.fixture
def shop():
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    fashion = CategoryFactory(name="Thời trang")
    shirts = CategoryFactory(name="Áo", parent=fashion, full_name="Thời trang / Áo")
    kitchen = CategoryFactory(name="Nhà bếp")
    shirt = ProductFactory(name="Áo thun", category=shirts)
    dress = ProductFactory(name="Đầm", category=fashion)
    mug_product = ProductFactory(name="Ly sứ", category=kitchen)
    red = VariantFactory(product=shirt, sku="AO-RED", barcode="8930000000011", option1="Đỏ")
    blue = VariantFactory(product=shirt, sku="AO-BLUE", barcode="8930000000028", option1="Xanh")
    new_shirt = VariantFactory(product=shirt, sku="AO-NEW", option1="Vàng")  # never stocked
    dress_v = VariantFactory(product=dress, sku="DAM-01", cost_price=Decimal("250000"))
    mug = VariantFactory(product=mug_product, sku="LY-01", cost_price=Decimal("30000"))
    old = VariantFactory(product=mug_product, sku="LY-OLD", option1="cũ", is_active=False)
    gone = VariantFactory(product=mug_product, sku="LY-GONE", option1="hết", is_active=False)
    put(red, hcm, 10)
    put(blue, hcm, 4)
    put(dress_v, hcm, 2)
    put(mug, hcm, 6)
    put(old, hcm, 1)  # inactive but still holds a unit: counted
    put(gone, hcm, 1)
    stock_deduct(variant_id=gone.pk, warehouse_id=hcm.pk, quantity=1, from_reserved=False)
    put(mug, hn, 9)  # another warehouse
    return {
        "hcm": hcm,
        "hn": hn,
        "fashion": fashion,
        "shirts": shirts,
        "kitchen": kitchen,
        "red": red,
        "blue": blue,
        "new_shirt": new_shirt,
        "dress": dress_v,
        "mug": mug,
        "old": old,
        "gone": gone,
    }


def snapshot(count):
    return list(
        count.lines.order_by("pk").values_list("variant__sku", "expected", "counted", "unit_cost")
    )


def test_whole_warehouse_snapshot_takes_stocked_variants_in_sku_order(shop):
    count = count_start(warehouse_id=shop["hcm"].pk, notes=" quý 1 ")
    assert (count.number, count.status, count.notes) == ("SC000001", "open", "quý 1")
    assert snapshot(count) == [
        ("AO-BLUE", 4, None, Decimal("80000.00")),
        ("AO-RED", 10, None, Decimal("80000.00")),
        ("DAM-01", 2, None, Decimal("250000.00")),
        ("LY-01", 6, None, Decimal("30000.00")),
        ("LY-OLD", 1, None, Decimal("80000.00")),
    ]  # not AO-NEW (never stocked here), not LY-GONE (inactive and empty)


def test_category_scope_includes_subcategories_and_never_stocked_active_variants(shop):
    count = count_start(warehouse_id=shop["hcm"].pk, category_ids=[shop["fashion"].pk])
    assert [c.pk for c in count.categories.all()] == [shop["fashion"].pk]
    assert snapshot(count) == [
        ("AO-BLUE", 4, None, Decimal("80000.00")),
        ("AO-NEW", 0, None, Decimal("80000.00")),
        ("AO-RED", 10, None, Decimal("80000.00")),
        ("DAM-01", 2, None, Decimal("250000.00")),
    ]
    only_shirts = count_start(warehouse_id=shop["hn"].pk, category_ids=[shop["shirts"].pk])
    assert [sku for sku, *_ in snapshot(only_shirts)] == ["AO-BLUE", "AO-NEW", "AO-RED"]
    assert [exp for _sku, exp, *_ in snapshot(only_shirts)] == [0, 0, 0]


def test_overlapping_open_counts_of_one_warehouse_are_refused(shop):
    hcm = shop["hcm"]
    first = count_start(warehouse_id=hcm.pk, category_ids=[shop["shirts"].pk])
    with pytest.raises(CountError) as error:
        count_start(warehouse_id=hcm.pk, category_ids=[shop["fashion"].pk])  # contains shirts
    assert str(error.value) == (
        "Count SC000001 of HCM01 is still open and covers some of the same products. "
        "Post or cancel it first, or choose other categories."
    )
    with pytest.raises(CountError):
        count_start(warehouse_id=hcm.pk)  # whole warehouse
    count_start(warehouse_id=hcm.pk, category_ids=[shop["kitchen"].pk])  # disjoint: fine
    count_start(warehouse_id=shop["hn"].pk)  # another warehouse: fine
    count_cancel(count_id=first.pk)
    count_start(warehouse_id=hcm.pk, category_ids=[shop["fashion"].pk])
    assert StockCount.objects.filter(status="open").count() == 3
    inactive = WarehouseFactory(code="OLD", is_active=False)
    with pytest.raises(CountError, match="active warehouse"):
        count_start(warehouse_id=inactive.pk)


def test_scans_add_units_by_barcode_or_sku_in_any_case(shop):
    count = count_start(warehouse_id=shop["hcm"].pk)
    first = count_scan(count_id=count.pk, code="8930000000011")
    assert (first.line.variant.sku, first.line.counted, first.added) == ("AO-RED", 1, False)
    count_scan(count_id=count.pk, code=" ao-red ")
    third = count_scan(count_id=count.pk, code="AO-RED", quantity=12)
    assert (third.line.counted, third.quantity) == (14, 12)
    assert snapshot(count)[1] == ("AO-RED", 10, 14, Decimal("80000.00"))
    assert StockCountLine.objects.filter(count=count, counted__isnull=False).count() == 1


def test_scan_box_accepts_a_quantity_prefix():
    form = CountScanForm({"code": "12*8930000000011"})
    assert form.is_valid()
    assert (form.cleaned_data["quantity"], form.cleaned_data["code"]) == (12, "8930000000011")
    plain = CountScanForm({"code": "  AO-RED "})
    assert plain.is_valid()
    assert (plain.cleaned_data["quantity"], plain.cleaned_data["code"]) == (1, "AO-RED")
    assert not CountScanForm({"code": "0*AO-RED"}).is_valid()
    assert not CountScanForm({"code": "   "}).is_valid()


def test_unknown_code_is_refused_and_changes_nothing(shop):
    count = count_start(warehouse_id=shop["hcm"].pk)
    before = snapshot(count)
    with pytest.raises(CountError) as error:
        count_scan(count_id=count.pk, code="8939999999999")
    assert str(error.value) == "No product has the barcode or SKU “8939999999999”."
    assert snapshot(count) == before


def test_a_variant_outside_the_snapshot_is_added_with_its_on_hand_now(shop):
    hcm = shop["hcm"]
    count = count_start(warehouse_id=hcm.pk)
    put(shop["new_shirt"], hcm, 3)  # arrived after the snapshot
    result = count_scan(count_id=count.pk, code="AO-NEW")
    assert result.added is True
    assert (result.line.expected, result.line.counted, result.line.unit_cost) == (
        3,
        1,
        Decimal("80000.00"),
    )
    again = count_scan(count_id=count.pk, code="ao-new")
    assert (again.added, again.line.counted, again.line.pk) == (False, 2, result.line.pk)
    # A never-stocked inactive variant found on the shelf: expected 0.
    assert count_scan(count_id=count.pk, code="LY-GONE").line.expected == 0


def test_a_variant_outside_the_counts_categories_is_refused(shop):
    count = count_start(warehouse_id=shop["hcm"].pk, category_ids=[shop["fashion"].pk])
    with pytest.raises(CountError) as error:
        count_scan(count_id=count.pk, code="LY-01")
    assert str(error.value) == (
        "LY-01 is not in the categories of count SC000001; count it in a count of its own category."
    )
    assert count.lines.count() == 4


def test_typed_quantities_set_or_clear_a_line(shop):
    count = count_start(warehouse_id=shop["hcm"].pk)
    line = count.lines.get(variant=shop["blue"])
    assert count_line_set(count_id=count.pk, line_id=line.pk, counted=7).counted == 7
    assert count_line_set(count_id=count.pk, line_id=line.pk, counted=None).counted is None
    with pytest.raises(CountError, match="from 0 to"):
        count_line_set(count_id=count.pk, line_id=line.pk, counted=-1)
    other = count_start(warehouse_id=shop["hn"].pk)
    with pytest.raises(StockCountLine.DoesNotExist):
        count_line_set(count_id=other.pk, line_id=line.pk, counted=1)


@pytest.mark.parametrize(
    ("currency", "red_cost", "blue_cost", "mug_cost", "expected"),
    [
        (
            "VND",
            "80000",
            "125500",
            "30000",
            {
                "red": Decimal("-160000"),  # 10 -> 8
                "blue": Decimal("251000"),  # 4 -> 6
                "mug": Decimal("0"),
                "over": Decimal("251000"),
                "short": Decimal("-160000"),
                "net": Decimal("91000"),
                "uncounted": Decimal("-750000"),  # DAM-01 x2 at 250000, LY-OLD x1 at 250000
            },
        ),
        (
            "THB",
            "12.35",
            "0.99",
            "7.10",
            {
                "red": Decimal("-24.70"),
                "blue": Decimal("1.98"),
                "mug": Decimal("0.00"),
                "over": Decimal("1.98"),
                "short": Decimal("-24.70"),
                "net": Decimal("-22.72"),
                "uncounted": Decimal("-750.00"),
            },
        ),
    ],
)
def test_variance_values_are_exact_in_the_shop_currency(
    shop, settings, currency, red_cost, blue_cost, mug_cost, expected
):
    settings.SHOP_CURRENCY = currency
    for key, cost in (("red", red_cost), ("blue", blue_cost), ("mug", mug_cost)):
        shop[key].cost_price = Decimal(cost)
        shop[key].save()
    for key in ("dress", "old"):
        shop[key].cost_price = Decimal("250000" if currency == "VND" else "250.00")
        shop[key].save()
    count = count_start(warehouse_id=shop["hcm"].pk)
    lines = {line.variant.sku: line for line in count.lines.select_related("variant")}
    count_line_set(count_id=count.pk, line_id=lines["AO-RED"].pk, counted=8)
    count_line_set(count_id=count.pk, line_id=lines["AO-BLUE"].pk, counted=6)
    count_line_set(count_id=count.pk, line_id=lines["LY-01"].pk, counted=6)

    rows = {line.variant.sku: line for line in count_lines(count_id=count.pk)}
    assert (rows["AO-RED"].variance, rows["AO-RED"].value) == (-2, expected["red"])
    assert (rows["AO-BLUE"].variance, rows["AO-BLUE"].value) == (2, expected["blue"])
    assert (rows["LY-01"].variance, rows["LY-01"].value) == (0, expected["mug"])
    assert (rows["DAM-01"].variance, rows["DAM-01"].value) == (None, None)

    summary = count_summary(count_id=count.pk)
    assert (summary.lines, summary.counted, summary.uncounted, summary.with_variance) == (
        5,
        3,
        2,
        2,
    )
    assert (summary.units_over, summary.units_short, summary.units_net) == (2, -2, 0)
    assert summary.value_over == expected["over"]
    assert summary.value_short == expected["short"]
    assert summary.value_net == expected["net"]
    assert (summary.uncounted_units, summary.uncounted_value) == (3, expected["uncounted"])
    assert str(summary.value_net) == str(expected["net"])  # the currency's decimal places

    assert [line.variant.sku for line in count_largest_variances(count_id=count.pk)] == (
        ["AO-BLUE", "AO-RED"] if currency == "VND" else ["AO-RED", "AO-BLUE"]
    )
    assert [line.variant.sku for line in count_lines(count_id=count.pk, show="variance")] == [
        "AO-BLUE",
        "AO-RED",
    ]
    assert [line.variant.sku for line in count_lines(count_id=count.pk, show="uncounted")] == [
        "DAM-01",
        "LY-OLD",
    ]
    assert [line.variant.sku for line in count_lines(count_id=count.pk, q="ao thun")] == [
        "AO-BLUE",
        "AO-RED",
    ]


def test_posting_applies_variances_as_deltas_after_sales_since_the_snapshot(shop, make_user):
    hcm, red, blue, mug = shop["hcm"], shop["red"], shop["blue"], shop["mug"]
    poster = make_user("warehouse")
    count = count_start(warehouse_id=hcm.pk)
    lines = {line.variant.sku: line for line in count.lines.select_related("variant")}
    count_line_set(count_id=count.pk, line_id=lines["AO-RED"].pk, counted=8)  # -2
    count_line_set(count_id=count.pk, line_id=lines["AO-BLUE"].pk, counted=6)  # +2
    count_line_set(count_id=count.pk, line_id=lines["LY-01"].pk, counted=6)  # 0
    # Sales after the snapshot: 3 red shipped, 1 blue reserved for an open order.
    stock_reserve(variant_id=red.pk, warehouse_id=hcm.pk, quantity=3)
    stock_deduct(variant_id=red.pk, warehouse_id=hcm.pk, quantity=3)
    stock_reserve(variant_id=blue.pk, warehouse_id=hcm.pk, quantity=1)

    movements = count_post(count_id=count.pk, user_id=poster.pk, now=POSTED_AT)

    assert len(movements) == 2
    assert level(red, hcm) == (5, 0)  # 10 - 3 sold - 2 missing
    assert level(blue, hcm) == (6, 1)  # 4 + 2 found; the reservation stays
    assert level(mug, hcm) == (6, 0)
    assert level(shop["dress"], hcm) == (2, 0)  # not counted: left alone
    assert ledger("stock_count") == [
        ("count", "HCM01", "AO-BLUE", 2, 6, "SC000001"),
        ("count", "HCM01", "AO-RED", -2, 5, "SC000001"),
    ]
    rows = StockMovement.objects.filter(source_type="stock_count")
    assert set(
        rows.values_list("reason", "reason_code", "source_id", "created_by_id", "created_at")
    ) == {("", "count", str(count.pk), poster.pk, POSTED_AT)}
    assert {m.reason_text for m in rows} == {"Count SC000001"}
    count.refresh_from_db()
    assert (count.status, count.posted_at, count.posted_by) == ("posted", POSTED_AT, poster)
    assert count.lines.get(variant=shop["dress"]).counted is None
    assert ledger_mismatches() == []


def test_posting_with_uncounted_as_zero_removes_their_stock(shop):
    hcm = shop["hcm"]
    count = count_start(warehouse_id=hcm.pk, category_ids=[shop["fashion"].pk])
    count_scan(count_id=count.pk, code="AO-RED", quantity=10)  # matches
    count_post(count_id=count.pk, uncounted_as_zero=True)
    assert level(shop["blue"], hcm) == (0, 0)
    assert level(shop["dress"], hcm) == (0, 0)
    assert level(shop["red"], hcm) == (10, 0)
    assert level(shop["new_shirt"], hcm) is None  # expected 0, counted 0: nothing to do
    assert ledger("stock_count") == [
        ("count", "HCM01", "AO-BLUE", -4, 0, "SC000001"),
        ("count", "HCM01", "DAM-01", -2, 0, "SC000001"),
    ]
    assert list(count.lines.order_by("pk").values_list("counted", flat=True)) == [0, 0, 10, 0]
    assert ledger_mismatches() == []


def test_posting_is_refused_whole_when_a_delta_would_go_below_reserved(shop):
    hcm, red, blue = shop["hcm"], shop["red"], shop["blue"]
    count = count_start(warehouse_id=hcm.pk)
    lines = {line.variant.sku: line for line in count.lines.select_related("variant")}
    count_line_set(count_id=count.pk, line_id=lines["AO-BLUE"].pk, counted=9)  # +5: fine alone
    count_line_set(count_id=count.pk, line_id=lines["AO-RED"].pk, counted=5)  # -5
    stock_reserve(variant_id=red.pk, warehouse_id=hcm.pk, quantity=9)  # after the snapshot
    before = levels()
    with pytest.raises(CountPostRefused) as error:
        count_post(count_id=count.pk, uncounted_as_zero=True)
    assert str(error.value) == (
        "Count SC000001 was not posted: removing 5 of AO-RED in HCM01 would leave less than "
        "is reserved for orders (1 available now). Ship or release those orders, or recount "
        "AO-RED. Nothing was changed."
    )
    assert error.value.sku == "AO-RED"
    assert levels() == before
    assert ledger("stock_count") == []
    count.refresh_from_db()
    assert (count.status, count.posted_at, count.posted_by) == ("open", None, None)
    assert count.lines.filter(counted__isnull=True).count() == 3  # "as zero" rolled back too
    assert level(blue, hcm) == (4, 0)
    assert ledger_mismatches() == []


def test_a_posted_count_is_read_only(shop):
    count = count_start(warehouse_id=shop["hcm"].pk)
    line = count.lines.get(variant=shop["red"])
    count_line_set(count_id=count.pk, line_id=line.pk, counted=9)
    count_post(count_id=count.pk)
    message = "Count SC000001 is “Posted” and can no longer be changed."
    with pytest.raises(DocumentStateError) as scan_error:
        count_scan(count_id=count.pk, code="AO-RED")
    assert str(scan_error.value) == message
    with pytest.raises(DocumentStateError, match="can no longer be changed"):
        count_line_set(count_id=count.pk, line_id=line.pk, counted=1)
    with pytest.raises(DocumentStateError, match="can no longer be changed"):
        count_post(count_id=count.pk)
    with pytest.raises(DocumentStateError, match="can no longer be changed"):
        count_cancel(count_id=count.pk)
    line.refresh_from_db()
    assert line.counted == 9
    assert level(shop["red"], shop["hcm"]) == (9, 0)
    assert StockMovement.objects.filter(source_type="stock_count").count() == 1
    assert ledger_mismatches() == []


def test_a_cancelled_count_changes_no_stock_and_is_read_only(shop):
    count = count_start(warehouse_id=shop["hcm"].pk)
    count_scan(count_id=count.pk, code="AO-RED")
    assert count_cancel(count_id=count.pk).status == "cancelled"
    with pytest.raises(DocumentStateError, match="“Cancelled”"):
        count_post(count_id=count.pk)
    with pytest.raises(DocumentStateError):
        count_scan(count_id=count.pk, code="AO-RED")
    assert level(shop["red"], shop["hcm"]) == (10, 0)
    assert ledger("stock_count") == []
    assert ledger_mismatches() == []


def test_scan_form_messages():
    assert CountScanForm({"code": ""}).errors == {"code": ["Scan or type a barcode or SKU."]}
    too_many = CountScanForm({"code": "99999999*AO-RED"})
    assert too_many.errors == {"__all__": ["Count between 1 and 10000000 units at a time."]}
