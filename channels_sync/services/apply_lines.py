"""The platform's order lines as our variants, and the reason an order cannot be applied.

A line is our variant when the shop's Listing (account, item_id, model_id) is linked to one;
otherwise when its seller SKU (model SKU, else item SKU) equals one of our SKUs, compared
trimmed and case-insensitively (Variant.sku is unique case-insensitively). A line matched by
SKU links its Listing (created when the shop's listings were not pulled yet), so the next
order and the stock push find it directly; a link staff made is never overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models.functions import Upper

from channels_sync.adapters.base import OrderItem
from channels_sync.models import ChannelAccount, Listing
from inventory.models import Variant

ListingKey = tuple[str, str]  # (item_id, model_id)


class ApplyProblem(Exception):
    """The order cannot be applied: `code` is one of channels_sync.errors.MESSAGES, `params`
    the values of its text, `detail` a readable English line naming the line/SKU/field."""

    def __init__(self, code: str, detail: str, **params: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.params = params


@dataclass
class KnownLines:
    """The shop's Listings and our variants by SKU for a whole batch of orders, loaded at once
    (`lines_known`); `lines_match` then sends no query of its own."""

    listings: dict[ListingKey, Listing]
    skus: dict[str, int]  # upper-cased seller SKU -> variant id


def lines_known(*, account: ChannelAccount, items: Sequence[OrderItem]) -> KnownLines:
    """Two queries at most: the Listings of the items, our variants of the seller SKUs of the
    items whose Listing is not linked."""
    listings = {
        (listing.item_id, listing.model_id): listing
        for listing in Listing.objects.filter(
            account=account, item_id__in=sorted({item.item_id for item in items})
        )
    }
    wanted = {
        item.seller_sku.strip().upper()
        for item in items
        if item.seller_sku.strip()
        and getattr(listings.get((item.item_id, item.model_id)), "variant_id", None) is None
    }
    skus: dict[str, int] = {}
    if wanted:
        found = (
            Variant.objects.annotate(key=Upper("sku"))
            .filter(key__in=sorted(wanted))
            .values_list("key", "pk")
        )
        skus = dict(found)
    return KnownLines(listings=listings, skus=skus)


def listings_add(
    *, account: ChannelAccount, items: Sequence[OrderItem], known: KnownLines, now: datetime
) -> None:
    """The Listings that lines matched by SKU will link (the shop's listings not pulled yet),
    created for the whole batch in one INSERT in (item, model) order, so two batches creating
    the same ones wait for each other instead of deadlocking; then read into `known`."""
    missing: dict[ListingKey, Listing] = {}
    for item in items:
        key = (item.item_id, item.model_id)
        variant_id = known.skus.get(item.seller_sku.strip().upper())
        if key in known.listings or key in missing or variant_id is None:
            continue
        missing[key] = Listing(
            account=account,
            item_id=item.item_id,
            model_id=item.model_id,
            seller_sku=item.seller_sku.strip()[:100],
            name=item.name[:400],
            variant_id=variant_id,
            updated_at=now,
        )
    if not missing:
        return
    Listing.objects.bulk_create([missing[key] for key in sorted(missing)], ignore_conflicts=True)
    for listing in Listing.objects.filter(
        account=account, item_id__in=sorted({item_id for item_id, _model in missing})
    ):
        known.listings[(listing.item_id, listing.model_id)] = listing


@dataclass(frozen=True)
class MatchedLine:
    number: int  # 1-based, in the platform's order
    variant_id: int
    quantity: int
    unit_price: Decimal  # what the buyer paid per unit


def lines_match(
    *,
    account: ChannelAccount,
    items: Sequence[OrderItem],
    now: datetime,
    record: bool = True,
    known: KnownLines | None = None,
) -> list[MatchedLine]:
    """Our variant for every line, or ApplyProblem (no_sku / unknown_sku) for the first line
    that has none; unknown_sku's params list every unknown SKU of the order ("skus") so that
    linking any of them re-applies it. `record`: link/refresh the Listings of the lines.
    `known`: the batch's Listings and SKUs (else they are read here, two queries at most)."""
    if not items:
        raise ApplyProblem("bad_field", "The order has no lines (item_list)", field="item_list")
    known = known or lines_known(account=account, items=items)
    listings = known.listings
    found: dict[int, int] = {}
    unknown: list[tuple[int, str]] = []
    for number, item in enumerate(items, start=1):
        listing = listings.get((item.item_id, item.model_id))
        variant_id = listing.variant_id if listing is not None else None
        sku = item.seller_sku.strip()
        if variant_id is None and sku:
            variant_id = known.skus.get(sku.upper())
        if variant_id is not None:
            found[number] = variant_id
        elif not sku:
            unknown.append((number, ""))
        else:
            unknown.append((number, sku))
    if unknown:
        raise _problem(unknown, items)
    if record:
        for number, item in enumerate(items, start=1):
            _listing_record(account, item, found[number], listings, now=now)
    return [
        MatchedLine(
            number=number,
            variant_id=found[number],
            quantity=item.quantity,
            unit_price=item.unit_price,
        )
        for number, item in enumerate(items, start=1)
    ]


def _problem(unknown: list[tuple[int, str]], items: Sequence[OrderItem]) -> ApplyProblem:
    number, sku = unknown[0]
    item = items[number - 1]
    where = f"line {number} (item {item.item_id}, model {item.model_id or '-'})"
    if not sku:
        return ApplyProblem(
            "no_sku", f"{where} has no seller SKU and no linked listing", line=number
        )
    skus = sorted({s for _n, s in unknown if s}, key=str.casefold)
    return ApplyProblem(
        "unknown_sku",
        f"{where}: seller SKU {sku!r} is not one of our SKUs"
        + (f" (unknown: {', '.join(skus)})" if len(skus) > 1 else ""),
        line=number,
        sku=sku,
        skus=skus,
    )


def _listing_record(
    account: ChannelAccount,
    item: OrderItem,
    variant_id: int,
    listings: dict[ListingKey, Listing],
    *,
    now: datetime,
) -> None:
    listing = listings.get((item.item_id, item.model_id))
    if listing is None:
        listing, _created = Listing.objects.get_or_create(
            account=account,
            item_id=item.item_id,
            model_id=item.model_id,
            defaults={
                "seller_sku": item.seller_sku.strip()[:100],
                "name": item.name[:400],
                "variant_id": variant_id,
                "updated_at": now,
            },
        )
        listings[(item.item_id, item.model_id)] = listing
    changes: dict[str, Any] = {}
    if listing.variant_id is None:
        changes["variant_id"] = variant_id
    if item.seller_sku.strip() and listing.seller_sku != item.seller_sku.strip()[:100]:
        changes["seller_sku"] = item.seller_sku.strip()[:100]
    if item.name and not listing.name:
        changes["name"] = item.name[:400]
    if changes:
        # Conditional: a link staff made meanwhile is kept.
        qs = Listing.objects.filter(pk=listing.pk)
        if "variant_id" in changes:
            qs.filter(variant__isnull=True).update(variant_id=variant_id, updated_at=now)
            del changes["variant_id"]
        if changes:
            qs.update(updated_at=now, **changes)
        for name, value in changes.items():
            setattr(listing, name, value)
