"""Shopee sandbox: add_item, init_tier_variation, update_item and the review step (7.1.2-7.1.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .shopee_listings import (
    ATTR_FABRIC_WEIGHT,
    CHANNELS,
    _attribute_tree,
    _leaf,
    _state,
)
from .shopee_state import ApiError, Item, Model, Request

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

MAX_TIERS, MAX_MODELS = 2, 50


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_text(sb: ShopeeSandbox, body: dict[str, Any], *, partial: bool) -> None:
    st = _state(sb)
    name = body.get("item_name")
    if name is not None or not partial:
        if not isinstance(name, str) or len(name.strip()) < st.name_length[0]:
            raise ApiError("error_item_name_is_too_short", "Item name is too short.")
        if len(name) > st.name_length[1]:
            raise ApiError("error_name_length_limit", "Item name length over limit.")
    description = body.get("description")
    if (description is not None or not partial) and (
        not isinstance(description, str) or len(description) < st.description_min
    ):
        raise ApiError("error_desc_length_min_limit", "Description is too short.")
    image = body.get("image")
    if image is not None or not partial:
        ids = image.get("image_id_list") if isinstance(image, dict) else None
        if not isinstance(ids, list) or not ids:
            raise ApiError("error_image_num_min", "At least one image is required.")
        if any(i not in st.images for i in ids):
            raise ApiError("error_param", "Image not exist.")


def _check_attributes(category_id: int, rows: Any) -> None:
    given: dict[int, list[dict[str, Any]]] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and isinstance(row.get("attribute_value_list"), list):
            given[row.get("attribute_id", 0)] = row["attribute_value_list"]
    for attr in _attribute_tree(category_id):
        values = given.pop(attr["attribute_id"], None)
        if not values:
            if attr["mandatory"]:
                raise ApiError(
                    "error_less_required_attribute", "Mandatory attribute information required"
                )
            continue
        allowed = {v["value_id"] for v in attr["attribute_value_list"]}
        for value in values:
            value_id = value.get("value_id") if isinstance(value, dict) else None
            if attr["attribute_info"]["input_type"] in (1, 4):
                if value_id not in allowed:
                    raise ApiError("error_invalid_attribute_value", "Invalid attribute value.")
            elif value_id != 0:
                raise ApiError("error_value_id_must_equal_zero", "value_id must equal zero.")
            elif (
                not isinstance(value.get("original_value_name"), str)
                or not value["original_value_name"].strip()
            ):
                raise ApiError("error_value_name_required", "original_value_name is required.")
            elif attr["attribute_id"] == ATTR_FABRIC_WEIGHT and value.get("value_unit") not in (
                "g/m2",
                "oz",
            ):
                raise ApiError("error_invalid_attribute_value", "value_unit is invalid.")
    if given:
        raise ApiError("error_invalid_attribute", "Attribute does not belong to the category.")


def _check_shipping(sb: ShopeeSandbox, body: dict[str, Any]) -> None:
    brand = body.get("brand")
    brand_id = brand.get("brand_id") if isinstance(brand, dict) else None
    if _state(sb).brand_mandatory and not brand_id:
        raise ApiError("error_less_required_brand", "Brand is required for this category.")
    if brand_id not in (None, 0, 1101, 1102, 1103):
        raise ApiError("error_invalid_brand", "Invalid brand.")
    weight: Any = body.get("weight")
    if not _number(weight) or not 0 < weight <= 30:
        raise ApiError("error_param", "Invalid Weight.")
    dimension = body.get("dimension")
    if dimension is None and _state(sb).dimension_mandatory:
        raise ApiError("error_param", "dimension is required")
    if dimension is not None and not all(
        isinstance(dimension.get(k), int) and dimension[k] > 0
        for k in ("package_length", "package_width", "package_height")
    ):
        raise ApiError("error_param", "dimension is required")
    enabled = {cid for cid, _n, on in CHANNELS if on}
    logistics = body.get("logistic_info")
    if (
        not isinstance(logistics, list)
        or not logistics
        or any(
            not isinstance(row, dict) or row.get("logistic_id") not in enabled for row in logistics
        )
    ):
        raise ApiError("error_invalid_logistic_info", "Invalid logistic info.")


def add_item(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    body = req.body
    category_id = _leaf(req, body.get("category_id"))
    _check_text(sb, body, partial=False)
    _check_attributes(category_id, body.get("attribute_list"))
    _check_shipping(sb, body)
    price: Any = body.get("original_price")
    if not _number(price) or price < 1000:
        raise ApiError("error_invalid_price", "Price is invalid.")
    stock = body.get("seller_stock")
    if not isinstance(stock, list) or not stock or not isinstance(stock[0], dict):
        raise ApiError("error_param", "invalid field seller_stock, value must Not Null")
    sku = str(body.get("item_sku") or "")
    if sku and any(x.item_sku == sku and x.shop_id == req.shop_id for x in sb.items.values()):
        raise ApiError("error_repeated_mtsku", "A similar product has already been uploaded")
    status = (
        "REVIEWING" if _state(sb).review != "none" else str(body.get("item_status") or "NORMAL")
    )
    item_id, _models = sb.add_item(
        req.shop_id,
        sku,
        body["item_name"],
        price=price,
        stock=int(stock[0].get("stock", 0)),
        status=status,
    )
    item = sb.items[item_id]
    item.extra.update(
        category_id=category_id,
        description=body["description"],
        image_id_list=list(body["image"]["image_id_list"]),
        created_at=sb.now(),
        review=_state(sb).review,
        wanted_status=str(body.get("item_status") or "NORMAL"),
    )
    return {"item_id": item_id, "item_status": status, "item_name": item.name}


def _tiers(sb: ShopeeSandbox, body: dict[str, Any]) -> list[tuple[str, list[str], list[Any]]]:
    """(name, option names, option images) per tier, from either body shape."""
    if "standardise_tier_variation" in body:
        rows = body["standardise_tier_variation"]
        return [
            (
                str(r.get("variation_name") or ""),
                [str(o.get("variation_option_name") or "") for o in r["variation_option_list"]],
                [o.get("image_id") for o in r["variation_option_list"]],
            )
            for r in rows
        ]
    if "tier_variation" in body and _state(sb).legacy_tier_key:
        return [
            (
                str(r.get("name") or ""),
                [str(o.get("option") or "") for o in r["option_list"]],
                [(o.get("image") or {}).get("image_id") for o in r["option_list"]],
            )
            for r in body["tier_variation"]
        ]
    raise ApiError("error_param", "Wrong parameters, detail: standardise_tier_variation.")


def _check_tiers(sb: ShopeeSandbox, tiers: list[tuple[str, list[str], list[Any]]]) -> None:
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise ApiError("error_param", "The level of tier-variation over 2.")
    for index, (name, options, images) in enumerate(tiers):
        if not name or not options or any(not o for o in options):
            raise ApiError("error_param", "Wrong parameters, detail: tier name or option empty.")
        if len(options) > _state(sb).option_limit:
            raise ApiError("error_tier_opt_too_many", "Too many options in one tier.")
        if len(set(options)) != len(options):
            raise ApiError("error_model_duplicate_name", "Duplicate option names.")
        with_image = [i for i in images if i]
        if with_image and (index > 0 or len(with_image) != len(options)):
            raise ApiError("error_param", "Images only on every option of the first tier.")


def init_tier_variation(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    item = sb.items.get(req.body.get("item_id"))  # type: ignore[arg-type]
    if item is None or item.shop_id != req.shop_id:
        raise ApiError("error_item_not_found", "Item is not found.")
    if sb.now() - float(item.extra.get("created_at", 0)) < _state(sb).tier_delay:
        raise ApiError("error_busi", "Item is still being created, try again later.")
    tiers = _tiers(sb, req.body)
    _check_tiers(sb, tiers)
    models = req.body.get("model")
    if not isinstance(models, list) or not models:
        raise ApiError("error_param", "Wrong parameters, detail: model is required.")
    if len(models) > MAX_MODELS:
        raise ApiError("error_model_count_over_limit", "Model count over limit.")
    seen: set[tuple[int, ...]] = set()
    built: list[Model] = []
    for row in models:
        index = tuple(row.get("tier_index") or ())
        if len(index) != len(tiers) or any(
            not isinstance(i, int) or not 0 <= i < len(tiers[n][1]) for n, i in enumerate(index)
        ):
            raise ApiError("error_param", "Wrong parameters, detail: tier_index is invalid.")
        if index in seen:
            raise ApiError("error_model_duplicate_tier_variation_index", "Duplicate tier_index.")
        seen.add(index)
        price: Any = row.get("original_price")
        if not _number(price) or price < 1000:
            raise ApiError("error_invalid_price", "Price is invalid.")
        stock = sum(int(s.get("stock", 0)) for s in row.get("seller_stock") or [])
        model_id = sb._next("model")
        built.append(Model(model_id, str(row.get("model_sku") or ""), price, {"": stock}))
        built[-1].tier_index = list(index)
    item.models, item.has_model = built, True  # a new structure: the old model ids die
    item.extra["tier_variation"] = [
        {"name": name, "option_list": [{"option": o} for o in options]}
        for name, options, _img in tiers
    ]
    item.update_time = int(sb.now())
    return {
        "item_id": item.item_id,
        "tier_variation": item.extra["tier_variation"],
        "model": [
            {"tier_index": m.tier_index, "model_id": m.model_id, "model_sku": m.model_sku}
            for m in built
        ],
    }


def update_item(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    item = sb.items.get(req.body.get("item_id"))  # type: ignore[arg-type]
    if item is None or item.shop_id != req.shop_id:
        raise ApiError("error_item_not_found", "Item is not found.")
    body = req.body
    _check_text(sb, body, partial=True)
    if "item_name" in body:
        item.name = body["item_name"]
    if "description" in body:
        item.extra["description"] = body["description"]
    if "image" in body:
        item.extra["image_id_list"] = list(body["image"]["image_id_list"])
    item.update_time = int(sb.now())
    return {"item_id": item.item_id, "item_name": item.name}


def review_item(sb: ShopeeSandbox, item_id: int, *, approve: bool, reason: str = "") -> None:
    """The platform's review ends: NORMAL (or the asked UNLIST), or BANNED with a reason."""
    with sb.lock:
        item = sb.items[item_id]
        if approve:
            item.status = str(item.extra.get("wanted_status") or "NORMAL")
        else:
            item.status = "BANNED"
            item.extra["violation"] = reason or _state(sb).review_reason
        item.update_time = int(sb.now())


