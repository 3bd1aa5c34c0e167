import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.errors import DocumentStateError, InventoryError
from inventory.models import (
    DocumentSequence,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Variant,
)
from inventory.selectors.stock import ledger_mismatches
from inventory.services.purchasing import (
    OverReceipt,
    ReceiptLineInput,
    goods_receipt_post,
    moving_average_cost,
)
from inventory.services.stock import stock_receive
from tests.conftest import _clear_cache
from tests.inventory.factories import SupplierFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_purchasing import make_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def po(make_user):
    """A confirmed order for 20 shirts (some already in stock) and 6 mugs (none in stock)."""
    user = make_user("warehouse")
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    shirt = VariantFactory(sku="AO-01", cost_price=D("80000"))
    mug = VariantFactory(sku="LY-01", cost_price=D("0"))
    stock_receive(variant_id=shirt.pk, warehouse_id=hcm.pk, quantity=10, unit_cost=D("80000"))
    stock_receive(variant_id=shirt.pk, warehouse_id=hn.pk, quantity=5, unit_cost=D("80000"))
    order = make_order(
        supplier=SupplierFactory(),
        warehouse=hcm,
        lines=[(shirt, 20, "86000", "10"), (mug, 6, "50000", "8")],
        confirm=True,
    )
    return {
        "user": user,
        "hcm": hcm,
        "hn": hn,
        "shirt": shirt,
        "mug": mug,
        "order": order,
        "shirt_line": order.lines.get(variant=shirt),
        "mug_line": order.lines.get(variant=mug),
    }


def level(variant, warehouse):
    row = StockLevel.objects.filter(variant=variant, warehouse=warehouse).first()
    return row.on_hand if row else 0


def snapshot(po):
    po["order"].refresh_from_db()
    return {
        "status": po["order"].status,
        "received": sorted(po["order"].lines.values_list("pk", "quantity_received")),
        "levels": sorted(StockLevel.objects.values_list("variant_id", "warehouse_id", "on_hand")),
        "movements": StockMovement.objects.count(),
        "receipts": GoodsReceipt.objects.count(),
        "receipt_lines": GoodsReceiptLine.objects.count(),
        "costs": sorted(Variant.objects.values_list("pk", "cost_price")),
        "sequences": sorted(DocumentSequence.objects.values_list("prefix", "last_value")),
    }


def test_moving_average_rule():
    assert moving_average_cost(
        on_hand_before=15, old_cost=D("80000"), quantity=8, unit_cost=D("86000"), currency="VND"
    ) == D("82087")  # 1,888,000 / 23 = 82,086.96
    assert moving_average_cost(
        on_hand_before=0, old_cost=D("99999"), quantity=3, unit_cost=D("50000"), currency="VND"
    ) == D("50000")
    assert moving_average_cost(
        on_hand_before=3, old_cost=D("10.00"), quantity=4, unit_cost=D("12.50"), currency="THB"
    ) == D("11.43")  # 80 / 7 = 11.428...


