"""Our available quantities and prices out to the shops, and the nightly reconciliation.

Push rules (per shop, BigSeller parity): available = on_hand - reserved summed over the shop's
`push_warehouses` (none chosen = every active warehouse); pushed = floor(available x percent /
100) + offset, at least 0, and 0 when that is below `push_floor` (`push_quantity`).
Promotion/campaign holds (holds.py) come in before and after the rules: the units other shops
hold are taken off the available first, and a shop is never pushed below its own held units.

`stock_push` sends only what differs from the last value the platform accepted
(Listing.pushed_stock), unless forced (the nightly run), through the adapter, which groups the
updates into the platform's batches (Shopee: one item, <= 50 models per call). A promotion floor
refusal records the floor on the listing (promotion_reserve) and its error for staff; while our
quantity stays below a known floor nothing is sent (the platform would refuse it again and keeps
the floor anyway); the next listings pull or reconciliation learns when the promotion ended.

The queue in front of it (which variants changed, coalesced per shop) is stock_queue.py;
`stock_changed_receiver` is re-exported here for apps.ready().
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import QuerySet, Sum
from django.utils import timezone

from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import (
    Adapter,
    AuthError,
    ChannelError,
    PermanentError,
    PriceUpdate,
    RateLimited,
    ReconnectNeeded,
    StockUpdate,
    TransientError,
    UpdateResult,
)
from channels_sync.models import (
    AccountStatus,
    ChannelAccount,
    Listing,
    ListingStatus,
    RunKind,
    SyncRun,
)
from channels_sync.services.accounts import ShopClient
from channels_sync.services.holds import hold_adjust, holds_record_floors
from channels_sync.services.runs import run_count, run_error, run_finish, run_start
from channels_sync.services.stock_queue import (
    queue_drain,
    queue_restore,
    stock_changed_receiver,
    stock_push_enqueue,
)
from common.cache import LockBusy, cache_lock
from common.money import quantize
from inventory.models import StockLevel, available_units

__all__ = [
    "available_for_listing",
    "prices_push",
    "push_quantity",
    "reconcile",
    "stock_changed_receiver",
    "stock_push",
    "stock_push_enqueue",
]

T = TypeVar("T")
_LISTING_FIELDS = ["pushed_stock", "pushed_at", "push_error", "platform_stock", "promotion_reserve"]


def push_quantity(available: int, *, percent: int, offset: int, floor: int) -> int:
    """What the shop is told it can sell, from what we have available."""
    quantity = max(0, available * percent // 100 + offset)
    return 0 if quantity < floor else quantity


def available_for_listing(
    *, account: ChannelAccount, variant_ids: Iterable[int], now: datetime | None = None
) -> dict[int, int]:
    """variant id -> the quantity to push to this shop (every id given has a value), with the
    promotion holds counting at `now` (holds.py has the rule)."""
    ids = sorted(set(variant_ids))
    warehouse_ids = list(account.push_warehouses.values_list("pk", flat=True))
    levels = StockLevel.objects.filter(variant_id__in=ids)
    if warehouse_ids:
        levels = levels.filter(warehouse_id__in=warehouse_ids)
    else:
        levels = levels.filter(warehouse__is_active=True)
    sums = dict(
        levels.order_by()
        .values("variant_id")
        .annotate(units=Sum(available_units()))
        .values_list("variant_id", "units")
    )
    left, own = hold_adjust(
        account=account,
        available={v: int(sums.get(v) or 0) for v in ids},
        now=now or timezone.now(),
    )
    return {
        variant_id: max(
            push_quantity(
                left[variant_id],
                percent=account.push_percent,
                offset=account.push_offset,
                floor=account.push_floor,
            ),
            own.get(variant_id, 0),
        )
        for variant_id in ids
    }


# --- talking to the platform -------------------------------------------------------------


def error_code(error: ChannelError) -> str:
    """The channels_sync.errors code for an adapter error."""
    if isinstance(error, RateLimited):
        return "rate_limited"
    if isinstance(error, ReconnectNeeded):
        return "reconnect_needed"
    if isinstance(error, AuthError):
        return "auth_failed"
    if isinstance(error, TransientError):
        return "network"
    return "platform_error"


def _by_item(pairs: Sequence[tuple[Listing, T]]) -> list[list[tuple[Listing, T]]]:
    groups: dict[str, list[tuple[Listing, T]]] = defaultdict(list)
    for listing, value in pairs:
        groups[listing.item_id].append((listing, value))
    return [groups[item_id] for item_id in sorted(groups)]


def _call_groups(
    account: ChannelAccount, pairs: Sequence[tuple[Listing, T]]
) -> list[list[tuple[Listing, T]]]:
    """One adapter call's share each: one item (Shopee, TikTok: their update calls take one
    item), or the platform's batch across items (Lazada: 50 SKUs of any items per call)."""
    cls = adapter_class(account.platform)
    if cls.stock_by_item:
        return _by_item(pairs)
    ordered = [pair for group in _by_item(pairs) for pair in group]
    size = cls.stock_batch
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _results(
    calls: ShopClient, send: Callable[[Adapter], list[UpdateResult]]
) -> dict[tuple[str, str], UpdateResult]:
    return {(r.item_id, r.model_id): r for r in calls.call(send)}


