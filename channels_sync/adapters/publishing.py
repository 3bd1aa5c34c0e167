"""Publishing our products to a shop: an optional interface beside base.Adapter.

A platform that can create listings offers a PublishingAdapter built on its (already
authorised) Adapter, so token refresh and call counting stay where they are:

    publisher = publisher_for(adapter)        # None: this platform cannot publish yet
    tree = publisher.categories()
    attrs = publisher.category_attributes(category_id=tree[3].category_id)

Everything returned is our own frozen dataclasses (never the platform's JSON), errors are the
family of base.py. `plan_variations` is pure: how our up to 3 option attributes map to the
platform's variation dimensions (as is, two merged into one, or one listing per value of one
attribute), shown to staff before anything is sent and stored with the publication.

Adding a platform (Shopee, Lazada and TikTok are shopee_publish, lazada_publish and
tiktok_publish): a module with a PublishingAdapter subclass built on that platform's Adapter,
listed in PUBLISHERS below. `variation_limits` gives its limits (Lazada 2 dimensions in most
categories, TikTok 3) and the plan follows; `create_listing` returns the platform id of every
variant (CreatedVariant.key is our variant id), so the engine links them
as Listings at once; `review_status` maps QC / audit states to ReviewState with the reason.
A platform that creates in one call keeps the default `resume_listing`; one that takes an
idempotency key (TikTok) can derive it from the draft. Nothing else in the engine changes.
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from importlib import import_module
from typing import Any, ClassVar

from channels_sync.adapters.base import Adapter, PermanentError

PUBLISHERS = {
    "shopee": "channels_sync.adapters.shopee_publish:ShopeePublisher",
    "lazada": "channels_sync.adapters.lazada_publish:LazadaPublisher",
    "tiktok": "channels_sync.adapters.tiktok_publish:TikTokPublisher",
}
MERGE_JOINER = " / "


# --- what the platform offers ---------------------------------------------------------------


@dataclass(frozen=True)
class PlatformCategory:
    category_id: str
    parent_id: str  # "" for a root
    name: str
    leaf: bool  # only leaves can hold a listing
    path: str = ""  # "Fashion > Men > T-shirts" (filled by category_paths)


@dataclass(frozen=True)
class AttributeValue:
    value_id: str
    name: str


class AttributeInput(StrEnum):
    SELECT = "select"  # one of `values`
    MULTI_SELECT = "multi"  # several of `values`
    TEXT = "text"  # free text (custom value)
    SELECT_OR_TEXT = "select_or_text"  # one of `values` or a custom text


@dataclass(frozen=True)
class CategoryAttribute:
    attribute_id: str
    name: str
    mandatory: bool
    input: AttributeInput
    values: tuple[AttributeValue, ...] = ()
    units: tuple[str, ...] = ()  # a unit must be chosen when not empty
    max_values: int = 1


@dataclass(frozen=True)
class PlatformBrand:
    brand_id: str
    name: str


@dataclass(frozen=True)
class BrandList:
    brands: tuple[PlatformBrand, ...]
    mandatory: bool  # False: "No brand" (`no_brand`) is accepted
    no_brand: PlatformBrand | None = None


@dataclass(frozen=True)
class VariationLimits:
    max_dimensions: int  # Shopee 2, Lazada 2 (most categories), TikTok 3
    max_variants: int  # per listing
    max_options: int  # per dimension
    option_length: int  # characters of one option text
    name_length: tuple[int, int] = (1, 255)  # title length (min, max)
    max_images: int = 9


@dataclass(frozen=True)
class UploadedImage:
    image_id: str
    url: str = ""


# --- what we send ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeChoice:
    attribute_id: str
    value_ids: tuple[str, ...] = ()
    text: str = ""  # custom value (TEXT / SELECT_OR_TEXT)
    unit: str = ""


@dataclass(frozen=True)
class VariationDimension:
    name: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ListingVariant:
    key: str  # ours (the variant id), echoed back in CreatedVariant
    seller_sku: str
    options: tuple[str, ...]  # one option per dimension, in dimension order
    price: Decimal
    stock: int = 0


@dataclass(frozen=True)
class ListingDraft:
    title: str
    description: str
    category_id: str
    brand: PlatformBrand | None
    attributes: tuple[AttributeChoice, ...]
    image_ids: tuple[str, ...]
    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    dimensions: tuple[VariationDimension, ...]  # () for a product without variations
    variants: tuple[ListingVariant, ...]  # exactly one when there are no dimensions
    live: bool = True  # False: created hidden


@dataclass(frozen=True)
class ListingChanges:
    """Only what is not None is sent (prices: platform model id -> price; "" = the item)."""

    title: str | None = None
    description: str | None = None
    image_ids: tuple[str, ...] | None = None
    prices: Mapping[str, Decimal] | None = None


class ReviewState(StrEnum):
    IN_REVIEW = "in_review"
    LIVE = "live"
    REJECTED = "rejected"
    INACTIVE = "inactive"  # hidden by the seller
    DELETED = "deleted"


@dataclass(frozen=True)
class CreatedVariant:
    key: str
    seller_sku: str
    model_id: str  # "" for a listing without variations


@dataclass(frozen=True)
class CreatedListing:
    item_id: str
    state: ReviewState
    variants: tuple[CreatedVariant, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ReviewStatus:
    item_id: str
    state: ReviewState
    reason: str = ""  # the platform's words when rejected


class ListingIncomplete(PermanentError):
    """The listing was created (`item_id`) but a later step failed: resume, do not create
    again (the platforms do not deduplicate creates)."""

    def __init__(self, code: str, message: str = "", *, item_id: str) -> None:
        super().__init__(code, message)
        self.item_id = item_id


# --- the interface --------------------------------------------------------------------------


class PublishingAdapter(abc.ABC):
    """Creating and updating listings on one shop, on top of that shop's Adapter."""

    platform: ClassVar[str]
    # Seconds to wait between dependent create calls where the platform needs it to settle
    # (Shopee: add_item -> init_tier_variation, >= 5 s); the engine may lower it for sandboxes.
    step_delay: float = 0.0
    # Whether the platform takes stock updates for an item still in review (TikTok: only for
    # ACTIVATE products). When not, its listings stay "not for sale" until the review passes.
    stock_in_review: ClassVar[bool] = True

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    @abc.abstractmethod
    def variation_limits(self, *, category_id: str = "") -> VariationLimits: ...

    @abc.abstractmethod
    def categories(self) -> list[PlatformCategory]:
        """The shop's whole category tree (roots and branches too), paths filled."""

    @abc.abstractmethod
    def category_attributes(self, *, category_id: str) -> list[CategoryAttribute]: ...

    @abc.abstractmethod
    def brands(self, *, category_id: str) -> BrandList: ...

    @abc.abstractmethod
    def upload_image(self, *, filename: str, content: bytes) -> UploadedImage: ...

    @abc.abstractmethod
    def create_listing(self, draft: ListingDraft) -> CreatedListing:
        """Create the listing with its variations; the platform ids of every variant."""

    def resume_listing(self, *, item_id: str, draft: ListingDraft) -> CreatedListing:
        """Finish a listing whose create stopped after the item existed (ListingIncomplete).
        Platforms that create in one call never leave one half-built: they keep this."""
        raise PermanentError("resume_not_supported", self.platform)

    @abc.abstractmethod
    def update_listing(self, *, item_id: str, changes: ListingChanges) -> None: ...

    @abc.abstractmethod
    def review_status(self, *, item_ids: Sequence[str]) -> list[ReviewStatus]: ...