def test_partial_then_full_receipt(po):
    user = po["user"]
    first_at = datetime(2026, 3, 5, 2, 30, tzinfo=UTC)
    first = goods_receipt_post(
        order_id=po["order"].pk,
        lines=[ReceiptLineInput(po["shirt_line"].pk, 8), ReceiptLineInput(po["mug_line"].pk, 0)],
        user_id=user.pk,
        notes="Phiếu giao 0012",
        now=first_at,
    )
    po["order"].refresh_from_db()
    po["shirt"].refresh_from_db()
    assert (first.number, first.warehouse, first.received_at, first.created_by) == (
        "GR000001",
        po["hcm"],
        first_at,
        user,
    )
    assert list(first.lines.values_list("order_line__variant__sku", "quantity", "unit_cost")) == [
        ("AO-01", 8, D("86000.00"))
    ]
    assert po["order"].status == "partial"
    assert sorted(po["order"].lines.values_list("variant__sku", "quantity_received")) == [
        ("AO-01", 8),
        ("LY-01", 0),
    ]
    assert (level(po["shirt"], po["hcm"]), level(po["shirt"], po["hn"])) == (18, 5)
    # (15 x 80,000 + 8 x 86,000) / 23 = 82,086.96 -> 82,087
    assert po["shirt"].cost_price == D("82087")
    movement = StockMovement.objects.latest("id")
    assert (
        movement.kind,
        movement.variant,
        movement.warehouse,
        movement.on_hand_delta,
        movement.on_hand_after,
        movement.unit_cost,
        movement.source_type,
        movement.source_id,
        movement.source_label,
        movement.created_by,
        movement.created_at,
    ) == (
        "receipt",
        po["shirt"],
        po["hcm"],
        8,
        18,
        D("86000.00"),
        "goods_receipt",
        str(first.pk),
        "GR000001",
        user,
        first_at,
    )

    second = goods_receipt_post(
        order_id=po["order"].pk,
        warehouse_id=po["hn"].pk,
        lines=[
            ReceiptLineInput(po["shirt_line"].pk, 12, D("90000")),
            ReceiptLineInput(po["mug_line"].pk, 6),
        ],
        user_id=user.pk,
    )
    po["order"].refresh_from_db()
    po["shirt"].refresh_from_db()
    po["mug"].refresh_from_db()
    assert (second.number, second.warehouse) == ("GR000002", po["hn"])
    assert po["order"].status == "received"
    assert sorted(po["order"].lines.values_list("variant__sku", "quantity_received")) == [
        ("AO-01", 20),
        ("LY-01", 6),
    ]
    assert (level(po["shirt"], po["hcm"]), level(po["shirt"], po["hn"])) == (18, 17)
    assert (level(po["mug"], po["hcm"]), level(po["mug"], po["hn"])) == (0, 6)
    # (23 x 82,087 + 12 x 90,000) / 35 = 84,800.03 -> 84,800; the mugs had no stock: 50,000.
    assert (po["shirt"].cost_price, po["mug"].cost_price) == (D("84800"), D("50000"))
    ledger = list(
        StockMovement.objects.filter(source_type="goods_receipt")
        .order_by("id")
        .values_list(
            "variant__sku", "warehouse__code", "on_hand_delta", "unit_cost", "source_label"
        )
    )
    assert ledger == [
        ("AO-01", "HCM01", 8, D("86000.00"), "GR000001"),
        ("AO-01", "HN01", 12, D("90000.00"), "GR000002"),
        ("LY-01", "HN01", 6, D("50000.00"), "GR000002"),
    ]
    assert ledger_mismatches() == []
    with pytest.raises(DocumentStateError) as error:
        goods_receipt_post(order_id=po["order"].pk, lines=[ReceiptLineInput(po["mug_line"].pk, 1)])
    assert str(error.value) == (
        "PO000001 is Received: goods can only be received on a confirmed order."
    )


def test_over_receipt_is_refused_and_changes_nothing(po):
    goods_receipt_post(order_id=po["order"].pk, lines=[ReceiptLineInput(po["shirt_line"].pk, 8)])
    before = snapshot(po)
    with pytest.raises(OverReceipt) as error:
        goods_receipt_post(
            order_id=po["order"].pk,
            lines=[
                ReceiptLineInput(po["mug_line"].pk, 6),  # fine on its own
                ReceiptLineInput(po["shirt_line"].pk, 13),  # 12 open
            ],
            user_id=po["user"].pk,
        )
    assert str(error.value) == "Cannot receive 13 of AO-01: only 12 still open on PO000001."
    assert snapshot(po) == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "Enter a quantity to receive on at least one line."),
        ([("shirt_line", 0)], "Enter a quantity to receive on at least one line."),
        ([("shirt_line", -1)], "A quantity to receive cannot be negative."),
        ([("shirt_line", 1), ("shirt_line", 1)], "An order line appears twice in the receipt."),
        ([("other_line", 1)], "A receipt line is not on purchase order PO000001."),
    ],
)
def test_bad_receipts_change_nothing(po, lines, message):
    other = make_order(
        supplier=SupplierFactory(), warehouse=po["hcm"], lines=[(po["mug"], 1, "1")], confirm=True
    )
    po["other_line"] = other.lines.get()
    before = snapshot(po)
    with pytest.raises(InventoryError) as error:
        goods_receipt_post(
            order_id=po["order"].pk,
            lines=[ReceiptLineInput(po[key].pk, quantity) for key, quantity in lines],
        )
    assert str(error.value) == message
    assert snapshot(po) == before