# --- stock --------------------------------------------------------------------------------


def linked_listings(
    account: ChannelAccount, variant_ids: Sequence[int] | None
) -> QuerySet[Listing]:
    qs = Listing.objects.filter(account=account, status=ListingStatus.ACTIVE, variant__isnull=False)
    if variant_ids is not None:
        qs = qs.filter(variant_id__in=list(variant_ids))
    return qs.order_by("item_id", "model_id", "pk")


def _floor_text(floor: int) -> str:
    return f"promotion_floor:{floor}"


def _choose(
    listings: Sequence[Listing], quantities: dict[int, int], *, force: bool, run: SyncRun
) -> tuple[list[tuple[Listing, int]], list[Listing]]:
    """(listing, quantity) pairs to send, and listings held back below a promotion floor."""
    send: list[tuple[Listing, int]] = []
    held: list[Listing] = []
    skipped = 0
    for listing in listings:
        assert listing.variant_id is not None  # filtered by the caller
        quantity = quantities[listing.variant_id]
        if not force and listing.pushed_stock == quantity and not listing.push_error:
            skipped += 1
        elif listing.promotion_reserve and quantity < listing.promotion_reserve:
            floor = listing.promotion_reserve
            listing.push_error = _floor_text(floor)
            held.append(listing)
            run_error(
                run,
                code="promotion_floor",
                message=f"{listing.item_id}/{listing.model_id}: {quantity} < {floor}",
                params={"floor": floor, "listing": listing.pk},
            )
        else:
            send.append((listing, quantity))
    run_count(run, skipped=skipped, failed=len(held), done=skipped + len(held))
    return send, held


def _record_stock(
    group: Sequence[tuple[Listing, int]],
    results: dict[tuple[str, str], UpdateResult],
    *,
    run: SyncRun,
    now: datetime,
) -> None:
    pushed = failed = 0
    floors: dict[int, int] = {}
    for listing, quantity in group:
        result = results.get((listing.item_id, listing.model_id))
        if result is not None and result.ok:
            listing.pushed_stock = listing.platform_stock = quantity
            listing.pushed_at, listing.push_error = now, ""
            pushed += 1
            continue
        failed += 1
        params: dict[str, object] = {"listing": listing.pk}
        if result is not None and result.floor is not None:
            listing.promotion_reserve = floors[listing.pk] = result.floor
            listing.push_error = _floor_text(result.floor)
            code, params["floor"] = "promotion_floor", result.floor
        else:
            message = (result.message or result.code) if result else "no answer"
            listing.push_error = message[:300]
            code, params["message"] = "push_refused", message[:200]
        run_error(run, code=code, message=listing.push_error, params=params)
    Listing.objects.bulk_update([listing for listing, _q in group], _LISTING_FIELDS)
    if floors:  # the floor is a platform hold: the other shops' pushes take it off
        holds_record_floors(floors=floors, now=now)
    run_count(run, pushed=pushed, failed=failed, done=len(group))


