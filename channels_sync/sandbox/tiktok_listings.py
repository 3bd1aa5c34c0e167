"""TikTok sandbox: what a shop offers for listing products (marketplaces.md 7.3.1 and 7.5).

A flat category list (branches, AVAILABLE leaves and an INVITE_ONLY leaf), attributes per leaf
(PRODUCT_PROPERTY and SALES_PROPERTY rows, the doc's `is_requried` spelling, allowed values,
`is_customizable`, `is_multiple_selection`), brands (paged with an opaque `page_token`, a
required `page_size`), the shop's warehouses (sales and return), and the image upload: a
multipart body (`data` file + `use_case`), signed without its body and without `shop_cipher`,
answering `{uri, url, width, height, use_case}`. Creating, editing and the audit are in
tiktok_listing_create. The state lives beside the sandbox (`listings_state`), so the shared
sandbox class only routes to these handlers.
"""

from __future__ import annotations

import io
import secrets
import weakref
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from .tiktok_api import Call, page_size, page_start, page_token
from .tiktok_state import BAD_PARAM, ApiError

if TYPE_CHECKING:
    from .tiktok import TikTokSandbox

# (id, parent_id, local_name, is_leaf, permission_statuses)
CATEGORIES = (
    ("601152", "0", "Thời trang nam", False, ("AVAILABLE",)),
    ("601153", "601152", "Áo", False, ("AVAILABLE",)),
    ("601226", "601153", "Áo polo", True, ("AVAILABLE",)),
    ("601227", "601153", "Áo thun", True, ("AVAILABLE",)),
    ("601302", "601152", "Quần jeans", True, ("INVITE_ONLY",)),
    ("700100", "0", "Nhà cửa & Đời sống", False, ("AVAILABLE",)),
    ("700437", "700100", "Cốc & Ly", True, ("AVAILABLE",)),
    ("700438", "700100", "Nồi & Chảo", True, ("AVAILABLE",)),
    ("700439", "700100", "Bình giữ nhiệt", True, ("AVAILABLE",)),
    ("700440", "700100", "Khăn & Vải", True, ("AVAILABLE",)),
)
MATERIAL, STYLE, SEASON, CAPACITY = "100392", "100398", "100401", "100520"
ORIGIN = "100610"
COLOUR, SIZE = "100000", "100007"  # built-in sales attributes
# attribute id -> (name, type, required, values, customizable, multiple)
ATTRIBUTES: dict[str, tuple[str, str, bool, tuple[tuple[str, str], ...], bool, bool]] = {
    MATERIAL: (
        "Chất liệu",
        "PRODUCT_PROPERTY",
        True,
        (("1000059", "Cotton"), ("1000060", "Polyester"), ("1000061", "Linen")),
        False,
        True,
    ),
    STYLE: (
        "Phong cách",
        "PRODUCT_PROPERTY",
        False,
        (("1001", "Basic"), ("1002", "Thể thao")),
        True,
        False,
    ),
    SEASON: ("Mùa", "PRODUCT_PROPERTY", False, (), True, False),
    CAPACITY: ("Dung tích", "PRODUCT_PROPERTY", True, (), True, False),
    ORIGIN: (
        "Xuất xứ",
        "PRODUCT_PROPERTY",
        True,
        (("2001", "Việt Nam"), ("2002", "Thái Lan"), ("2003", "Trung Quốc")),
        False,
        False,
    ),
    COLOUR: (
        "Màu sắc",
        "SALES_PROPERTY",
        False,
        (("1000001", "Đỏ"), ("1000002", "Xanh")),
        True,
        False,
    ),
    SIZE: ("Kích cỡ", "SALES_PROPERTY", False, (("1000010", "M"), ("1000011", "L")), True, False),
}
CLOTHING = (MATERIAL, STYLE, SEASON, COLOUR, SIZE)
CATEGORY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "601226": CLOTHING,
    "601227": CLOTHING,
    "601302": CLOTHING,
    "700437": (CAPACITY, COLOUR),
    "700438": (ORIGIN, COLOUR),
    "700439": (ORIGIN, CAPACITY, COLOUR),
    "700440": (ORIGIN, MATERIAL, COLOUR),
}
BRANDS = (
    ("7082427311584347905", "Coolmate"),
    ("7082427311584347906", "Routine"),
    ("7082427311584347907", "Yame"),
)
USE_CASES = (
    "MAIN_IMAGE",
    "ATTRIBUTE_IMAGE",
    "DESCRIPTION_IMAGE",
    "CERTIFICATION_IMAGE",
    "SIZE_CHART_IMAGE",
)
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "BMP", "MPO"}
IMAGE_MAX_BYTES = 10 * 1024 * 1024
# Not in the doc: the upload's error code. A sandbox choice in the main-image range of 7.3.5.
IMAGE_INVALID = 12052300
REJECT_REASON = "Hình ảnh chính không rõ ràng hoặc chứa chữ quảng cáo."


