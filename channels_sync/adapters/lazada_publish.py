"""Lazada: creating and updating listings (marketplaces.md 7.2) over LazadaAdapter's signed calls.

Offers: `/category/tree/get` (nested, only `leaf` categories hold products),
`/category/attributes/get` (the key of an attribute is its `name`, an enumeration's value its
option's `en_name`: so both are our ids; sales attributes and the fields the listing fills
itself are left out), `/category/brands/query` (the country's whole list, paged by `startRow`;
"No Brand" is one of its entries, its id differing per country) and `/image/upload`
(multipart; the returned Lazada URL is the image id, since products take only Lazada URLs).

Create is one `/product/create` with every SKU (JSON payload, lazada_listing) after a look-up
by SellerSku (`/products/get sku_seller_list`): Lazada does not deduplicate creates, so a
product that already holds all our SKUs (a create whose answer was lost) is taken as created
and one holding some of them is refused. Our up to 3 options become at most `max_dimensions`
custom sales attributes (the plan merges or splits first). Hidden publishing is
`/product/deactivate` right after the create. Updates: `/product/update` by SkuId for name,
description and images, prices through `/product/price_quantity/update`. Review: each item's
`/product/item/get` status, sub-status and `rejectReason` (GetQcStatus is [UNV], 7.6).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from channels_sync.adapters.base import Adapter, PermanentError, PriceUpdate, TransientError
from channels_sync.adapters.lazada import HTTP_ERRORS, LazadaAdapter, UpdateRefused, host_region
from channels_sync.adapters.lazada_listing import (
    FILLED,
    create_payload,
    created_state,
    fit_image,
    review_state,
    update_payload,
)
from channels_sync.adapters.lazada_protocol import SUCCESS, error_for
from channels_sync.adapters.publishing import (
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

INPUT_TYPES = {
    "singleselect": AttributeInput.SELECT,
    "multiselect": AttributeInput.MULTI_SELECT,
    "multienuminput": AttributeInput.MULTI_SELECT,
    "enuminput": AttributeInput.SELECT_OR_TEXT,
}
LANGUAGES = {"VN": "vi_VN", "TH": "th_TH", "VND": "vi_VN", "THB": "th_TH"}
BRAND_PAGE = 200  # GetBrandByPages' largest page
BRAND_PAGES = 25  # at most 5,000 brands read
NO_BRAND_NAMES = ("no brand", "nobrand", "no_brand")
TOO_MANY_SALE_PROPS = re.compile(r"sale\s*prop.*max\s*items?\s*(\d+)", re.IGNORECASE)


class LazadaPublisher(PublishingAdapter):
    platform: ClassVar[str] = "lazada"
    # Not published or differing per category (7.6): kept as settings of the class.
    max_dimensions: ClassVar[int] = 2  # VARIATION_SIZE_LIMIT in most categories
    max_variants: ClassVar[int] = 50  # SKUs of one create call (the per-product cap is [UNV])
    no_brand_id: ClassVar[str] = ""  # "" = the brand list's "No Brand" entry

    def __init__(self, adapter: Adapter) -> None:
        if not isinstance(adapter, LazadaAdapter):
            raise TypeError("LazadaPublisher needs a LazadaAdapter")
        super().__init__(adapter)
        self.lazada = adapter
        self._no_brand: PlatformBrand | None = None

    def _data(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.lazada.call(method, path, params or {}).get("data")

    @property
    def language(self) -> str:
        region = host_region(self.lazada.base_url) or self.lazada.config.currency
        return LANGUAGES.get(region.upper(), "en_US")

    # -- what the platform offers -----------------------------------------------------------
    def variation_limits(self, *, category_id: str = "") -> VariationLimits:
        return VariationLimits(self.max_dimensions, self.max_variants, 50, 20, (1, 255), 8)

    def categories(self) -> list[PlatformCategory]:
        rows: list[PlatformCategory] = []
        todo = [(node, "") for node in self._data("GET", "/category/tree/get", self._lang()) or []]
        while todo:
            node, parent = todo.pop()
            if not isinstance(node, Mapping) or not node.get("category_id"):
                continue
            category_id = str(node["category_id"])
            children = node.get("children") or []
            leaf = bool(node.get("leaf")) if "leaf" in node else not children
            rows.append(PlatformCategory(category_id, parent, str(node.get("name") or ""), leaf))
            todo.extend((child, category_id) for child in children)
        return category_paths(rows)

    def _lang(self) -> dict[str, str]:
        return {"language_code": self.language}

    def _raw_attributes(self, category_id: str) -> list[Mapping[str, Any]]:
        params = {"primary_category_id": category_id, **self._lang()}
        rows = self._data("GET", "/category/attributes/get", params) or []
        return [r for r in rows if isinstance(r, Mapping) and r.get("name")]

    def category_attributes(self, *, category_id: str) -> list[CategoryAttribute]:
        found = []
        for row in self._raw_attributes(category_id):
            if str(row["name"]) in FILLED or _flag(row.get("is_sale_prop")):
                continue
            kind = str(row.get("input_type") or "text").replace("_", "").lower()
            options = [o for o in row.get("options") or [] if isinstance(o, Mapping)]
            values = tuple(
                AttributeValue(
                    str(o.get("en_name") or o.get("name")),
                    str(o.get("name") or o.get("en_name")),
                )
                for o in options
                if o.get("en_name") or o.get("name")
            )
            found.append(
                CategoryAttribute(
                    attribute_id=str(row["name"]),
                    name=str(row.get("label") or row["name"]),
                    mandatory=_flag(row.get("is_mandatory")),
                    input=INPUT_TYPES.get(kind, AttributeInput.TEXT)
                    if values
                    else AttributeInput.TEXT,
                    values=values,
                    max_values=len(values) if "multi" in kind and values else 1,
                )
            )
        return sorted(found, key=lambda a: (not a.mandatory, a.name.casefold()))

    def brands(self, *, category_id: str = "") -> BrandList:
        """The country's brands (Lazada has no list per category); "No Brand" apart."""
        brands: list[PlatformBrand] = []
        no_brand: PlatformBrand | None = None
        for page in range(BRAND_PAGES):
            params = {"startRow": page * BRAND_PAGE, "pageSize": BRAND_PAGE}
            data = self._data("GET", "/category/brands/query", params) or {}
            rows = [r for r in data.get("module") or [] if isinstance(r, Mapping)]
            for row in rows:
                brand = PlatformBrand(
                    str(row.get("brand_id")), str(row.get("name") or row.get("name_en") or "")
                )
                english = str(row.get("name_en") or row.get("name") or "").strip().lower()
                if english in NO_BRAND_NAMES or brand.brand_id == self.no_brand_id:
                    no_brand = brand
                else:
                    brands.append(brand)
            total = int(data.get("total_record") or 0)
            if len(rows) < BRAND_PAGE or (page + 1) * BRAND_PAGE >= total:
                break
        self._no_brand = no_brand
        brands.sort(key=lambda b: (b.name.casefold(), b.brand_id))
        return BrandList(tuple(brands), no_brand is None, no_brand)

    def upload_image(self, *, filename: str, content: bytes) -> UploadedImage:
        """`/image/upload` (multipart `image`; the file is not signed, every other field is)."""
        body, extension = fit_image(content)
        name = filename.rsplit(".", 1)[0] + extension if extension else filename
        values = self.lazada.signed("/image/upload", {}, seller=True)
        self.lazada.calls += 1
        try:
            answer = self.lazada.http.post(
                f"{self.lazada.base_url}/image/upload",
                data=values,
                files={"image": (name, body)},
            )
            envelope = answer.json()
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        except ValueError:
            raise TransientError(f"http_{answer.status_code}", "the answer is not JSON") from None
        code = str(envelope.get("code")) if isinstance(envelope, dict) else ""
        if code != SUCCESS:
            message = str(envelope.get("message") or "") if isinstance(envelope, dict) else ""
            raise error_for(code or f"http_{answer.status_code}", message)
        image = (envelope.get("data") or {}).get("image") or {}
        if not image.get("url"):
            raise PermanentError("image_not_uploaded", "the answer has no image url")
        return UploadedImage(str(image["url"]), str(image["url"]))

    # -- create -----------------------------------------------------------------------------
    def _brand_id(self, draft: ListingDraft) -> str:
        if draft.brand is not None:
            return draft.brand.brand_id
        if self.no_brand_id:
            return self.no_brand_id
        if self._no_brand is None:
            self.brands()
        if self._no_brand is None:
            raise PermanentError("4156", "the shop has no \u201cNo Brand\u201d: choose a brand")
        return self._no_brand.brand_id

    def _existing(self, draft: ListingDraft) -> Mapping[str, Any] | None:
        """The product already holding all of the draft's SKUs (a create answered too late),
        None when none holds any; PermanentError when some are used by other products."""
        skus = [v.seller_sku for v in draft.variants]
        params = {"filter": "all", "limit": 50, "offset": 0, "sku_seller_list": json.dumps(skus)}
        data = self._data("GET", "/products/get", params) or {}
        used: dict[str, Mapping[str, Any]] = {}
        for product in data.get("products") or []:
            for sku in product.get("skus") or []:
                if str(sku.get("SellerSku")) in skus:
                    used[str(sku["SellerSku"])] = product
        if not used:
            return None
        owners = {str(p.get("item_id")) for p in used.values()}
        if len(owners) == 1 and len(used) == len(skus):
            return next(iter(used.values()))
        taken = ", ".join(sorted(used))
        raise PermanentError("4135", f"SellerSku already used by another product: {taken}")

    def create_listing(self, draft: ListingDraft) -> CreatedListing:
        if not (draft.weight_grams and draft.length_cm and draft.width_cm and draft.height_cm):
            raise PermanentError("package_required", "package weight, length, width and height")
        found = self._existing(draft)
        if found is not None:
            return self._from_product(found, draft)
        sku_attributes = frozenset(
            str(r["name"])
            for r in self._raw_attributes(draft.category_id)
            if str(r.get("attribute_type") or "normal").lower() == "sku"
        )
        payload = create_payload(
            draft, brand_id=self._brand_id(draft), sku_attributes=sku_attributes
        )
        try:
            envelope = self.lazada.call("POST", "/product/create", {"payload": _json(payload)})
        except UpdateRefused as error:
            raise _refusal(error) from None
        except PermanentError as error:
            raise _sale_props(error) from None
        data = envelope.get("data") or {}
        item_id = str(data.get("item_id") or "")
        if not item_id:
            raise PermanentError("no_item_id", "/product/create answered without item_id")
        by_sku = {
            str(row.get("seller_sku")): str(row.get("sku_id"))
            for row in data.get("sku_list") or []
            if isinstance(row, Mapping)
        }
        missing = [v.seller_sku for v in draft.variants if not by_sku.get(v.seller_sku)]
        if missing:
            raise ListingIncomplete("sku_missing", ", ".join(missing), item_id=item_id)
        state = created_state(str(data.get("item_status") or "Active"))
        state = self._hide(item_id, state, draft)
        variants = tuple(
            CreatedVariant(v.key, v.seller_sku, by_sku[v.seller_sku]) for v in draft.variants
        )
        return CreatedListing(item_id, state, variants, raw=data)

    def _hide(self, item_id: str, state: ReviewState, draft: ListingDraft) -> ReviewState:
        if draft.live or state == ReviewState.INACTIVE:
            return state
        body = f"<Request><Product><ItemId>{int(item_id)}</ItemId></Product></Request>"
        try:
            self.lazada.call("POST", "/product/deactivate", {"apiRequestBody": body})
        except PermanentError as error:
            raise ListingIncomplete(error.code, error.message, item_id=item_id) from error
        return ReviewState.INACTIVE if state == ReviewState.LIVE else state

    def resume_listing(self, *, item_id: str, draft: ListingDraft) -> CreatedListing:
        """The item exists (SKU ids missing from the answer, or hiding it failed): read it."""
        return self._from_product(self._item(item_id), draft)

    def _from_product(self, product: Mapping[str, Any], draft: ListingDraft) -> CreatedListing:
        item_id = str(product.get("item_id"))
        by_sku = {str(s.get("SellerSku")): str(s.get("SkuId")) for s in product.get("skus") or []}
        missing = [v.seller_sku for v in draft.variants if v.seller_sku not in by_sku]
        if missing:
            raise ListingIncomplete("sku_missing", ", ".join(missing), item_id=item_id)
        state = self._hide(item_id, review_state(product)[0], draft)
        variants = tuple(
            CreatedVariant(v.key, v.seller_sku, by_sku[v.seller_sku]) for v in draft.variants
        )
        return CreatedListing(item_id, state, variants, raw=product)

    def _item(self, item_id: str) -> Mapping[str, Any]:
        product = self._data("GET", "/product/item/get", {"item_id": item_id})
        if not isinstance(product, Mapping):
            raise PermanentError("no_item", f"/product/item/get {item_id} answered no product")
        return product

    # -- update and review ------------------------------------------------------------------
    def update_listing(self, *, item_id: str, changes: ListingChanges) -> None:
        content = (changes.title, changes.description, changes.image_ids)
        if any(part is not None for part in content):
            sku_ids = [str(s.get("SkuId")) for s in self._item(item_id).get("skus") or []]
            payload = update_payload(item_id, sku_ids, changes)
            try:
                self.lazada.call("POST", "/product/update", {"payload": _json(payload)})
            except UpdateRefused as error:
                raise _refusal(error) from None
        if changes.prices:
            updates = [PriceUpdate(item_id, s, p) for s, p in sorted(changes.prices.items()) if s]
            refused = [r for r in self.lazada.push_prices(updates=updates) if not r.ok]
            if refused:
                raise PermanentError(refused[0].code, refused[0].message)

    def review_status(self, *, item_ids: Sequence[str]) -> list[ReviewStatus]:
        found = []
        for item_id in dict.fromkeys(item_ids):
            state, reason = review_state(self._item(item_id))
            found.append(ReviewStatus(item_id, state, reason))
        return found


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def _json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _refusal(error: UpdateRefused) -> PermanentError:
    """A generic 500/501 as its real cause: the first detail row's code and every message."""
    codes = [str(d.get("code")) for d in error.detail if d.get("code")]
    words = "; ".join(
        f"{d.get('field')}: {d.get('message')}" if d.get("field") else str(d.get("message"))
        for d in error.detail
        if d.get("message")
    )
    return _sale_props(PermanentError(codes[0] if codes else error.code, words or error.message))


def _sale_props(error: PermanentError) -> PermanentError:
    """ "Total sale prop more than maxItems 2": the category takes fewer sales attributes than
    the plan used (7.2.2: no call states the maximum) -> our code, the platform's words kept."""
    if TOO_MANY_SALE_PROPS.search(error.message):
        return PermanentError("too_many_dimensions", error.message)
    return error
