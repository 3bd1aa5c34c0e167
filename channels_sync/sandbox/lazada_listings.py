"""Lazada sandbox: creating and updating listings (marketplaces.md 7.2 and 7.5).

`/product/create` takes the `payload` as XML or JSON (in JSON `Images.Image` and `Skus.Sku`
must be arrays: 1001) and checks it as 7.2.2 says: a leaf category (201/4134), the name, a
known `brand_id` (4142), the category's mandatory attributes (4110) with values among the
options' `en_name` (4115), Lazada-hosted images only, at most 8 (4138/4139), per SKU a unique
SellerSku (4105 in the payload, 4135 already in the shop), price > 0 (4118), the four package
fields (4110), and the sales attributes: at most `max_sale_props` variation nodes (a generic
500 "Create product failed" whose `detail` says "Total sale prop more than maxItems 2"),
names <= 15 and options <= 20 characters, <= `max_options` options (4144), every SKU with the
same attributes (4113) and a distinct combination (4112). The new product joins the product
list (`/products/get`, `/product/item/get`) with `Pending QC` when `qc` asks for a review,
ending by `qc_finish` or after `qc_seconds` (approved, or rejected with `qc_reason` when `qc`
is "reject": status InActive, subStatus Reject, `rejectReason`), with QC push type 1 and
pushes 3/4 for created/updated. `/product/update` by SkuId (the Attributes node required;
name, description, images; an edit of a rejected product sends it back to QC) and
`/product/deactivate`. Control: `configure_listings` and `qc_finish` (also as POST
/_sandbox/publishing {qc?, qc_seconds?, qc_reason?, max_sale_props?, max_options?,
image_max_bytes?, brands?: [[id, name]]} and POST /_sandbox/qc_finish {item_id, approve,
reason?}), and the seed file's "publishing" object (lazada_cli).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from . import lazada_api as api
from .lazada_catalog import (
    Listing,
    ListingsState,
    attributes_of,
    brand_rows,
    hosted,
    leaf,
    state,
)
from .lazada_state import ApiError, Product, Sku

if TYPE_CHECKING:
    from .lazada import LazadaSandbox

ARRAYS = ("Image", "Sku", "option")  # XML elements that are lists in the JSON form
PACKAGE = ("package_weight", "package_length", "package_width", "package_height")
WAREHOUSE = "dropshipping"
OPTIONS = {"qc", "qc_seconds", "qc_reason", "max_sale_props", "max_options", "image_max_bytes"}


def configure_listings(sb: LazadaSandbox, **options: Any) -> None:
    unknown = set(options) - OPTIONS - {"brands"}
    if unknown:
        raise ValueError(f"unknown listing options {sorted(unknown)}")
    with sb.lock:
        for name, value in options.items():
            if name == "brands":
                state(sb).extra_brands = [(int(b), str(n)) for b, n in value]
            else:
                setattr(state(sb), name, value)


# -- payloads -------------------------------------------------------------------------------


def _xml(node: ET.Element) -> Any:
    children = list(node)
    if not children:
        return (node.text or "").strip()
    found: dict[str, Any] = {}
    for child in children:
        value = _xml(child)
        if child.tag in ARRAYS:
            found.setdefault(child.tag, []).append(value)
        else:
            found[child.tag] = value
    return found


def payload_product(p: dict[str, str]) -> dict[str, Any]:
    text = (p.get("payload") or "").strip()
    if not text:
        raise ApiError("MissingParameter", "Missing required parameter: payload")
    try:
        if text.startswith("<"):
            root = _xml(ET.fromstring(text))  # noqa: S314 - local test server, no DTD fetching
        else:
            root = json.loads(text).get("Request")
    except (ET.ParseError, ValueError, AttributeError):
        raise ApiError("MissingParameter", "payload is neither XML nor JSON") from None
    product = root.get("Product") if isinstance(root, dict) else None
    if not isinstance(product, dict):
        raise ApiError("MissingParameter", "payload has no Request.Product")
    for outer, inner in (("Images", "Image"), ("Skus", "Sku")):
        node = product.get(outer)
        if node not in (None, "") and not isinstance((node or {}).get(inner), list):
            raise ApiError("1001", f"{outer}.{inner} must be an array")
    return product


def _list(product: dict[str, Any], outer: str, inner: str) -> list[Any]:
    node = product.get(outer)
    return list(node.get(inner) or []) if isinstance(node, dict) else []


# -- create ---------------------------------------------------------------------------------


def _attributes(sb: LazadaSandbox, seller_id: int, product: dict[str, Any], category: int) -> None:
    attrs = product.get("Attributes")
    if not isinstance(attrs, dict) or not str(attrs.get("name") or "").strip():
        raise ApiError("4110", "Attribute name is mandatory")
    if len(str(attrs["name"])) > 255:
        raise ApiError("4110", "name is longer than 255 characters")
    brands = {str(b) for b, _n in brand_rows(sb, seller_id)}
    if str(attrs.get("brand_id") or "") not in brands:
        raise ApiError("4142", f"brand_id {attrs.get('brand_id')!r} is not valid")
    skus = [s for s in _list(product, "Skus", "Sku") if isinstance(s, dict)]
    for row in attributes_of(category, "en_US"):
        name = row["name"]
        if row["name"] in ("name", "brand", "description") or row["is_sale_prop"]:
            continue
        on_sku = row["attribute_type"] == "sku"
        values = [str(s.get(name) or "") for s in skus] if on_sku else [str(attrs.get(name) or "")]
        if row["is_mandatory"] and not all(v.strip() for v in values) and name not in PACKAGE:
            raise ApiError("4110", f"Attribute {name} is mandatory")
        allowed = {o["en_name"] for o in row["options"]}
        for value in values:
            chosen = (
                [v.strip() for v in value.split(",")] if "multi" in row["input_type"] else [value]
            )
            if allowed and value and any(v not in allowed for v in chosen):
                raise ApiError("4115", f"Value {value!r} of {name} is not in the options")


def _images(sb: LazadaSandbox, product: dict[str, Any]) -> list[str]:
    images = [str(i) for i in _list(product, "Images", "Image")]
    if len(images) > 8:
        raise ApiError("4139", "At most 8 images per product")
    outer = [i for i in images if not hosted(sb, i)]
    if outer:
        raise ApiError("4138", f"Only Lazada image URLs are accepted: {outer[0]}")
    return images


def _variation(pub: ListingsState, product: dict[str, Any]) -> dict[str, list[str]]:
    """Declared custom sales attributes: name -> options."""
    node = product.get("variation") or {}
    declared = {}
    for key, spec in sorted(node.items() if isinstance(node, dict) else []):
        if not isinstance(spec, dict):
            continue
        options = spec.get("options") or {}
        values = [
            str(o) for o in (options.get("option") if isinstance(options, dict) else []) or []
        ]
        declared[str(spec.get("name") or key)] = values
    if len(declared) > pub.max_sale_props:
        detail = {"field": "variation", "code": "4143"}
        detail["message"] = f"Total sale prop more than maxItems {pub.max_sale_props}"
        raise ApiError("500", "Create product failed", kind="ISP", detail=[detail])
    for name, values in declared.items():
        if len(name) > 15:
            raise ApiError("4145", f"Sales attribute name {name!r} is over 15 characters")
        if len(values) > pub.max_options:
            raise ApiError("4144", f"{name} has more than {pub.max_options} options")
        if any(len(v) > 20 for v in values):
            raise ApiError("4144", f"An option of {name} is over 20 characters")
    return declared


def _sku_checks(sb: LazadaSandbox, seller_id: int, product: dict[str, Any]) -> list[dict[str, Any]]:
    skus = [s for s in _list(product, "Skus", "Sku") if isinstance(s, dict)]
    if not skus:
        raise ApiError("MissingParameter", "payload has no Skus.Sku")
    declared = _variation(state(sb), product)
    used = {s.seller_sku for x in sb.products.values() if x.seller_id == seller_id for s in x.skus}
    seen: set[str] = set()
    combos: set[tuple[tuple[str, str], ...]] = set()
    keys = None
    for sku in skus:
        seller_sku = str(sku.get("SellerSku") or "").strip()
        if not seller_sku or seller_sku in seen:
            raise ApiError("4105", f"SellerSku {seller_sku!r} is empty or repeated")
        if seller_sku in used:
            raise ApiError("4135", f"SellerSku {seller_sku} is already used")
        seen.add(seller_sku)
        try:
            price = Decimal(str(sku.get("price")))
        except InvalidOperation:
            price = Decimal(0)
        if not price.is_finite() or price <= 0:
            raise ApiError("4118", f"price of {seller_sku} must be greater than 0")
        if not all(_positive(sku.get(name)) for name in PACKAGE):
            raise ApiError("4110", f"package weight and size of {seller_sku} are mandatory")
        props = sku.get("saleProp") or {}
        if len(skus) > 1 or declared:
            combo = _sale_prop(props, declared, seller_sku)
            keys = keys or {k for k, _v in combo}
            if {k for k, _v in combo} != keys:
                raise ApiError("4113", "Every SKU must use the same sales attributes")
            if combo in combos:
                raise ApiError("4112", f"SKU {seller_sku} repeats another SKU's values")
            combos.add(combo)
    return skus


def _sale_prop(props: Any, declared: dict[str, list[str]], seller_sku: str) -> tuple[Any, ...]:
    if not isinstance(props, dict) or not props:
        raise ApiError("4109", f"SKU {seller_sku} has no saleProp")
    for name, value in props.items():
        if name in declared and str(value) not in declared[name]:
            raise ApiError("4109", f"{value!r} is not an option of {name}")
        if name not in declared and name not in ("color_family", "size"):
            raise ApiError("4109", f"{name} is not a sales attribute of the product")
    return tuple(sorted((str(k), str(v)) for k, v in props.items()))


def _positive(value: Any) -> bool:
    try:
        return Decimal(str(value)) > 0
    except InvalidOperation:
        return False


def product_create(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    product = payload_product(p)
    category = leaf(product.get("PrimaryCategory"))
    _attributes(sb, seller_id, product, category)
    images = _images(sb, product)
    skus = _sku_checks(sb, seller_id, product)
    pub, now = state(sb), sb.now()
    attrs = dict(product["Attributes"])
    status = "Active" if pub.qc == "none" else "Pending QC"
    created = Product(sb._next("item"), seller_id, str(attrs["name"]), [], now, now, status)
    fields: dict[int, dict[str, Any]] = {}
    for spec in skus:
        quantity = int(Decimal(str(spec.get("quantity") or 0)))
        sku = Sku(sb._next("sku"), str(spec["SellerSku"]), Decimal(str(spec["price"])), {})
        sku.sellable[WAREHOUSE] = max(quantity, 0)
        created.skus.append(sku)
        fields[sku.sku_id] = {k: v for k, v in spec.items() if k not in ("SellerSku", "price")}
    sb.products[created.item_id] = created
    listing = Listing(category, attrs, images, fields, dict(product.get("variation") or {}))
    if pub.qc != "none":
        listing.qc_approve = pub.qc != "reject"
        listing.qc_due = now + pub.qc_seconds if pub.qc_seconds is not None else None
    pub.listings[created.item_id] = listing
    _push_product(sb, created, 3, "create")
    return {
        "item_id": created.item_id,
        "sku_list": [
            {
                "seller_sku": s.seller_sku,
                "shop_sku": f"{created.item_id}-{s.sku_id}",
                "sku_id": s.sku_id,
            }
            for s in created.skus
        ],
        "item_status": status,
    }


# -- QC, update, deactivate -----------------------------------------------------------------


def _push_product(sb: LazadaSandbox, product: Product, kind: int, action: str) -> None:
    data = {
        "item_id": product.item_id,
        "sku_list": [
            {
                "shop_sku": f"{product.item_id}-{s.sku_id}",
                "seller_sku": s.seller_sku,
                "sku_id": s.sku_id,
            }
            for s in product.skus
        ],
        "action": action,
        "status_update_time": int(sb.now()),
    }
    for app in sb.apps.values():
        sb._emit(app, product.seller_id, kind, data)


def qc_finish(sb: LazadaSandbox, item_id: int, *, approve: bool, reason: str = "") -> None:
    """End a product's pending QC: Active, or InActive + subStatus Reject with `reason`."""
    with sb.lock:
        product, listing = sb.products[item_id], state(sb).listings[item_id]
        listing.qc_due = None
        if approve:
            product.status, listing.sub_status, listing.reasons = "Active", "", []
        else:
            product.status, listing.sub_status = "InActive", "Reject"
            listing.reasons = [{"violationDetail": reason or state(sb).qc_reason}]
        product.updated = sb.now()
        data = {
            "itemId": item_id,
            "status": "APPROVED" if approve else "REJECTED",
            "reason": "" if approve else listing.reasons[0]["violationDetail"],
        }
        for app in sb.apps.values():
            sb._emit(app, product.seller_id, 1, data)


