"""TikTok Shop (202309): creating and updating listings (marketplaces.md 7.3) over TikTokAdapter's
signed, paced and counted calls.

Create is one call: the images are uploaded first (multipart `data` + `use_case` MAIN_IMAGE, signed
without the body and without `shop_cipher`), then `POST /product/202309/products` with every SKU:
our up to 3 options as custom sales attributes (name / value_name) as they are, the price in the
shop's currency, the stock in the shop's default sales warehouse, our variant id as
`external_sku_id`, one package weight and size for the product. The `idempotency_key` is derived
from the shop and the body (a UUID of version-4 form), so a create retried after a lost answer gets
the first result back instead of a second product. The created SKU ids are matched to our variants
by seller SKU, or through Get Product by `external_sku_id` when SKUs are missing or repeated. Every
create is audited: PENDING is "in review", then ACTIVATE (live) or FAILED with
`audit_failed_reasons`. Updates: prices through prices/update (no audit), name / description /
images through `partial_edit` (only those top-level fields, never `skus`, whose omission would
delete SKUs; the edit is audited again).
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import random
import time
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from channels_sync.adapters.base import (
    Adapter,
    PermanentError,
    PriceUpdate,
    RateLimited,
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
    PlatformBrand,
    PlatformCategory,
    PublishingAdapter,
    ReviewState,
    ReviewStatus,
    UploadedImage,
    VariationLimits,
    category_paths,
)
from channels_sync.adapters.tiktok import HTTP_ERRORS, PRODUCT, TikTokAdapter
from channels_sync.adapters.tiktok_pacing import pace
from channels_sync.adapters.tiktok_protocol import tiktok_sign

CATEGORIES = "/product/202309/categories"
ATTRIBUTES = "/product/202309/categories/{}/attributes"
BRANDS = "/product/202309/brands"
WAREHOUSES = "/logistics/202309/warehouses"
IMAGES = "/product/202309/images/upload"
PRODUCTS = "/product/202309/products"
PARTIAL_EDIT = "/product/202309/products/{}/partial_edit"
CATEGORY_VERSION = "v1"  # "v2" for US shops
STATES = {
    "PENDING": ReviewState.IN_REVIEW,
    "ACTIVATE": ReviewState.LIVE,
    "FAILED": ReviewState.REJECTED,
    "DRAFT": ReviewState.INACTIVE,
    "SELLER_DEACTIVATED": ReviewState.INACTIVE,
    "PLATFORM_DEACTIVATED": ReviewState.INACTIVE,
    "FREEZE": ReviewState.INACTIVE,
    "DELETED": ReviewState.DELETED,
}
NO_BRAND = PlatformBrand("0", "No brand")  # brand_id left out of the body
BRAND_PAGES = 50
# Shops outside South-East Asia (by currency): titles of 1-255 characters, 300 SKUs (7.0).
WIDE_CURRENCIES = frozenset({"BRL", "USD", "GBP", "EUR", "JPY", "MXN"})
SKU_TEXT = 50  # seller_sku: 1-50 characters, no spaces


class TikTokPublisher(PublishingAdapter):
    platform: ClassVar[str] = "tiktok"
    # The documented quantity range at create is 1-99 999; whether 0 is accepted is not
    # confirmed (7.6): a variant without stock goes out with this floor, and the stock push
    # after the audit sets the real quantity.
    create_quantity_floor: ClassVar[int] = 1
    stock_in_review: ClassVar[bool] = False  # inventory updates are for ACTIVATE products only

    def __init__(self, adapter: Adapter) -> None:
        if not isinstance(adapter, TikTokAdapter):
            raise TypeError("TikTokPublisher needs a TikTokAdapter")
        super().__init__(adapter)
        self.tiktok = adapter
        self._warehouse = ""

    # -- what the platform offers -----------------------------------------------------------
    def variation_limits(self, *, category_id: str = "") -> VariationLimits:
        """3 sales attributes; 100 SKUs (300 outside South-East Asia); option values of 50
        characters; titles of 25-255 characters in South-East Asia; 9 main images."""
        if self.tiktok.config.currency in WIDE_CURRENCIES:
            return VariationLimits(3, 300, 300, 50, (1, 255), 9)
        return VariationLimits(3, 100, 100, 50, (25, 255), 9)

    def categories(self) -> list[PlatformCategory]:
        """Leaves are those marked `is_leaf` whose permissions include AVAILABLE (the others
        are kept as branches, so they show in paths but cannot be chosen)."""
        data = self.tiktok.call("GET", CATEGORIES, params={"category_version": CATEGORY_VERSION})
        rows = []
        for row in data.get("categories") or []:
            if not isinstance(row, dict) or not row.get("id"):
                continue
            parent = str(row.get("parent_id") or "")
            rows.append(
                PlatformCategory(
                    category_id=str(row["id"]),
                    parent_id="" if parent == "0" else parent,
                    name=str(row.get("local_name") or row["id"]),
                    leaf=bool(row.get("is_leaf"))
                    and "AVAILABLE" in (row.get("permission_statuses") or []),
                )
            )
        return category_paths(rows)

    def category_attributes(self, *, category_id: str) -> list[CategoryAttribute]:
        """The product attributes (SALES_PROPERTY rows are the variations, sent per SKU)."""
        data = self.tiktok.call(
            "GET",
            ATTRIBUTES.format(category_id),
            params={"category_version": CATEGORY_VERSION},
        )
        found = [
            _attribute(row)
            for row in data.get("attributes") or []
            if isinstance(row, dict) and row.get("type") == "PRODUCT_PROPERTY"
        ]
        return sorted(found, key=lambda a: (not a.mandatory, a.name.casefold()))

    def brands(self, *, category_id: str) -> BrandList:
        brands: list[PlatformBrand] = []
        token = ""
        for _page in range(BRAND_PAGES):
            params: dict[str, Any] = {"page_size": 100, "category_id": category_id}
            if token:
                params["page_token"] = token
            page = self.tiktok.call("GET", BRANDS, params=params)
            brands.extend(
                PlatformBrand(str(b["id"]), str(b.get("name") or b["id"]))
                for b in page.get("brands") or []
                if isinstance(b, dict) and b.get("id")
            )
            token = str(page.get("next_page_token") or "")
            if not token:
                break
        return BrandList(tuple(brands), False, NO_BRAND)  # brand is optional on TikTok

    def warehouse(self) -> str:
        """The shop's default sales warehouse (the first enabled one when none is default)."""
        if not self._warehouse:
            rows = self.tiktok.call("GET", WAREHOUSES).get("warehouses") or []
            sales = [
                r
                for r in rows
                if isinstance(r, dict)
                and r.get("type") == "SALES_WAREHOUSE"
                and str(r.get("effect_status") or "ENABLED") == "ENABLED"
            ]
            if not sales:
                raise PermanentError("no_warehouse", "the shop has no sales warehouse")
            chosen = next((r for r in sales if r.get("is_default")), sales[0])
            self._warehouse = str(chosen["id"])
        return self._warehouse

    def upload_image(self, *, filename: str, content: bytes) -> UploadedImage:
        """Multipart upload: the body is not signed and the call carries no shop_cipher. HTTP
        429 is backed off as for every other call (within `max_wait`)."""
        adapter = self.tiktok
        waited, delay = 0.0, adapter.backoff_first
        while True:
            try:
                data = self._upload(filename, content)
                break
            except RateLimited:
                remaining = adapter.config.max_wait - waited
                if remaining <= 0:
                    raise
                pause = min(delay * (0.5 + random.random()), remaining)  # noqa: S311 - jitter
                time.sleep(pause)
                waited, delay = waited + pause, delay * 2
        if not data.get("uri"):
            raise PermanentError("image_not_uploaded", "the answer has no uri")
        return UploadedImage(str(data["uri"]), str(data.get("url") or ""))

    def _upload(self, filename: str, content: bytes) -> dict[str, Any]:
        adapter, config = self.tiktok, self.tiktok.config
        query = {"app_key": config.app_key, "timestamp": str(int(config.clock().timestamp()))}
        query["sign"] = tiktok_sign(config.app_secret, IMAGES, query, multipart=True)
        pace(config.app_key, "", IMAGES)
        adapter.calls += 1
        try:
            answer = adapter.http.post(
                f"{adapter.base_url}{IMAGES}",
                params=query,
                files={"data": (filename, content)},
                data={"use_case": "MAIN_IMAGE"},
                headers={"x-tts-access-token": config.access_token},
            )
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        return adapter._envelope(answer)

    # -- create -----------------------------------------------------------------------------
    def create_body(self, draft: ListingDraft) -> dict[str, Any]:
        """The create body of 7.3.2, with the idempotency key derived from it."""
        warehouse = self.warehouse()
        currency = self.tiktok.config.currency
        body: dict[str, Any] = {
            "title": draft.title,
            "description": description_html(draft.description),
            "category_id": draft.category_id,
            "category_version": CATEGORY_VERSION,
            "main_images": [{"uri": uri} for uri in draft.image_ids],
            "package_weight": {"value": _kilograms(draft.weight_grams), "unit": "KILOGRAM"},
            "product_attributes": [_attribute_body(a) for a in draft.attributes],
            "skus": [
                self._sku_body(draft, index, warehouse, currency)
                for index in range(len(draft.variants))
            ],
            "save_mode": "LISTING" if draft.live else "AS_DRAFT",
        }
        if draft.length_cm and draft.width_cm and draft.height_cm:
            body["package_dimensions"] = {
                "length": str(draft.length_cm),
                "width": str(draft.width_cm),
                "height": str(draft.height_cm),
                "unit": "CENTIMETER",
            }
        if draft.brand is not None and draft.brand.brand_id not in ("", NO_BRAND.brand_id):
            body["brand_id"] = draft.brand.brand_id
        body["idempotency_key"] = self.idempotency_key(body)
        return body

    def _sku_body(
        self, draft: ListingDraft, index: int, warehouse: str, currency: str
    ) -> dict[str, Any]:
        variant = draft.variants[index]
        sku: dict[str, Any] = {
            "external_sku_id": variant.key,
            "sales_attributes": [
                {"name": dim.name, "value_name": option}
                for dim, option in zip(draft.dimensions, variant.options, strict=True)
            ],
            "price": {"amount": _amount(variant.price), "currency": currency},
            "inventory": [
                {
                    "warehouse_id": warehouse,
                    "quantity": min(max(variant.stock, self.create_quantity_floor), 99_999),
                }
            ],
        }
        if _sku_ok(variant.seller_sku):
            sku["seller_sku"] = variant.seller_sku
        return sku

    def idempotency_key(self, body: dict[str, Any]) -> str:
        """The same create body on the same shop gives the same key (a UUID in version-4 form,
        at most 128 characters as the doc asks). Stock quantities are left out of it: they
        move between a lost answer and the retry, and the product is the same."""
        config = self.tiktok.config
        stable = copy.deepcopy(body)
        for sku in stable.get("skus") or []:
            sku.pop("inventory", None)
        text = json.dumps(stable, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(f"{config.app_key}|{config.shop_cipher}|{text}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def create_listing(self, draft: ListingDraft) -> CreatedListing:
        data = self.tiktok.call("POST", PRODUCTS, body=self.create_body(draft))
        product_id = str(data.get("product_id") or "")
        if not product_id:
            raise PermanentError("no_item_id", "the create answer has no product_id")
        by_sku: dict[str, list[str]] = {}
        for row in data.get("skus") or []:
            if isinstance(row, dict) and row.get("id"):
                by_sku.setdefault(str(row.get("seller_sku") or ""), []).append(str(row["id"]))
        wanted = {v.key: v.seller_sku for v in draft.variants}
        ids = {
            key: by_sku[sku][0]
            for key, sku in wanted.items()
            if _sku_ok(sku) and len(by_sku.get(sku, ())) == 1
        }
        product: dict[str, Any] = {}
        if len(ids) < len(wanted):  # SKUs sent without seller_sku, or repeated: ask by our id
            product = self.tiktok.product(product_id)
            for row in product.get("skus") or []:
                key = str(row.get("external_sku_id") or "") if isinstance(row, dict) else ""
                if key in wanted and row.get("id"):
                    ids.setdefault(key, str(row["id"]))
        missing = [wanted[k] for k in wanted if k not in ids]
        if missing:
            raise PermanentError("sku_missing", ", ".join(missing))
        state = STATES.get(str(product.get("status") or ""), ReviewState.IN_REVIEW)
        if not draft.live:
            state = ReviewState.INACTIVE
        variants = tuple(CreatedVariant(v.key, v.seller_sku, ids[v.key]) for v in draft.variants)
        return CreatedListing(product_id, state, variants, raw=data)

    # -- update and review ------------------------------------------------------------------
    def update_listing(self, *, item_id: str, changes: ListingChanges) -> None:
        """Prices first (no audit), then the content fields through partial_edit."""
        if changes.prices:
            updates = [PriceUpdate(item_id, s, p) for s, p in sorted(changes.prices.items())]
            refused = [r for r in self.tiktok.push_prices(updates=updates) if not r.ok]
            if refused:
                raise PermanentError(refused[0].code, refused[0].message)
        body: dict[str, Any] = {}
        if changes.title is not None:
            body["title"] = changes.title
        if changes.description is not None:
            body["description"] = description_html(changes.description)
        if changes.image_ids is not None:
            body["main_images"] = [{"uri": uri} for uri in changes.image_ids]
        if body:
            self.tiktok.call("POST", PARTIAL_EDIT.format(item_id), body=body)

    def review_status(self, *, item_ids: Sequence[str]) -> list[ReviewStatus]:
        """Get Product per item: `status` gives the state; the reasons of a failed audit
        (`audit_failed_reasons`) are the words staff see."""
        found = []
        for item_id in dict.fromkeys(item_ids):
            product = self.tiktok.call("GET", PRODUCT.format(item_id))
            state = STATES.get(str(product.get("status") or ""), ReviewState.IN_REVIEW)
            audit = product.get("audit") if isinstance(product.get("audit"), dict) else {}
            failed = state == ReviewState.REJECTED or (audit or {}).get("status") == "FAILED"
            reason = _reasons(product.get("audit_failed_reasons")) if failed else ""
            found.append(ReviewStatus(str(item_id), state, reason))
        return found


def _attribute(row: dict[str, Any]) -> CategoryAttribute:
    values = tuple(
        AttributeValue(str(v["id"]), str(v.get("name") or v["id"]))
        for v in row.get("values") or []
        if isinstance(v, dict) and v.get("id")
    )
    custom = bool(row.get("is_customizable"))
    multiple = bool(row.get("is_multiple_selection"))
    if not values:
        kind = AttributeInput.TEXT
    elif multiple:
        kind = AttributeInput.MULTI_SELECT
    else:
        kind = AttributeInput.SELECT_OR_TEXT if custom else AttributeInput.SELECT
    return CategoryAttribute(
        attribute_id=str(row["id"]),
        name=str(row.get("name") or row["id"]),
        mandatory=bool(row.get("is_requried") or row.get("is_required")),  # both spellings
        input=kind,
        values=values,
        max_values=max(len(values), 1) if multiple else 1,
    )


def _attribute_body(choice: AttributeChoice) -> dict[str, Any]:
    if choice.value_ids:
        values: list[dict[str, str]] = [{"id": v} for v in choice.value_ids]
    else:
        text = f"{choice.text} {choice.unit}".strip()
        values = [{"name": text}]
    return {"id": choice.attribute_id, "values": values}


def _reasons(rows: Any) -> str:
    words: list[str] = []
    for row in rows or []:
        if isinstance(row, dict):
            words.extend(str(r) for r in row.get("reasons") or [] if r)
    return "; ".join(dict.fromkeys(words))


def description_html(text: str) -> str:
    """Our plain-text description as TikTok's HTML: one paragraph per line, escaped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def _kilograms(grams: int) -> str:
    return format((Decimal(grams) / 1000).quantize(Decimal("0.001")).normalize(), "f")


def _amount(price: Decimal) -> str:
    return format(price.normalize(), "f")


def _sku_ok(sku: str) -> bool:
    return 1 <= len(sku) <= SKU_TEXT and not any(c.isspace() for c in sku)