def _send_stock(
    calls: ShopClient, group: Sequence[tuple[Listing, int]]
) -> dict[tuple[str, str], UpdateResult]:
    updates = [
        StockUpdate(item_id=x.item_id, model_id=x.model_id, quantity=q, location_id=x.location_id)
        for x, q in group
    ]
    return _results(calls, lambda adapter: adapter.push_stock(updates=updates))


def push_listings_stock(
    *,
    account: ChannelAccount,
    listings: Sequence[Listing],
    run: SyncRun,
    force: bool,
    now: datetime,
) -> None:
    """Compute and push the listings' quantities, one adapter call per item (so a refused item
    does not stop the others). Transient and authorisation errors propagate."""
    quantities = available_for_listing(
        account=account, variant_ids=[x.variant_id for x in listings if x.variant_id], now=now
    )
    send, held = _choose(listings, quantities, force=force, run=run)
    Listing.objects.bulk_update(held, ["push_error"])
    calls = ShopClient(account)
    try:
        for group in _call_groups(account, send):
            try:
                results = _send_stock(calls, group)
            except PermanentError as error:  # this item only (e.g. deleted on the platform)
                results = {
                    (x.item_id, x.model_id): UpdateResult(
                        x.item_id, x.model_id, False, error.code, error.message
                    )
                    for x, _q in group
                }
            _record_stock(group, results, run=run, now=now)
    finally:
        run_count(run, api_calls=calls.calls)


