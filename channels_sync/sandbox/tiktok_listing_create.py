"""TikTok sandbox: creating and editing products, and the audit (marketplaces.md 7.3.2-7.3.4).

`POST /product/202309/products` validates the create body as 7.3.2 says, with the codes of
7.3.5 (title 25-255 in South-East Asia, HTML description <= 10 000 characters, a leaf
AVAILABLE category, 1-9 main images uploaded as MAIN_IMAGE, <= 100 SKUs, <= 3 sales attributes,
the same set on every SKU and unique combinations, prices in the shop's currency and range,
inventory 1-99 999 in the shop's sales warehouses, seller SKUs of 1-50 characters without
spaces, a package weight in KILOGRAM, every required product attribute with allowed values or a
custom name where customizable); a brand that is not offered is dropped with a warning. An
`idempotency_key` seen before answers the first result again. A product starts PENDING with
`audit.status` AUDITING (AS_DRAFT: DRAFT) and is decided at the first read `audit_seconds`
later (options `audit` approve / reject / manual; `audit_product` decides by hand): ACTIVATE, or
FAILED with `audit_failed_reasons`, and webhook type 5. `partial_edit` replaces the top-level
fields sent (a `skus` array replaces the SKU list: ids left out are deleted) and re-enters the
audit; on a live product the new version waits for approval while the old one stays live.
"""

from __future__ import annotations

import copy
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .tiktok_api import Call
from .tiktok_listings import (
    ATTRIBUTES,
    BRANDS,
    CATEGORY_ATTRIBUTES,
    leaf_problem,
    listings_state,
)
from .tiktok_state import (
    BAD_PARAM,
    BAD_PRICE,
    QUANTITY_RANGE,
    TOO_MANY_SKUS,
    ApiError,
    Product,
    Sku,
)

if TYPE_CHECKING:
    from .tiktok import TikTokSandbox

SEA = {"VN", "TH", "MY", "PH", "SG", "ID"}
PRICE_RANGES = {"VND": (Decimal(1), Decimal(180_000_000)), "THB": (Decimal(30), Decimal(260_000))}
NOT_EDITABLE = 12052700_3  # not in the doc: a FREEZE / DELETED product refuses edits
EDITABLE_FIELDS = (
    "title",
    "description",
    "main_images",
    "product_attributes",
    "brand_id",
    "package_weight",
    "package_dimensions",
    "skus",
)
CONTENT = ("title", "description", "main_images", "product_attributes", "brand_id")


@dataclass
class ProductDetail:
    """What a listed product carries beyond the shared sandbox's Product."""

    fields: dict[str, Any]  # description, category_id, main_images, product_attributes, ...
    sku_extra: dict[str, dict[str, Any]]  # sku id -> external_sku_id, sales_attributes
    audit: str = "AUDITING"  # NONE | AUDITING | FAILED | APPROVED
    reasons: list[dict[str, Any]] = field(default_factory=list)
    submitted: float = 0.0
    pending: dict[str, Any] = field(default_factory=dict)  # a live product's edit under audit


def _id() -> str:
    return str(7_300_000_000_000_000_000 + secrets.randbelow(10**17))


def _fail(code: int, message: str) -> ApiError:
    return ApiError(code, message)


# -- checks ---------------------------------------------------------------------------------------


def _check_title(title: Any, region: str) -> None:
    low = 25 if region in SEA else 1
    if not isinstance(title, str) or not low <= len(title) <= 255:
        raise _fail(12052051, f"title must have {low} to 255 characters.")


def _check_description(text: Any) -> None:
    if not isinstance(text, str) or not text.strip() or len(text) > 10_000:
        raise _fail(12052013, "description must have 1 to 10000 characters.")
    if len(re.findall(r"<img\b", text, re.IGNORECASE)) > 30:
        raise _fail(12052015, "description takes at most 30 images.")


