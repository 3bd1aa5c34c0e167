from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.errors import DocumentStateError, InventoryError
from inventory.models import PurchaseOrder
from inventory.services.purchasing import (
    PO_ACTIONS,
    PurchaseLineInput,
    PurchaseOrderInput,
    ReceiptLineInput,
    goods_receipt_post,
    purchase_order_actions,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_update,
    purchase_totals,
)
from tests.inventory.factories import (
    SupplierFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.inventory.factories_purchasing import make_order

D = Decimal


# --- Totals: rounded per line, then summed ----------------------------------------------------


def test_vnd_totals_round_each_line_to_whole_dong():
    totals = purchase_totals(
        lines=[(3, D("10333"), D("8")), (7, D("1515"), D("10")), (1, D("999"), D("5"))],
        currency="VND",
    )
    # VAT per line: 2479.92 -> 2480, 1060.5 -> 1061 (half up), 49.95 -> 50.
    assert [(a.net, a.vat) for a in totals.lines] == [
        (D("30999"), D("2480")),
        (D("10605"), D("1061")),
        (D("999"), D("50")),
    ]
    # Rounding the summed VAT instead would give 3590.
    assert (totals.subtotal, totals.vat_total, totals.total) == (
        D("42603"),
        D("3591"),
        D("46194"),
    )


def test_thb_totals_round_each_line_to_satang():
    totals = purchase_totals(
        lines=[(3, D("33.33"), D("7")), (2, D("10.25"), D("7")), (1, D("0.15"), D("7"))],
        currency="THB",
    )
    assert [(a.net, a.vat) for a in totals.lines] == [
        (D("99.99"), D("7.00")),
        (D("20.50"), D("1.44")),
        (D("0.15"), D("0.01")),
    ]
    assert (totals.subtotal, totals.vat_total, totals.total) == (
        D("120.64"),
        D("8.45"),
        D("129.09"),
    )
    assert str(totals.total) == "129.09"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "lines", "stored_costs", "expected"),
    [
        (
            "VND",
            [(3, "10333.4", "8"), (7, "1514.5", "10"), (1, "999", "5")],
            ["10333", "1515", "999"],
            ("42603", "3591", "46194"),
        ),
        (
            "THB",
            [(3, "33.333", "7"), (2, "10.245", "7"), (1, "0.15", "7")],
            ["33.33", "10.25", "0.15"],
            ("120.64", "8.45", "129.09"),
        ),
    ],
)
def test_order_totals_in_the_shop_currency(settings, currency, lines, stored_costs, expected):
    settings.SHOP_CURRENCY = currency
    order = make_order(
        supplier=SupplierFactory(),
        warehouse=WarehouseFactory(),
        lines=[(VariantFactory(), q, cost, rate) for q, cost, rate in lines],
    )
    order.refresh_from_db()
    assert order.currency == currency
    assert (order.subtotal, order.vat_total, order.total) == tuple(D(x) for x in expected)
    # Unit costs are kept in the currency's precision (half up).
    assert list(order.lines.order_by("pk").values_list("unit_cost", flat=True)) == [
        D(c) for c in stored_costs
    ]


# --- Status rules -----------------------------------------------------------------------------


def test_actions_per_status_are_data():
    assert {s: sorted(purchase_order_actions(s)) for s in PurchaseOrder.Status.values} == {
        "draft": ["cancel", "confirm", "edit"],
        "confirmed": ["cancel", "receive"],
        "partial": ["close", "receive"],
        "received": [],
        "cancelled": [],
        "closed": [],
    }
    assert set(PO_ACTIONS) == {"edit", "confirm", "cancel", "receive", "close"}


@pytest.fixture
def setup(db, make_user):
    user = make_user("manager")
    hcm = WarehouseFactory(code="HCM01")
    supplier = SupplierFactory(name="Công ty TNHH Dệt May Hòa Bình")
    shirt = VariantFactory(sku="AO-01", cost_price=D("80000"), vat_rate=D("10"))
    mug = VariantFactory(sku="LY-01", cost_price=D("20000"), vat_rate=D("8"))
    return {"user": user, "hcm": hcm, "supplier": supplier, "shirt": shirt, "mug": mug}


