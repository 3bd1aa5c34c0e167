"""Reads for the publishing pages."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from channels_sync.adapters.publishing import PUBLISHERS
from channels_sync.models import AccountStatus, ChannelAccount, Listing, Publication
from inventory.models import Product


def publishable_shops() -> list[ChannelAccount]:
    """Connected shops on a platform we can publish to."""
    return list(
        ChannelAccount.objects.filter(
            status=AccountStatus.ACTIVE, platform__in=list(PUBLISHERS)
        ).order_by("name", "pk")
    )


def publication_get(*, publication_id: int) -> Publication:
    return Publication.objects.select_related("product", "account").get(pk=publication_id)


def publication_of(*, product_id: int, account_id: int) -> Publication | None:
    return Publication.objects.filter(product_id=product_id, account_id=account_id).first()


def publications_of_product(*, product_id: int) -> list[Publication]:
    return list(
        Publication.objects.filter(product_id=product_id)
        .select_related("account")
        .order_by("account__name", "pk")
    )


def batch_publications(*, batch: uuid.UUID) -> list[Publication]:
    return list(
        Publication.objects.filter(batch=batch)
        .select_related("product", "account")
        .order_by("product__name", "pk")
    )


def products_for_bulk(*, product_ids: list[int]) -> QuerySet[Product]:
    return Product.objects.filter(pk__in=product_ids).order_by("name", "pk")


def publication_listings(*, publication: Publication) -> list[Listing]:
    """The Listing rows of the publication's items, with their variants."""
    item_ids = [str(r["item_id"]) for r in publication.items if r.get("item_id")]
    return list(
        Listing.objects.filter(account_id=publication.account_id, item_id__in=item_ids)
        .select_related("variant")
        .order_by("item_id", "seller_sku", "pk")
    )