def _check_images(sb: TikTokSandbox, images: Any) -> None:
    known = listings_state(sb).images
    if not isinstance(images, list) or not 1 <= len(images) <= 9:
        raise _fail(12052028, "main_images takes 1 to 9 images.")
    for image in images:
        uri = image.get("uri") if isinstance(image, dict) else None
        if uri not in known or known[uri].use_case != "MAIN_IMAGE":
            raise _fail(12052300, "main_images must be MAIN_IMAGE uploads.")


def _check_weight(weight: Any) -> None:
    try:
        value = Decimal(str(weight["value"]))
    except (TypeError, KeyError, InvalidOperation):
        raise _fail(12052181, "package_weight {value, unit} is required.") from None
    exponent = value.as_tuple().exponent
    if weight.get("unit") != "KILOGRAM" or not value.is_finite() or value <= 0:
        raise _fail(12052181, "package_weight must be above 0 KILOGRAM.")
    if isinstance(exponent, int) and exponent < -3:
        raise _fail(12052181, "package_weight takes at most 3 decimals.")


def _check_dimensions(size: Any) -> None:
    if not isinstance(size, dict) or size.get("unit") != "CENTIMETER":
        raise _fail(12052915, "package_dimensions must be in CENTIMETER.")
    for name in ("length", "width", "height"):
        if not str(size.get(name, "")).isdigit() or int(size[name]) < 1:
            raise _fail(12052915, f"package_dimensions.{name} must be a whole number above 0.")


def _check_attributes(category_id: str, rows: Any) -> None:
    own = [a for a in CATEGORY_ATTRIBUTES[category_id] if ATTRIBUTES[a][1] == "PRODUCT_PROPERTY"]
    if not isinstance(rows, list):
        raise _fail(BAD_PARAM, "product_attributes must be a list.")
    given: dict[str, list[Any]] = {}
    for row in rows:
        if not isinstance(row, dict) or str(row.get("id")) not in own:
            raise _fail(12052104, "An attribute does not belong to the category.")
        values = row.get("values")
        if not isinstance(values, list) or not values:
            raise _fail(12052104, f"Attribute {row.get('id')} has no value.")
        given[str(row["id"])] = values
    for attribute_id in own:
        name, _kind, required, allowed, customizable, multiple = ATTRIBUTES[attribute_id]
        values = given.get(attribute_id, [])
        if required and not values:
            raise _fail(12052104, f"The required attribute {name} ({attribute_id}) is missing.")
        if len(values) > 1 and not multiple:
            raise _fail(12052104, f"Attribute {name} takes one value.")
        for value in values:
            if not isinstance(value, dict):
                raise _fail(BAD_PARAM, "An attribute value must be an object.")
            if value.get("id") is not None:
                if str(value["id"]) not in {v for v, _n in allowed}:
                    raise _fail(12052240, f"Value {value['id']} is not allowed for {name}.")
            elif not customizable or not str(value.get("name") or "").strip():
                raise _fail(12052247, f"Attribute {name} takes no custom value.")


def _check_money(price: Any, currency: str) -> str:
    try:
        amount = Decimal(str(price["amount"]))
    except (TypeError, KeyError, InvalidOperation):
        raise _fail(BAD_PRICE, "price {amount, currency} is required.") from None
    low, high = PRICE_RANGES.get(currency, (Decimal("0.01"), Decimal(10**9)))
    if price.get("currency") != currency or not amount.is_finite() or not low <= amount <= high:
        raise _fail(BAD_PRICE, f"price must be {low} to {high} {currency}.")
    return format(amount.normalize(), "f")


def _check_inventory(sb: TikTokSandbox, places: Any, warehouses: list[str]) -> dict[str, int]:
    if not isinstance(places, list) or not places:
        raise _fail(12052097, "inventory [{warehouse_id, quantity}] is required.")
    lowest = 0 if listings_state(sb).create_zero_quantity else 1
    stock: dict[str, int] = {}
    for place in places:
        warehouse = str(place.get("warehouse_id", "")) if isinstance(place, dict) else ""
        if warehouse not in warehouses:
            raise _fail(12052530, f"Warehouse {warehouse} is not a sales warehouse of the shop.")
        quantity = place.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise _fail(QUANTITY_RANGE, "quantity must be an integer.")
        if not lowest <= quantity <= 99_999:
            raise _fail(QUANTITY_RANGE, f"quantity must be between {lowest} and 99999.")
        stock[warehouse] = quantity
    return stock