def test_create_numbers_and_defaults(setup):
    order = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(setup["shirt"], 10, "80000"), (setup["mug"], 5, "20000", "10")],
        user=setup["user"],
    )
    second = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["mug"], 1, "1")]
    )
    assert (order.number, second.number) == ("PO000001", "PO000002")
    assert (order.status, order.created_by, order.confirmed_at) == ("draft", setup["user"], None)
    lines = list(order.lines.order_by("pk").values_list("variant__sku", "quantity", "vat_rate"))
    # VAT defaults to the variant's rate unless given.
    assert lines == [("AO-01", 10, D("10.00")), ("LY-01", 5, D("10.00"))]
    assert (order.subtotal, order.vat_total, order.total) == (D("900000"), D("90000"), D("990000"))


def test_edit_only_in_draft(setup):
    order = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 10, "80000")]
    )
    data = PurchaseOrderInput(
        supplier_id=setup["supplier"].pk,
        warehouse_id=setup["hcm"].pk,
        notes="Giao trước 10h",
        lines=[PurchaseLineInput(variant_id=setup["mug"].pk, quantity=4, unit_cost=D("21000"))],
    )
    purchase_order_update(order_id=order.pk, data=data, user_id=setup["user"].pk)
    order.refresh_from_db()
    assert list(order.lines.values_list("variant__sku", "quantity", "unit_cost")) == [
        ("LY-01", 4, D("21000.00"))
    ]
    assert (order.notes, order.subtotal, order.vat_total, order.total) == (
        "Giao trước 10h",
        D("84000"),
        D("6720"),
        D("90720"),
    )
    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    purchase_order_confirm(order_id=order.pk, user_id=setup["user"].pk, now=now)
    order.refresh_from_db()
    assert (order.status, order.confirmed_at) == ("confirmed", now)
    with pytest.raises(DocumentStateError) as error:
        purchase_order_update(order_id=order.pk, data=data, user_id=setup["user"].pk)
    assert str(error.value) == "PO000001 is Confirmed: only a draft order can be changed."
    with pytest.raises(DocumentStateError) as error:
        purchase_order_confirm(order_id=order.pk, user_id=setup["user"].pk)
    assert str(error.value) == "PO000001 is Confirmed: only a draft order can be confirmed."


def test_invalid_lines_are_refused_and_change_nothing(setup):
    order = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 10, "80000")]
    )

    def update(lines):
        data = PurchaseOrderInput(
            supplier_id=setup["supplier"].pk, warehouse_id=setup["hcm"].pk, lines=lines
        )
        with pytest.raises(InventoryError) as error:
            purchase_order_update(order_id=order.pk, data=data, user_id=None)
        return str(error.value)

    mug = setup["mug"].pk
    assert update([]) == "Add at least one line."
    assert (
        update([PurchaseLineInput(mug, 1, D("1")), PurchaseLineInput(mug, 2, D("1"))])
        == "LY-01 is on two lines: put the whole quantity on one line."
    )
    assert (
        update([PurchaseLineInput(mug, 0, D("1"))]) == "The quantity of LY-01 must be at least 1."
    )
    assert (
        update([PurchaseLineInput(mug, 1, D("-1"))]) == "The unit cost of LY-01 cannot be negative."
    )
    assert (
        update([PurchaseLineInput(mug, 1, D("1"), D("101"))])
        == "The VAT rate of LY-01 must be between 0 and 100%."
    )
    assert (
        update([PurchaseLineInput(mug, 1_000_000, D("9999999999"))])
        == "The order total is too large; split it into several orders."
    )
    order.refresh_from_db()
    assert list(order.lines.values_list("variant__sku", "quantity")) == [("AO-01", 10)]
    assert order.total == D("880000")


