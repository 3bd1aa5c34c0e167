"""Lazada listings without HTTP (marketplaces.md 7.2): the `/product/create` and
`/product/update` payloads (JSON, `Images.Image` and `Skus.Sku` always arrays), the custom
sales attributes (`variation1..N`, names <= 15 characters), plain text as Lazada's HTML
description, the product status mapped to ReviewState with the QC reason, and images fitted
into Lazada's limits before upload. Pure functions, checked directly by the tests.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from channels_sync.adapters.publishing import (
    AttributeChoice,
    ListingChanges,
    ListingDraft,
    ReviewState,
)

NAME_LENGTH = 15  # a custom sales attribute's name (7.2.2)
IMAGE_SIDES = (330, 5000)  # pixels, each side
IMAGE_BYTES = 1_048_576  # the API pages' 1 MB (the guide says 3 MB): fits both (7.2.1)
# Attributes the listing itself fills (name, text, brand, SKU fields): never asked on the form.
FILLED = frozenset(
    {
        "name",
        "description",
        "short_description",
        "brand",
        "brand_id",
        "SellerSku",
        "price",
        "special_price",
        "special_from_date",
        "special_to_date",
        "quantity",
        "package_weight",
        "package_length",
        "package_width",
        "package_height",
        "package_content",
        "__images__",
    }
)
REJECT_SUBSTATES = ("reject",)  # subStatus "Reject" / "Live Reject"


def html_description(text: str) -> str:
    """Plain text as HTML paragraphs (one per line), every character escaped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)


def variation_names(names: Sequence[str]) -> list[str]:
    """Our dimension names within Lazada's 15 characters ("Màu / Chất liệu" -> "Màu/Chất liệu"),
    still distinct from one another."""
    found: list[str] = []
    for index, name in enumerate(names):
        short = name.replace(" / ", "/").strip()[:NAME_LENGTH].strip()
        if short in found or not short:
            tail = str(index + 1)
            short = f"{short[: NAME_LENGTH - len(tail)]}{tail}"
        found.append(short)
    return found


