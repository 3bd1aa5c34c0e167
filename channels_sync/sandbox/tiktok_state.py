"""TikTok Shop sandbox: the data it keeps and the documented error codes (marketplaces.md §3)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

# §3.4 and §3.6 codes
TOKEN_EXPIRED = 105002
SCOPE_MISSING = 105005
INVALID_SIGN = 106001
CIPHER_MISSING = 106013
INVALID_PARAMS = 36009004  # invalid app_key / token / timestamp / identifier / version
TOO_MANY_REQUESTS = 36009002
INTERNAL = 36009003
RT_EXPIRED = 36004001
NO_AUTH_RECORD = 36004005
WAREHOUSES_INCOMPLETE = 12052037
TOO_MANY_SKUS = 12052050
PROMOTION_LOCK = 12052393
UNKNOWN_SKU = 12052556
QUANTITY_RANGE = 12052055
BAD_PRICE = 12052073
# Not in the doc: which code a bad request parameter, an unknown product or an inactive product
# gets. Sandbox choices, kept distinct from the documented ones.
BAD_PARAM = 40006
PRODUCT_NOT_FOUND = 12052700_1
PRODUCT_NOT_ACTIVE = 12052700_2

ORDER_STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
PRODUCT_STATUSES = (
    "DRAFT",
    "PENDING",
    "FAILED",
    "ACTIVATE",
    "SELLER_DEACTIVATED",
    "PLATFORM_DEACTIVATED",
    "FREEZE",
    "DELETED",
)
CURRENCIES = {"VN": "VND", "TH": "THB", "SG": "SGD", "MY": "MYR", "PH": "PHP", "ID": "IDR"}


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class App:
    app_key: str
    app_secret: str
    redirect_url: str = ""
    webhook_url: str = ""


@dataclass
class Shop:
    shop_id: str
    name: str
    region: str
    cipher: str
    warehouses: list[str]

    @property
    def currency(self) -> str:
        return CURRENCIES.get(self.region, "USD")


@dataclass
class Grant:
    """An authorisation of one app by one seller (all the seller's shops)."""

    app_key: str
    shop_ids: list[str]
    expires_at: int  # the authorisation's end (= the refresh token's expiry)
    revoked: bool = False


@dataclass
class Token:
    grant: Grant
    expires_at: int
    used: bool = False


@dataclass
class Sku:
    sku_id: str
    seller_sku: str
    price: str  # decimal string in the shop's currency
    stock: dict[str, int]  # warehouse_id -> quantity
    options: list[str] = field(default_factory=list)
    promotion_lock: int = 0  # quantity a promotion holds: updates below it are refused


@dataclass
class Product:
    product_id: str
    shop_id: str
    title: str
    status: str
    skus: list[Sku]
    create_time: int
    update_time: int

    def sku(self, sku_id: str) -> Sku | None:
        return next((s for s in self.skus if s.sku_id == sku_id), None)


@dataclass
class Unit:
    """One line item (TikTok has one per unit sold)."""

    line_id: str
    product_id: str
    sku_id: str
    warehouse_id: str


@dataclass
class Order:
    order_id: str
    shop_id: str
    status: str
    create_time: int
    update_time: int
    units: list[Unit]
    is_cod: bool
    user_id: str
    recipient: dict[str, Any]
    shipping_fee: str = "0"
    paid_time: int | None = None
    buyer_message: str = ""
    cancel_reason: str = ""
    defect: dict[str, str] | None = None


def new_token() -> str:
    return "ROW_" + secrets.token_urlsafe(24)


def default_recipient(region: str) -> dict[str, Any]:
    if region == "TH":
        return {
            "name": "สมชาย ใจดี",
            "phone_number": "(+66)81*****78",
            "full_address": "99 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร",
            "postal_code": "10110",
            "region_code": "TH",
            "district_info": [
                {
                    "address_level_name": "Province",
                    "address_name": "กรุงเทพมหานคร",
                    "address_level": "L1",
                },
                {
                    "address_level_name": "District",
                    "address_name": "เขตคลองเตย",
                    "address_level": "L2",
                },
                {
                    "address_level_name": "Subdistrict",
                    "address_name": "แขวงคลองเตย",
                    "address_level": "L3",
                },
            ],
        }
    return {
        "name": "Nguyễn Văn An",
        "phone_number": "(+84)90*****67",
        "full_address": "12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
        "postal_code": "700000",
        "region_code": "VN",
        "district_info": [
            {
                "address_level_name": "Province",
                "address_name": "Hồ Chí Minh",
                "address_level": "L1",
            },
            {"address_level_name": "District", "address_name": "Quận 1", "address_level": "L2"},
            {
                "address_level_name": "Ward",
                "address_name": "Phường Bến Nghé",
                "address_level": "L3",
            },
        ],
    }