def test_inactive_supplier_or_warehouse_is_refused_for_new_orders(setup):
    setup["supplier"].is_active = False
    setup["supplier"].save()
    with pytest.raises(InventoryError) as error:
        make_order(
            supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["mug"], 1, "1")]
        )
    assert str(error.value) == "The supplier Công ty TNHH Dệt May Hòa Bình is inactive."
    closed = WarehouseFactory(code="OLD", is_active=False)
    with pytest.raises(InventoryError) as error:
        make_order(supplier=SupplierFactory(), warehouse=closed, lines=[(setup["mug"], 1, "1")])
    assert str(error.value) == "The warehouse OLD is inactive."
    assert PurchaseOrder.objects.count() == 0


@pytest.mark.parametrize("confirm", [False, True])
def test_cancel_from_draft_or_confirmed(setup, confirm):
    order = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(setup["shirt"], 2, "80000")],
        confirm=confirm,
    )
    purchase_order_cancel(order_id=order.pk, user_id=None)
    order.refresh_from_db()
    assert order.status == "cancelled"
    with pytest.raises(DocumentStateError):
        purchase_order_confirm(order_id=order.pk, user_id=None)


def test_no_cancel_once_anything_was_received(setup):
    order = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(setup["shirt"], 2, "80000")],
        confirm=True,
    )
    line = order.lines.get()
    goods_receipt_post(order_id=order.pk, lines=[ReceiptLineInput(line.pk, 1)])
    with pytest.raises(DocumentStateError) as error:
        purchase_order_cancel(order_id=order.pk, user_id=None)
    assert str(error.value) == (
        "PO000001 is Partially received: only a draft or confirmed order with nothing "
        "received can be cancelled."
    )
    order.refresh_from_db()
    assert order.status == "partial"


# --- Pages ------------------------------------------------------------------------------------


def line_post(rows, **extra):
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0", **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = str(value)
    return data


