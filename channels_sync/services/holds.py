"""Stock held for promotions and campaigns (flash sales), and how it enters the stock pushes.

The rule (one stock across several shops), applied by `stock.available_for_listing`:

* A hold counts while it is not ended and `starts_at <= now < ends_at` (no `ends_at`: until
  the platform stops reporting it). It holds `quantity - consumed` units ("held units").
* Per shop and variant, the held units are the LARGER of the shop's platform holds and its
  staff holds (the platform's reserve and the flash sale staff entered are two views of the
  same promotion, not added up); holds of one source add up.
* Warehouses: a shop's hold is drawn from the warehouses that count for that shop (its
  `push_warehouses`; none chosen = every active warehouse). For another shop S, a holding shop
  H takes min(H's held units, available units of the variant in the warehouses that count for
  both S and H) off S's available; the takings of several holding shops add up, and S's
  available never goes below 0. A hold on warehouses S does not count takes nothing from S.
* S's push rules then apply to what is left: pushed = push_quantity(available - taken,
  percent, offset, floor) (stock.push_quantity).
* The holding shop is not reduced by its own holds and is never pushed below them:
  pushed = max(its rule result, its held units), even when our stock is lower (the platform
  refuses less while the promotion runs).
* `Listing.promotion_reserve` (the platform's floor per listing) becomes a platform hold at
  each listings pull (`holds_sync_platform`) and at a floor refusal (`holds_record_floors`);
  the hold follows the reported value (quantity = reported, consumed = 0) and ends, with
  reason "platform", once the platform reports none. stock.py's held-back rule (nothing sent
  below a known floor) stays as the safety net.
* Orders: an order that shop H receives consumes H's holds of each line's variant, at the
  order's creation time on the platform: per source, min(line quantity, units left), the hold
  ending soonest first. A cancelled order does not give the units back (a platform hold is
  re-read from the platform at the next pull).
* Ends and starts: `holds_sweep` (beat, every minute, and an eta task at each transition due
  within the next minute) marks holds started or ended and queues a stock push of their
  variants to every shop selling them; the computation itself reads the times, so a late
  sweep never keeps a hold alive in a push.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_sync.models import (
    ChannelAccount,
    HoldEnd,
    HoldSource,
    HoldStatus,
    Listing,
    ListingStatus,
    StockHold,
)
from channels_sync.services.stock_queue import stock_push_enqueue
from inventory.models import StockLevel, Warehouse, available_units

SWEEP_AHEAD = timedelta(seconds=60)  # the beat's period: transitions due within get an eta task


class HoldError(Exception):
    """A hold that cannot be recorded or ended (the message is translated)."""


def open_holds(now: datetime) -> Q:
    """The holds that count at `now`."""
    return (
        ~Q(status=HoldStatus.ENDED)
        & Q(starts_at__lte=now)
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def held_units(*, variant_ids: Iterable[int], now: datetime) -> dict[tuple[int, int], int]:
    """(shop id, variant id) -> held units at `now` (the larger of the two sources)."""
    wanted = set(variant_ids)
    rows = StockHold.objects.filter(open_holds(now)).values_list(
        "account_id", "variant_id", "source", "quantity", "consumed"
    )
    by_source: dict[tuple[int, int, str], int] = defaultdict(int)
    for account_id, variant_id, source, quantity, consumed in rows:
        if variant_id in wanted:
            by_source[(account_id, variant_id, source)] += max(0, quantity - consumed)
    held: dict[tuple[int, int], int] = {}
    for (account_id, variant_id, _source), units in by_source.items():
        key = (account_id, variant_id)
        held[key] = max(held.get(key, 0), units)
    return {key: units for key, units in held.items() if units > 0}


def counted_warehouses(account_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Shop id -> the warehouses whose stock counts for it (push_warehouses, else active)."""
    ids = sorted(set(account_ids))
    through = ChannelAccount.push_warehouses.through
    chosen: dict[int, set[int]] = defaultdict(set)
    for account_id, warehouse_id in through.objects.filter(channelaccount_id__in=ids).values_list(
        "channelaccount_id", "warehouse_id"
    ):
        chosen[account_id].add(warehouse_id)
    active: frozenset[int] | None = None
    result: dict[int, frozenset[int]] = {}
    for account_id in ids:
        if chosen.get(account_id):
            result[account_id] = frozenset(chosen[account_id])
            continue
        if active is None:
            active = frozenset(
                Warehouse.objects.filter(is_active=True).values_list("pk", flat=True)
            )
        result[account_id] = active
    return result


