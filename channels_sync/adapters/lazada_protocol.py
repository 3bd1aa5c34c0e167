"""Lazada Open Platform protocol pieces that need no HTTP (marketplaces.md §2.3, §2.4, §2.6,
§2.7): the request signature, the push signature, the envelope's `code` mapped onto our error
family, the XML payloads of stock and price updates, and Lazada's date format.

Pure functions, so the doc's vectors are checked directly by the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

from channels_sync.adapters.base import (
    AuthError,
    ChannelError,
    PermanentError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)

SUCCESS = "0"
AUTH_ERRORS = frozenset({"IllegalAccessToken"})
RECONNECT_ERRORS = frozenset({"IllegalRefreshToken"})
CALL_LIMIT = "ApiCallLimit"  # per-API QPS exceeded: a 1-second ban
TOO_FREQUENT = frozenset({"E901", "901"})  # "request is too frequent": back off longer
TRANSIENT_ERRORS = frozenset({"998", "4170", "ServiceTimeout"})
TOO_MANY_SKUS = "E204"
UPDATE_FAILED = "501"
CREATE_FAILED = "500"  # "Create product failed": the cause is in the answer's `detail`
FLOOR_WORDS = ("campaign", "lock")


def lazada_sign(app_secret: str, api_path: str, params: Mapping[str, object]) -> str:
    """Upper-case hex HMAC-SHA256 of the API path (no /rest prefix) followed by every
    parameter except `sign` as key+value, keys sorted."""
    base = api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(app_secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def push_signature(app_secret: str, app_key: str, body: bytes) -> str:
    """The push's Authorization header: lower-case hex HMAC(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def push_signature_valid(app_secret: str, app_key: str, body: bytes, given: str) -> bool:
    expected = push_signature(app_secret, app_key, body)
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


def error_for(
    code: str, message: str, *, error_type: str = "", request_id: str = ""
) -> ChannelError:
    """The exception for an envelope whose `code` is not "0" (marketplaces.md §2.4)."""
    if code in AUTH_ERRORS:
        return AuthError(code, message, request_id=request_id)
    if code in RECONNECT_ERRORS:
        return ReconnectNeeded(code, message, request_id=request_id)
    if code == CALL_LIMIT:
        return RateLimited(code, message, retry_after=1.0, request_id=request_id)
    if code in TOO_FREQUENT:
        return RateLimited(code, message, retry_after=2.0, request_id=request_id)
    if code in TRANSIENT_ERRORS or error_type.upper() == "SYSTEM":
        return TransientError(code, message, request_id=request_id)
    return PermanentError(code, message, request_id=request_id)


def lazada_time(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:mm:ss±HH:MM` (E017 otherwise); whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.replace(microsecond=0).isoformat()


def parse_time(value: str) -> datetime:
    """Lazada's dates: ISO 8601 with an offset, or `2014-10-14 18:34:36 +0800`; aware."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    if parsed.tzinfo is None:
        raise ValueError("no offset")
    return parsed.astimezone(UTC)


# -- XML payloads ---------------------------------------------------------------------------


def _number(value: int | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    return format(value.normalize() if value == value.to_integral_value() else value, "f")


def sku_xml(rows: Sequence[Mapping[str, object]]) -> str:
    """`<Request><Product><Skus><Sku>...</Sku></Skus></Product></Request>` for rows of
    {ItemId, SkuId, SellerSku?, SellableQuantity? | WarehouseCode+SellableQuantity, Price?}.
    A row with `WarehouseCode` puts its quantity under MultiWarehouseInventories; rows of the
    same SKU with warehouse codes share one <Sku>."""
    request = ET.Element("Request")
    skus = ET.SubElement(ET.SubElement(request, "Product"), "Skus")
    by_sku: dict[tuple[str, str], ET.Element] = {}
    for row in rows:
        key = (str(row["ItemId"]), str(row["SkuId"]))
        sku = by_sku.get(key)
        if sku is None:
            sku = ET.SubElement(skus, "Sku")
            by_sku[key] = sku
            for name in ("ItemId", "SkuId", "SellerSku"):
                if row.get(name) not in (None, ""):
                    ET.SubElement(sku, name).text = str(row[name])
        warehouse = row.get("WarehouseCode")
        for name in ("Price", "SalePrice", "Quantity"):
            if row.get(name) is not None:
                ET.SubElement(sku, name).text = _number(row[name])  # type: ignore[arg-type]
        if row.get("SellableQuantity") is None:
            continue
        quantity = _number(row["SellableQuantity"])  # type: ignore[arg-type]
        if warehouse:
            inventories = sku.find("MultiWarehouseInventories")
            if inventories is None:
                inventories = ET.SubElement(sku, "MultiWarehouseInventories")
            entry = ET.SubElement(inventories, "MultiWarehouseInventory")
            ET.SubElement(entry, "WarehouseCode").text = str(warehouse)
            ET.SubElement(entry, "SellableQuantity").text = quantity
        else:
            ET.SubElement(sku, "SellableQuantity").text = quantity
    return ET.tostring(request, encoding="unicode")


_INTEGER = re.compile(r"-?\d+")


def floor_from(message: str) -> int | None:
    """The campaign lock a refusal names ("... lower than the campaign locked quantity 5"):
    the last whole number of a message about a campaign/lock, else None."""
    lowered = message.lower()
    if not any(word in lowered for word in FLOOR_WORDS):
        return None
    numbers = _INTEGER.findall(message)
    return int(numbers[-1]) if numbers else None
