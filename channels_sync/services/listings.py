"""The shop's items and models (Listing rows) and which of our variants each one is.

`listings_pull` stores every item/model the platform returns (unique per shop, item, model),
marks the ones it no longer returns as deleted, and links listings to our variants by seller
SKU (trimmed, case-insensitive, against Variant.sku). A link made by staff (`listing_link`,
`listings_link_bulk`, `listings_create_products`) is `linked_manually` and the SKU rule never
touches it; a link the SKU rule made follows the SKU (a renamed SKU relinks or unlinks).

Whenever a link makes a seller SKU known, the orders quarantined for that SKU are re-applied
(channels_sync.services.apply.payloads_reapply_for_sku) and the variant is queued for a stock
push, both after commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_sync.adapters.base import ChannelError, ListingData
from channels_sync.models import ChannelAccount, Listing, ListingStatus, RunKind, SyncRun
from channels_sync.services.accounts import ShopClient
from channels_sync.services.holds import holds_sync_platform
from channels_sync.services.runs import run_count, run_error, run_finish, run_start
from channels_sync.services.stock import error_code
from channels_sync.services.stock_queue import stock_push_enqueue
from common.money import quantize
from inventory.errors import InventoryError
from inventory.models import Variant
from inventory.services.catalogue import (
    VariantInput,
    default_vat_rate,
    product_create,
    sku_validate,
)

_PULLED_FIELDS = [
    "seller_sku",
    "name",
    "status",
    "location_id",
    "platform_stock",
    "platform_price",
    "promotion_reserve",
    "updated_at",
]


def sku_key(sku: str) -> str:
    return sku.strip().upper()


def _after_link(*, account_id: int, links: Iterable[tuple[str, int]], user_id: int | None) -> None:
    """After commit: re-apply what waited for these SKUs; push the linked variants' stock."""
    pairs = sorted(set(links))
    if not pairs:
        return

    def run() -> None:
        from channels_sync.services.apply import payloads_reapply_for_sku

        for seller_sku in sorted({sku for sku, _v in pairs if sku.strip()}):
            payloads_reapply_for_sku(
                account_id=account_id,
                seller_sku=seller_sku,
                user_id=user_id,  # type: ignore[arg-type]  # None: linked by the nightly pull
            )
        stock_push_enqueue(variant_ids=sorted({v for _s, v in pairs}))

    transaction.on_commit(run)


# --- pull ---------------------------------------------------------------------------------


def _fill(listing: Listing, data: ListingData, now: datetime) -> None:
    listing.seller_sku = data.seller_sku.strip()[:100]
    listing.name = data.name[:400]
    listing.status = ListingStatus.ACTIVE if data.active else ListingStatus.INACTIVE
    listing.location_id = data.location_id
    listing.platform_stock = data.stock
    listing.platform_price = data.price
    listing.promotion_reserve = max(0, data.promotion_reserve)
    listing.updated_at = now


def _store(account: ChannelAccount, rows: Sequence[ListingData], now: datetime) -> dict[str, int]:
    existing = {(x.item_id, x.model_id): x for x in Listing.objects.filter(account=account)}
    new: list[Listing] = []
    changed: list[Listing] = []
    seen: set[tuple[str, str]] = set()
    for data in rows:
        key = (str(data.item_id), str(data.model_id))
        if key in seen:
            continue
        seen.add(key)
        listing = existing.get(key)
        if listing is None:
            listing = Listing(account=account, item_id=key[0], model_id=key[1])
            new.append(listing)
        else:
            changed.append(listing)
        _fill(listing, data, now)
    Listing.objects.bulk_create(new)
    Listing.objects.bulk_update(changed, _PULLED_FIELDS)
    gone = [
        x.pk for key, x in existing.items() if key not in seen and x.status != ListingStatus.DELETED
    ]
    Listing.objects.filter(pk__in=gone).update(status=ListingStatus.DELETED, updated_at=now)
    return {"created": len(new), "updated": len(changed), "deleted": len(gone)}


def variants_by_sku(skus: Iterable[str]) -> dict[str, int]:
    """SKU key (trimmed, upper case) -> variant id, for the SKUs that are ours."""
    keys = sorted({sku_key(s) for s in skus if s.strip()})
    if not keys:
        return {}
    return dict(
        Variant.objects.annotate(key=Upper("sku")).filter(key__in=keys).values_list("key", "pk")
    )