def test_create_page_saves_a_draft(client, login_as, setup):
    user = login_as("manager")
    page = client.get(
        reverse("inventory:purchase_order_create"), {"supplier": setup["supplier"].pk}
    )
    assert page.status_code == 200
    assert page.context["form"].initial["supplier"] == setup["supplier"].pk
    response = client.post(
        reverse("inventory:purchase_order_create"),
        line_post(
            [
                {
                    "variant": setup["shirt"].pk,
                    "quantity": 10,
                    "unit_cost": "81500",
                    "vat_rate": "10",
                },
                {"variant": setup["mug"].pk, "quantity": 3, "unit_cost": "19999", "vat_rate": "8"},
            ],
            supplier=setup["supplier"].pk,
            warehouse=setup["hcm"].pk,
            expected_on="2026-04-01",
            notes="Hàng dễ vỡ",
        ),
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:purchase_order_detail", args=[order.pk])
    assert (order.number, order.status, order.created_by, str(order.expected_on)) == (
        "PO000001",
        "draft",
        user,
        "2026-04-01",
    )
    # 815000 + 81500 VAT; 59997 + 4799.76 -> 4800 VAT
    assert (order.subtotal, order.vat_total, order.total) == (
        D("874997"),
        D("86300"),
        D("961297"),
    )


def test_create_page_explains_errors(client, login_as, setup):
    login_as("manager")
    response = client.post(
        reverse("inventory:purchase_order_create"),
        line_post(
            [
                {
                    "variant": setup["shirt"].pk,
                    "quantity": 1,
                    "unit_cost": "85.5",
                    "vat_rate": "10",
                }
            ],
            supplier=setup["supplier"].pk,
            warehouse=setup["hcm"].pk,
        ),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["unit_cost"] == [
        "VND amounts have no decimals: “85.5”."
    ]
    response = client.post(
        reverse("inventory:purchase_order_create"),
        line_post(
            [
                {"variant": setup["mug"].pk, "quantity": 1, "unit_cost": "1", "vat_rate": "8"},
                {"variant": setup["mug"].pk, "quantity": 2, "unit_cost": "1", "vat_rate": "8"},
            ],
            supplier=setup["supplier"].pk,
            warehouse=setup["hcm"].pk,
        ),
    )
    assert response.context["formset"].non_form_errors() == [
        "A product is on two lines: put the whole quantity on one line."
    ]
    response = client.post(
        reverse("inventory:purchase_order_create"),
        line_post([], supplier=setup["supplier"].pk, warehouse=setup["hcm"].pk),
    )
    assert response.context["formset"].non_form_errors() == ["Add at least one line."]
    assert PurchaseOrder.objects.count() == 0


def test_thb_costs_take_two_decimals(client, login_as, setup, settings):
    settings.SHOP_CURRENCY = "THB"
    login_as("manager")
    data = line_post(
        [{"variant": setup["shirt"].pk, "quantity": 2, "unit_cost": "85.555", "vat_rate": "7"}],
        supplier=setup["supplier"].pk,
        warehouse=setup["hcm"].pk,
    )
    response = client.post(reverse("inventory:purchase_order_create"), data)
    assert response.context["formset"].forms[0].errors["unit_cost"] == [
        "THB amounts have at most 2 decimals: “85.555”."
    ]
    data["lines-0-unit_cost"] = "85.55"
    client.post(reverse("inventory:purchase_order_create"), data)
    order = PurchaseOrder.objects.get()
    assert (order.currency, order.subtotal, order.vat_total, order.total) == (
        "THB",
        D("171.10"),
        D("11.98"),
        D("183.08"),
    )


def test_rows_removed_in_the_browser_leave_gaps_that_are_skipped(client, login_as, setup):
    login_as("manager")
    data = line_post(
        [
            {"variant": setup["shirt"].pk, "quantity": 2, "unit_cost": "80000", "vat_rate": "10"},
            {"variant": setup["mug"].pk, "quantity": 1, "unit_cost": "20000", "vat_rate": "8"},
        ],
        supplier=setup["supplier"].pk,
        warehouse=setup["hcm"].pk,
    )
    for key in [k for k in data if k.startswith("lines-0-")]:
        del data[key]
    client.post(reverse("inventory:purchase_order_create"), data)
    order = PurchaseOrder.objects.get()
    assert list(order.lines.values_list("variant__sku", "quantity")) == [("LY-01", 1)]


def test_add_line_renders_the_lines_again(client, login_as, setup):
    login_as("manager")
    existing = line_post(
        [{"variant": setup["shirt"].pk, "quantity": "7", "unit_cost": "80000", "vat_rate": "10"}]
    )
    existing["lines-TOTAL_FORMS"] = "3"  # rows 1 and 2 were removed in the browser
    response = client.post(
        reverse("inventory:purchase_order_line"), {**existing, "add_variant": setup["mug"].pk}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card card--flush" id="po-lines">')
    assert [(v.sku if v else None) for _i, _f, v, _a in response.context["rows"]] == [
        "AO-01",
        "LY-01",
    ]
    assert 'name="lines-TOTAL_FORMS" value="2"' in html
    assert 'name="lines-INITIAL_FORMS" value="0"' in html
    assert 'name="lines-0-quantity" value="7"' in html
    assert 'name="lines-1-unit_cost" value="20.000"' in html  # the variant's cost, as typed
    assert response.context["totals"].total == D("637600")  # 616000 + 21600
    again = client.post(
        reverse("inventory:purchase_order_line"),
        {**existing, "add_variant": setup["shirt"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert len(again.context["rows"]) == 1
    assert (
        "AO-01 is already on the order: change the quantity on its line." in again.content.decode()
    )


def test_preview_returns_totals_and_line_amounts(client, login_as, setup):
    login_as("manager")
    response = client.post(
        reverse("inventory:purchase_order_preview"),
        line_post(
            [
                {
                    "variant": setup["shirt"].pk,
                    "quantity": "3",
                    "unit_cost": "10333",
                    "vat_rate": "8",
                },
                {"variant": setup["mug"].pk, "quantity": "x", "unit_cost": "1", "vat_rate": "8"},
            ]
        ),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<dl class="totals" id="po-totals">')
    # The mug row is invalid (quantity "x"): left out of the totals, its amount blanked.
    assert "<dt>Subtotal</dt><dd>₫30,999</dd>" in html
    assert "<dt>VAT</dt><dd>₫2,480</dd>" in html
    assert '<dd class="grand">₫33,479</dd>' in html
    assert '<span id="line-amount-0" hx-swap-oob="true">₫33,479</span>' in html
    assert '<span id="line-amount-1" hx-swap-oob="true"></span>' in html


def test_edit_page_only_for_drafts(client, login_as, setup):
    login_as("manager")
    order = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 2, "80000")]
    )
    url = reverse("inventory:purchase_order_edit", args=[order.pk])
    page = client.get(url)
    assert 'name="lines-0-unit_cost" value="80.000"' in page.content.decode()
    assert 'name="lines-0-vat_rate" value="10"' in page.content.decode()
    response = client.post(
        url,
        line_post(
            [{"variant": setup["shirt"].pk, "quantity": 5, "unit_cost": "80000", "vat_rate": "10"}],
            supplier=setup["supplier"].pk,
            warehouse=setup["hcm"].pk,
        ),
    )
    assert response.status_code == 302
    assert order.lines.get().quantity == 5
    client.post(reverse("inventory:purchase_order_confirm", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == "confirmed"
    response = client.post(
        url,
        line_post(
            [{"variant": setup["shirt"].pk, "quantity": 9, "unit_cost": "1", "vat_rate": "10"}],
            supplier=setup["supplier"].pk,
            warehouse=setup["hcm"].pk,
        ),
        follow=True,
    )
    assert "PO000001 is Confirmed: only a draft order can be changed." in response.content.decode()
    assert order.lines.get().quantity == 5


def test_cancel_by_htmx_redirects_to_the_order(client, login_as, setup):
    login_as("manager")
    order = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 2, "80000")]
    )
    response = client.post(
        reverse("inventory:purchase_order_cancel", args=[order.pk]), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == reverse("inventory:purchase_order_detail", args=[order.pk])
    order.refresh_from_db()
    assert order.status == "cancelled"
    page = client.get(reverse("inventory:purchase_order_detail", args=[order.pk]))
    assert "PO000001 cancelled." in page.content.decode()
    assert page.context["actions"] == frozenset()


def test_detail_shows_lines_with_open_quantities(client, login_as, setup):
    login_as("warehouse")
    order = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(setup["shirt"], 10, "80000"), (setup["mug"], 3, "20000")],
        confirm=True,
    )
    shirt_line = order.lines.get(variant=setup["shirt"])
    goods_receipt_post(order_id=order.pk, lines=[ReceiptLineInput(shirt_line.pk, 4)])
    response = client.get(reverse("inventory:purchase_order_detail", args=[order.pk]))
    rows = [
        (r.line.variant.sku, r.line.quantity, r.line.quantity_received, r.line.quantity_open)
        for r in response.context["rows"]
    ]
    assert rows == [("AO-01", 10, 4, 6), ("LY-01", 3, 0, 3)]
    assert [r.number for r in response.context["receipts"]] == ["GR000001"]
    html = response.content.decode()
    assert reverse("inventory:goods_receipt_create", args=[order.pk]) in html
    assert reverse("inventory:purchase_order_edit", args=[order.pk]) not in html


def test_detail_query_count_does_not_grow_with_lines(
    client, login_as, setup, django_assert_num_queries
):
    login_as("manager")
    small = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(setup["shirt"], 2, "1")],
        confirm=True,
    )
    goods_receipt_post(order_id=small.pk, lines=[ReceiptLineInput(small.lines.get().pk, 1)])
    big = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(VariantFactory(), 3, "1") for _ in range(12)],
        confirm=True,
    )
    for line in big.lines.all()[:5]:
        goods_receipt_post(order_id=big.pk, lines=[ReceiptLineInput(line.pk, 1)])
    # session, user, 2 x permissions, order, lines, receipts, events
    with django_assert_num_queries(8):
        client.get(reverse("inventory:purchase_order_detail", args=[small.pk]))
    with django_assert_num_queries(8):
        response = client.get(reverse("inventory:purchase_order_detail", args=[big.pk]))
    assert len(response.context["rows"]) == 12
    assert len(response.context["receipts"]) == 5