def settle_reviews(sb: ShopeeSandbox) -> None:
    """Reviews older than `review_seconds` end by themselves (the mode they were created in)."""
    st = _state(sb)
    for item in sb.items.values():
        mode = item.extra.get("review")
        if item.status != "REVIEWING" or mode not in ("review", "reject"):
            continue
        if sb.now() - float(item.extra.get("created_at", 0)) < st.review_seconds:
            continue
        if mode == "reject":
            review_item(sb, item.item_id, approve=False)
        elif st.review_seconds > 0:
            review_item(sb, item.item_id, approve=True)


def get_item_violation_info(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    settle_reviews(sb)
    ids = [int(x) for x in req.items("item_id_list") if x.isdigit()]
    if not 1 <= len(ids) <= 50:
        raise ApiError("error_param", "Wrong parameters, detail: item_id_list size [1, 50].")
    rows: list[Item] = [sb.items[i] for i in ids if i in sb.items]
    return {
        "item_list": [
            {
                "item_id": item.item_id,
                "item_status": item.status,
                "violation_list": (
                    [
                        {
                            "violation_type": "LISTING_QUALITY",
                            "violation_reason": item.extra["violation"],
                            "suggestion": "",
                            "fix_deadline_time": 0,
                        }
                    ]
                    if item.extra.get("violation")
                    else []
                ),
            }
            for item in rows
            if item.shop_id == req.shop_id
        ]
    }