def test_no_receipt_on_a_draft_or_into_an_inactive_warehouse(po):
    draft = make_order(supplier=SupplierFactory(), warehouse=po["hcm"], lines=[(po["mug"], 1, "1")])
    with pytest.raises(DocumentStateError):
        goods_receipt_post(order_id=draft.pk, lines=[ReceiptLineInput(draft.lines.get().pk, 1)])
    closed = WarehouseFactory(code="OLD", is_active=False)
    before = snapshot(po)
    with pytest.raises(InventoryError) as error:
        goods_receipt_post(
            order_id=po["order"].pk,
            warehouse_id=closed.pk,
            lines=[ReceiptLineInput(po["mug_line"].pk, 1)],
        )
    assert str(error.value) == "The warehouse OLD is inactive."
    assert snapshot(po) == before


# --- Pages ------------------------------------------------------------------------------------


def receipt_post(rows, warehouse, notes="", token=None):
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(len(rows)),
        "warehouse": str(warehouse.pk),
        "notes": notes,
        "token": token or uuid.uuid4().hex,
    }
    for i, (line, quantity, cost) in enumerate(rows):
        data[f"lines-{i}-order_line"] = str(line.pk)
        data[f"lines-{i}-quantity"] = str(quantity)
        data[f"lines-{i}-unit_cost"] = cost
    return data


def test_receipt_page_defaults_to_the_open_quantities(client, login_as, po):
    login_as("warehouse")
    goods_receipt_post(order_id=po["order"].pk, lines=[ReceiptLineInput(po["shirt_line"].pk, 8)])
    response = client.get(reverse("inventory:goods_receipt_create", args=[po["order"].pk]))
    assert response.status_code == 200
    initial = [
        (f.initial["order_line"], f.initial["quantity"], f.initial["unit_cost"])
        for f, _line in response.context["rows"]
    ]
    assert initial == [(po["shirt_line"].pk, 12, "86.000"), (po["mug_line"].pk, 6, "50.000")]
    assert response.context["form"]["warehouse"].value() == po["hcm"].pk


def test_posting_from_the_page(client, login_as, po):
    user = login_as("warehouse")
    response = client.post(
        reverse("inventory:goods_receipt_create", args=[po["order"].pk]),
        receipt_post(
            [(po["shirt_line"], 20, "86000"), (po["mug_line"], 2, "49000")],
            po["hn"],
            notes="Thiếu 4 ly",
        ),
    )
    receipt = GoodsReceipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:goods_receipt_detail", args=[receipt.pk])
    assert (receipt.warehouse, receipt.created_by, receipt.notes) == (po["hn"], user, "Thiếu 4 ly")
    po["order"].refresh_from_db()
    assert po["order"].status == "partial"
    assert (level(po["shirt"], po["hn"]), level(po["mug"], po["hn"])) == (25, 2)
    detail = client.get(response["Location"])
    assert "Goods receipt GR000001 posted: stock of HN01 raised." in detail.content.decode()


