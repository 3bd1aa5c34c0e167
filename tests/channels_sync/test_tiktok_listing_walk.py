"""TikTokAdapter.listings past the 10,000 results one products/search reaches (marketplaces.md
§3.6), over real HTTP against the TikTok sandbox; the reach is scaled down on both sides
(sandbox `search_reach`, adapter `search_reach`) so 600 products stand for 60,000."""

from __future__ import annotations

import random

from channels_sync.adapters.tiktok import TikTokAdapter
from tests.channels_sync.test_tiktok_adapter_http import SHOP, connect, sent

REACH = 100
SEARCH = "/product/202309/products/search"


class SmallReach(TikTokAdapter):
    search_reach = REACH


def seed(sandbox, times, status="ACTIVATE"):
    made = set()
    for n, created in enumerate(times):
        product_id, _ = sandbox.add_product(
            SHOP,
            "Basic cotton T-shirt regular fit",
            [{"seller_sku": f"{status[:2]}-{n}", "price": "1000", "stock": 1}],
            status=status,
            created=int(created),
        )
        made.add(product_id)
    return made


def test_a_status_past_the_reach_is_searched_in_creation_time_windows(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    tiktok_sandbox.configure(search_reach=REACH)
    rng = random.Random(15)
    now = int(tiktok_sandbox.now())
    active = seed(tiktok_sandbox, [now - rng.uniform(0, 2 * 365 * 86400) for _ in range(550)])
    active |= seed(tiktok_sandbox, [now - 86400] * 50)  # one bulk upload, one second
    hidden = seed(tiktok_sandbox, [now - 3600] * 30, status="SELLER_DEACTIVATED")

    rows = list(SmallReach(adapter.config).listings())

    assert sorted(r.item_id for r in rows) == sorted(active | hidden)  # all, each once
    assert {r.active for r in rows if r.item_id in hidden} == {False}
    bodies = [body for _query, body in sent(tiktok_sandbox, SEARCH)]
    windows = [b for b in bodies if "create_time_ge" in b]
    assert windows
    assert {b["status"] for b in windows} == {"ACTIVATE"}  # the other statuses fit
    assert all(b["create_time_le"] > b["create_time_ge"] for b in windows)
    # 7 pages of 100 at the least; each window ends on a part page, each cut costs one answer
    assert len(bodies) <= 40
