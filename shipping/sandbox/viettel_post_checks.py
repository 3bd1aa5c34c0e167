"""Viettel Post sandbox: what the protocol says of a request body (carriers_einvoice.md B.5,
B.6), checked as strictly as a server written from the doc would: the enums (PRODUCT_TYPE
"HH"/"TH", NATIONAL_TYPE, the getPriceAll TYPE, ORDER_PAYMENT against MONEY_COLLECTION), whole
numbers where the doc says int (grams, dong), DELIVERY_DATE as `dd/MM/yyyy HH:mm:ss` in
Vietnam time and the LIST_ITEM rows. Each check raises ApiError with a Vietnamese message, as
the carrier answers (HTTP 200, `error: true`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

STATUS_ERROR = 0  # replaced by the sandbox's business_status


class ApiError(Exception):
    """A refusal: the envelope `{status, error: true, message, messageKey?}` with HTTP 200."""

    def __init__(self, message: str, status: int = STATUS_ERROR, key: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.key = message, status, key


ICT = timezone(timedelta(hours=7))
PRODUCT_TYPES = ("HH", "TH")  # goods, documents (thư)
# ORDER_PAYMENT: 1 no collection, 2 goods value + shipping fee, 3 goods value only, 4 fee only
COLLECTS_GOODS = {1: False, 2: True, 3: True, 4: False}
# DELIVERY_DATE may lag the server's clock a little (the client's clock, the network); a
# time written in UTC instead of Vietnam time is 7 hours behind.
DELIVERY_DATE_SLACK = timedelta(hours=1)
FEE_FIELDS = (
    "MONEY_TOTALFEE",
    "MONEY_FEECOD",
    "MONEY_FEEVAS",
    "MONEY_FEEINSURRANCE",
    "MONEY_FEE",
    "MONEY_FEEOTHER",
    "MONEY_TOTALVAT",
    "MONEY_TOTAL",
)
ITEM_FIELDS = ("PRODUCT_PRICE", "PRODUCT_WEIGHT", "PRODUCT_QUANTITY")


def whole(body: dict[str, Any], name: str, *, required: bool = True, least: int = 0) -> int:
    """An int field: a JSON integer (or its digits as a string), at least `least`; a missing
    optional one is 0. 0.6 (kilograms) or 600.5 is refused, like a number with a unit."""
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(f"{name} không được để trống")
        return 0
    if isinstance(value, bool | float):
        raise ApiError(f"{name} phải là số nguyên")
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise ApiError(f"{name} phải là số nguyên")
    number = int(text)
    if number < least:
        raise ApiError(f"{name} phải lớn hơn hoặc bằng {least}")
    return number


def product_type(body: dict[str, Any]) -> None:
    """PRODUCT_TYPE, and the weight (grams) and sizes (cm) as whole numbers."""
    if body.get("PRODUCT_TYPE") not in PRODUCT_TYPES:
        raise ApiError("PRODUCT_TYPE không hợp lệ (HH: hàng hóa, TH: thư/tài liệu)")
    whole(body, "PRODUCT_WEIGHT")  # more than 0: checked with the fee
    for name in ("PRODUCT_LENGTH", "PRODUCT_WIDTH", "PRODUCT_HEIGHT"):
        whole(body, name, required=False)


def price_all_body(body: dict[str, Any]) -> None:
    """getPriceAll (B.5): TYPE 1 (the domestic price list), PRODUCT_TYPE, int money."""
    if whole(body, "TYPE") != 1:
        raise ApiError("TYPE không hợp lệ: 1 là bảng giá trong nước")
    product_type(body)
    whole(body, "PRODUCT_PRICE", required=False)
    whole(body, "MONEY_COLLECTION", required=False)


def national(body: dict[str, Any]) -> None:
    if whole(body, "NATIONAL_TYPE") != 1:  # the sandbox prices domestic parcels only
        raise ApiError("NATIONAL_TYPE không hợp lệ: chỉ hỗ trợ hàng trong nước (1)")


def price_body(body: dict[str, Any]) -> None:
    """getPrice (B.5): the getPriceAll fields (but TYPE) plus NATIONAL_TYPE and the add-ons."""
    product_type(body)
    national(body)
    if not isinstance(body.get("ORDER_SERVICE_ADD", ""), str):
        raise ApiError("ORDER_SERVICE_ADD phải là chuỗi mã dịch vụ cộng thêm")
    whole(body, "PRODUCT_PRICE", required=False)
    whole(body, "MONEY_COLLECTION", required=False)


def delivery_date(body: dict[str, Any], now: float) -> None:
    text = str(body.get("DELIVERY_DATE") or "").strip()
    try:
        moment = datetime.strptime(text, "%d/%m/%Y %H:%M:%S").replace(tzinfo=ICT)
    except ValueError:
        raise ApiError("DELIVERY_DATE không đúng định dạng dd/MM/yyyy HH:mm:ss") from None
    if moment < datetime.fromtimestamp(now, tz=UTC) - DELIVERY_DATE_SLACK:
        raise ApiError("DELIVERY_DATE không được nhỏ hơn thời điểm hiện tại")


def list_items(body: dict[str, Any]) -> None:
    items = body.get("LIST_ITEM", [])
    if not isinstance(items, list):
        raise ApiError("LIST_ITEM phải là danh sách hàng hóa")
    for row in items:
        if not isinstance(row, dict) or not str(row.get("PRODUCT_NAME") or "").strip():
            raise ApiError("LIST_ITEM: tên hàng hóa (PRODUCT_NAME) không được để trống")
        for name in ITEM_FIELDS:
            whole(row, name, least=1 if name == "PRODUCT_QUANTITY" else 0)


def order_body(body: dict[str, Any], now: float) -> int:
    """createOrder (B.6); its ORDER_PAYMENT."""
    product_type(body)
    national(body)
    delivery_date(body, now)
    for name in ("GROUPADDRESS_ID", "CUS_ID", "PRODUCT_PRICE"):
        whole(body, name, required=False)
    whole(body, "PRODUCT_QUANTITY", required=False, least=0)
    for name in FEE_FIELDS:
        whole(body, name, required=False)
    if not isinstance(body.get("ORDER_SERVICE_ADD", ""), str):
        raise ApiError("ORDER_SERVICE_ADD phải là chuỗi mã dịch vụ cộng thêm")
    list_items(body)
    return payment(body)


def payment(body: dict[str, Any]) -> int:
    """ORDER_PAYMENT and MONEY_COLLECTION agree: goods value collected (2, 3) or not (1, 4)."""
    payment = whole(body, "ORDER_PAYMENT")
    if payment not in COLLECTS_GOODS:
        raise ApiError("Hình thức thanh toán ORDER_PAYMENT không hợp lệ")
    collection = whole(body, "MONEY_COLLECTION", required=False)
    if COLLECTS_GOODS[payment] and collection == 0:
        raise ApiError(f"ORDER_PAYMENT {payment} thu hộ tiền hàng: MONEY_COLLECTION phải lớn hơn 0")
    if not COLLECTS_GOODS[payment] and collection > 0:
        raise ApiError(
            f"ORDER_PAYMENT {payment} không thu hộ tiền hàng: MONEY_COLLECTION phải là 0"
        )
    return payment