def publisher_for(adapter: Adapter) -> PublishingAdapter | None:
    """The publishing side of `adapter`'s platform, or None when it has none (yet)."""
    target = PUBLISHERS.get(adapter.platform)
    if target is None:
        return None
    module_name, class_name = target.split(":")
    cls: type[PublishingAdapter] = getattr(import_module(module_name), class_name)
    return cls(adapter)


def category_paths(rows: Sequence[PlatformCategory]) -> list[PlatformCategory]:
    """The rows with `path` filled from their parents ("A > B > C"), sorted by path."""
    by_id = {row.category_id: row for row in rows}

    def path(row: PlatformCategory) -> str:
        names, seen = [row.name], {row.category_id}
        parent = by_id.get(row.parent_id)
        while parent is not None and parent.category_id not in seen:
            names.append(parent.name)
            seen.add(parent.category_id)
            parent = by_id.get(parent.parent_id)
        return " > ".join(reversed(names))

    filled = [PlatformCategory(r.category_id, r.parent_id, r.name, r.leaf, path(r)) for r in rows]
    return sorted(filled, key=lambda r: (r.path.casefold(), r.category_id))


# --- the variation plan ---------------------------------------------------------------------


class PlanMode(StrEnum):
    AS_IS = "as_is"
    MERGE = "merge"
    SPLIT = "split"


@dataclass(frozen=True)
class OptionAxis:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class PlannedListing:
    title_suffix: str  # appended to the title ("" unless split)
    dimensions: tuple[VariationDimension, ...]
    variants: tuple[tuple[str, tuple[str, ...]], ...]  # (our variant key, options per dimension)


@dataclass(frozen=True)
class VariationPlan:
    mode: PlanMode
    listings: tuple[PlannedListing, ...]
    merged: tuple[int, int] | None = None  # our axes (0-based) combined into one dimension
    split_on: int | None = None  # our axis with one listing per value
    problems: tuple[str, ...] = ()  # limits still broken (codes: see plan_problems)

    @property
    def fits(self) -> bool:
        return not self.problems