def _sales_key(entry: dict[str, Any], category_id: str) -> tuple[str, str, str]:
    """(attribute key, attribute name, value name) of one sales attribute of a SKU."""
    built_in = str(entry.get("id") or "")
    if built_in:
        spec = ATTRIBUTES.get(built_in)
        if (
            spec is None
            or spec[1] != "SALES_PROPERTY"
            or built_in not in CATEGORY_ATTRIBUTES[category_id]
        ):
            raise _fail(12052550, f"{built_in} is not a sales attribute of the category.")
        name = spec[0]
        value = str(entry.get("value_name") or dict(spec[3]).get(str(entry.get("value_id")), ""))
    else:
        name, value = str(entry.get("name") or ""), str(entry.get("value_name") or "")
        if not name or len(name) > 20:
            raise _fail(12052550, "A custom sales attribute needs a name of 1 to 20 characters.")
    if not value or len(value) > 50:
        raise _fail(12052550, "A sales attribute value needs 1 to 50 characters.")
    return built_in or f"name:{name}", name, value


def _check_skus(sb: TikTokSandbox, call: Call, skus: Any, category_id: str) -> list[dict[str, Any]]:
    """Each SKU as {seller_sku, price, stock, attributes[(key, name, value)], external, id}."""
    assert call.shop is not None
    if not isinstance(skus, list) or not skus or not all(isinstance(s, dict) for s in skus):
        raise _fail(BAD_PARAM, "skus is required.")
    if len(skus) > 100:
        raise _fail(TOO_MANY_SKUS, "A product has at most 100 SKUs.")
    rows, combos, image_keys = [], set(), set()
    for entry in skus:
        given = entry.get("sales_attributes") or []
        attrs = [_sales_key(a, category_id) for a in given]
        if len(attrs) > 3:
            raise _fail(12052525, "A SKU has at most 3 sales attributes.")
        image_keys |= {k for k, a in zip(attrs, given, strict=True) if a.get("sku_img")}
        seller_sku = entry.get("seller_sku")
        if seller_sku is not None and (
            not isinstance(seller_sku, str) or not 1 <= len(seller_sku) <= 50 or " " in seller_sku
        ):
            raise _fail(12052054, "seller_sku must have 1 to 50 characters and no spaces.")
        combos.add(tuple(v for _k, _n, v in attrs))
        rows.append(
            {
                "id": str(entry.get("id") or ""),
                "seller_sku": seller_sku or "",
                "price": _check_money(entry.get("price"), call.shop.currency),
                "stock": _check_inventory(sb, entry.get("inventory"), call.shop.warehouses),
                "attributes": attrs,
                "external": str(entry.get("external_sku_id") or ""),
            }
        )
    if len(rows) > 1 and any(not r["attributes"] for r in rows):
        raise _fail(12052550, "Several SKUs need sales attributes.")
    if len({tuple(k for k, _n, _v in r["attributes"]) for r in rows}) > 1:
        raise _fail(12052550, "Every SKU must have the same sales attributes.")
    if len(combos) != len(rows):
        raise _fail(12052560, "Two SKUs have the same sales attribute values.")
    if len({k[0] for k in image_keys}) > 1:
        raise _fail(12052528, "SKU images go on one sales attribute only.")
    return rows


def _check_create(sb: TikTokSandbox, call: Call, body: dict[str, Any]) -> list[dict[str, Any]]:
    assert call.shop is not None
    _check_title(body.get("title"), call.shop.region)
    _check_description(body.get("description"))
    problem = leaf_problem(body.get("category_id"), body.get("category_version"))
    if problem is not None:
        raise _fail(*problem)
    _check_images(sb, body.get("main_images"))
    _check_weight(body.get("package_weight"))
    if body.get("package_dimensions") is not None:
        _check_dimensions(body["package_dimensions"])
    _check_attributes(str(body["category_id"]), body.get("product_attributes") or [])
    if body.get("save_mode", "LISTING") not in ("LISTING", "AS_DRAFT"):
        raise _fail(BAD_PARAM, "save_mode is LISTING or AS_DRAFT.")
    return _check_skus(sb, call, body.get("skus"), str(body["category_id"]))