def test_the_same_form_sent_twice_receives_once(client, login_as, po):
    login_as("warehouse")
    page = client.get(reverse("inventory:goods_receipt_create", args=[po["order"].pk]))
    token = page.context["form"]["token"].value()
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert f'<input type="hidden" name="token" value="{token}"' in page.content.decode()
    data = receipt_post(
        [(po["shirt_line"], 5, "86000"), (po["mug_line"], 0, "50000")], po["hcm"], token=token
    )
    url = reverse("inventory:goods_receipt_create", args=[po["order"].pk])
    first = client.post(url, data)
    receipt = GoodsReceipt.objects.get()
    assert (first.status_code, first["Location"]) == (
        302,
        reverse("inventory:goods_receipt_detail", args=[receipt.pk]),
    )
    assert receipt.idempotency_token == token
    before = snapshot(po)
    _clear_cache()  # the token lives in the database, not in the cache
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(first["Location"], 302)]
    assert (
        "Goods receipt GR000001 was already posted from this form; nothing was received again."
        in (again.content.decode())
    )
    assert snapshot(po) == before
    assert PurchaseOrderLine.objects.get(pk=po["shirt_line"].pk).quantity_received == 5


def test_the_same_form_sent_again_after_the_order_is_received_answers_its_receipt(
    client, login_as, po
):
    login_as("warehouse")
    url = reverse("inventory:goods_receipt_create", args=[po["order"].pk])
    data = receipt_post([(po["shirt_line"], 20, "86000"), (po["mug_line"], 6, "50000")], po["hcm"])
    first = client.post(url, data)
    assert first.status_code == 302
    before = snapshot(po)
    assert before["status"] == "received"
    again = client.post(url, data)
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    assert snapshot(po) == before
    fresh = client.post(url, receipt_post([(po["shirt_line"], 1, "86000")], po["hcm"]))
    assert fresh.status_code == 200
    assert fresh.context["form"].non_field_errors() == [
        "PO000001 is Received: goods can only be received on a confirmed order."
    ]
    assert snapshot(po) == before


def test_a_token_already_used_returns_its_receipt_and_changes_nothing(po):
    lines = [ReceiptLineInput(po["shirt_line"].pk, 4)]
    first = goods_receipt_post(order_id=po["order"].pk, lines=lines, token="a" * 32)
    before = snapshot(po)
    # Even with other lines, or once the order is fully received: the first answer, again.
    again = goods_receipt_post(
        order_id=po["order"].pk,
        lines=[ReceiptLineInput(po["mug_line"].pk, 6)],
        token="a" * 32,
    )
    assert again.pk == first.pk
    assert snapshot(po) == before
    other = goods_receipt_post(order_id=po["order"].pk, lines=lines, token="b" * 32)
    assert (other.pk != first.pk, other.number) == (True, "GR000002")
    assert PurchaseOrderLine.objects.get(pk=po["shirt_line"].pk).quantity_received == 8
    # Receipts without a token (the demo, older callers) are never taken for one another.
    goods_receipt_post(order_id=po["order"].pk, lines=lines)
    goods_receipt_post(order_id=po["order"].pk, lines=lines)
    assert list(
        GoodsReceipt.objects.order_by("pk").values_list("idempotency_token", flat=True)
    ) == [
        "a" * 32,
        "b" * 32,
        "",
        "",
    ]


def test_a_refused_form_can_be_corrected_and_sent_again(client, login_as, po):
    login_as("warehouse")
    url = reverse("inventory:goods_receipt_create", args=[po["order"].pk])
    token = uuid.uuid4().hex
    rows = [(po["shirt_line"], 25, "86000"), (po["mug_line"], 0, "50000")]
    assert client.post(url, receipt_post(rows, po["hcm"], token=token)).status_code == 200
    rows[0] = (po["shirt_line"], 20, "86000")
    assert client.post(url, receipt_post(rows, po["hcm"], token=token)).status_code == 302
    assert GoodsReceipt.objects.count() == 1


def test_over_receipt_from_the_page_shows_the_error(client, login_as, po):
    login_as("warehouse")
    before = snapshot(po)
    response = client.post(
        reverse("inventory:goods_receipt_create", args=[po["order"].pk]),
        receipt_post([(po["shirt_line"], 21, "86000"), (po["mug_line"], 0, "50000")], po["hcm"]),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cannot receive 21 of AO-01: only 20 still open on PO000001."
    ]
    assert snapshot(po) == before