def listings_match(*, account_id: int) -> list[tuple[str, int]]:
    """Apply the seller-SKU rule to the shop's listings not linked by staff; return the
    (seller SKU, variant id) links it made or changed."""
    listings = list(
        Listing.objects.filter(account_id=account_id, linked_manually=False).exclude(
            status=ListingStatus.DELETED
        )
    )
    known = variants_by_sku(x.seller_sku for x in listings)
    changed: list[Listing] = []
    made: list[tuple[str, int]] = []
    for listing in listings:
        variant_id = known.get(sku_key(listing.seller_sku))
        if listing.variant_id == variant_id:
            continue
        listing.variant_id = variant_id
        listing.pushed_stock, listing.push_error = None, ""
        changed.append(listing)
        if variant_id is not None:
            made.append((listing.seller_sku, variant_id))
    Listing.objects.bulk_update(changed, ["variant", "pushed_stock", "push_error"])
    return made


def listings_pull(
    *, account_id: int, run: SyncRun | None = None, now: datetime | None = None
) -> SyncRun:
    """Pull every item and model of the shop, store them, match them by seller SKU. A run
    given by the caller is counted into, not finished."""
    now = now or timezone.now()
    account = ChannelAccount.objects.get(pk=account_id)
    own = run is None
    run = run or run_start(account_id=account_id, kind=RunKind.PRODUCTS_PULL, now=now)
    calls = ShopClient(account)
    try:
        rows = calls.call(lambda adapter: list(adapter.listings()))
    except ChannelError as error:
        run_count(run, api_calls=calls.calls)
        run_error(run, code=error_code(error), message=str(error))
        if own:
            run_finish(run, failed=True, now=now)
        raise
    with transaction.atomic():
        counts = _store(account, rows, now)
        made = listings_match(account_id=account_id)
        holds_sync_platform(account_id=account_id, now=now)
        _after_link(account_id=account_id, links=made, user_id=run.started_by_id)
    run_count(run, fetched=len(rows), linked=len(made), api_calls=calls.calls, **counts)
    return run_finish(run, now=now) if own else run


# --- links made by staff ------------------------------------------------------------------


def _link(listing: Listing, variant_id: int | None) -> bool:
    changed = listing.variant_id != variant_id or not listing.linked_manually
    if listing.variant_id != variant_id:
        listing.pushed_stock, listing.push_error = None, ""
    listing.variant_id = variant_id
    listing.linked_manually = True
    listing.save(update_fields=["variant", "linked_manually", "pushed_stock", "push_error"])
    return changed


