from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.demand import demand_by_variant, register_demand_provider, unregister_demand_provider
from inventory.errors import InventoryError
from inventory.models import PurchaseOrder, StockLevel, Variant
from inventory.selectors.purchasing import reorder_suggestions
from inventory.services.purchasing import (
    ReceiptLineInput,
    goods_receipt_post,
    reorder_create_drafts,
    variant_set_preferred_supplier,
)
from inventory.services.stock import stock_receive, stock_reserve
from tests.inventory.factories import (
    ProductFactory,
    SupplierFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.inventory.factories_purchasing import make_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demand():
    """A fake demand provider registered for the test (the orders app registers the real one)."""
    needs: dict[int, int] = {}

    def provider() -> dict[int, int]:
        return dict(needs)

    register_demand_provider(provider)
    yield needs
    unregister_demand_provider(provider)


@pytest.fixture
def shop(demand):
    hcm = WarehouseFactory(code="HCM01")
    hn = WarehouseFactory(code="HN01", kind="branch")
    saigon = SupplierFactory(name="Công ty May Sài Gòn")
    bangkok = SupplierFactory(name="Bangkok Textiles")
    gone = SupplierFactory(name="Closed Supplier", is_active=False)

    def variant(sku, threshold, supplier, **kw):
        return VariantFactory(
            sku=sku, low_stock_threshold=threshold, preferred_supplier=supplier, **kw
        )

    v1 = variant("V1", 10, saigon, cost_price=D("80000"), vat_rate=D("10"))
    stock_receive(variant_id=v1.pk, warehouse_id=hcm.pk, quantity=4)
    stock_reserve(variant_id=v1.pk, warehouse_id=hcm.pk, quantity=1)  # available 3
    v2 = variant("V2", 5, saigon, cost_price=D("20000"), vat_rate=D("8"))
    stock_receive(variant_id=v2.pk, warehouse_id=hn.pk, quantity=5)  # exactly at the threshold
    # Every level of V3 has its own threshold: the variant's 9 does not count.
    v3 = variant("V3", 9, bangkok, cost_price=D("35000"))
    stock_receive(variant_id=v3.pk, warehouse_id=hn.pk, quantity=1)
    StockLevel.objects.filter(variant=v3, warehouse=hn).update(low_stock_threshold=4)
    v4 = variant("V4", 3, None)  # never stocked, no supplier
    v5 = variant("V5", 0, bangkok, cost_price=D("12000"))  # only demand
    demand[v5.pk] = 4
    v6 = variant("V6", 10, saigon)
    stock_receive(variant_id=v6.pk, warehouse_id=hcm.pk, quantity=50)  # plenty
    variant("V7", 10, saigon, is_active=False)  # inactive: never suggested
    v8 = variant("V8", 2, gone)  # its supplier is inactive: must be reassigned
    # V9: HCM has its own threshold 3, HN uses the variant's 4: 7 for the shop.
    v9 = variant("V9", 4, saigon)
    stock_receive(variant_id=v9.pk, warehouse_id=hcm.pk, quantity=1)
    stock_receive(variant_id=v9.pk, warehouse_id=hn.pk, quantity=3)
    StockLevel.objects.filter(variant=v9, warehouse=hcm).update(low_stock_threshold=3)
    v10 = variant("V10", 4, saigon)  # same thresholds, 8 available: not short
    stock_receive(variant_id=v10.pk, warehouse_id=hcm.pk, quantity=2)
    stock_receive(variant_id=v10.pk, warehouse_id=hn.pk, quantity=6)
    StockLevel.objects.filter(variant=v10, warehouse=hcm).update(low_stock_threshold=3)
    # Incoming: a confirmed order still bringing 5 of V1 (1 of 6 received).
    incoming = make_order(supplier=saigon, warehouse=hcm, lines=[(v1, 6, "80000")], confirm=True)
    goods_receipt_post(order_id=incoming.pk, lines=[ReceiptLineInput(incoming.lines.get().pk, 1)])
    # available V1 is now 4 (5 on hand, 1 reserved); incoming 5.
    # A draft already holds 3 of V2; a cancelled order counts for nothing.
    make_order(supplier=saigon, warehouse=hcm, lines=[(v2, 3, "20000")])
    cancelled = make_order(supplier=saigon, warehouse=hcm, lines=[(v6, 99, "1")], confirm=True)
    cancelled.status = "cancelled"
    cancelled.save()
    return {
        "hcm": hcm,
        "hn": hn,
        "saigon": saigon,
        "bangkok": bangkok,
        "v1": v1,
        "v2": v2,
        "v3": v3,
        "v4": v4,
        "v5": v5,
        "v8": v8,
        "demand": demand,
    }


def plan_rows(plan):
    return [
        (
            group.supplier.name if group.supplier else None,
            [
                (
                    line.variant.sku,
                    line.available,
                    line.incoming,
                    line.threshold,
                    line.demand,
                    line.suggested,
                    line.in_drafts,
                    line.to_order,
                )
                for line in group.lines
            ],
        )
        for group in plan.groups
    ]


def test_suggestions_grouped_by_preferred_supplier(shop):
    assert plan_rows(reorder_suggestions()) == [
        # (sku, available, incoming, threshold, demand, suggested, in drafts, to order)
        (None, [("V4", 0, 0, 3, 0, 6, 0, 6), ("V8", 0, 0, 2, 0, 4, 0, 4)]),
        ("Bangkok Textiles", [("V3", 1, 0, 4, 0, 7, 0, 7), ("V5", 0, 0, 0, 4, 4, 0, 4)]),
        (
            "Công ty May Sài Gòn",
            [
                ("V1", 4, 5, 10, 0, 11, 0, 11),  # 4 + 5 <= 10: 2 x 10 - 9
                ("V2", 5, 0, 5, 0, 5, 3, 2),  # at the threshold; 3 already on a draft
                ("V9", 4, 0, 7, 0, 10, 0, 10),
            ],
        ),
    ]


def test_demand_raises_the_suggestion_above_the_refill(shop):
    shop["demand"][shop["v1"].pk] = 30
    rows = dict(plan_rows(reorder_suggestions()))["Công ty May Sài Gòn"]
    # demand 30, of which the 5 incoming units cover 5: 25 (more than the refill of 11)
    assert rows[0] == ("V1", 4, 5, 10, 30, 25, 0, 25)


def test_demand_providers_are_summed():
    def first():
        return {1: 2, 2: 0}

    def second():
        return {1: 3, 3: -1}

    register_demand_provider(first)
    register_demand_provider(second)
    register_demand_provider(first)  # registering twice changes nothing
    try:
        assert demand_by_variant() == {1: 5}
    finally:
        unregister_demand_provider(first)
        unregister_demand_provider(second)
    assert demand_by_variant() == {}


def test_drafts_one_per_supplier_in_one_go(shop, make_user):
    user = make_user("manager")
    created = reorder_create_drafts(warehouse_id=shop["hn"].pk, user_id=user.pk)
    assert [(o.number, o.supplier.name, o.status, o.warehouse, o.created_by) for o in created] == [
        ("PO000004", "Bangkok Textiles", "draft", shop["hn"], user),
        ("PO000005", "Công ty May Sài Gòn", "draft", shop["hn"], user),
    ]
    lines = {
        o.number: list(
            o.lines.order_by("variant__sku").values_list(
                "variant__sku", "quantity", "unit_cost", "vat_rate"
            )
        )
        for o in created
    }
    assert lines == {
        "PO000004": [("V3", 7, D("35000.00"), D("10.00")), ("V5", 4, D("12000.00"), D("10.00"))],
        "PO000005": [
            ("V1", 11, D("80000.00"), D("10.00")),
            ("V2", 2, D("20000.00"), D("8.00")),
            ("V9", 10, D("80000.00"), D("10.00")),
        ],
    }
    bangkok = created[0]
    bangkok.refresh_from_db()
    assert (bangkok.subtotal, bangkok.vat_total, bangkok.total) == (
        D("293000"),
        D("29300"),
        D("322300"),
    )
    # Everything is on drafts now: drafting again adds nothing.
    assert reorder_create_drafts(warehouse_id=shop["hn"].pk, user_id=user.pk) == []
    assert PurchaseOrder.objects.count() == 5
    # The unassigned variants stay suggested until they get a supplier.
    assert plan_rows(reorder_suggestions())[0][0] is None


def test_drafts_for_one_supplier_only(shop):
    created = reorder_create_drafts(
        warehouse_id=shop["hcm"].pk, user_id=None, supplier_ids=[shop["bangkok"].pk]
    )
    assert [o.supplier for o in created] == [shop["bangkok"]]


def test_assigning_a_supplier_moves_the_variant(shop):
    assert (
        variant_set_preferred_supplier(variant_ids=[shop["v4"].pk], supplier_id=shop["bangkok"].pk)
        == 1
    )
    groups = dict(plan_rows(reorder_suggestions()))
    assert [row[0] for row in groups[None]] == ["V8"]
    assert [row[0] for row in groups["Bangkok Textiles"]] == ["V3", "V4", "V5"]
    gone = shop["v8"].preferred_supplier
    with pytest.raises(InventoryError) as error:
        variant_set_preferred_supplier(variant_ids=[shop["v4"].pk], supplier_id=gone.pk)
    assert str(error.value) == "The supplier Closed Supplier is inactive."
    with pytest.raises(InventoryError) as error:
        variant_set_preferred_supplier(
            variant_ids=[shop["v5"].pk, 999_999], supplier_id=shop["saigon"].pk
        )
    assert str(error.value) == "A product to assign no longer exists."
    assert Variant.objects.get(pk=shop["v4"].pk).preferred_supplier == shop["bangkok"]
    assert Variant.objects.get(pk=shop["v5"].pk).preferred_supplier == shop["bangkok"]


# --- Page -------------------------------------------------------------------------------------


def test_page_and_htmx_drafting(client, login_as, shop):
    login_as("manager")
    page = client.get(reverse("inventory:reorder_suggestions"))
    assert page.status_code == 200
    assert page.context["draft_form"].initial["warehouse"] == shop["hcm"]
    assert [len(g.lines) for g in page.context["plan"].groups] == [2, 2, 3]
    response = client.post(
        reverse("inventory:reorder_create_drafts"),
        {"warehouse": shop["hcm"].pk, "supplier": shop["saigon"].pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="reorder-plan">')
    assert "Draft purchase orders created: PO000004." in html
    created = PurchaseOrder.objects.get(number="PO000004")
    assert created.supplier == shop["saigon"]
    detail_url = reverse("inventory:purchase_order_detail", args=[created.pk])
    assert f'<a class="mono" href="{detail_url}">PO000004</a>' in html
    # The Saigon lines now show as on drafts, with nothing left to order.
    saigon_button = (
        f'<button type="submit" form="reorder-drafts" name="supplier" '
        f'value="{shop["saigon"].pk}" class="btn btn--small" disabled>'
    )
    assert saigon_button in html


def test_page_assigns_a_supplier(client, login_as, shop):
    login_as("manager")
    response = client.post(
        reverse("inventory:reorder_assign_supplier"),
        {"variant": shop["v4"].pk, "supplier": shop["saigon"].pk},
    )
    assert response.status_code == 302
    assert Variant.objects.get(pk=shop["v4"].pk).preferred_supplier == shop["saigon"]


def test_page_query_count_is_constant(client, login_as, shop, django_assert_num_queries):
    login_as("owner")
    with django_assert_num_queries(11) as first:
        client.get(reverse("inventory:reorder_suggestions"))
    for n in range(12):
        v = VariantFactory(
            sku=f"X{n:02d}",
            low_stock_threshold=5,
            preferred_supplier=shop["bangkok"] if n % 2 else None,
            product=ProductFactory(),
        )
        stock_receive(variant_id=v.pk, warehouse_id=shop["hcm"].pk, quantity=1)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("inventory:reorder_suggestions"))
    assert sum(len(g.lines) for g in response.context["plan"].groups) == 19


def test_permissions(client, login_as, shop):
    login_as("sales")
    assert client.get(reverse("inventory:reorder_suggestions")).status_code == 403
    client.logout()
    login_as("warehouse")  # may look, may neither draft orders nor change products
    assert client.get(reverse("inventory:reorder_suggestions")).status_code == 200
    assert (
        client.post(
            reverse("inventory:reorder_create_drafts"), {"warehouse": shop["hcm"].pk}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("inventory:reorder_assign_supplier"),
            {"variant": shop["v4"].pk, "supplier": shop["saigon"].pk},
        ).status_code
        == 403
    )
    assert PurchaseOrder.objects.count() == 3
    assert Variant.objects.get(pk=shop["v4"].pk).preferred_supplier is None
