"""Shopee sandbox: creating and updating listings (marketplaces.md 7.1 and 7.5).

A small category tree (branches and leaves, one leaf blocked for this shop), an attribute tree
per leaf (a mandatory drop-down, a free text, a value with a unit), brands (`is_mandatory`
switch), item limits, logistics channels, image upload (multipart; public or shop sign),
`add_item` with the validation errors of 7.1.6, `init_tier_variation` (<= 2 tiers, <= 50
models, an option limit, refused within `tier_delay` seconds of add_item, new model ids each
time), `update_item` and a review step: with `review` = "review" or "reject" a new item stays
REVIEWING until `review_item` (or, for "reject", the first read after `review_seconds`) makes
it NORMAL or BANNED with a reason that `get_item_violation_info` returns.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .shopee_state import ApiError, Request

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

# (category_id, parent_category_id, name, has_children)
CATEGORIES = (
    (100001, 0, "Thời Trang Nam", True),
    (100011, 100001, "Áo", True),
    (100111, 100011, "Áo thun", False),
    (100112, 100011, "Áo sơ mi", False),
    (100012, 100001, "Quần", False),  # a leaf directly under the root branch
    (100002, 0, "Nhà Cửa & Đời Sống", True),
    (100021, 100002, "Dụng cụ nhà bếp", False),
    (100022, 100002, "Vũ khí", False),  # blocked for this shop (error_category_is_block)
)
BLOCKED = {100022}
ATTR_MATERIAL, ATTR_STYLE, ATTR_FABRIC_WEIGHT = 100134, 100155, 100210
MATERIALS = ((7001, "Cotton"), (7002, "Polyester"), (7003, "Linen"))
BRANDS = ((1101, "Coolmate"), (1102, "Routine"), (1103, "Yame"))
CHANNELS = ((50011, "Giao Hàng Nhanh", True), (50012, "Viettel Post", True), (50099, "Cũ", False))
REVIEW_REASON = "Hình ảnh sản phẩm không rõ ràng (Product images are unclear)."


@dataclass
class PublishingState:
    """Options ([UNV] in the doc) and the images uploaded so far."""

    brand_mandatory: bool = False
    dimension_mandatory: bool = False
    option_limit: int = 20  # options per tier (20 or 50 in the doc)
    tier_delay: float = 5.0  # seconds after add_item before init_tier_variation is accepted
    review: str = "none"  # "none": NORMAL at once; "review": REVIEWING; "reject": then BANNED
    review_seconds: float = 0.0
    review_reason: str = REVIEW_REASON
    name_length: tuple[int, int] = (10, 120)
    description_min: int = 20
    legacy_tier_key: bool = True  # the deprecated `tier_variation` key is still accepted
    images: dict[str, int] = field(default_factory=dict)  # image_id -> size in bytes


def _state(sb: ShopeeSandbox) -> PublishingState:
    return sb.publishing


def _leaf(req: Request, category_id: Any) -> int:
    known = {c[0]: c for c in CATEGORIES}
    if not isinstance(category_id, int) or category_id not in known or known[category_id][3]:
        raise ApiError("error_param", "Invalid category.")
    if category_id in BLOCKED:
        raise ApiError("error_category_is_block", "Category is blocked for this shop.")
    return category_id


def get_category(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    return {
        "category_list": [
            {
                "category_id": cid,
                "parent_category_id": parent,
                "original_category_name": name,
                "display_category_name": name,
                "has_children": children,
            }
            for cid, parent, name, children in CATEGORIES
        ]
    }


def _attribute_tree(category_id: int) -> list[dict[str, Any]]:
    info = {"input_validation_type": 0, "format_type": 1, "max_value_count": 1}
    return [
        {
            "attribute_id": ATTR_MATERIAL,
            "mandatory": True,
            "name": "Chất liệu",
            "attribute_value_list": [
                {"value_id": vid, "name": name, "value_unit": "", "child_attribute_list": []}
                for vid, name in MATERIALS
            ],
            "attribute_info": {**info, "input_type": 1, "attribute_unit_list": []},
        },
        {
            "attribute_id": ATTR_STYLE,
            "mandatory": False,
            "name": "Phong cách",
            "attribute_value_list": [],
            "attribute_info": {**info, "input_type": 3, "attribute_unit_list": []},
        },
        {
            "attribute_id": ATTR_FABRIC_WEIGHT,
            "mandatory": category_id == 100112,
            "name": "Định lượng vải",
            "attribute_value_list": [],
            "attribute_info": {
                **info,
                "input_type": 3,
                "input_validation_type": 2,
                "format_type": 2,
                "attribute_unit_list": ["g/m2", "oz"],
            },
        },
    ]


def get_attribute_tree(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    ids = [int(x) for x in req.items("category_id_list") if x.isdigit()]
    if not 1 <= len(ids) <= 20:
        raise ApiError("error_param", "Wrong parameters, detail: category_id_list size [1, 20].")
    return {
        "list": [{"category_id": c, "attribute_tree": _attribute_tree(_leaf(req, c))} for c in ids]
    }


def get_brand_list(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    _leaf(req, req.integer("category_id"))
    offset, size = req.integer("offset", 0), req.integer("page_size")
    if not 1 <= size <= 100 or req.integer("status") not in (1, 2):
        raise ApiError("error_param", "Wrong parameters, detail: page_size or status.")
    rows = BRANDS[offset : offset + size]
    more = offset + size < len(BRANDS)
    return {
        "brand_list": [
            {"brand_id": b, "original_brand_name": n, "display_brand_name": n} for b, n in rows
        ],
        "has_next_page": more,
        "next_offset": offset + size if more else 0,
        "is_mandatory": _state(sb).brand_mandatory,
        "input_type": "DROP_DOWN",
    }


def get_item_limit(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    _leaf(req, req.integer("category_id"))
    st = _state(sb)
    return {
        "price_limit": {"min_limit": 1000, "max_limit": 120_000_000},
        "stock_limit": {"min_limit": 0, "max_limit": 999_999},
        "item_name_length_limit": {"min_limit": st.name_length[0], "max_limit": st.name_length[1]},
        "item_image_count_limit": {"min_limit": 1, "max_limit": 9},
        "item_description_length_limit": {"min_limit": st.description_min, "max_limit": 3000},
        "tier_variation_name_length_limit": {"min_limit": 1, "max_limit": 14},
        "tier_variation_option_length_limit": {"min_limit": 1, "max_limit": 20},
        "weight_limit": {"weight_mandatory": True},
        "dimension_limit": {"dimension_mandatory": st.dimension_mandatory},
    }


def get_channel_list(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    return {
        "logistics_channel_list": [
            {
                "logistics_channel_id": cid,
                "logistics_channel_name": name,
                "enabled": enabled,
                "fee_type": "SIZE_INPUT",
                "mask_channel_id": 0,
                "weight_limit": {"item_max_weight": 30, "item_min_weight": 0.01},
            }
            for cid, name, enabled in CHANNELS
        ]
    }


def upload_image(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    files = [f for f in req.files if f[0] == "image"]
    if not files:
        raise ApiError("error_param", "Wrong parameters, detail: image is required.")
    if len(files) >= 9:
        raise ApiError("error_param", "Wrong parameters, detail: too many images.")
    infos: list[dict[str, Any]] = []
    for _name, filename, data in files:
        if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8")):
            infos.append({"id": 0, "error": "error_file", "message": f"{filename}: not an image."})
            continue
        if len(data) > 10 * 1024 * 1024:
            infos.append({"id": 0, "error": "error_file_size", "message": "Image over 10 MB."})
            continue
        image_id = f"vn-11134207-{secrets.token_hex(12)}"
        _state(sb).images[image_id] = len(data)
        url = f"{sb.base_url}/file/{image_id}"
        info = {
            "image_id": image_id,
            "image_url_list": [{"image_url_region": "VN", "image_url": url}],
        }
        infos.append({"id": len(infos), "error": "", "message": "", "image_info": info})
    good = [i for i in infos if not i["error"]]
    if not good:
        raise ApiError(infos[0]["error"], infos[0]["message"])
    return {"image_info": good[0]["image_info"], "image_info_list": infos}