def _kg(grams: int) -> str:
    return str((Decimal(grams) / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _amount(value: Decimal) -> str:
    return format(value.normalize() if value == value.to_integral_value() else value, "f")


def _value(choice: AttributeChoice) -> str:
    return ",".join(choice.value_ids) if choice.value_ids else choice.text


def create_payload(
    draft: ListingDraft, *, brand_id: str, sku_attributes: frozenset[str]
) -> dict[str, Any]:
    """`{"Request": {"Product": ...}}` of 7.2.2/7.2.3. Attributes whose Lazada type is `sku`
    (`sku_attributes`) go on every SKU, the others on the product."""
    attributes: dict[str, Any] = {
        "name": draft.title,
        "description": html_description(draft.description),
        "brand_id": brand_id,
    }
    on_skus: dict[str, str] = {}
    for choice in draft.attributes:
        target = on_skus if choice.attribute_id in sku_attributes else attributes
        target[choice.attribute_id] = _value(choice)
    names = variation_names([d.name for d in draft.dimensions])
    product: dict[str, Any] = {
        "PrimaryCategory": draft.category_id,
        "Images": {"Image": list(draft.image_ids)},
        "Attributes": attributes,
    }
    if draft.dimensions:
        product["variation"] = {
            f"variation{n + 1}": {
                "name": names[n],
                "hasImage": False,
                "customize": True,
                "options": {"option": list(d.options)},
            }
            for n, d in enumerate(draft.dimensions)
        }
    skus = []
    for variant in draft.variants:
        sku: dict[str, Any] = {
            "SellerSku": variant.seller_sku,
            "quantity": str(variant.stock),
            "price": _amount(variant.price),
            "package_weight": _kg(draft.weight_grams),
            "package_length": str(draft.length_cm),
            "package_width": str(draft.width_cm),
            "package_height": str(draft.height_cm),
            **on_skus,
        }
        if draft.dimensions:
            sku["saleProp"] = dict(zip(names, variant.options, strict=True))
        skus.append(sku)
    product["Skus"] = {"Sku": skus}
    return {"Request": {"Product": product}}


def update_payload(item_id: str, sku_ids: Sequence[str], changes: ListingChanges) -> dict[str, Any]:
    """`/product/update` (7.2.4): the Attributes node with only the changed keys, the image list
    replaced when given, every SKU named by its SkuId."""
    attributes: dict[str, Any] = {}
    if changes.title is not None:
        attributes["name"] = changes.title
    if changes.description is not None:
        attributes["description"] = html_description(changes.description)
    product: dict[str, Any] = {"ItemId": item_id, "Attributes": attributes}
    if changes.image_ids is not None:
        product["Images"] = {"Image": list(changes.image_ids)}
    product["Skus"] = {"Sku": [{"SkuId": s} for s in sku_ids]}
    return {"Request": {"Product": product}}


def review_state(product: Mapping[str, Any]) -> tuple[ReviewState, str]:
    """(state, reason) of one `/product/item/get` product: `Pending QC` in review, a `Reject`
    sub-status (or `Suspended`) rejected with the words of `rejectReason`."""
    status = str(product.get("status") or "").strip().lower()
    sub = str(product.get("subStatus") or product.get("sub_status") or "").lower()
    rejected = status == "suspended" or any(word in sub for word in REJECT_SUBSTATES)
    if status == "deleted":
        return ReviewState.DELETED, ""
    if rejected:
        return ReviewState.REJECTED, reject_reason(product.get("rejectReason"))
    if status == "pending qc" or status == "pending":
        return ReviewState.IN_REVIEW, ""
    if status == "inactive":
        return ReviewState.INACTIVE, ""
    return ReviewState.LIVE, ""


def reject_reason(value: Any) -> str:
    """`rejectReason[]` as one text: strings as they are, objects by their text values."""
    rows = value if isinstance(value, list) else [value] if value else []
    parts: list[str] = []
    for row in rows:
        if isinstance(row, Mapping):
            parts.extend(str(v).strip() for v in row.values() if isinstance(v, str) and v.strip())
        elif isinstance(row, str) and row.strip():
            parts.append(row.strip())
    return "; ".join(dict.fromkeys(parts))


def created_state(item_status: str) -> ReviewState:
    lowered = item_status.strip().lower()
    if lowered in ("pending qc", "pending"):
        return ReviewState.IN_REVIEW
    if lowered == "inactive":
        return ReviewState.INACTIVE
    return ReviewState.LIVE


def fit_image(content: bytes) -> tuple[bytes, str]:
    """The image as Lazada takes it: each side 330-5000 px and at most 1 MB, JPG or PNG.
    An image within the limits goes as it is; another is scaled and saved as JPEG (quality
    lowered until it fits). Returns (bytes, extension)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError):
        return content, ""  # the platform says what is wrong with it
    low, high = IMAGE_SIDES
    kind = (image.format or "").upper()
    if (
        kind in ("JPEG", "PNG")
        and low <= min(image.size)
        and max(image.size) <= high
        and len(content) <= IMAGE_BYTES
    ):
        return content, ".png" if kind == "PNG" else ".jpg"
    scale = max(low / min(image.size), 1.0)
    scale = min(scale, high / max(image.size))
    picture = image.convert("RGB")
    while True:
        size = (max(low, round(image.width * scale)), max(low, round(image.height * scale)))
        resized = picture.resize(size) if size != picture.size else picture
        for quality in (90, 75, 60):
            out = io.BytesIO()
            resized.save(out, "JPEG", quality=quality)
            if out.tell() <= IMAGE_BYTES:
                return out.getvalue(), ".jpg"
        if min(size) <= low:
            return out.getvalue(), ".jpg"  # the smallest we may send; the platform decides
        scale *= 0.8
