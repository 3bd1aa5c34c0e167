"""Lazada sandbox: what a seller publishes into (marketplaces.md 7.2.1, 7.5): the category tree
(nested, `leaf` flags, names in the asked `language_code`), each leaf's attributes (standard
fields, a mandatory drop-down, free text, a multi-select, the sales attributes `color_family`
and `size` with `is_sale_prop`, one `sku`-level attribute), GetBrandByPages (the country's list
with its "No Brand", `startRow`/`pageSize` <= 200), `/image/upload` (multipart; JPG/PNG,
330-5000 px a side, at most `image_max_bytes`) and `/image/migrate` (a URL on a public host
name, not an IP address); both answer a Lazada-hosted URL (the sandbox's origin + /p/), the
only image URLs a product takes (4138).

Listing state and options live in `ListingsState` (`sandbox.publishing`).
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from .lazada_state import ApiError

if TYPE_CHECKING:
    from .lazada import LazadaSandbox

# (category_id, parent (0 = root), Vietnamese name, Thai name, English name)
CATEGORIES = (
    (10100, 0, "Thời trang nam", "แฟชั่นผู้ชาย", "Men's Fashion"),
    (10110, 10100, "Áo", "เสื้อ", "Tops"),
    (10111, 10110, "Áo thun", "เสื้อยืด", "T-Shirts"),
    (10112, 10110, "Áo polo", "เสื้อโปโล", "Polo Shirts"),
    (10120, 10100, "Quần jeans", "กางเกงยีนส์", "Jeans"),
    (10200, 0, "Nhà cửa & Đời sống", "บ้านและไลฟ์สไตล์", "Home & Living"),
    (10210, 10200, "Dụng cụ nhà bếp", "เครื่องครัว", "Kitchenware"),
    (10211, 10210, "Chảo", "กระทะ", "Pans"),
    (10212, 10210, "Bình giữ nhiệt", "กระติกน้ำ", "Vacuum Flasks"),
    (10220, 10200, "Khăn & Vải", "ผ้าและสิ่งทอ", "Towels & Textiles"),
)
FASHION = {10111, 10112, 10120}
Option = tuple[int, str, str, str]  # id, en_name, Vietnamese, Thai
MATERIALS: tuple[Option, ...] = (
    (71001, "Cotton", "Cotton", "ฝ้าย"),
    (71002, "Linen", "Vải lanh", "ลินิน"),
    (71003, "Polyester", "Polyester", "โพลีเอสเตอร์"),
)
WARRANTY: tuple[Option, ...] = (
    (72001, "No Warranty", "Không bảo hành", "ไม่มีการรับประกัน"),
    (72002, "Local Warranty", "Bảo hành trong nước", "รับประกันในประเทศ"),
)
OCCASIONS = ((73001, "Casual", "Thường ngày", "ลำลอง"), (73002, "Sports", "Thể thao", "กีฬา"))
BRANDS: tuple[tuple[int, str], ...] = (
    (20001, "Coolmate"),
    (20002, "Routine"),
    (20003, "Sài Gòn Wear"),
    (20004, "Bếp Việt"),
    (20005, "Siam Home"),
)
NO_BRAND = {"VN": 30768, "TH": 30769}  # "No Brand" differs per country (7.2.2)
SALE_PROPS = ("color_family", "size")
QC_REASON = "Hình ảnh chính có chữ/logo che sản phẩm (Main image has text covering the product)."


@dataclass
class Listing:
    """What the product list keeps beside a created product (lazada_state.Product)."""

    category_id: int
    attributes: dict[str, Any]
    images: list[str]
    sku_fields: dict[int, dict[str, Any]]  # sku_id -> saleProp, package, sku attributes
    variation: dict[str, Any] = field(default_factory=dict)
    sub_status: str = ""
    reasons: list[dict[str, str]] = field(default_factory=list)
    qc_due: float | None = None  # when the pending QC ends by itself
    qc_approve: bool = True


@dataclass
class ListingsState:
    """Options (the doc's [UNV] points, 7.6) and what was published."""

    qc: str = "none"  # "none": Active at once; "review": Pending QC (ends by qc_finish or
    #                    after qc_seconds, approved); "reject": the same, then rejected
    qc_seconds: float | None = None
    qc_reason: str = QC_REASON
    max_sale_props: int = 2  # VARIATION_SIZE_LIMIT of these categories
    max_options: int = 50
    image_max_bytes: int = 3_145_728  # the guide's 3 MB (the API pages say 1 MB)
    extra_brands: list[tuple[int, str]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # hash_code -> content
    listings: dict[int, Listing] = field(default_factory=dict)  # item_id -> listing


def state(sb: LazadaSandbox) -> ListingsState:
    return sb.publishing


def _country(sb: LazadaSandbox, seller_id: int) -> str:
    seller = sb.sellers.get(seller_id)
    return seller.country if seller else "VN"


def _name(row: tuple[Any, ...], language: str) -> str:
    return {"vi_VN": row[2], "th_TH": row[3]}.get(language, row[-1] if len(row) > 4 else row[1])


def leaf(category_id: Any) -> int:
    """A leaf category id, or the errors of 7.2.5 (201 unknown, 4134 not a leaf)."""
    known = {c[0]: c for c in CATEGORIES}
    text = str(category_id or "").strip()
    if not text.isdigit() or int(text) not in known:
        raise ApiError("201", f"PrimaryCategory {text or '(empty)'} is not valid")
    if any(c[1] == int(text) for c in CATEGORIES):
        raise ApiError("4134", f"PrimaryCategory {text} is not a leaf category")
    return int(text)


def category_tree(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> list[dict[str, Any]]:
    language = p.get("language_code") or "en_US"

    def node(row: tuple[Any, ...]) -> dict[str, Any]:
        children = [node(c) for c in CATEGORIES if c[1] == row[0]]
        return {
            "category_id": row[0],
            "name": {"vi_VN": row[2], "th_TH": row[3]}.get(language, row[4]),
            "leaf": not children,
            "var": row[0] in FASHION,
            "children": children,
        }

    return [node(row) for row in CATEGORIES if row[1] == 0]


def _options(rows: tuple[tuple[Any, ...], ...], language: str) -> list[dict[str, Any]]:
    return [{"id": r[0], "name": _name(r, language), "en_name": r[1]} for r in rows]


def _standard(name: str, label: str, kind: str, *, sku: bool = False) -> dict[str, Any]:
    mandatory = name not in ("description", "short_description")
    row: dict[str, Any] = {"name": name, "label": label, "input_type": kind, "options": []}
    row.update(is_mandatory=int(mandatory), is_sale_prop=0)
    row.update(attribute_type="sku" if sku else "normal", advanced={"is_key_prop": 0})
    return row


def attributes_of(category_id: int, language: str) -> list[dict[str, Any]]:
    rows = [
        _standard("name", "Name", "text"),
        _standard("description", "Long Description", "richText"),
        _standard("brand", "Brand", "singleSelect"),
        _standard("SellerSku", "SellerSku", "text", sku=True),
        _standard("price", "Price", "numeric", sku=True),
        _standard("package_weight", "Package Weight (kg)", "numeric", sku=True),
        _standard("package_length", "Package Length (cm)", "numeric", sku=True),
        _standard("package_width", "Package Width (cm)", "numeric", sku=True),
        _standard("package_height", "Package Height (cm)", "numeric", sku=True),
    ]
    vi, th = language == "vi_VN", language == "th_TH"

    def label(en: str, vi_text: str, th_text: str) -> str:
        return vi_text if vi else th_text if th else en

    warranty = _standard(
        "warranty_type",
        label("Warranty Type", "Loại bảo hành", "ประเภทการรับประกัน"),
        "singleSelect",
        sku=True,
    )
    warranty.update(options=_options(WARRANTY, language), is_mandatory=0)
    model = _standard("model", label("Model", "Mẫu mã", "รุ่น"), "text")
    model["is_mandatory"] = 0
    rows += [warranty, model]
    if category_id in FASHION:
        material = _standard("material", label("Material", "Chất liệu", "วัสดุ"), "singleSelect")
        material["options"] = _options(MATERIALS, language)
        occasion = _standard("occasion", label("Occasion", "Dịp", "โอกาส"), "multiSelect")
        occasion.update(options=_options(OCCASIONS, language), is_mandatory=0)
        rows += [material, occasion]
        for name in SALE_PROPS:
            prop = _standard(name, name.replace("_", " ").title(), "singleSelect", sku=True)
            prop.update(is_sale_prop=1, is_mandatory=0)
            rows.append(prop)
    return rows


def category_attributes(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> list[Any]:
    category_id = leaf(p.get("primary_category_id"))
    return attributes_of(category_id, p.get("language_code") or "en_US")


def brand_rows(sb: LazadaSandbox, seller_id: int) -> list[tuple[int, str]]:
    country = _country(sb, seller_id)
    return [(NO_BRAND[country], "No Brand"), *BRANDS, *state(sb).extra_brands]


def brands_query(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    start, size = int(p.get("startRow") or 0), int(p.get("pageSize") or 20)
    if start < 0 or not 1 <= size <= 200:
        raise ApiError("MissingParameter", "startRow >= 0 and 1 <= pageSize <= 200")
    rows = brand_rows(sb, seller_id)
    return {
        "total_record": len(rows),
        "module": [
            {"brand_id": b, "name": n, "name_en": n, "global_identifier": f"brand-{b}"}
            for b, n in rows[start : start + size]
        ],
    }


def lazada_url(sb: LazadaSandbox, hash_code: str, kind: str) -> str:
    return f"{sb.origin}/p/{hash_code}.{kind}"


def hosted(sb: LazadaSandbox, url: str) -> bool:
    """A URL this "Lazada" serves (anything else: 4138)."""
    prefix = f"{sb.origin}/p/"
    return url.startswith(prefix) and url[len(prefix) :].split(".")[0] in state(sb).images


def _store(sb: LazadaSandbox, content: bytes) -> dict[str, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
        kind, size = (image.format or "").upper(), image.size
    except (UnidentifiedImageError, OSError):
        raise ApiError("ImageFormatError", "The image is not a JPG or PNG file") from None
    if kind not in ("JPEG", "PNG"):
        raise ApiError("ImageFormatError", f"{kind} images are not accepted (JPG, PNG)")
    if min(size) < 330 or max(size) > 5000:
        raise ApiError("ImageSizeError", f"image is {size[0]}x{size[1]} px (330-5000 a side)")
    if len(content) > state(sb).image_max_bytes:
        raise ApiError("ImageSizeError", f"image file over {state(sb).image_max_bytes} bytes")
    hash_code = hashlib.md5(content, usedforsecurity=False).hexdigest()
    state(sb).images[hash_code] = content
    extension = "png" if kind == "PNG" else "jpg"
    return {"image": {"url": lazada_url(sb, hash_code, extension), "hash_code": hash_code}}


def image_upload(
    sb: LazadaSandbox, seller_id: int, p: dict[str, str], *, files: dict[str, bytes]
) -> dict[str, Any]:
    if "image" not in files:
        raise ApiError("MissingParameter", "Missing required parameter: image")
    return _store(sb, files["image"])


def image_migrate(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    """One URL: a public host name on port 80/443 (the sandbox does not download it: the image
    stored is a plain 500 px square)."""
    from PIL import Image

    node = ET.fromstring(p["payload"]).find("./Image/Url")  # noqa: S314 - local test server
    url = (node.text or "").strip() if node is not None else ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if (
        parts.scheme not in ("http", "https")
        or not host
        or is_ip
        or parts.port not in (None, 80, 443)
    ):
        raise ApiError("4169", f"image url {url or '(empty)'} cannot be migrated")
    out = io.BytesIO()
    Image.new("RGB", (500, 500), "#cccccc").save(out, "JPEG")
    return _store(sb, out.getvalue() + url.encode())


def multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """(text fields, file fields) of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        body = part.get_payload(decode=True)
        if not isinstance(body, bytes):
            continue
        if part.get_filename() is not None:
            files[name] = body
        else:
            fields[name] = body.decode("utf-8", errors="replace")
    return fields, files
