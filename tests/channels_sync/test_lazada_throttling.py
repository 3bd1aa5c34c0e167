"""LazadaAdapter's answers to the platform's back-off codes (marketplaces.md §2.4, §4), over
real HTTP against the Lazada sandbox: E901 "too frequent" is waited out like ApiCallLimit, and a
ServiceTimeout of a 50-SKU update is sent again in batches of 20."""

from __future__ import annotations

import time

import pytest

from channels_sync.adapters.base import RateLimited, StockUpdate, TransientError, UpdateResult
from tests.channels_sync.test_lazada_adapter_http import connect, products


def test_e901_is_waited_out_with_a_growing_pause(lazada_sandbox):
    lazada_sandbox.configure(qps_per_api=2, throttle_code="E901")
    adapter = connect(lazada_sandbox)
    started = time.monotonic()
    for _ in range(3):
        adapter.shop_info()
    assert time.monotonic() - started >= 1.0
    assert adapter.calls == 4  # refused once, then through
    time.sleep(1.1)
    impatient = connect(lazada_sandbox, max_wait=1.0)
    impatient.shop_info()
    impatient.shop_info()
    with pytest.raises(RateLimited) as caught:
        impatient.shop_info()  # the first pause (2 s) is longer than it may wait
    assert caught.value.code == "E901"


def test_a_service_timeout_sends_the_skus_again_twenty_at_a_time(lazada_sandbox):
    made = products(lazada_sandbox, 50)
    lazada_sandbox.configure(service_timeout_over=20)
    adapter = connect(lazada_sandbox)
    updates = [StockUpdate(str(i), str(s), 30 + n) for n, (i, s) in enumerate(made)]
    results = adapter.push_stock(updates=updates)
    assert results == [UpdateResult(str(i), str(s), True) for i, s in made]
    assert [lazada_sandbox.sellable(i, s) for i, s in made] == [30 + n for n in range(50)]
    sizes = [
        p["payload"].count("<Sku>")
        for path, p in lazada_sandbox.calls
        if path == "/product/stock/sellable/update"
    ]
    assert sizes == [50, 20, 20, 10]


def test_a_service_timeout_of_a_small_batch_propagates(lazada_sandbox):
    made = products(lazada_sandbox, 5)
    lazada_sandbox.configure(service_timeout_over=2)
    adapter = connect(lazada_sandbox)
    with pytest.raises(TransientError) as caught:
        adapter.push_stock(updates=[StockUpdate(str(i), str(s), 1) for i, s in made])
    assert caught.value.code == "ServiceTimeout"