def test_list_filters_and_query_count(client, login_as, setup, django_assert_num_queries):
    login_as("accountant")
    other = SupplierFactory(name="Siam Silk")
    draft = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 1, "1")]
    )
    confirmed = make_order(
        supplier=other, warehouse=setup["hcm"], lines=[(setup["mug"], 1, "1")], confirm=True
    )

    def numbers(params):
        response = client.get(reverse("inventory:purchase_order_list"), params)
        return [o.number for o in response.context["page"].items]

    assert numbers({}) == [confirmed.number, draft.number]
    assert numbers({"status": "draft"}) == [draft.number]
    assert numbers({"supplier": other.pk}) == [confirmed.number]
    assert numbers({"q": "0001"}) == [draft.number]
    # session, user, 2 x permissions, the page of orders, the supplier filter's choices
    with django_assert_num_queries(6) as first:
        client.get(reverse("inventory:purchase_order_list"))
    for _ in range(15):
        make_order(supplier=other, warehouse=setup["hcm"], lines=[(VariantFactory(), 2, "5")])
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("inventory:purchase_order_list"))
    assert len(response.context["page"].items) == 17
    fragment = client.get(
        reverse("inventory:purchase_order_list"), {"status": "confirmed"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.content.decode().lstrip().startswith('<section id="po-table"')
    assert "HX-Request" in fragment["Vary"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("purchase_order_list", "get"),
        ("purchase_order_create", "get"),
        ("purchase_order_detail", "get"),
        ("purchase_order_edit", "get"),
        ("purchase_order_confirm", "post"),
        ("purchase_order_cancel", "post"),
        ("purchase_order_pdf", "get"),
        ("purchase_order_preview", "post"),
        ("purchase_order_line", "post"),
    ],
)
def test_sales_gets_403_on_purchasing(client, login_as, setup, name, method):
    login_as("sales")
    order = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 1, "1")]
    )
    needs_pk = name not in {
        "purchase_order_list",
        "purchase_order_create",
        "purchase_order_preview",
        "purchase_order_line",
    }
    url = reverse(f"inventory:{name}", args=[order.pk] if needs_pk else [])
    assert getattr(client, method)(url).status_code == 403
    order.refresh_from_db()
    assert order.status == "draft"