def listing_link(*, listing_id: int, variant_id: int | None, user_id: int | None) -> Listing:
    """Link a listing to our variant (None: unlink) by hand; the SKU rule keeps off it."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if variant_id is not None:
            Variant.objects.only("pk").get(pk=variant_id)  # DoesNotExist for a wrong id
        before = listing.variant_id
        _link(listing, variant_id)
        if variant_id is not None and variant_id != before:
            _after_link(
                account_id=listing.account_id,
                links=[(listing.seller_sku, variant_id)],
                user_id=user_id,
            )
    return listing


def listings_link_bulk(*, account_id: int, links: Mapping[int, int], user_id: int | None) -> int:
    """Link several listings of one shop (listing id -> variant id); listings of other shops
    and unknown variants are left alone. Returns how many links changed."""
    with transaction.atomic():
        listings = list(
            Listing.objects.select_for_update()
            .filter(account_id=account_id, pk__in=list(links))
            .order_by("pk")
        )
        ours = set(Variant.objects.filter(pk__in=list(links.values())).values_list("pk", flat=True))
        made: list[tuple[str, int]] = []
        changed = 0
        for listing in listings:
            variant_id = links[listing.pk]
            if variant_id not in ours:
                continue
            before = listing.variant_id
            changed += _link(listing, variant_id)
            if variant_id != before:
                made.append((listing.seller_sku, variant_id))
        _after_link(account_id=account_id, links=made, user_id=user_id)
    return changed


# --- new products from unmatched listings -------------------------------------------------


def _create_product(
    account: ChannelAccount, group: Sequence[Listing], user_id: int | None
) -> list[tuple[Listing, int]]:
    """One product for one platform item: a variant per model (option "Variation" = SKU)."""
    rows = []
    for listing in group:
        price = quantize(listing.platform_price or 0, account.currency)
        rows.append((listing, sku_validate(listing.seller_sku), price))
    several = len(rows) > 1
    variants = [
        VariantInput(
            sku=sku,
            options=(sku[:60],) if several else (),
            sale_price=price,
            vat_rate=default_vat_rate(),
        )
        for _l, sku, price in rows
    ]
    options = [(_("Variation"), [sku[:60] for _l, sku, _p in rows])] if several else []
    product = product_create(
        name=group[0].name or group[0].seller_sku,
        variants=variants,
        options=options,
        user_id=user_id,
    )
    ids = {sku_key(v.sku): v.pk for v in product.variants.all()}
    return [(listing, ids[sku_key(sku)]) for listing, sku, _p in rows]


def _unmatched_groups(listing_ids: Sequence[int]) -> dict[tuple[int, str], list[Listing]]:
    groups: dict[tuple[int, str], list[Listing]] = defaultdict(list)
    candidates = (
        Listing.objects.filter(pk__in=list(listing_ids), variant__isnull=True)
        .exclude(status=ListingStatus.DELETED)
        .exclude(seller_sku="")
        .select_related("account")
        .order_by("account_id", "item_id", "model_id", "pk")
    )
    for listing in candidates:
        groups[(listing.account_id, listing.item_id)].append(listing)
    return groups


def listings_create_products(*, listing_ids: Sequence[int], user_id: int | None) -> int:
    """Create our product and variants from unlinked listings (one product per platform item,
    a variant per model, with the listing's name, seller SKU and price; cost stays unset) and
    link them. A listing whose SKU is already ours is linked to that variant instead; one
    without a valid seller SKU is left unlinked. Returns how many listings were linked."""
    linked = 0
    for (account_id, _item_id), group in sorted(_unmatched_groups(listing_ids).items()):
        account = group[0].account
        known = variants_by_sku(x.seller_sku for x in group)
        made = [(x, known[sku_key(x.seller_sku)]) for x in group if sku_key(x.seller_sku) in known]
        fresh = [x for x in group if sku_key(x.seller_sku) not in known]
        with transaction.atomic():
            if fresh:
                try:
                    with transaction.atomic():
                        made += _create_product(account, fresh, user_id)
                except InventoryError:  # an invalid or duplicate SKU: left for staff
                    pass
            for listing, variant_id in made:
                _link(listing, variant_id)
            _after_link(
                account_id=account_id,
                links=[(x.seller_sku, v) for x, v in made],
                user_id=user_id,
            )
        linked += len(made)
    return linked


# --- listings we created by publishing ----------------------------------------------------


@dataclass(frozen=True)
class PublishedModel:
    item_id: str
    model_id: str
    seller_sku: str
    name: str
    variant_id: int
    price: Decimal
    active: bool = True  # False: not for sale yet (in the platform's review): no stock push


def listings_link_published(
    *, account_id: int, models: Sequence[PublishedModel], user_id: int | None, now: datetime
) -> int:
    """Store the platform's new item/models as Listing rows linked to our variants at once (by
    hand: the SKU rule keeps off them), then as for any new link: waiting orders re-applied,
    stock pushed. Rows already there (a resumed publish) are relinked. Returns the count."""
    with transaction.atomic():
        existing = {
            (x.item_id, x.model_id): x
            for x in Listing.objects.select_for_update().filter(
                account_id=account_id, item_id__in=sorted({m.item_id for m in models})
            )
        }
        for row in models:
            listing = existing.get((row.item_id, row.model_id)) or Listing(
                account_id=account_id, item_id=row.item_id, model_id=row.model_id
            )
            listing.seller_sku, listing.name = row.seller_sku[:100], row.name[:400]
            listing.variant_id, listing.linked_manually = row.variant_id, True
            listing.status = ListingStatus.ACTIVE if row.active else ListingStatus.INACTIVE
            listing.platform_price = row.price
            listing.pushed_stock, listing.push_error, listing.updated_at = None, "", now
            listing.save()
        _after_link(
            account_id=account_id,
            links=[(m.seller_sku, m.variant_id) for m in models],
            user_id=user_id,
        )
    return len(models)
