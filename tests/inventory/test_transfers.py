"""Transfer services: draft -> sent -> received, cancel, and the ledger at both ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inventory.errors import DocumentStateError, InsufficientStock
from inventory.models import StockMovement, Transfer, TransferLine
from inventory.selectors.movements import transfer_history, transfer_lines
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import stock_reserve
from inventory.services.transfers import (
    TransferInvalid,
    TransferLineInput,
    transfer_cancel,
    transfer_create,
    transfer_receive,
    transfer_send,
    transfer_update,
)
from tests.inventory.factories import ProductFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_movements import ledger, level, levels, put

pytestmark = pytest.mark.django_db

SENT_AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
RECEIVED_AT = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def world(make_user):
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    shirt = ProductFactory(name="Áo thun")
    red = VariantFactory(product=shirt, sku="AO-RED", option1="Đỏ")
    mug = VariantFactory(product=ProductFactory(name="Ly sứ"), sku="LY-01")
    put(red, hcm, 10)
    put(mug, hcm, 3)
    put(red, hn, 2)
    user = make_user("warehouse")
    return {"hcm": hcm, "hn": hn, "red": red, "mug": mug, "user": user}


def draft(world, *lines, source="hcm", destination="hn"):
    return transfer_create(
        source_id=world[source].pk,
        destination_id=world[destination].pk,
        lines=[TransferLineInput(variant_id=v.pk, quantity=q) for v, q in lines],
        notes="  Hàng cho chi nhánh  ",
        user_id=world["user"].pk,
    )


def test_full_life_moves_exact_stock_and_ledger_at_both_ends(world):
    red, mug, user = world["red"], world["mug"], world["user"]
    transfer = draft(world, (red, 4), (mug, 3))
    assert (transfer.number, transfer.status, transfer.notes) == (
        "TR000001",
        "draft",
        "Hàng cho chi nhánh",
    )
    assert list(transfer.lines.order_by("pk").values_list("variant__sku", "quantity")) == [
        ("AO-RED", 4),
        ("LY-01", 3),
    ]
    assert ledger("transfer") == []

    transfer_send(transfer_id=transfer.pk, user_id=user.pk, now=SENT_AT)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.sent_at, transfer.received_at) == ("sent", SENT_AT, None)
    # In transit: gone from the source, not yet at the destination.
    assert levels() == {
        ("AO-RED", "HCM01"): (6, 0),
        ("LY-01", "HCM01"): (0, 0),
        ("AO-RED", "HN01"): (2, 0),
    }
    assert ledger("transfer") == [
        ("transfer_out", "HCM01", "AO-RED", -4, 6, "TR000001"),
        ("transfer_out", "HCM01", "LY-01", -3, 0, "TR000001"),
    ]

    transfer_receive(transfer_id=transfer.pk, user_id=user.pk, now=RECEIVED_AT)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.received_at) == ("received", RECEIVED_AT)
    assert levels() == {
        ("AO-RED", "HCM01"): (6, 0),
        ("LY-01", "HCM01"): (0, 0),
        ("AO-RED", "HN01"): (6, 0),
        ("LY-01", "HN01"): (3, 0),
    }
    assert ledger("transfer") == [
        ("transfer_out", "HCM01", "AO-RED", -4, 6, "TR000001"),
        ("transfer_out", "HCM01", "LY-01", -3, 0, "TR000001"),
        ("transfer_in", "HN01", "AO-RED", 4, 6, "TR000001"),
        ("transfer_in", "HN01", "LY-01", 3, 3, "TR000001"),
    ]
    rows = StockMovement.objects.filter(source_type="transfer").order_by("pk")
    assert {(m.source_id, m.created_by_id) for m in rows} == {(str(transfer.pk), user.pk)}
    assert [m.created_at for m in rows] == [SENT_AT, SENT_AT, RECEIVED_AT, RECEIVED_AT]
    assert [(m.reason, m.reason_code, m.reason_args) for m in rows] == [
        ("", "transfer_to", {"warehouse": "HN01"}),
        ("", "transfer_to", {"warehouse": "HN01"}),
        ("", "transfer_from", {"warehouse": "HCM01"}),
        ("", "transfer_from", {"warehouse": "HCM01"}),
    ]
    assert [m.reason_text for m in rows] == ["To HN01", "To HN01", "From HCM01", "From HCM01"]
    history = transfer_history(transfer=transfer)
    assert [(e.kind, e.warehouse_code, e.units, e.lines, e.at) for e in history] == [
        ("sent", "HCM01", 7, 2, SENT_AT),
        ("received", "HN01", 7, 2, RECEIVED_AT),
    ]
    assert ledger_mismatches() == []


def test_shortage_refuses_the_whole_send_and_changes_nothing(world):
    red, mug, hcm = world["red"], world["mug"], world["hcm"]
    stock_reserve(variant_id=red.pk, warehouse_id=hcm.pk, quantity=7)  # 3 available
    transfer = draft(world, (mug, 2), (red, 4))
    before = levels()
    with pytest.raises(InsufficientStock) as error:
        transfer_send(transfer_id=transfer.pk, user_id=world["user"].pk)
    assert str(error.value) == "Insufficient stock for AO-RED in HCM01: 4 requested, 3 available."
    transfer.refresh_from_db()
    assert (transfer.status, transfer.sent_at) == ("draft", None)
    assert levels() == before
    assert ledger("transfer") == []
    assert ledger_mismatches() == []


def test_double_send_moves_stock_once(world):
    transfer = draft(world, (world["red"], 4))
    transfer_send(transfer_id=transfer.pk, now=SENT_AT)
    with pytest.raises(DocumentStateError) as error:
        transfer_send(transfer_id=transfer.pk)
    assert str(error.value) == "Transfer TR000001 is “Sent”. Only a draft transfer can be sent."
    assert level(world["red"], world["hcm"]) == (6, 0)
    assert StockMovement.objects.filter(source_type="transfer").count() == 1
    transfer.refresh_from_db()
    assert transfer.sent_at == SENT_AT
    assert ledger_mismatches() == []


def test_receive_needs_a_sent_transfer_and_happens_once(world):
    transfer = draft(world, (world["red"], 1))
    with pytest.raises(DocumentStateError, match="Only a sent transfer can be received"):
        transfer_receive(transfer_id=transfer.pk)
    transfer_send(transfer_id=transfer.pk)
    transfer_receive(transfer_id=transfer.pk)
    with pytest.raises(DocumentStateError, match="is “Received”"):
        transfer_receive(transfer_id=transfer.pk)
    assert level(world["red"], world["hn"]) == (3, 0)
    assert StockMovement.objects.filter(kind="transfer_in").count() == 1
    assert ledger_mismatches() == []


def test_cancel_from_sent_returns_the_units_to_the_source_exactly(world):
    red, mug, hcm = world["red"], world["mug"], world["hcm"]
    before = levels()
    transfer = draft(world, (red, 4), (mug, 3))
    transfer_send(transfer_id=transfer.pk, user_id=world["user"].pk)
    transfer_cancel(transfer_id=transfer.pk, user_id=world["user"].pk)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    assert levels() == before
    assert level(mug, world["hn"]) is None  # nothing ever reached the destination
    assert ledger("transfer") == [
        ("transfer_out", "HCM01", "AO-RED", -4, 6, "TR000001"),
        ("transfer_out", "HCM01", "LY-01", -3, 0, "TR000001"),
        ("transfer_in", "HCM01", "AO-RED", 4, 10, "TR000001"),
        ("transfer_in", "HCM01", "LY-01", 3, 3, "TR000001"),
    ]
    returned = StockMovement.objects.filter(source_type="transfer", kind="transfer_in")
    assert set(returned.values_list("reason", "reason_code", "warehouse_id")) == {
        ("", "transfer_cancelled", hcm.pk)
    }
    assert {m.reason_text for m in returned} == {"Returned: transfer cancelled"}
    assert [e.kind for e in transfer_history(transfer=transfer)] == ["sent", "returned"]
    with pytest.raises(DocumentStateError, match="Only a sent transfer can be received"):
        transfer_receive(transfer_id=transfer.pk)
    assert levels() == before
    assert ledger_mismatches() == []


def test_cancel_from_draft_moves_nothing_and_received_cannot_be_cancelled(world):
    transfer = draft(world, (world["red"], 4))
    transfer_cancel(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    assert ledger("transfer") == []
    with pytest.raises(DocumentStateError, match="Only a draft transfer can be sent"):
        transfer_send(transfer_id=transfer.pk)

    other = draft(world, (world["mug"], 1))
    transfer_send(transfer_id=other.pk)
    transfer_receive(transfer_id=other.pk)
    with pytest.raises(DocumentStateError) as error:
        transfer_cancel(transfer_id=other.pk)
    assert str(error.value) == (
        "Transfer TR000002 is “Received”. Only a draft or sent transfer can be cancelled."
    )
    assert level(world["mug"], world["hn"]) == (1, 0)
    assert ledger_mismatches() == []


def test_create_rules(world):
    red, mug = world["red"], world["mug"]
    with pytest.raises(TransferInvalid, match="Choose two different warehouses"):
        draft(world, (red, 1), destination="hcm")
    with pytest.raises(TransferInvalid, match="at least one product"):
        draft(world)
    with pytest.raises(TransferInvalid, match="whole number from 1"):
        draft(world, (red, 0))
    closed = WarehouseFactory(code="OLD", is_active=False)
    world["closed"] = closed
    with pytest.raises(TransferInvalid, match="must exist and be active"):
        draft(world, (red, 1), destination="closed")
    assert Transfer.objects.count() == 0
    # A variant picked twice (two scans) becomes one line.
    merged = draft(world, (red, 2), (mug, 1), (red, 3))
    assert list(merged.lines.order_by("pk").values_list("variant__sku", "quantity")) == [
        ("AO-RED", 5),
        ("LY-01", 1),
    ]


def test_lines_can_be_edited_only_in_draft(world):
    red, mug = world["red"], world["mug"]
    transfer = draft(world, (red, 4))
    transfer_update(
        transfer_id=transfer.pk,
        source_id=world["hn"].pk,
        destination_id=world["hcm"].pk,
        lines=[TransferLineInput(variant_id=red.pk, quantity=1)],
        notes="đảo chiều",
    )
    transfer.refresh_from_db()
    assert (transfer.source, transfer.destination, transfer.notes) == (
        world["hn"],
        world["hcm"],
        "đảo chiều",
    )
    assert list(transfer.lines.values_list("variant__sku", "quantity")) == [("AO-RED", 1)]
    transfer_send(transfer_id=transfer.pk)
    with pytest.raises(DocumentStateError, match="Only a draft transfer can be edited"):
        transfer_update(
            transfer_id=transfer.pk,
            source_id=world["hn"].pk,
            destination_id=world["hcm"].pk,
            lines=[TransferLineInput(variant_id=mug.pk, quantity=9)],
        )
    assert list(TransferLine.objects.values_list("variant__sku", "quantity")) == [("AO-RED", 1)]
    assert level(red, world["hn"]) == (1, 0)
    assert ledger_mismatches() == []


def test_lines_show_what_the_source_has_available(world):
    red, mug, hcm = world["red"], world["mug"], world["hcm"]
    stock_reserve(variant_id=red.pk, warehouse_id=hcm.pk, quantity=8)
    orphan = VariantFactory(sku="NEW-1")
    transfer = draft(world, (red, 4), (mug, 1), (orphan, 2))
    assert [(line.variant.sku, line.available) for line in transfer_lines(transfer=transfer)] == [
        ("AO-RED", 2),
        ("LY-01", 3),
        ("NEW-1", 0),
    ]
    assert ledger_mismatches() == []