@dataclass
class UploadedFile:
    uri: str
    width: int
    height: int
    use_case: str


@dataclass
class ListingsState:
    """Options (the doc's [UNV] points and the audit) and what was uploaded or created."""

    audit: str = "approve"  # "approve" | "reject" | "manual" (control: audit_product)
    audit_seconds: float = 0.0  # a create or edit is decided at the first read after this
    reject_reason: str = REJECT_REASON
    create_zero_quantity: bool = False  # [UNV] documented range 1-99 999
    images: dict[str, UploadedFile] = field(default_factory=dict)
    created: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (shop, key)
    details: dict[str, Any] = field(default_factory=dict)  # product id -> ProductDetail


OPTIONS = {"audit", "audit_seconds", "reject_reason", "create_zero_quantity"}
_STATES: weakref.WeakKeyDictionary[TikTokSandbox, ListingsState] = weakref.WeakKeyDictionary()


def listings_state(sb: TikTokSandbox) -> ListingsState:
    with sb.lock:
        return _STATES.setdefault(sb, ListingsState())


def leaf_problem(category_id: Any, version: Any = "v1") -> tuple[int, str] | None:
    """(code, message) when a product cannot go in `category_id` (7.3.5), else None."""
    if version not in (None, "", "v1"):
        return 12052217, "category_version does not match the shop (v1)."
    row = next((c for c in CATEGORIES if c[0] == str(category_id or "")), None)
    if row is None:
        return 12052023, "The category does not exist."
    if not row[3]:
        return 12052024, "The category is not a leaf category."
    if "AVAILABLE" not in row[4]:
        return 12052220, "The category is restricted for this shop."
    return None


# -- calls ---------------------------------------------------------------------------------------


