"""TikTok sandbox: the audit of created and edited products, `partial_edit`, and the product
reads that show them (marketplaces.md 7.3.4): Get Product with `audit{status}` and
`audit_failed_reasons[{position, reasons, suggestions}]`, and products/search, both deciding
the audits that are due first. See tiktok_listing_create for the rules."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import tiktok_calls as calls
from . import tiktok_listing_create as creating
from . import tiktok_listings as listings
from .tiktok_api import Call
from .tiktok_listing_create import (
    CONTENT,
    EDITABLE_FIELDS,
    NOT_EDITABLE,
    ProductDetail,
    check_edit,
    make_skus,
)
from .tiktok_listings import ATTRIBUTES, BRANDS, CATEGORIES, listings_state
from .tiktok_state import ApiError, Product

if TYPE_CHECKING:
    from .tiktok import TikTokSandbox

AUDITED = ("PENDING", "FAILED", "ACTIVATE")  # statuses an audit's outcome moves
SUGGESTION = "Thay ảnh chính bằng ảnh sản phẩm trên nền trắng, không chèn chữ."


def decide(sb: TikTokSandbox, product_id: str, *, approve: bool, reason: str = "") -> None:
    """End the audit of a product (its create or its last edit): ACTIVATE with the edit
    applied, or FAILED with the reason (an edit of a live product: the old version stays)."""
    with sb.lock:
        product = sb.products[str(product_id)]
        detail: ProductDetail = listings_state(sb).details[product.product_id]
        if detail.audit != "AUDITING":
            raise ValueError(f"product {product_id} is not being audited")
        if approve:
            _apply(product, detail, detail.pending)
            if product.status in AUDITED:  # a frozen or deactivated product stays so
                product.status = "ACTIVATE"
            detail.audit, detail.reasons = "APPROVED", []
        else:
            words = reason or listings_state(sb).reject_reason
            if product.status in ("PENDING", "FAILED"):
                product.status = "FAILED"
            detail.audit = "FAILED"
            detail.reasons = [
                {"position": "main_images", "reasons": [words], "suggestions": [SUGGESTION]}
            ]
        detail.pending = {}
        product.update_time = int(sb.now())
        data = {
            "product_id": product.product_id,
            "status": product.status,
            "suspended_reason": "" if approve else detail.reasons[0]["reasons"][0],
            "update_time": product.update_time,
        }
        sb.emit(product.shop_id, 5, data)


def settle(sb: TikTokSandbox, product: Product) -> None:
    """Decide the product's audit when it is due (not in `manual` mode)."""
    state = listings_state(sb)
    detail = state.details.get(product.product_id)
    if detail is None or detail.audit != "AUDITING" or state.audit == "manual":
        return
    if sb.now() - detail.submitted >= state.audit_seconds:
        decide(sb, product.product_id, approve=state.audit == "approve")


