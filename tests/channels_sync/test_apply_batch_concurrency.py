"""Real threads on PostgreSQL: two batches applied at the same moment whose orders reserve the
same variants in opposite line order, and share new buyers, both land without a deadlock; the
stock ledger matches and each buyer is one customer."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from channels_sync.models import ChannelBuyer, ChannelOrder, InboundPayload
from channels_sync.services.apply_batch import payloads_apply_batch
from inventory.models import StockMovement
from inventory.selectors.stock import ledger_mismatches
from orders.models import Customer
from tests.channels_sync.apply_helpers import T0, make_account, shopee_line, shopee_order, store
from tests.concurrency import run_concurrently
from tests.orders.factories import WarehouseFactory, level, stocked_variant

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on the same rows"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]

NOW = T0.replace(hour=4)


def flash_order(n: int, sku: str) -> dict:
    item = 1001 if sku == "AO-DEN-M" else 1002
    body = shopee_order(
        f"251201FS{n:04d}", lines=[shopee_line(sku, 1, 135000, item_id=item, model_id=item)]
    )
    body["buyer_user_id"] = 900000 + n % 15  # 15 buyers over both batches
    body["buyer_username"] = f"buyer.{n % 15}"
    return body


def test_two_batches_reserving_the_same_variants_in_opposite_order_both_land():
    warehouse = WarehouseFactory()
    black = stocked_variant(warehouse, 100, sku="AO-DEN-M")
    white = stocked_variant(warehouse, 100, sku="AO-TRANG-M")
    account = make_account(warehouse)
    # One batch's orders alternate black, white; the other's white, black; the buyers of the
    # second batch come in another order than the first's.
    skus = ("AO-DEN-M", "AO-TRANG-M")
    first = [store(account, flash_order(n, skus[n % 2])) for n in range(20)]
    second = [store(account, flash_order(n, skus[1 - n % 2])) for n in range(39, 19, -1)]
    deadlocks = deadlocks_so_far()

    outcomes = run_concurrently(
        [
            lambda batch=batch: payloads_apply_batch(
                account_id=account.pk, payload_ids=[p.pk for p in batch], now=NOW
            )
            for batch in (first, second)
        ],
        {},
    )

    assert outcomes == ["ok", "ok"]
    assert Counter(InboundPayload.objects.values_list("status", flat=True)) == {"applied": 40}
    assert ChannelOrder.objects.filter(order__status="processing").count() == 40
    assert (level(black, warehouse), level(white, warehouse)) == ((100, 20), (100, 20))
    assert StockMovement.objects.filter(kind="reservation").count() == 40
    assert ledger_mismatches() == []
    assert (ChannelBuyer.objects.count(), Customer.objects.count()) == (15, 15)
    assert deadlocks_so_far() == deadlocks  # locks taken in one order: nobody waited in a cycle


def deadlocks_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])