def categories(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    if call.query("category_version", "v1") != "v1":
        raise ApiError(12052217, "category_version does not match the shop (v1).")
    keyword = call.query("keyword").casefold()
    return {
        "categories": [
            {
                "id": cid,
                "parent_id": parent,
                "local_name": name,
                "is_leaf": leaf,
                "permission_statuses": list(permissions),
            }
            for cid, parent, name, leaf, permissions in CATEGORIES
            if keyword in name.casefold()
        ]
    }


def category_attributes(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    category_id = call.path.split("/")[4]
    if category_id not in CATEGORY_ATTRIBUTES:
        raise ApiError(12052023, "The category does not exist.")
    rows = []
    for attribute_id in CATEGORY_ATTRIBUTES[category_id]:
        name, kind, required, values, customizable, multiple = ATTRIBUTES[attribute_id]
        rows.append(
            {
                "id": attribute_id,
                "name": name,
                "type": kind,
                "is_requried": required,  # sic (the doc's spelling)
                "values": [{"id": v, "name": n} for v, n in values],
                "is_customizable": customizable,
                "is_multiple_selection": multiple,
                "requirement_conditions": [],
            }
        )
    return {"attributes": rows}


def brands(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    size = page_size(call)
    scope = f"brands:{call.query('category_id')}:{call.query('brand_name')}"
    start = page_start(sb, call, scope)
    wanted = call.query("brand_name").casefold()
    found = [b for b in BRANDS if wanted in b[1].casefold()]
    page = found[start : start + size]
    more = start + size < len(found)
    return {
        "brands": [
            {
                "id": bid,
                "name": name,
                "authorized_status": "UNAUTHORIZED",
                "is_t1_brand": False,
                "brand_status": "AVAILABLE",
            }
            for bid, name in page
        ],
        "next_page_token": page_token(sb, scope, start + size) if more else "",
        "total_count": len(found),
    }


def warehouses(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    assert call.shop is not None
    rows = [
        {
            "id": w,
            "name": f"Kho {n + 1}",
            "type": "SALES_WAREHOUSE",
            "effect_status": "ENABLED",
            "is_default": n == 0,
        }
        for n, w in enumerate(call.shop.warehouses)
    ]
    rows.append(
        {
            "id": f"RW{call.shop.shop_id[-4:]}",
            "name": "Kho hoàn hàng",
            "type": "RETURN_WAREHOUSE",
            "effect_status": "ENABLED",
            "is_default": False,
        }
    )
    return {"warehouses": rows}


def is_multipart(call: Call) -> bool:
    return call.headers.get("content-type", "").lower().startswith("multipart/form-data")


def parse_multipart(call: Call) -> dict[str, Any]:
    """The form fields of a multipart body: text fields as str, files as (filename, bytes)."""
    head = f"Content-Type: {call.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + call.raw)
    if not message.is_multipart():
        raise ApiError(BAD_PARAM, "The body is not multipart/form-data.", 400)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        fields[name] = (filename, content) if filename else content.decode(errors="replace")
    return fields


def image_upload(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    """Multipart `data` + `use_case`; MAIN_IMAGE 300x300 to 4000x4000 px; <= 10 MB."""
    from PIL import Image, UnidentifiedImageError

    upload = call.body.get("data")
    use_case = call.body.get("use_case") or "MAIN_IMAGE"
    if not isinstance(upload, tuple) or use_case not in USE_CASES:
        raise ApiError(BAD_PARAM, "data (a file) and a valid use_case are required.", 400)
    content = upload[1]
    if len(content) > IMAGE_MAX_BYTES:
        raise ApiError(IMAGE_INVALID, "The image is larger than 10 MB.")
    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format, (width, height) = str(image.format), image.size
    except (UnidentifiedImageError, OSError):
        raise ApiError(IMAGE_INVALID, "The file is not a supported image.") from None
    if image_format not in IMAGE_FORMATS:
        raise ApiError(IMAGE_INVALID, f"{image_format} images are not supported.")
    if use_case == "MAIN_IMAGE" and not (min(width, height) >= 300 and max(width, height) <= 4000):
        raise ApiError(IMAGE_INVALID, "Main images must be 300x300 to 4000x4000 pixels.")
    uri = f"tos-alisg-i-aphluv4xwc-sg/{secrets.token_hex(16)}"
    listings_state(sb).images[uri] = UploadedFile(uri, width, height, use_case)
    return {
        "uri": uri,
        "url": f"{sb.base_url}/img/{uri}",
        "width": width,
        "height": height,
        "use_case": use_case,
    }


# -- control --------------------------------------------------------------------------------------


def configure_listings(sb: TikTokSandbox, **options: Any) -> None:
    unknown = set(options) - OPTIONS
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    if options.get("audit", "approve") not in ("approve", "reject", "manual"):
        raise ValueError("audit is approve, reject or manual")
    state = listings_state(sb)
    with sb.lock:
        for name, value in options.items():
            setattr(state, name, value)