def _apply(product: Product, detail: ProductDetail, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if name == "title":
            product.title = value
        else:
            detail.fields[name] = value


def _product(sb: TikTokSandbox, call: Call) -> Product:
    product = calls._product(sb, call)
    settle(sb, product)
    return product


def product_get(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    product = _product(sb, call)
    data = calls.product_json(sb, product)
    detail: ProductDetail | None = listings_state(sb).details.get(product.product_id)
    if detail is None:  # seeded, not created through the API
        return data
    fields = detail.fields
    category = next(c for c in CATEGORIES if c[0] == fields["category_id"])
    brand = dict(BRANDS).get(str(fields.get("brand_id") or ""))
    data.update(
        {
            "description": fields.get("description", ""),
            "category_chains": [
                {
                    "id": category[0],
                    "parent_id": category[1],
                    "local_name": category[2],
                    "is_leaf": True,
                }
            ],
            "main_images": [
                {"uri": i["uri"], "urls": [f"{sb.base_url}/img/{i['uri']}"]}
                for i in fields.get("main_images") or []
            ],
            "product_attributes": _attribute_names(fields.get("product_attributes") or []),
            "package_weight": fields.get("package_weight"),
            "package_dimensions": fields.get("package_dimensions"),
            "external_product_id": fields.get("external_product_id", ""),
            "audit": {"status": detail.audit, "pre_approved_reasons": []},
            "audit_failed_reasons": copy.deepcopy(detail.reasons),
        }
    )
    if brand:
        data["brand"] = {"id": fields["brand_id"], "name": brand}
    for sku in data["skus"]:
        extra = detail.sku_extra.get(sku["id"], {})
        sku["external_sku_id"] = extra.get("external_sku_id", "")
        sku["sales_attributes"] = copy.deepcopy(extra.get("sales_attributes", []))
    return data


def _attribute_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    named = []
    for row in rows:
        spec = ATTRIBUTES.get(str(row["id"]))
        allowed = dict(spec[3]) if spec else {}
        values = [
            {"id": str(v.get("id") or ""), "name": allowed.get(str(v.get("id")), v.get("name", ""))}
            for v in row["values"]
        ]
        named.append({"id": str(row["id"]), "name": spec[0] if spec else "", "values": values})
    return named


def products_search(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    assert call.shop is not None
    for product in list(sb.products.values()):
        if product.shop_id == call.shop.shop_id:
            settle(sb, product)
    return calls.products_search(sb, call)


def partial_edit(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    """The top-level fields sent replace the product's; `skus` replaces the SKU list (ids left
    out are deleted, entries without id created). Content edits re-enter the audit."""
    product = _product(sb, call)
    state = listings_state(sb)
    detail: ProductDetail | None = state.details.get(product.product_id)
    if product.status in ("FREEZE", "DELETED"):
        raise ApiError(NOT_EDITABLE, f"A {product.status} product cannot be edited.")
    if detail is None:
        raise ApiError(NOT_EDITABLE, "The product was not created through the API.")
    changes = {k: copy.deepcopy(v) for k, v in call.body.items() if k in EDITABLE_FIELDS}
    if not changes:
        raise ApiError(40006, "Nothing to edit.", 400)
    rows = check_edit(sb, call, changes, detail.fields["category_id"])
    if rows is not None:
        known: dict[str, dict[str, str]] = {}
        for extra in detail.sku_extra.values():
            for attr in extra["sales_attributes"]:
                key = attr["id"] if attr["id"] in ATTRIBUTES else f"name:{attr['name']}"
                known.setdefault(key, {"": attr["id"]})[attr["value_name"]] = attr["value_id"]
        for row in rows:
            if row["id"] and product.sku(row["id"]) is None:
                raise ApiError(12052556, f"SKU {row['id']} does not belong to the product.")
        skus, extra = make_skus(rows, known)
        product.skus, detail.sku_extra = skus, extra
        changes.pop("skus")
    content = {k: v for k, v in changes.items() if k in CONTENT}
    _apply(product, detail, {k: v for k, v in changes.items() if k not in CONTENT})
    if content:
        if product.status == "ACTIVATE":
            detail.pending = {**detail.pending, **content}  # v2 waits; v1 stays live
        else:
            _apply(product, detail, content)
            product.status = "PENDING"
        detail.audit, detail.reasons, detail.submitted = "AUDITING", [], sb.now()
    product.update_time = int(sb.now())
    return {
        "product_id": product.product_id,
        "skus": [{"id": s.sku_id, "seller_sku": s.seller_sku} for s in product.skus],
    }


def audit_product(sb: TikTokSandbox, product_id: str, approve: bool, reason: str = "") -> None:
    decide(sb, product_id, approve=approve, reason=reason)


# -- registration (tiktok_http routes these before the sandbox's own) -----------------------------

LISTING_ROUTES: list[tuple[str, re.Pattern[str], Any, bool]] = [
    ("GET", re.compile(r"/product/202309/categories"), listings.categories, True),
    (
        "GET",
        re.compile(r"/product/202309/categories/\d+/attributes"),
        listings.category_attributes,
        True,
    ),
    ("GET", re.compile(r"/product/202309/brands"), listings.brands, True),
    ("GET", re.compile(r"/logistics/202309/warehouses"), listings.warehouses, True),
    ("POST", re.compile(r"/product/202309/images/upload"), listings.image_upload, False),
    ("POST", re.compile(r"/product/202309/products"), creating.product_create, True),
    ("POST", re.compile(r"/product/202309/products/search"), products_search, True),
    ("GET", re.compile(r"/product/202309/products/\d+"), product_get, True),
    ("POST", re.compile(r"/product/202309/products/\d+/partial_edit"), partial_edit, True),
]
LISTING_CONTROL: dict[str, Callable[..., Any]] = {
    "configure_listings": listings.configure_listings,
    "audit_product": audit_product,
}
