"""In-memory data of the Shopee sandbox: partners, shops, tokens, items, orders, lost pushes.

Plain data plus small helpers; every mutation happens under `ShopeeSandbox.lock`.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

Number = int | float
CURRENCIES = {"VN": "VND", "TH": "THB", "SG": "SGD", "MY": "MYR", "PH": "PHP", "ID": "IDR"}
OPEN_STATUSES = ("UNPAID", "PENDING", "READY_TO_SHIP", "RETRY_SHIP")
SHIPPABLE = ("READY_TO_SHIP", "RETRY_SHIP")
ORDER_STATUSES = (
    "UNPAID",
    "PENDING",
    "READY_TO_SHIP",
    "PROCESSED",
    "RETRY_SHIP",
    "SHIPPED",
    "TO_CONFIRM_RECEIVE",
    "IN_CANCEL",
    "CANCELLED",
    "TO_RETURN",
    "COMPLETED",
    "INVOICE_PENDING",
)
# Statuses that no longer hold Shopee-side stock (a cancellation gives it back).
RELEASED = ("CANCELLED",)


class ApiError(Exception):
    """A protocol error: `error`/`message` go into the envelope; `kind` picks the status."""

    def __init__(self, error: str, message: str, kind: str = "other") -> None:
        super().__init__(f"{error}: {message}")
        self.error, self.message, self.kind = error, message, kind


@dataclass
class Partner:
    partner_id: int
    partner_key: str
    callback_url: str | None = None


@dataclass
class Shop:
    shop_id: int
    name: str
    region: str
    warehouses: list[str] | None = None

    @property
    def currency(self) -> str:
        return CURRENCIES.get(self.region.upper(), "VND")


@dataclass
class Link:
    """One partner's authorization of one shop."""

    partner_id: int
    shop_id: int
    auth_time: int
    expire_time: int
    revoked: bool = False


@dataclass
class Token:
    partner_id: int
    shop_id: int
    expires_at: float
    spent: bool = False


@dataclass
class Model:
    model_id: int
    model_sku: str
    price: Number
    stock: dict[str, int]  # location_id ("" on a single-warehouse shop) -> seller stock
    reserved: int = 0  # reserved promotion stock: the floor of update_stock
    status: str = "MODEL_NORMAL"
    tier_index: list[int] | None = None  # set by init_tier_variation


@dataclass
class Item:
    item_id: int
    shop_id: int
    item_sku: str
    name: str
    has_model: bool
    models: list[Model]
    create_time: int
    update_time: int
    status: str = "NORMAL"
    # Listing content of items created through add_item (category_id, description, images,
    # tier_variation, review reason ...); empty for seeded items.
    extra: dict[str, Any] = field(default_factory=dict)

    def model(self, model_id: int) -> Model | None:
        return next((m for m in self.models if m.model_id == model_id), None)


@dataclass
class Line:
    item_id: int
    model_id: int
    qty: int
    order_item_id: int
    location_id: str


@dataclass
class Order:
    order_sn: str
    shop_id: int
    status: str
    create_time: int
    update_time: int
    lines: list[Line]
    payment_method: str
    buyer_user_id: int
    buyer_username: str
    recipient: dict[str, str]
    note: str = ""
    message_to_seller: str = ""
    pay_time: int | None = None
    tracking_no: str = ""
    shipping_carrier: str = "Sandbox Express"
    cancel_by: str = ""
    cancel_reason: str = ""
    defect: dict[str, str] = field(default_factory=dict)

    @property
    def package_number(self) -> str:
        return f"OFG{self.order_sn}"


@dataclass
class LostPush:
    message_id: int
    partner_id: int
    shop_id: int | None
    code: int
    timestamp: int
    body: str


def new_token() -> str:
    return secrets.token_hex(16)


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as error:
        raise ApiError("error_param", "Wrong parameters, detail: invalid cursor.") from error
    if not isinstance(data, dict):
        raise ApiError("error_param", "Wrong parameters, detail: invalid cursor.")
    return data


def stock_info(shop: Shop, reserved: int, stock: dict[str, int]) -> dict[str, Any]:
    """`stock_info_v2` of one model (or of a no-variant item)."""
    if shop.warehouses:
        seller = [{"location_id": loc, "stock": stock.get(loc, 0)} for loc in shop.warehouses]
    else:
        seller = [{"stock": stock.get("", 0)}]
    return {
        "summary_info": {
            "total_reserved_stock": reserved,
            "total_available_stock": sum(stock.values()),
        },
        "seller_stock": seller,
        "shopee_stock": [],
    }


def price_info(currency: str, price: Number) -> list[dict[str, Any]]:
    return [{"currency": currency, "original_price": price, "current_price": price}]


@dataclass
class Request:
    """One protocol call as the handlers see it (after the signature check)."""

    method: str
    path: str
    params: dict[str, list[str]]
    body: dict[str, Any]
    partner_id: int = 0
    shop_id: int = 0
    files: list[tuple[str, str, bytes]] = field(
        default_factory=list
    )  # multipart (name, file, data)

    def first(self, name: str, default: str | None = None) -> str | None:
        if name in self.body and not isinstance(self.body[name], list | dict):
            return str(self.body[name])
        values = self.params.get(name)
        return values[0] if values else default

    def text(self, name: str) -> str:
        value = self.first(name)
        if value is None or value == "":
            raise ApiError("error_param", f"Wrong parameters, detail: {name} is required.")
        return value

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.first(name)
        if value is None or value == "":
            if default is None:
                raise ApiError("error_param", f"Wrong parameters, detail: {name} is required.")
            return default
        try:
            return int(value)
        except ValueError as error:
            raise ApiError(
                "error_param", f"Wrong parameters, detail: {name} is invalid."
            ) from error

    def items(self, name: str) -> list[str]:
        """Repeated keys, comma-joined values and `[1,2]` all work."""
        raw: list[str] = []
        if isinstance(self.body.get(name), list):
            raw = [str(x) for x in self.body[name]]
        for value in self.params.get(name, []):
            value = value.strip()
            if value.startswith("["):
                try:
                    raw.extend(str(x) for x in json.loads(value))
                    continue
                except ValueError:
                    value = value.strip("[]")
            raw.extend(part.strip().strip('"') for part in value.split(","))
        return [x for x in raw if x]


@dataclass
class Reply:
    """A handler's answer when it carries a `warning` besides the response."""

    response: Any
    warning: str = ""


def default_recipient(region: str) -> dict[str, str]:
    if region == "TH":
        return {
            "name": "สมชาย ใจดี",
            "phone": "66812345678",
            "town": "Khlong Toei",
            "district": "Khlong Toei",
            "city": "Bangkok",
            "state": "Bangkok",
            "region": "TH",
            "zipcode": "10110",
            "full_address": "99 Sukhumvit Rd, Khlong Toei, Bangkok 10110",
        }
    return {
        "name": "Nguyễn Văn An",
        "phone": "84912345678",
        "town": "Phường Bến Nghé",
        "district": "Quận 1",
        "city": "Hồ Chí Minh",
        "state": "Hồ Chí Minh",
        "region": "VN",
        "zipcode": "700000",
        "full_address": "12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
    }
