"""LazadaAdapter.listings past /products/get's offset cap (marketplaces.md §0, §2.6: offset <=
10,000), over real HTTP against the Lazada sandbox. The cap is scaled down on both sides
(sandbox `product_offset_max`, adapter `offset_cap`) so a shop of 1,000 products stands for one
of 50,000."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from channels_sync.adapters.base import PermanentError
from tests.channels_sync.conftest import LAZADA_SELLER_ID
from tests.channels_sync.test_lazada_adapter_http import connect

CAP = 100  # offsets 0..100: one listing reaches 150 products
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def seed(sandbox, times):
    made = set()
    for n, created in enumerate(times):
        item_id, _ = sandbox.add_product(
            LAZADA_SELLER_ID,
            f"P{n}",
            [{"seller_sku": f"SKU-{n}", "price": 1000, "stock": 1}],
            created=created,
        )
        made.add(str(item_id))
    return made


def capped(sandbox):
    sandbox.configure(product_offset_max=CAP)
    adapter = connect(sandbox)
    adapter.offset_cap = CAP
    return adapter


def test_the_sandbox_refuses_an_offset_past_the_cap_and_a_bad_window(lazada_sandbox):
    adapter = capped(lazada_sandbox)
    with pytest.raises(PermanentError) as caught:
        adapter.call("GET", "/products/get", {"filter": "all", "limit": 50, "offset": CAP + 1})
    assert caught.value.code == "E014"
    with pytest.raises(PermanentError) as caught:
        adapter.call(
            "GET", "/products/get", {"filter": "all", "create_after": "2024-01-01 00:00:00"}
        )
    assert caught.value.code == "E017"


def test_a_shop_past_the_offset_cap_is_walked_in_creation_time_windows(lazada_sandbox):
    rng = random.Random(15)
    now = lazada_sandbox.now()
    spread = [now - rng.uniform(0, 3 * 365 * 86400) for _ in range(900)]
    burst = [now - 40 * 86400] * 100  # a bulk upload: 100 products in one second
    made = seed(lazada_sandbox, spread + burst)
    adapter = capped(lazada_sandbox)

    rows = list(adapter.listings())

    assert sorted(r.item_id for r in rows) == sorted(made)  # every product, each once
    asked = [p for path, p in lazada_sandbox.calls if path == "/products/get"]
    assert all(int(p["offset"]) <= CAP and p["limit"] == "50" for p in asked)
    windows = [p for p in asked if "create_after" in p]
    assert windows
    assert all(ISO.match(p["create_after"]) and ISO.match(p["create_before"]) for p in windows)
    # The minimum is 20 pages of 50; each window ends on a part page and each cut costs one
    # answer that is not walked.
    assert len(asked) <= 40


def test_walking_windows_skips_nothing_created_on_a_boundary(lazada_sandbox):
    """Products on every whole second of a short span: inclusive or exclusive ends, the
    overlapping windows leave none out and give none twice."""
    start = int(lazada_sandbox.now()) - 400
    made = seed(lazada_sandbox, [start + n // 2 for n in range(800)])
    rows = list(capped(lazada_sandbox).listings())
    assert sorted(r.item_id for r in rows) == sorted(made)


def test_one_second_with_more_than_the_reach_is_refused(lazada_sandbox):
    moment = lazada_sandbox.now() - 3600
    seed(lazada_sandbox, [moment] * (CAP + 51))
    with pytest.raises(PermanentError) as caught:
        list(capped(lazada_sandbox).listings())
    assert caught.value.code == "offset_cap"


def test_a_shop_within_the_reach_is_one_plain_listing(lazada_sandbox):
    base = datetime.now(UTC) - timedelta(days=10)
    made = seed(lazada_sandbox, [(base + timedelta(hours=n)).timestamp() for n in range(CAP + 50)])
    rows = list(capped(lazada_sandbox).listings())
    assert sorted(r.item_id for r in rows) == sorted(made)
    asked = [p for path, p in lazada_sandbox.calls if path == "/products/get"]
    assert len(asked) == 3
    assert not any("create_after" in p for p in asked)
