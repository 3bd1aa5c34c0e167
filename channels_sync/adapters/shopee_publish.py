"""Shopee: creating and updating listings (marketplaces.md 7.1) over ShopeeAdapter's signed calls.

Create is `add_item` (no variations; price and stock of the item, our SKU when there are no
variants) and, when the draft has dimensions, `init_tier_variation` at least `step_delay`
seconds later (Shopee needs the item to settle first; a refusal for being too early is retried
once after another delay). Custom variation names and options go with ids 0
(`standardise_tier_variation`); every usable logistics channel (enabled, `mask_channel_id` 0)
is switched on. Review: `get_item_base_info` statuses, and for a BANNED item the reasons of
`get_item_violation_info` (not in the stored doc set [UNV]; without it the reason is empty).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from channels_sync.adapters.base import (
    Adapter,
    ChannelError,
    PermanentError,
    PriceUpdate,
    TransientError,
)
from channels_sync.adapters.publishing import (
    AttributeChoice,
    AttributeInput,
    AttributeValue,
    BrandList,
    CategoryAttribute,
    CreatedListing,
    CreatedVariant,
    ListingChanges,
    ListingDraft,
    ListingIncomplete,
    PlatformBrand,
    PlatformCategory,
    PublishingAdapter,
    ReviewState,
    ReviewStatus,
    UploadedImage,
    VariationLimits,
    category_paths,
)
from channels_sync.adapters.shopee import API, HTTP_ERRORS, ShopeeAdapter

INPUT_TYPES = {
    1: AttributeInput.SELECT,
    2: AttributeInput.SELECT_OR_TEXT,
    3: AttributeInput.TEXT,
    4: AttributeInput.MULTI_SELECT,
    5: AttributeInput.SELECT_OR_TEXT,
}
STATES = {
    "NORMAL": ReviewState.LIVE,
    "REVIEWING": ReviewState.IN_REVIEW,
    "UNLIST": ReviewState.INACTIVE,
    "BANNED": ReviewState.REJECTED,
    "SELLER_DELETE": ReviewState.DELETED,
    "SHOPEE_DELETE": ReviewState.DELETED,
}
NO_BRAND = PlatformBrand("0", "No Brand")
BRAND_PAGES = 50  # at most 5,000 brands per category
TOO_EARLY = "error_busi"


class ShopeePublisher(PublishingAdapter):
    platform: ClassVar[str] = "shopee"
    max_options: ClassVar[int] = 20  # per tier: 20 or 50 in the doc, 20 by default [UNV]
    step_delay: float = 5.0  # seconds between add_item and init_tier_variation

    def __init__(self, adapter: Adapter) -> None:
        if not isinstance(adapter, ShopeeAdapter):
            raise TypeError("ShopeePublisher needs a ShopeeAdapter")
        super().__init__(adapter)
        self.shopee = adapter

    def _get(self, api: str, **params: Any) -> dict[str, Any]:
        return self.shopee._response(self.shopee.call("GET", f"{API}/{api}", params=params))

    def _post(self, api: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.shopee._response(self.shopee.call("POST", f"{API}/{api}", body=body))

    # -- what the platform offers -----------------------------------------------------------
    def variation_limits(self, *, category_id: str = "") -> VariationLimits:
        option_length, names, images = 20, (1, 255), 9
        if category_id:
            limits = self._get("product/get_item_limit", category_id=category_id)
            option = limits.get("tier_variation_option_length_limit") or {}
            option_length = int(option.get("max_limit") or option_length)
            name = limits.get("item_name_length_limit") or {}
            names = (int(name.get("min_limit") or 1), int(name.get("max_limit") or 255))
            images = int((limits.get("item_image_count_limit") or {}).get("max_limit") or 9)
        return VariationLimits(2, 50, self.max_options, option_length, names, images)

    def categories(self) -> list[PlatformCategory]:
        rows = self._get("product/get_category").get("category_list") or []
        return category_paths(
            [
                PlatformCategory(
                    category_id=str(row["category_id"]),
                    parent_id=str(row.get("parent_category_id") or ""),
                    name=str(row.get("display_category_name") or row["original_category_name"]),
                    leaf=not row.get("has_children"),
                )
                for row in rows
                if isinstance(row, dict) and row.get("category_id")
            ]
        )

    def category_attributes(self, *, category_id: str) -> list[CategoryAttribute]:
        answer = self._get("product/get_attribute_tree", category_id_list=category_id)
        found: list[CategoryAttribute] = []
        for entry in answer.get("list") or []:
            if str(entry.get("category_id")) != str(category_id):
                continue
            for attr in entry.get("attribute_tree") or []:
                info = attr.get("attribute_info") or {}
                found.append(
                    CategoryAttribute(
                        attribute_id=str(attr["attribute_id"]),
                        name=str(attr.get("name") or attr["attribute_id"]),
                        mandatory=bool(attr.get("mandatory")),
                        input=INPUT_TYPES.get(
                            int(info.get("input_type") or 3), AttributeInput.TEXT
                        ),
                        values=tuple(
                            AttributeValue(str(v["value_id"]), str(v.get("name") or ""))
                            for v in attr.get("attribute_value_list") or []
                        ),
                        units=tuple(str(u) for u in info.get("attribute_unit_list") or []),
                        max_values=int(info.get("max_value_count") or 1),
                    )
                )
        return sorted(found, key=lambda a: (not a.mandatory, a.name.casefold()))

    def brands(self, *, category_id: str) -> BrandList:
        brands: list[PlatformBrand] = []
        mandatory, offset = False, 0
        for _page in range(BRAND_PAGES):
            page = self._get(
                "product/get_brand_list",
                category_id=category_id,
                status=1,
                offset=offset,
                page_size=100,
            )
            mandatory = bool(page.get("is_mandatory"))
            brands.extend(
                PlatformBrand(
                    str(b["brand_id"]), str(b.get("display_brand_name") or b["original_brand_name"])
                )
                for b in page.get("brand_list") or []
            )
            if not page.get("has_next_page"):
                break
            offset = int(page.get("next_offset") or offset + 100)
        return BrandList(tuple(brands), mandatory, None if mandatory else NO_BRAND)

    def upload_image(self, *, filename: str, content: bytes) -> UploadedImage:
        path = f"{API}/media_space/upload_image"
        adapter = self.shopee
        query = {**adapter._auth_params(path, shop=True), "scene": "normal"}
        adapter.calls += 1
        try:
            answer = adapter.http.post(
                f"{adapter.base_url}{path}",
                params=query,
                files={"image": (filename, content)},
            )
            envelope = answer.json()
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        except ValueError:
            raise TransientError(f"http_{answer.status_code}", "the answer is not JSON") from None
        if envelope.get("error"):
            raise PermanentError(str(envelope["error"]), str(envelope.get("message") or ""))
        info = (envelope.get("response") or {}).get("image_info") or {}
        if not info.get("image_id"):
            raise PermanentError("image_not_uploaded", "the answer has no image_id")
        urls = info.get("image_url_list") or [{}]
        return UploadedImage(str(info["image_id"]), str(urls[0].get("image_url") or ""))

    # -- create and update ------------------------------------------------------------------
    def _logistics(self) -> list[dict[str, Any]]:
        rows = self._get("logistics/get_channel_list").get("logistics_channel_list") or []
        usable = [
            {"logistic_id": int(r["logistics_channel_id"]), "enabled": True}
            for r in rows
            if r.get("enabled") and not r.get("mask_channel_id")
        ]
        if not usable:
            raise PermanentError("no_logistics", "the shop has no usable logistics channel")
        return usable

    def add_item_body(self, draft: ListingDraft) -> dict[str, Any]:
        single = not draft.dimensions
        prices = [v.price for v in draft.variants]
        body: dict[str, Any] = {
            "item_name": draft.title,
            "description": draft.description,
            "category_id": int(draft.category_id),
            "original_price": _number(prices[0] if single else min(prices)),
            "seller_stock": [{"stock": draft.variants[0].stock if single else 0}],
            "weight": draft.weight_grams / 1000,
            "image": {"image_id_list": list(draft.image_ids)},
            "logistic_info": self._logistics(),
            "attribute_list": [_attribute(a) for a in draft.attributes],
            "brand": _brand(draft.brand),
            "condition": "NEW",
            "item_status": "NORMAL" if draft.live else "UNLIST",
        }
        if draft.length_cm and draft.width_cm and draft.height_cm:
            body["dimension"] = {
                "package_length": draft.length_cm,
                "package_width": draft.width_cm,
                "package_height": draft.height_cm,
            }
        if single:
            body["item_sku"] = draft.variants[0].seller_sku
        return body

    def tier_body(self, item_id: str, draft: ListingDraft) -> dict[str, Any]:
        positions = [{o: n for n, o in enumerate(d.options)} for d in draft.dimensions]
        return {
            "item_id": int(item_id),
            "standardise_tier_variation": [
                {
                    "variation_id": 0,
                    "variation_group_id": 0,
                    "variation_name": d.name,
                    "variation_option_list": [
                        {"variation_option_id": 0, "variation_option_name": o} for o in d.options
                    ],
                }
                for d in draft.dimensions
            ],
            "model": [
                {
                    "tier_index": [positions[n][o] for n, o in enumerate(v.options)],
                    "model_sku": v.seller_sku,
                    "original_price": _number(v.price),
                    "seller_stock": [{"stock": v.stock}],
                }
                for v in draft.variants
            ],
        }

    def create_listing(self, draft: ListingDraft) -> CreatedListing:
        answer = self._post("product/add_item", self.add_item_body(draft))
        item_id = str(answer.get("item_id") or "")
        if not item_id:
            raise PermanentError("no_item_id", "add_item answered without item_id")
        state = STATES.get(str(answer.get("item_status") or "NORMAL"), ReviewState.LIVE)
        if not draft.dimensions:
            only = draft.variants[0]
            return CreatedListing(item_id, state, (CreatedVariant(only.key, only.seller_sku, ""),))
        return self._variations(item_id, state, draft)

    def resume_listing(self, *, item_id: str, draft: ListingDraft) -> CreatedListing:
        """init_tier_variation on an item add_item made (7.4.5: resume, never create again)."""
        statuses = self.review_status(item_ids=[item_id])
        state = statuses[0].state if statuses else ReviewState.LIVE
        if not draft.dimensions:
            only = draft.variants[0]
            return CreatedListing(item_id, state, (CreatedVariant(only.key, only.seller_sku, ""),))
        return self._variations(item_id, state, draft)

    def _variations(self, item_id: str, state: ReviewState, draft: ListingDraft) -> CreatedListing:
        try:
            tiers = self._init_tiers(item_id, draft)
        except ChannelError as error:
            raise ListingIncomplete(error.code, error.message, item_id=item_id) from error
        by_index = {tuple(m.get("tier_index") or ()): m for m in tiers.get("model") or []}
        positions = [{o: n for n, o in enumerate(d.options)} for d in draft.dimensions]
        created = []
        for variant in draft.variants:
            index = tuple(positions[n][o] for n, o in enumerate(variant.options))
            model = by_index.get(index)
            if model is None:
                raise ListingIncomplete("model_missing", variant.seller_sku, item_id=item_id)
            created.append(CreatedVariant(variant.key, variant.seller_sku, str(model["model_id"])))
        return CreatedListing(item_id, state, tuple(created), raw=tiers)

    def _init_tiers(self, item_id: str, draft: ListingDraft) -> dict[str, Any]:
        body = self.tier_body(item_id, draft)
        time.sleep(self.step_delay)
        try:
            return self._post("product/init_tier_variation", body)
        except PermanentError as error:
            if error.code != TOO_EARLY:
                raise
            time.sleep(self.step_delay)
            return self._post("product/init_tier_variation", body)

    def update_listing(self, *, item_id: str, changes: ListingChanges) -> None:
        body: dict[str, Any] = {"item_id": int(item_id)}
        if changes.title is not None:
            body["item_name"] = changes.title
        if changes.description is not None:
            body["description"] = changes.description
        if changes.image_ids is not None:
            body["image"] = {"image_id_list": list(changes.image_ids)}
        if len(body) > 1:
            self._post("product/update_item", body)
        if changes.prices:
            updates = [PriceUpdate(item_id, m, p) for m, p in sorted(changes.prices.items())]
            refused = [r for r in self.shopee.push_prices(updates=updates) if not r.ok]
            if refused:
                raise PermanentError(refused[0].code, refused[0].message)

    def review_status(self, *, item_ids: Sequence[str]) -> list[ReviewStatus]:
        found: list[ReviewStatus] = []
        ids = list(dict.fromkeys(item_ids))
        for start in range(0, len(ids), 50):
            chunk = ",".join(ids[start : start + 50])
            page = self._get("product/get_item_base_info", item_id_list=chunk)
            rows = [
                (str(r["item_id"]), STATES.get(str(r.get("item_status")), ReviewState.LIVE))
                for r in page.get("item_list") or []
            ]
            banned = [i for i, s in rows if s == ReviewState.REJECTED]
            reasons = self._violations(banned) if banned else {}
            found.extend(ReviewStatus(i, s, reasons.get(i, "")) for i, s in rows)
        return found

    def _violations(self, item_ids: list[str]) -> dict[str, str]:
        try:
            page = self._get("product/get_item_violation_info", item_id_list=",".join(item_ids))
        except ChannelError:
            return {}
        return {
            str(row["item_id"]): "; ".join(
                str(v.get("violation_reason") or "") for v in row.get("violation_list") or []
            )
            for row in page.get("item_list") or []
        }


def _attribute(choice: AttributeChoice) -> dict[str, Any]:
    if choice.value_ids:
        values: list[dict[str, Any]] = [{"value_id": int(v)} for v in choice.value_ids]
    else:
        values = [{"value_id": 0, "original_value_name": choice.text}]
        if choice.unit:
            values[0]["value_unit"] = choice.unit
    return {"attribute_id": int(choice.attribute_id), "attribute_value_list": values}


def _brand(brand: PlatformBrand | None) -> dict[str, Any]:
    brand = brand or NO_BRAND
    return {"brand_id": int(brand.brand_id), "original_brand_name": brand.name}


def _number(price: Decimal) -> int | float:
    return int(price) if price == price.to_integral_value() else float(price)