def check_edit(
    sb: TikTokSandbox, call: Call, changes: dict[str, Any], category_id: str
) -> list[dict[str, Any]] | None:
    """Check the fields of a partial edit; the SKU rows when `skus` is among them."""
    assert call.shop is not None
    checks = {
        "title": lambda v: _check_title(v, call.shop.region if call.shop else ""),
        "description": _check_description,
        "main_images": lambda v: _check_images(sb, v),
        "package_weight": _check_weight,
        "package_dimensions": _check_dimensions,
        "product_attributes": lambda v: _check_attributes(category_id, v),
    }
    for name, value in changes.items():
        if name in checks:
            checks[name](value)
    if "skus" in changes:
        return _check_skus(sb, call, changes["skus"], category_id)
    return None


# -- create ---------------------------------------------------------------------------------------


def make_skus(
    rows: list[dict[str, Any]], known: dict[str, dict[str, str]]
) -> tuple[list[Sku], dict[str, dict[str, Any]]]:
    """Sku rows and their extra (sales attribute ids: built-in or one per custom name/value)."""
    skus, extra = [], {}
    for row in rows:
        sales = []
        for key, name, value in row["attributes"]:
            ids = known.setdefault(key, {"": key if not key.startswith("name:") else _id()})
            spec = ATTRIBUTES.get(key)
            built_in = dict((n, v) for v, n in spec[3]) if spec else {}
            value_id = ids.setdefault(value, built_in.get(value) or _id())
            sales.append({"id": ids[""], "name": name, "value_id": value_id, "value_name": value})
        sku = Sku(
            row["id"] or _id(),
            row["seller_sku"],
            row["price"],
            row["stock"],
            [s["value_name"] for s in sales],
        )
        skus.append(sku)
        extra[sku.sku_id] = {"external_sku_id": row["external"], "sales_attributes": sales}
    return skus, extra


def product_create(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    assert call.shop is not None
    state, body = listings_state(sb), call.body
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 128):
        raise _fail(BAD_PARAM, "idempotency_key must have 1 to 128 characters.")
    if key and (call.shop.shop_id, key) in state.created:
        return copy.deepcopy(state.created[(call.shop.shop_id, key)])
    rows = _check_create(sb, call, body)
    warnings = []
    fields = {k: copy.deepcopy(body[k]) for k in EDITABLE_FIELDS if k in body and k != "skus"}
    fields["category_id"] = str(body["category_id"])
    fields["external_product_id"] = str(body.get("external_product_id") or "")
    if fields.get("brand_id") and str(fields["brand_id"]) not in {b for b, _n in BRANDS}:
        warnings.append({"message": "The brand is not available: the product has No Brand."})
        fields.pop("brand_id")
    skus, extra = make_skus(rows, {})
    now = int(sb.now())
    draft = body.get("save_mode") == "AS_DRAFT"
    product = Product(
        _id(), call.shop.shop_id, body["title"], "DRAFT" if draft else "PENDING", skus, now, now
    )
    sb.products[product.product_id] = product
    audit = "NONE" if draft else "AUDITING"
    state.details[product.product_id] = ProductDetail(fields, extra, audit, submitted=sb.now())
    data = {
        "product_id": product.product_id,
        "skus": [
            {
                "id": s.sku_id,
                "seller_sku": s.seller_sku,
                "sales_attributes": [
                    {"id": a["id"], "value_id": a["value_id"]}
                    for a in extra[s.sku_id]["sales_attributes"]
                ],
            }
            for s in skus
        ],
        "warnings": warnings,
    }
    if key:
        state.created[(call.shop.shop_id, key)] = copy.deepcopy(data)
    return data