def _merge_listing(
    axes: Sequence[OptionAxis],
    variants: Sequence[tuple[str, tuple[str, ...]]],
    pair: tuple[int, int],
) -> PlannedListing:
    first, second = pair
    present = {(opts[first], opts[second]) for _key, opts in variants}
    combined = tuple(
        f"{a}{MERGE_JOINER}{b}"
        for a, b in itertools.product(axes[first].values, axes[second].values)
        if (a, b) in present
    )
    dims: list[VariationDimension] = []
    for index, axis in enumerate(axes):
        if index == first:
            name = f"{axes[first].name}{MERGE_JOINER}{axes[second].name}"
            dims.append(VariationDimension(name, combined))
        elif index != second:
            dims.append(VariationDimension(axis.name, axis.values))
    rows = []
    for key, opts in variants:
        mapped = []
        for index, value in enumerate(opts):
            if index == first:
                mapped.append(f"{value}{MERGE_JOINER}{opts[second]}")
            elif index != second:
                mapped.append(value)
        rows.append((key, tuple(mapped)))
    return PlannedListing("", tuple(dims), tuple(rows))


def _split_listings(
    axes: Sequence[OptionAxis], variants: Sequence[tuple[str, tuple[str, ...]]], axis: int
) -> tuple[PlannedListing, ...]:
    others = [i for i in range(len(axes)) if i != axis]
    listings = []
    for value in axes[axis].values:
        rows = tuple(
            (key, tuple(opts[i] for i in others)) for key, opts in variants if opts[axis] == value
        )
        if not rows:
            continue
        dims = tuple(
            VariationDimension(
                axes[i].name,
                tuple(v for v in axes[i].values if any(r[1][n] == v for r in rows)),
            )
            for n, i in enumerate(others)
        )
        listings.append(PlannedListing(value, dims, rows))
    return tuple(listings)


def plan_problems(listings: Sequence[PlannedListing], limits: VariationLimits) -> tuple[str, ...]:
    """Codes of the limits a set of planned listings breaks (empty: it fits)."""
    found: list[str] = []
    for listing in listings:
        if len(listing.dimensions) > limits.max_dimensions:
            found.append("too_many_dimensions")
        if len(listing.variants) > limits.max_variants:
            found.append("too_many_variants")
        if any(len(d.options) > limits.max_options for d in listing.dimensions):
            found.append("too_many_options")
        if any(len(o) > limits.option_length for d in listing.dimensions for o in d.options):
            found.append("option_too_long")
    return tuple(dict.fromkeys(found))


def _candidates(
    axes: Sequence[OptionAxis], variants: Sequence[tuple[str, tuple[str, ...]]]
) -> list[VariationPlan]:
    plans = [VariationPlan(PlanMode.AS_IS, (PlannedListing("", _dims(axes), tuple(variants)),))]
    pairs = sorted(
        itertools.combinations(range(len(axes)), 2),
        key=lambda p: (len(axes[p[0]].values) * len(axes[p[1]].values), p),
    )
    for pair in pairs:
        listing = _merge_listing(axes, variants, pair)
        plans.append(VariationPlan(PlanMode.MERGE, (listing,), merged=pair))
    for axis in sorted(range(len(axes)), key=lambda i: (-len(axes[i].values), i)):
        plans.append(
            VariationPlan(PlanMode.SPLIT, _split_listings(axes, variants, axis), split_on=axis)
        )
    return plans


def _dims(axes: Sequence[OptionAxis]) -> tuple[VariationDimension, ...]:
    return tuple(VariationDimension(a.name, a.values) for a in axes)


def plan_variations(
    *,
    axes: Sequence[OptionAxis],
    variants: Sequence[tuple[str, tuple[str, ...]]],
    limits: VariationLimits,
    mode: PlanMode | None = None,
    merged: tuple[int, int] | None = None,
    split_on: int | None = None,
) -> VariationPlan:
    """How our variants (key, one value per axis) become listings on the platform.

    With no `mode` the first plan that fits wins: as is, then merging the pair of axes with the
    fewest combinations, then one listing per value of an axis (most values first). A chosen
    mode (and pair/axis) is planned as asked; `problems` then says which limits it breaks.
    """
    if not axes:
        return VariationPlan(PlanMode.AS_IS, (PlannedListing("", (), tuple(variants)),))
    plans = _candidates(axes, variants)
    if mode is not None:
        plans = [
            p
            for p in plans
            if p.mode == mode
            and (merged is None or p.merged == merged)
            and (split_on is None or p.split_on == split_on)
        ] or plans[:1]
    scored = [
        VariationPlan(p.mode, p.listings, p.merged, p.split_on, plan_problems(p.listings, limits))
        for p in plans
    ]
    return next((p for p in scored if p.fits), scored[0])
