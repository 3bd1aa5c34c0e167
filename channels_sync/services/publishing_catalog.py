"""What a shop's platform offers for publishing (category tree, a category's attributes, brands
and limits), read through the shop's publisher and kept in the cache for an hour: the publish
form asks for them on every render and they change rarely."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from channels_sync.adapters.base import Adapter, PermanentError
from channels_sync.adapters.publishing import (
    BrandList,
    CategoryAttribute,
    PlatformCategory,
    PublishingAdapter,
    VariationLimits,
    publisher_for,
)
from channels_sync.models import ChannelAccount
from channels_sync.services.accounts import ShopClient

TTL = 3600


@dataclass(frozen=True)
class CategoryInfo:
    category: PlatformCategory
    attributes: tuple[CategoryAttribute, ...]
    brands: BrandList
    limits: VariationLimits


def can_publish(account: ChannelAccount) -> bool:
    from channels_sync.adapters.publishing import PUBLISHERS

    return account.platform in PUBLISHERS


def _publisher(adapter: Adapter) -> PublishingAdapter:
    publisher = publisher_for(adapter)
    if publisher is None:
        raise PermanentError("publishing_not_supported", adapter.platform)
    return publisher


def shop_categories(account: ChannelAccount) -> list[PlatformCategory]:
    key = f"channels_sync:publish:categories:{account.pk}"
    found: list[PlatformCategory] | None = cache.get(key)
    if found is None:
        found = ShopClient(account).call(lambda a: _publisher(a).categories())
        cache.set(key, found, TTL)
    return found


def categories_search(
    account: ChannelAccount, query: str, *, limit: int = 30
) -> list[PlatformCategory]:
    """Leaf categories whose path contains every word of `query` (case-insensitive)."""
    words = query.casefold().split()
    leaves = [c for c in shop_categories(account) if c.leaf]
    return [c for c in leaves if all(w in c.path.casefold() for w in words)][:limit]


def category_info(account: ChannelAccount, category_id: str) -> CategoryInfo | None:
    """Attributes, brands and limits of a leaf category of the shop; None for another id."""
    category = next(
        (c for c in shop_categories(account) if c.leaf and c.category_id == category_id), None
    )
    if category is None:
        return None
    key = f"channels_sync:publish:category:{account.pk}:{category_id}"
    found: CategoryInfo | None = cache.get(key)
    if found is None:

        def read(adapter: Adapter) -> CategoryInfo:
            publisher = _publisher(adapter)
            return CategoryInfo(
                category,
                tuple(publisher.category_attributes(category_id=category_id)),
                publisher.brands(category_id=category_id),
                publisher.variation_limits(category_id=category_id),
            )

        found = ShopClient(account).call(read)
        cache.set(key, found, TTL)
    return found