CONTROL = {  # POST /_sandbox/<name> (registered in lazada_control)
    "publishing": lambda sb, d, _q: configure_listings(sb, **d),
    "qc_finish": lambda sb, d, _q: qc_finish(
        sb, int(d["item_id"]), approve=bool(d.get("approve", True)), reason=str(d.get("reason", ""))
    ),
}


def settle(sb: LazadaSandbox) -> None:
    """Pending QCs whose time has come end now (on every read of products)."""
    now = sb.now()
    for item_id, listing in list(state(sb).listings.items()):
        if listing.qc_due is not None and listing.qc_due <= now:
            qc_finish(sb, item_id, approve=listing.qc_approve)


def _own(sb: LazadaSandbox, seller_id: int, item_id: Any) -> tuple[Product, Listing | None]:
    text = str(item_id or "").strip()
    product = sb.products.get(int(text)) if text.isdigit() else None
    if product is None or product.seller_id != seller_id:
        raise ApiError("E016", f"Product {text or '(empty)'} not found")
    return product, state(sb).listings.get(product.item_id)


def product_update(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    node = payload_product(p)
    product, listing = _own(sb, seller_id, node.get("ItemId"))
    attrs = node.get("Attributes")
    if not isinstance(attrs, dict):
        raise ApiError("MissingParameter", "the Attributes node is mandatory")
    skus = [s for s in _list(node, "Skus", "Sku") if isinstance(s, dict)]
    if not skus or any(product.sku(int(str(s.get("SkuId") or 0))) is None for s in skus):
        raise ApiError(
            "501",
            "Update product failed",
            detail=[{"field": "SkuId", "message": "every Sku needs a SkuId of this product"}],
        )
    images = _images(sb, node) if "Images" in node else None
    if "name" in attrs:
        product.name = str(attrs["name"])
    if listing is not None:
        listing.attributes.update({k: v for k, v in attrs.items() if not k.startswith("d_")})
        if images is not None:
            listing.images = images
        if listing.sub_status == "Reject":
            pub = state(sb)
            product.status, listing.sub_status, listing.reasons = "Pending QC", "", []
            listing.qc_approve = pub.qc != "reject"
            listing.qc_due = sb.now() + pub.qc_seconds if pub.qc_seconds is not None else None
    product.updated = sb.now()
    _push_product(sb, product, 4, "update")
    return {"item_status": product.status, "variation": (listing.variation if listing else {})}


def product_deactivate(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> None:
    try:
        root = ET.fromstring(p.get("apiRequestBody") or "")  # noqa: S314 - local test server
    except ET.ParseError:
        raise ApiError("MissingParameter", "apiRequestBody is not valid XML") from None
    if root.find("./Product/Skus/SellerSku") is not None:
        raise ApiError("4193", "SellerSku is no longer accepted: use SkuId")
    product, _listing = _own(sb, seller_id, root.findtext("./Product/ItemId"))
    sku_ids = [int(x.text or 0) for x in root.findall("./Product/Skus/SkuId")]
    for sku in product.skus:
        if not sku_ids or sku.sku_id in sku_ids:
            sku.status = "inactive"
    if not sku_ids and product.status == "Active":
        product.status = "InActive"
    product.updated = sb.now()


# -- reads with the listing's fields ---------------------------------------------------------


def _extend(sb: LazadaSandbox, row: dict[str, Any]) -> dict[str, Any]:
    listing = state(sb).listings.get(int(row["item_id"]))
    if listing is None:
        return row
    row["primary_category"] = listing.category_id
    row["attributes"] = {**listing.attributes, "name": sb.products[int(row["item_id"])].name}
    row["images"] = list(listing.images)
    row["subStatus"] = listing.sub_status
    row["rejectReason"] = list(listing.reasons)
    for sku in row.get("skus") or []:
        sku.update(listing.sku_fields.get(int(sku["SkuId"]), {}))
    return row


def products_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    settle(sb)
    data = api.products_get(sb, seller_id, p)
    data["products"] = [_extend(sb, row) for row in data["products"]]
    return data


def product_item_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    settle(sb)
    return _extend(sb, api.product_item_get(sb, seller_id, p))