def hold_adjust(
    *, account: ChannelAccount, available: Mapping[int, int], now: datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """(variant id -> the shop's available less the other shops' holds, variant id -> the
    shop's own held units). Two small queries, a third only when another shop holds stock."""
    held = held_units(variant_ids=available, now=now)
    if not held:
        return dict(available), {}
    own = {v: units for (a, v), units in held.items() if a == account.pk}
    others = [(a, v, units) for (a, v), units in held.items() if a != account.pk]
    if not others:
        return dict(available), own
    shops = counted_warehouses([account.pk, *(a for a, _v, _u in others)])
    per_warehouse = {
        (v, w): int(units or 0)
        for v, w, units in StockLevel.objects.filter(
            variant_id__in=sorted({v for _a, v, _u in others})
        )
        .order_by()
        .values("variant_id", "warehouse_id")
        .annotate(units=Sum(available_units()))
        .values_list("variant_id", "warehouse_id", "units")
    }
    mine = shops[account.pk]
    taken: dict[int, int] = defaultdict(int)
    for holder, variant_id, units in others:
        both = mine & shops[holder]
        reachable = sum(max(0, per_warehouse.get((variant_id, w), 0)) for w in both)
        taken[variant_id] += min(units, reachable)
    left = {v: max(0, n - taken.get(v, 0)) for v, n in available.items()}
    return left, own


# --- staff ---------------------------------------------------------------------------------


def _push_later(variant_ids: Iterable[int], now: datetime) -> None:
    ids = sorted(set(variant_ids))
    if ids:
        stock_push_enqueue(variant_ids=ids, at=now)


def hold_create(
    *,
    account_id: int,
    variant_ids: Sequence[int],
    quantity: int,
    starts_at: datetime,
    ends_at: datetime,
    name: str = "",
    user_id: int | None = None,
    now: datetime | None = None,
) -> list[StockHold]:
    """Staff hold `quantity` units of each variant for the shop (a flash sale with its dates).
    The variants must be sold on the shop (an active linked listing). The push of every shop
    selling them is queued when the hold counts at once; later the sweep does it."""
    now = now or timezone.now()
    if quantity < 1:
        raise HoldError(_("Hold at least one unit."))
    if ends_at <= starts_at:
        raise HoldError(_("The end must be after the start."))
    if ends_at <= now:
        raise HoldError(_("The end is already past."))
    ids = sorted(set(variant_ids))
    if not ids:
        raise HoldError(_("Choose at least one product variant."))
    sold = set(
        Listing.objects.filter(
            account_id=account_id, variant_id__in=ids, status=ListingStatus.ACTIVE
        ).values_list("variant_id", flat=True)
    )
    if missing := [v for v in ids if v not in sold]:
        raise HoldError(
            _("%(count)d of the variants are not sold on this shop (no linked listing).")
            % {"count": len(missing)}
        )
    status = HoldStatus.ACTIVE if starts_at <= now else HoldStatus.SCHEDULED
    with transaction.atomic():
        holds = StockHold.objects.bulk_create(
            [
                StockHold(
                    account_id=account_id,
                    variant_id=v,
                    name=name[:120],
                    source=HoldSource.STAFF,
                    status=status,
                    quantity=quantity,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    created_by_id=user_id,
                    created_at=now,
                )
                for v in ids
            ]
        )
        if status == HoldStatus.ACTIVE:
            _push_later(ids, now)
    return holds


def hold_end(*, hold_id: int, account_id: int, now: datetime | None = None) -> StockHold:
    """End a hold early (staff); its units return to the other shops' pushes at once."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = StockHold.objects.filter(
            ~Q(status=HoldStatus.ENDED), pk=hold_id, account_id=account_id
        ).update(status=HoldStatus.ENDED, ended_at=now, end_reason=HoldEnd.STAFF)
        hold = StockHold.objects.get(pk=hold_id, account_id=account_id)
        if not ended:
            raise HoldError(_("This hold has already ended."))
        _push_later([hold.variant_id], now)
    return hold


# --- the clock -----------------------------------------------------------------------------


def holds_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Mark the holds whose start or end time has come (conditional UPDATEs: a second sweep
    finds nothing) and queue a push of their variants to every shop that sells them."""
    now = now or timezone.now()
    with transaction.atomic():
        ending = StockHold.objects.filter(
            ~Q(status=HoldStatus.ENDED), ends_at__isnull=False, ends_at__lte=now
        )
        ended_variants = set(ending.values_list("variant_id", flat=True))
        ended = ending.update(
            status=HoldStatus.ENDED, ended_at=F("ends_at"), end_reason=HoldEnd.TIME
        )
        starting = StockHold.objects.filter(status=HoldStatus.SCHEDULED, starts_at__lte=now)
        started_variants = set(starting.values_list("variant_id", flat=True))
        started = starting.update(status=HoldStatus.ACTIVE)
        _push_later(ended_variants | started_variants, now)
    return {"started": started, "ended": ended}


def holds_due(*, now: datetime, within: timedelta = SWEEP_AHEAD) -> list[datetime]:
    """The start and end times in (now, now + within] of holds not ended (eta sweeps)."""
    until = now + within
    open_ = StockHold.objects.filter(~Q(status=HoldStatus.ENDED))
    starts = open_.filter(
        status=HoldStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=until
    ).values_list("starts_at", flat=True)
    ends = open_.filter(ends_at__gt=now, ends_at__lte=until).values_list("ends_at", flat=True)
    return sorted(set(starts) | {at for at in ends if at is not None})


# --- what the platform reports -------------------------------------------------------------


def _platform_hold(listing: Listing, units: int, now: datetime) -> StockHold:
    assert listing.variant_id is not None
    return StockHold(
        account_id=listing.account_id,
        variant_id=listing.variant_id,
        listing=listing,
        source=HoldSource.PLATFORM,
        status=HoldStatus.ACTIVE,
        quantity=units,
        starts_at=now,
        created_at=now,
    )


def holds_sync_platform(*, account_id: int, now: datetime) -> list[int]:
    """Bring the shop's platform holds in line with the reserves its listings report (after a
    listings pull, inside its transaction): new reserve -> new hold, changed -> updated, gone
    (0, deleted, unlinked) -> ended. Queues the pushes; returns the variant ids affected."""
    reported = {
        x.pk: x
        for x in Listing.objects.filter(
            account_id=account_id, variant__isnull=False, promotion_reserve__gt=0
        ).exclude(status=ListingStatus.DELETED)
    }
    changed: set[int] = set()
    update: list[StockHold] = []
    gone: list[int] = []
    open_ = StockHold.objects.select_for_update().filter(
        ~Q(status=HoldStatus.ENDED), account_id=account_id, source=HoldSource.PLATFORM
    )
    for hold in open_.order_by("pk"):
        listing = reported.pop(hold.listing_id, None) if hold.listing_id else None
        if listing is None or listing.variant_id != hold.variant_id:
            gone.append(hold.pk)
            changed.add(hold.variant_id)
            if listing is not None:
                reported[listing.pk] = listing  # relinked: a new hold for the new variant
        elif (hold.quantity, hold.consumed) != (listing.promotion_reserve, 0):
            hold.quantity, hold.consumed = listing.promotion_reserve, 0
            update.append(hold)
            changed.add(hold.variant_id)
    StockHold.objects.filter(pk__in=gone).update(
        status=HoldStatus.ENDED, ended_at=now, end_reason=HoldEnd.PLATFORM
    )
    StockHold.objects.bulk_update(update, ["quantity", "consumed"])
    fresh = [_platform_hold(x, x.promotion_reserve, now) for x in reported.values()]
    StockHold.objects.bulk_create(fresh)
    changed |= {h.variant_id for h in fresh}
    _push_later(changed, now)
    return sorted(changed)


def holds_record_floors(*, floors: Mapping[int, int], now: datetime) -> None:
    """A stock push was refused below a promotion floor (listing id -> floor): the listing's
    platform hold is created or raised to it, and the other shops' pushes are queued."""
    listings = Listing.objects.filter(pk__in=list(floors), variant__isnull=False)
    changed: set[int] = set()
    for listing in listings.order_by("pk"):
        floor = floors[listing.pk]
        if floor <= 0:
            continue
        assert listing.variant_id is not None
        updated = (
            StockHold.objects.filter(
                ~Q(status=HoldStatus.ENDED), listing=listing, source=HoldSource.PLATFORM
            )
            .exclude(quantity=floor, consumed=0)
            .update(quantity=floor, consumed=0, variant_id=listing.variant_id)
        )
        exists = StockHold.objects.filter(
            ~Q(status=HoldStatus.ENDED), listing=listing, source=HoldSource.PLATFORM
        ).exists()
        if not exists:
            _platform_hold(listing, floor, now).save()
        if updated or not exists:
            changed.add(listing.variant_id)
    _push_later(changed, now)


# --- orders --------------------------------------------------------------------------------


def holds_open_variants(*, account_id: int) -> frozenset[int]:
    """The variants of the shop's holds not ended (one query, read once per order batch)."""
    return frozenset(
        StockHold.objects.filter(~Q(status=HoldStatus.ENDED), account_id=account_id)
        .order_by()
        .values_list("variant_id", flat=True)
        .distinct()
    )


def holds_consume(*, account_id: int, lines: Iterable[tuple[int, int]], at: datetime) -> int:
    """An order of the shop, created on the platform at `at`, sells (variant id, quantity)
    lines: each source's holds of those variants give up to the quantity, soonest end first.
    Inside the order's transaction. Returns the units consumed (summed over sources)."""
    wanted: dict[int, int] = defaultdict(int)
    for variant_id, quantity in lines:
        if quantity > 0:
            wanted[variant_id] += quantity
    if not wanted:
        return 0
    holds = list(
        StockHold.objects.select_for_update()
        .filter(open_holds(at), account_id=account_id, variant_id__in=sorted(wanted))
        .order_by(F("ends_at").asc(nulls_last=True), "pk")
    )
    if not holds:
        return 0
    left = {(v, source): n for v, n in wanted.items() for source in HoldSource.values}
    total = 0
    for hold in holds:
        key = (hold.variant_id, hold.source)
        take = min(left[key], hold.remaining)
        if take:
            hold.consumed += take
            left[key] -= take
            total += take
    StockHold.objects.bulk_update(holds, ["consumed"])
    return total
