"""The nightly reconciliation of one shop: pull its listings, compare each linked listing's
stock and price on the platform with ours, push the corrections.

Stock is always corrected (pushed even when our last push had the same value: the platform's
own sales and edits move its number); prices only when the shop's `push_prices` says so. The
run counts `stock_drift` and `price_drift` (listings that differed) beside the push counts.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from channels_sync.adapters.base import ChannelError
from channels_sync.models import AccountStatus, ChannelAccount, Listing, RunKind, SyncRun
from channels_sync.services.listings import listings_pull
from channels_sync.services.runs import run_count, run_error, run_finish, run_start
from channels_sync.services.stock import (
    available_for_listing,
    error_code,
    linked_listings,
    push_listings_prices,
    push_listings_stock,
)
from common.money import quantize


def _price_drifts(account: ChannelAccount, listings: list[Listing]) -> list[Listing]:
    drifted = []
    for listing in listings:
        assert listing.variant is not None  # filtered by the caller
        ours = quantize(listing.variant.sale_price, account.currency)
        theirs = listing.platform_price
        if ours > 0 and (theirs is None or quantize(theirs, account.currency) != ours):
            drifted.append(listing)
    return drifted


def reconcile(*, account_id: int, now: datetime | None = None) -> SyncRun:
    now = now or timezone.now()
    run = run_start(account_id=account_id, kind=RunKind.RECONCILE, now=now)
    try:
        listings_pull(account_id=account_id, run=run, now=now)
    except ChannelError as error:  # recorded in the run by listings_pull
        run_finish(run, failed=True, now=now)
        if not error.permanent:
            raise
        return run
    try:
        account = ChannelAccount.objects.get(pk=account_id)
        if account.status != AccountStatus.ACTIVE:
            run_error(run, code="reconnect_needed", message=account.status_reason)
            return run_finish(run, failed=True, now=now)
        listings = list(linked_listings(account, None).select_related("variant"))
        quantities = available_for_listing(
            account=account, variant_ids=[x.variant_id for x in listings if x.variant_id], now=now
        )
        stock_drift = [
            x for x in listings if x.variant_id and x.platform_stock != quantities[x.variant_id]
        ]
        price_drift = _price_drifts(account, listings)
        run_count(run, stock_drift=len(stock_drift), price_drift=len(price_drift))
        if account.push_enabled and stock_drift:
            push_listings_stock(account=account, listings=stock_drift, run=run, force=True, now=now)
        if account.push_prices and price_drift:
            push_listings_prices(account=account, listings=price_drift, run=run)
    except ChannelError as error:
        run_error(run, code=error_code(error), message=str(error))
        run_finish(run, failed=True, now=now)
        if not error.permanent:
            raise
        return run
    return run_finish(run, now=now)
