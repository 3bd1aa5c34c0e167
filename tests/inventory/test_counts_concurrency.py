"""Real threads on PostgreSQL: a count is posted once, and no scan is lost or lands late."""

from __future__ import annotations

import pytest

from inventory.errors import DocumentStateError
from inventory.models import StockCount, StockMovement
from inventory.selectors.stock import ledger_mismatches
from inventory.services.counts import (
    CountError,
    count_line_set,
    count_post,
    count_scan,
    count_start,
)
from tests.concurrency import run_concurrently
from tests.inventory.factories import VariantFactory, WarehouseFactory
from tests.inventory.factories_movements import level, put

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on one count"),
    pytest.mark.django_db(transaction=True),
]


def run_threads(count, target):
    return run_concurrently(
        [lambda n=n: target(n) for n in range(count)],
        {DocumentStateError: "refused", CountError: "refused"},
    )


@pytest.fixture
def counted():
    warehouse = WarehouseFactory(code="HCM01")
    a, b = VariantFactory(sku="A-1"), VariantFactory(sku="B-1")
    put(a, warehouse, 10)
    put(b, warehouse, 5)
    count = count_start(warehouse_id=warehouse.pk)
    lines = {line.variant_id: line for line in count.lines.all()}
    count_line_set(count_id=count.pk, line_id=lines[a.pk].pk, counted=7)  # -3
    count_line_set(count_id=count.pk, line_id=lines[b.pk].pk, counted=9)  # +4
    return {"warehouse": warehouse, "a": a, "b": b, "count": count}


def test_two_concurrent_posts_of_one_count_apply_once(counted):
    count, warehouse = counted["count"], counted["warehouse"]
    results = run_threads(2, lambda n: count_post(count_id=count.pk))
    assert sorted(results) == ["ok", "refused"]
    assert level(counted["a"], warehouse) == (7, 0)
    assert level(counted["b"], warehouse) == (9, 0)
    assert StockMovement.objects.filter(source_type="stock_count").count() == 2
    assert StockCount.objects.get().status == "posted"
    assert ledger_mismatches() == []


def test_concurrent_scans_of_one_line_are_all_counted(counted):
    count = counted["count"]
    results = run_threads(12, lambda n: count_scan(count_id=count.pk, code="A-1"))
    assert results == ["ok"] * 12
    assert count.lines.get(variant=counted["a"]).counted == 7 + 12


def test_scans_racing_a_post_either_land_before_it_or_are_refused(counted):
    count, warehouse = counted["count"], counted["warehouse"]

    def act(n):
        if n == 0:
            count_post(count_id=count.pk)
        else:
            count_scan(count_id=count.pk, code="B-1")

    results = run_threads(9, act)
    assert results[0] == "ok"  # the post
    assert set(results) <= {"ok", "refused"}
    scans_before_post = results[1:].count("ok")
    line = count.lines.get(variant=counted["b"])
    assert line.counted == 9 + scans_before_post
    # Every scan that landed is in the posted variance; none landed after the post.
    assert level(counted["b"], warehouse) == (line.counted, 0)
    assert ledger_mismatches() == []


def test_two_overlapping_counts_started_at_once_open_only_one():
    warehouse = WarehouseFactory(code="HN01")
    put(VariantFactory(sku="C-1"), warehouse, 3)
    results = run_threads(2, lambda n: count_start(warehouse_id=warehouse.pk))
    assert sorted(results) == ["ok", "refused"]
    assert StockCount.objects.filter(status="open").count() == 1
