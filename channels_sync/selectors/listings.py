"""Reads for the listings pages: the unlinked listings of a shop, listing search, counts per
shop, the variants a listing can be linked to, a listing's push error in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Upper

from channels_sync.errors import error_text
from channels_sync.models import Listing, ListingStatus
from common.text import fold
from inventory.models import Variant

COUNT_KEYS = ("total", "linked", "unlinked", "push_errors", "deleted")


def listings_unmatched(*, account_id: int, q: str = "") -> QuerySet[Listing]:
    """Listings of the shop not linked to any of our variants (deleted ones left out)."""
    return listing_search(account_id=account_id, q=q, linked=False)


def listing_search(
    *,
    account_id: int,
    q: str = "",
    linked: bool | None = None,
    status: str = "",
    push_errors: bool = False,
) -> QuerySet[Listing]:
    """The shop's listings by seller SKU, name or item/model id (`q`), linked or not, status
    (default: all but deleted), with a push error; ordered by item, model, id."""
    qs = Listing.objects.filter(account_id=account_id).select_related("variant__product")
    qs = qs.filter(status=status) if status else qs.exclude(status=ListingStatus.DELETED)
    if linked is not None:
        qs = qs.filter(variant__isnull=not linked)
    if push_errors:
        qs = qs.exclude(push_error="")
    needle = q.strip()
    if needle:
        qs = qs.filter(
            Q(seller_sku__icontains=needle)
            | Q(name__icontains=needle)
            | Q(item_id=needle)
            | Q(model_id=needle)
        )
    return qs.order_by("item_id", "model_id", "pk")


def listing_counts(*, account_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """account id -> {total, linked, unlinked, push_errors, deleted}; total and the others
    leave deleted listings out (every shop asked for has an entry)."""
    live = ~Q(status=ListingStatus.DELETED)
    qs = Listing.objects.all()
    if account_ids is not None:
        ids = list(account_ids)
        qs = qs.filter(account_id__in=ids)
    rows = (
        qs.order_by()
        .values("account_id")
        .annotate(
            total=Count("pk", filter=live),
            linked=Count("pk", filter=live & Q(variant__isnull=False)),
            unlinked=Count("pk", filter=live & Q(variant__isnull=True)),
            push_errors=Count("pk", filter=live & ~Q(push_error="")),
            deleted=Count("pk", filter=~live),
        )
    )
    counts = {
        row["account_id"]: {
            "total": row["total"],
            "linked": row["linked"],
            "unlinked": row["unlinked"],
            "push_errors": row["push_errors"],
            "deleted": row["deleted"],
        }
        for row in rows
    }
    for account_id in ids if account_ids is not None else []:
        counts.setdefault(account_id, dict.fromkeys(COUNT_KEYS, 0))
    return counts


def variants_for_link(*, q: str, limit: int = 20) -> list[Variant]:
    """Our variants a listing can be linked to: the exact SKU first, then SKU/name matches."""
    needle = q.strip()
    if not needle:
        return []
    exact = list(
        Variant.objects.annotate(key=Upper("sku"))
        .filter(key=needle.upper())
        .select_related("product")
    )
    rest = (
        Variant.objects.filter(search_text__contains=fold(needle))
        .exclude(pk__in=[v.pk for v in exact])
        .select_related("product")
        .order_by("sku", "pk")[: max(0, limit - len(exact))]
    )
    return exact + list(rest)


def push_error_text(listing: Listing) -> str:
    """The listing's last push error for staff: "promotion_floor:5" is a code with its floor
    (channels_sync.errors, translated); anything else is the platform's own words."""
    code, _sep, value = listing.push_error.partition(":")
    if code == "promotion_floor" and value.isdigit():
        return error_text("promotion_floor", {"floor": int(value)})
    return listing.push_error
