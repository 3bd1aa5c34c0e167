"""In-memory data of the Lazada sandbox: apps, sellers, tokens, products and SKUs, orders with
their lines. Plain data plus small helpers; every mutation happens under `LazadaSandbox.lock`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

CURRENCIES = {"VN": "VND", "TH": "THB", "SG": "SGD", "MY": "MYR", "PH": "PHP", "ID": "IDR"}
OFFSETS = {"VN": 7, "TH": 7, "ID": 7, "SG": 8, "MY": 8, "PH": 8}
LINE_STATUSES = (
    "unpaid",
    "pending",
    "topack",
    "repacked",
    "packed",
    "ready_to_ship",
    "toship",
    "shipped",
    "shipping",
    "delivered",
    "canceled",
    "returned",
    "failed",
    "failed_delivery",
    "shipped_back",
    "shipped_back_success",
    "shipped_back_failed",
    "lost",
    "lost_by_3pl",
    "damaged_by_3pl",
    "package_scrapped",
)
RELEASED = ("canceled",)  # statuses whose units go back to sellable stock


class ApiError(Exception):
    """A protocol error: `code`/`message` (and `detail`) go into the error envelope."""

    def __init__(
        self, code: str, message: str, kind: str = "ISV", detail: list[Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.kind, self.detail = code, message, kind, detail


def sign(app_secret: str, api_path: str, params: dict[str, str]) -> str:
    base = api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(app_secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def push_signature(app_secret: str, app_key: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_hex(16)


def iso(seconds: float, region: str) -> str:
    """`2026-12-07T17:00:00+07:00` in the seller's country."""
    zone = timezone(timedelta(hours=OFFSETS.get(region, 7)))
    return datetime.fromtimestamp(int(seconds), tz=UTC).astimezone(zone).isoformat()


def money(amount: Decimal) -> str:
    """Lazada sends money as strings with two decimals ("106.00")."""
    return f"{amount:.2f}"


@dataclass
class App:
    app_key: str
    app_secret: str
    callback_url: str | None = None


@dataclass
class Seller:
    seller_id: int
    name: str
    country: str  # VN, TH

    @property
    def currency(self) -> str:
        return CURRENCIES.get(self.country, "VND")


@dataclass
class Token:
    app_key: str
    seller_id: int
    expires_at: float
    used: bool = False


@dataclass
class Sku:
    sku_id: int
    seller_sku: str
    price: Decimal
    sellable: dict[str, int]  # warehouse code -> sellable quantity
    campaign_lock: int = 0  # sellable may not go below this (a campaign holds it)
    special_price: Decimal | None = None
    status: str = "active"

    def total(self) -> int:
        return sum(self.sellable.values())


@dataclass
class Product:
    item_id: int
    seller_id: int
    name: str
    skus: list[Sku]
    created: float
    updated: float
    status: str = "Active"

    def sku(self, sku_id: int) -> Sku | None:
        return next((s for s in self.skus if s.sku_id == sku_id), None)


@dataclass
class Line:
    order_item_id: int
    item_id: int
    sku_id: int
    warehouse: str
    status: str
    updated: float
    tracking_code: str = ""
    reason: str = ""


@dataclass
class Order:
    order_id: int
    seller_id: int
    created: float
    updated: float
    lines: list[Line]
    payment_method: str
    customer: tuple[str, str]
    address: dict[str, str]
    shipping_fee: Decimal = Decimal(0)
    remarks: str = ""
    defect: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def statuses(self) -> list[str]:
        return list(dict.fromkeys(line.status for line in self.lines))


def default_address(country: str) -> dict[str, str]:
    if country == "TH":
        return {
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "phone": "66812345678",
            "address1": "99/1 ถนนสุขุมวิท",
            "address4": "คลองเตย",
            "address5": "คลองตัน",
            "city": "กรุงเทพมหานคร",
            "post_code": "10110",
            "country": "Thailand",
        }
    return {
        "first_name": "Nguyễn",
        "last_name": "Văn An",
        "phone": "84912345678",
        "address1": "12 Lý Thường Kiệt",
        "address4": "Quận Hoàn Kiếm",
        "address5": "Phường Hàng Bài",
        "city": "Hà Nội",
        "post_code": "100000",
        "country": "Vietnam",
    }
