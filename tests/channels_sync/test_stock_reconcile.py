"""Prices pushed on request and the nightly reconciliation, over real HTTP (Shopee sandbox)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_sync.models import ChannelAccount, Listing, RunKind, RunStatus
from channels_sync.services.listings import listings_pull
from channels_sync.services.stock import prices_push, reconcile, stock_push
from tests.channels_sync.stock_setup import (
    SHOP_ID,
    WarehouseFactory,
    connect_shop,
    variant_with_stock,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]
UPDATE_STOCK = "/api/v2/product/update_stock"
UPDATE_PRICE = "/api/v2/product/update_price"


@pytest.fixture
def shop(shopee_sandbox):
    """A shop selling two of our variants (5 and 8 available), pulled and pushed once."""
    account = connect_shop(shopee_sandbox)
    warehouse = WarehouseFactory()
    a = variant_with_stock(warehouse, 5, price="180000")
    b = variant_with_stock(warehouse, 8, price="99000")
    item_id, models = shopee_sandbox.add_item(
        SHOP_ID,
        "AO",
        "Áo",
        [
            {"model_sku": a.sku, "price": 150000, "stock": 5},
            {"model_sku": b.sku, "price": 99000, "stock": 8},
        ],
    )
    listings_pull(account_id=account.pk)
    stock_push(account_id=account.pk, force=True)
    shopee_sandbox.reset_calls()
    return account, item_id, models, (a, b)


def test_prices_push_sends_our_sale_prices(shopee_sandbox, shop):
    account, item_id, (model_a, model_b), (a, _b) = shop

    run = prices_push(account_id=account.pk)

    assert (run.kind, run.status, run.counts, run.api_calls) == (
        RunKind.PRICE_PUSH,
        RunStatus.SUCCEEDED,
        {"pushed": 2},
        1,
    )
    assert shopee_sandbox.item_price(item_id, model_a) == 180000
    assert shopee_sandbox.item_price(item_id, model_b) == 99000
    assert Listing.objects.get(variant=a).platform_price == Decimal("180000")


def test_reconcile_corrects_stock_drift_and_counts_price_drift(shopee_sandbox, shop):
    account, item_id, (model_a, model_b), _variants = shop
    shopee_sandbox.place_order(SHOP_ID, [(item_id, model_a, 2)])  # sold there, not here yet

    run = reconcile(account_id=account.pk)

    assert (run.kind, run.status) == (RunKind.RECONCILE, RunStatus.SUCCEEDED)
    assert run.counts == {
        "fetched": 2,
        "updated": 2,
        "stock_drift": 1,
        "price_drift": 1,
        "pushed": 1,
    }
    assert shopee_sandbox.item_stock(item_id, model_a) == 5
    assert shopee_sandbox.item_stock(item_id, model_b) == 8
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 1
    assert shopee_sandbox.call_count(UPDATE_PRICE) == 0  # the shop does not push prices
    assert shopee_sandbox.item_price(item_id, model_a) == 150000


def test_reconcile_pushes_prices_when_the_shop_says_so(shopee_sandbox, shop):
    account, item_id, (model_a, _model_b), _variants = shop
    ChannelAccount.objects.filter(pk=account.pk).update(push_prices=True)

    run = reconcile(account_id=account.pk)

    assert run.counts == {"fetched": 2, "updated": 2, "price_drift": 1, "pushed": 1}
    assert shopee_sandbox.item_price(item_id, model_a) == 180000
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 0  # no stock drift
    second = reconcile(account_id=account.pk)
    assert second.counts == {"fetched": 2, "updated": 2}
