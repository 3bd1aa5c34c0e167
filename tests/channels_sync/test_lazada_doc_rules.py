"""LazadaAdapter against what marketplaces.md §2 says and no more, over real HTTP against the
Lazada sandbox: E901 "too frequent" is waited out like ApiCallLimit (§2.4, §4), a ServiceTimeout
of a 50-SKU update is sent again in batches of 20 (§2.4), and a host that serves only the
documented calls (no /seller/get) still connects."""

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


def test_a_host_without_seller_get_still_connects(lazada_app, lazada_sandbox):
    from channels_sync.services.accounts import connect_finish
    from tests.channels_sync.conftest import LAZADA_APP_KEY, LAZADA_SELLER_ID

    lazada_sandbox.configure(seller_api=False)
    code = lazada_sandbox.authorize(LAZADA_APP_KEY, LAZADA_SELLER_ID)
    account = connect_finish(app_id=lazada_app.pk, code=code, shop_id="")
    assert (account.status, account.shop_id) == ("active", str(LAZADA_SELLER_ID))
    assert lazada_sandbox.call_count("/seller/get") == 0  # refused before the API


def test_an_answer_without_an_envelope_is_transient_only_when_retrying_can_help(lazada_sandbox):
    from channels_sync.adapters.base import PermanentError

    adapter = connect(lazada_sandbox)
    lazada_sandbox.configure(seller_api=False)
    with pytest.raises(PermanentError) as caught:
        adapter.call("GET", "/seller/get")
    assert caught.value.code == "http_404"
