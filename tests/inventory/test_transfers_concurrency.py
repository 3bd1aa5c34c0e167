"""Real threads on PostgreSQL: a transfer is sent and received once, however many clicks."""

from __future__ import annotations

import pytest

from inventory.errors import DocumentStateError
from inventory.models import StockMovement, Transfer
from inventory.selectors.stock import ledger_mismatches
from inventory.services.transfers import (
    TransferLineInput,
    transfer_cancel,
    transfer_create,
    transfer_receive,
    transfer_send,
)
from tests.concurrency import run_concurrently
from tests.inventory.factories import VariantFactory, WarehouseFactory
from tests.inventory.factories_movements import level, put

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on one transfer"),
    pytest.mark.django_db(transaction=True),
]


def run_threads(actions):
    return run_concurrently(actions, {DocumentStateError: "refused"})


@pytest.fixture
def transfer():
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    shirt = VariantFactory(sku="AO-1")
    put(shirt, hcm, 10)
    made = transfer_create(
        source_id=hcm.pk,
        destination_id=hn.pk,
        lines=[TransferLineInput(variant_id=shirt.pk, quantity=4)],
    )
    return {"transfer": made, "hcm": hcm, "hn": hn, "shirt": shirt}


def test_many_concurrent_sends_move_the_stock_once(transfer):
    pk = transfer["transfer"].pk
    results = run_threads([lambda: transfer_send(transfer_id=pk)] * 6)
    assert sorted(results) == ["ok"] + ["refused"] * 5
    assert level(transfer["shirt"], transfer["hcm"]) == (6, 0)
    assert StockMovement.objects.filter(kind="transfer_out").count() == 1
    assert ledger_mismatches() == []


def test_receive_racing_cancel_of_a_sent_transfer_does_exactly_one(transfer):
    pk = transfer["transfer"].pk
    transfer_send(transfer_id=pk)
    results = run_threads(
        [lambda: transfer_receive(transfer_id=pk), lambda: transfer_cancel(transfer_id=pk)]
    )
    assert sorted(results) == ["ok", "refused"]
    status = Transfer.objects.get().status
    if status == "received":
        assert level(transfer["shirt"], transfer["hn"]) == (4, 0)
        assert level(transfer["shirt"], transfer["hcm"]) == (6, 0)
    else:
        assert status == "cancelled"
        assert level(transfer["shirt"], transfer["hn"]) is None
        assert level(transfer["shirt"], transfer["hcm"]) == (10, 0)
    assert StockMovement.objects.filter(kind="transfer_in").count() == 1
    assert ledger_mismatches() == []