def stock_push(
    *,
    account_id: int,
    variant_ids: Sequence[int] | None = None,
    run: SyncRun | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> SyncRun:
    """Push the quantities of the shop's linked listings.

    variant_ids None (the push_stock task): the variants queued for this shop since the last
    push (drained at once); with `force` instead every linked listing, each value sent even when
    unchanged. Given ids: those variants' listings. The queue is put back when the push could not
    be made (nothing is dropped); a transient error is raised again after that so the task
    retries. Records the shop's last push time and the delay since the oldest queued change.
    A run given by the caller is counted into, not finished.

    One push per shop at a time (a lock on the shared cache, waited for): two workers pushing
    the same shop at once could each read a quantity and send them in the other order, leaving
    the older value on the platform.
    """
    try:
        with cache_lock(f"channels_sync:stock-push:{account_id}", hold=300, wait=PUSH_LOCK_WAIT):
            return _stock_push(
                account_id=account_id, variant_ids=variant_ids, run=run, now=now, force=force
            )
    except LockBusy:
        raise TransientError("busy", "another stock push of this shop is running") from None


PUSH_LOCK_WAIT = 60.0  # seconds a push waits for the shop's previous push to finish


def _stock_push(
    *,
    account_id: int,
    variant_ids: Sequence[int] | None,
    run: SyncRun | None,
    now: datetime | None,
    force: bool,
) -> SyncRun:
    queued: dict[int, datetime] = {}
    if variant_ids is None and not force:
        queued = queue_drain(account_id=account_id)
        variant_ids = sorted(queued)
    account = ChannelAccount.objects.get(pk=account_id)
    own = run is None
    job = run or run_start(account_id=account_id, kind=RunKind.STOCK_PUSH, now=now)

    def finish(failed: bool = False) -> SyncRun:
        return run_finish(job, failed=failed, now=now) if own else job

    if not account.push_enabled:
        run_count(job, skipped=linked_listings(account, variant_ids).count())
        return finish()
    if account.status != AccountStatus.ACTIVE:
        queue_restore(account_id=account_id, queued=queued)
        run_error(job, code="reconnect_needed", message=account.status_reason or account.status)
        return finish(failed=True)
    listings = list(linked_listings(account, variant_ids))
    try:
        push_listings_stock(
            account=account, listings=listings, run=job, force=force, now=now or timezone.now()
        )
    except ChannelError as error:
        queue_restore(account_id=account_id, queued=queued)
        run_error(job, code=error_code(error), message=str(error))
        finish(failed=True)
        if not error.permanent:
            raise
        return job
    answered = timezone.now()
    now = now or answered
    marks: dict[str, object] = {"last_stock_push_at": now}
    if queued:  # how long the oldest change waited for the platform's answer
        oldest = min(queued.values())
        marks["last_push_delay_ms"] = max(0, int((answered - oldest).total_seconds() * 1000))
    ChannelAccount.objects.filter(pk=account_id).update(**marks)
    return finish()


# --- prices -------------------------------------------------------------------------------


def _record_prices(
    group: Sequence[tuple[Listing, Decimal]],
    results: dict[tuple[str, str], UpdateResult],
    *,
    run: SyncRun,
) -> None:
    pushed = failed = 0
    for listing, price in group:
        result = results.get((listing.item_id, listing.model_id))
        if result is not None and result.ok:
            listing.platform_price = price
            pushed += 1
            continue
        failed += 1
        message = (result.message or result.code) if result else "no answer"
        run_error(
            run,
            code="push_refused",
            message=f"{listing.item_id}/{listing.model_id}: {message}",
            params={"message": message[:200], "listing": listing.pk},
        )
    Listing.objects.bulk_update([listing for listing, _p in group], ["platform_price"])
    run_count(run, pushed=pushed, failed=failed, done=len(group))


def push_listings_prices(
    *, account: ChannelAccount, listings: Sequence[Listing], run: SyncRun
) -> None:
    """Push each listing's variant sale price (listings need `variant` loaded)."""
    send: list[tuple[Listing, Decimal]] = []
    skipped = 0
    for listing in listings:
        assert listing.variant is not None  # filtered by the caller
        price = quantize(listing.variant.sale_price, account.currency)
        if price > 0:
            send.append((listing, price))
        else:  # no sale price set: the platforms refuse 0
            skipped += 1
    run_count(run, skipped=skipped, done=skipped)
    calls = ShopClient(account)
    try:
        for group in _call_groups(account, send):
            updates = [PriceUpdate(x.item_id, x.model_id, p) for x, p in group]
            try:
                results = _results(calls, lambda a, u=updates: a.push_prices(updates=u))  # type: ignore[misc]
            except PermanentError as error:
                results = {
                    (x.item_id, x.model_id): UpdateResult(
                        x.item_id, x.model_id, False, error.code, error.message
                    )
                    for x, _p in group
                }
            _record_prices(group, results, run=run)
    finally:
        run_count(run, api_calls=calls.calls)


def prices_push(
    *, account_id: int, listing_ids: Sequence[int] | None = None, run: SyncRun | None = None
) -> SyncRun:
    """Push our sale prices to the shop's linked active listings (or the ones given). A run
    given by the caller is counted into, not finished."""
    account = ChannelAccount.objects.get(pk=account_id)
    own = run is None
    run = run or run_start(account_id=account_id, kind=RunKind.PRICE_PUSH)
    qs = linked_listings(account, None).select_related("variant")
    if listing_ids is not None:
        qs = qs.filter(pk__in=list(listing_ids))
    try:
        push_listings_prices(account=account, listings=list(qs), run=run)
    except ChannelError as error:
        run_error(run, code=error_code(error), message=str(error))
        if own:
            run_finish(run, failed=True)
        if not error.permanent:
            raise
        return run
    return run_finish(run) if own else run


# --- nightly --------------------------------------------------------------------------------


def reconcile(*, account_id: int, now: datetime | None = None) -> SyncRun:
    """The nightly reconciliation of one shop (stock_reconcile.py; imported late: it builds on
    the listings pull, which builds on this module)."""
    from channels_sync.services.stock_reconcile import reconcile as reconcile_shop

    return reconcile_shop(account_id=account_id, now=now)