def test_warehouse_staff_cannot_confirm_or_edit(client, login_as, setup):
    login_as("warehouse")
    order = make_order(
        supplier=setup["supplier"], warehouse=setup["hcm"], lines=[(setup["shirt"], 1, "1")]
    )
    assert (
        client.get(reverse("inventory:purchase_order_detail", args=[order.pk])).status_code == 200
    )
    assert (
        client.post(reverse("inventory:purchase_order_confirm", args=[order.pk])).status_code == 403
    )
    assert client.get(reverse("inventory:purchase_order_create")).status_code == 403
    order.refresh_from_db()
    assert order.status == "draft"


@pytest.mark.parametrize(
    ("language", "back"), [("vi", "Quay lại đơn mua hàng"), ("th", "กลับไปที่ใบสั่งซื้อ")]
)
def test_the_receipt_page_goes_back_to_the_purchase_order_in_each_language(
    client, login_as, setup, language, back
):
    login_as("warehouse")
    order = make_order(
        supplier=setup["supplier"],
        warehouse=setup["hcm"],
        lines=[(setup["shirt"], 10, "80000")],
        confirm=True,
    )
    html = client.get(
        reverse("inventory:goods_receipt_create", args=[order.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    detail = reverse("inventory:purchase_order_detail", args=[order.pk])
    assert f'<a href="{detail}">{back}</a>' in html