def test_vnd_cost_is_read_the_way_staff_type_it(client, login_as, po):
    """ "86.000" is eighty-six thousand dong (the Vietnamese thousands dot), never 86."""
    login_as("warehouse")
    response = client.post(
        reverse("inventory:goods_receipt_create", args=[po["order"].pk]),
        receipt_post([(po["shirt_line"], 1, "86.000"), (po["mug_line"], 0, "50000")], po["hcm"]),
    )
    assert response.status_code == 302
    assert list(GoodsReceiptLine.objects.values_list("quantity", "unit_cost")) == [(1, D("86000"))]


def test_vnd_cost_with_decimals_is_refused(client, login_as, po):
    login_as("manager")  # values at cost: test_costs_visibility for warehouse
    before = snapshot(po)
    response = client.post(
        reverse("inventory:goods_receipt_create", args=[po["order"].pk]),
        receipt_post([(po["shirt_line"], 1, "86.5"), (po["mug_line"], 0, "50000")], po["hcm"]),
    )
    assert response.context["formset"].forms[0].errors["unit_cost"] == [
        "VND amounts have no decimals: “86.5”."
    ]
    assert snapshot(po) == before


def test_receipt_list_detail_and_query_counts(client, login_as, po, django_assert_num_queries):
    login_as("accountant")
    goods_receipt_post(order_id=po["order"].pk, lines=[ReceiptLineInput(po["shirt_line"].pk, 2)])
    goods_receipt_post(
        order_id=po["order"].pk,
        warehouse_id=po["hn"].pk,
        lines=[ReceiptLineInput(po["shirt_line"].pk, 3), ReceiptLineInput(po["mug_line"].pk, 1)],
    )
    response = client.get(reverse("inventory:goods_receipt_list"))
    rows = [(r.number, r.warehouse.code, r.units, r.value) for r in response.context["page"].items]
    assert rows == [
        ("GR000002", "HN01", 4, D("308000.00")),
        ("GR000001", "HCM01", 2, D("172000.00")),
    ]
    filtered = client.get(reverse("inventory:goods_receipt_list"), {"warehouse": po["hn"].pk})
    assert [r.number for r in filtered.context["page"].items] == ["GR000002"]
    searched = client.get(reverse("inventory:goods_receipt_list"), {"q": "gr000001"})
    assert [r.number for r in searched.context["page"].items] == ["GR000001"]
    # session, user, 2 x permissions, receipts, warehouse and supplier filter choices
    with django_assert_num_queries(7) as first:
        client.get(reverse("inventory:goods_receipt_list"))
    for _ in range(10):
        goods_receipt_post(
            order_id=po["order"].pk, lines=[ReceiptLineInput(po["shirt_line"].pk, 1)]
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("inventory:goods_receipt_list"))
    receipt = GoodsReceipt.objects.get(number="GR000002")
    with django_assert_num_queries(6):  # session, user, 2 x permissions, receipt, lines
        detail = client.get(reverse("inventory:goods_receipt_detail", args=[receipt.pk]))
    assert [
        (line.order_line.variant.sku, line.quantity)
        for line in detail.context["receipt"].lines.all()
    ] == [
        ("AO-01", 3),
        ("LY-01", 1),
    ]


def test_receipt_pages_permissions(client, login_as, po):
    login_as("sales")
    order_id = po["order"].pk
    assert client.get(reverse("inventory:goods_receipt_list")).status_code == 403
    assert client.get(reverse("inventory:goods_receipt_create", args=[order_id])).status_code == 403
    client.logout()
    login_as("accountant")  # may read receipts, may not post them
    url = reverse("inventory:goods_receipt_create", args=[order_id])
    before = snapshot(po)
    assert client.post(url, receipt_post([(po["mug_line"], 1, "1")], po["hcm"])).status_code == 403
    assert snapshot(po) == before
