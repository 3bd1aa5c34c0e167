"""GHN sandbox: in-memory data (clients, shops, parcels, print tokens) and the callback payload.

Plain data plus small helpers; every mutation happens under `GhnSandbox.lock`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATUSES = (
    "ready_to_pick",
    "picking",
    "money_collect_picking",
    "cancel",
    "picked",
    "storing",
    "transporting",
    "sorting",
    "delivering",
    "money_collect_delivering",
    "delivered",
    "delivery_fail",
    "waiting_to_return",
    "return",
    "return_transporting",
    "return_sorting",
    "returning",
    "return_fail",
    "returned",
    "exception",
    "damage",
    "lost",
)
PRE_PICKUP = ("ready_to_pick", "picking", "money_collect_picking")
CANCELLABLE = PRE_PICKUP
# A.11 (GHN#72): return "only when status is storage/waiting for delivery" (again).
RETURNABLE = ("storing", "waiting_to_return")
REDELIVERABLE = ("waiting_to_return",)
# Receiver, note, COD and viewing rule may change until the parcel is out for delivery;
# weight, size, service and payer only before pickup.
UPDATABLE = (*PRE_PICKUP, "picked", "storing", "transporting", "sorting")
PRE_PICKUP_FIELDS = frozenset(
    {"weight", "length", "width", "height", "service_id", "service_type_id", "payment_type_id"}
)

# The paths /_sandbox/advance walks.
PATHS = {
    "happy": (
        "ready_to_pick",
        "picking",
        "picked",
        "storing",
        "transporting",
        "sorting",
        "delivering",
        "delivered",
    ),
    "failed_delivery": (
        "ready_to_pick",
        "picking",
        "picked",
        "storing",
        "transporting",
        "sorting",
        "delivering",
        "delivery_fail",
        "waiting_to_return",
    ),
    "return": (
        "waiting_to_return",
        "return",
        "return_transporting",
        "return_sorting",
        "returning",
        "returned",
    ),
}

DESCRIPTIONS = {
    "ready_to_pick": "Tạo đơn hàng",
    "picking": "Nhân viên đang lấy hàng",
    "money_collect_picking": "Đang thu tiền người gửi",
    "cancel": "Hủy đơn hàng",
    "picked": "Lấy hàng thành công",
    "storing": "Hàng đang nằm ở kho",
    "transporting": "Đang luân chuyển hàng",
    "sorting": "Đang phân loại hàng",
    "delivering": "Nhân viên đang giao hàng",
    "money_collect_delivering": "Đang thu tiền người nhận",
    "delivered": "Giao hàng thành công",
    "delivery_fail": "Giao hàng không thành công",
    "waiting_to_return": "Chờ xác nhận giao lại",
    "return": "Chuyển hoàn",
    "return_transporting": "Đang luân chuyển hàng hoàn",
    "return_sorting": "Đang phân loại hàng hoàn",
    "returning": "Đang hoàn hàng",
    "return_fail": "Hoàn hàng không thành công",
    "returned": "Hoàn hàng thành công",
    "exception": "Đơn hàng ngoại lệ",
    "damage": "Hàng bị hư hỏng",
    "lost": "Hàng bị thất lạc",
}
FAIL_REASON = ("GHN-DFC1A0", "Không liên lạc được với người nhận")
WAREHOUSE = "Bưu Cục 229 Quan Nhân-Q.Thanh Xuân-HN"


class ApiError(Exception):
    """A protocol error: HTTP `status`, the body's `code`, `message` and `code_message`."""

    def __init__(self, status: int, message: str, code_message: str = "USER_ERR_COMMON") -> None:
        super().__init__(message)
        self.status, self.message, self.code_message = status, message, code_message

    def body(self) -> dict[str, Any]:
        return {
            "code": self.status,
            "message": self.message,
            "data": None,
            "code_message": self.code_message,
        }


@dataclass
class Client:
    client_id: int
    token: str
    expired: bool = False


@dataclass
class Shop:
    shop_id: int
    client_id: int
    name: str
    phone: str
    address: str
    district_id: int
    ward_code: str


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lowercased names
    body: dict[str, Any]
    client: Client | None = None
    shop: Shop | None = None


@dataclass
class Parcel:
    order_code: str
    client_id: int
    shop_id: int
    client_order_code: str
    sort_code: str
    fields: dict[str, Any]  # the create body, normalised (ids as int, codes as str)
    service_id: int
    service_type_id: int
    fee: dict[str, int]
    expected: datetime
    created: datetime
    status: str = "ready_to_pick"
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))
    reason: str = ""
    reason_code: str = ""
    log: list[dict[str, str]] = field(default_factory=list)

    @property
    def total_fee(self) -> int:
        return self.fee["total"]


@dataclass
class PrintToken:
    token: str
    client_id: int
    order_codes: list[str]
    expires: datetime


def ms_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def callback_payload(parcel: Parcel, kind: str, when: datetime) -> dict[str, Any]:
    """The PascalCase callback GHN POSTs (A.10), as valid JSON."""
    f, fee = parcel.fields, parcel.fee
    return {
        "CODAmount": f.get("cod_amount", 0),
        "CODTransferDate": None,
        "ClientOrderCode": parcel.client_order_code,
        "ConvertedWeight": f["converted_weight"],
        "Description": DESCRIPTIONS[parcel.status],
        "Fee": {
            "CODFailedFee": fee["cod_failed_fee"],
            "CODFee": fee["cod_fee"],
            "Coupon": fee["coupon_value"],
            "DeliverRemoteAreasFee": fee["deliver_remote_areas_fee"],
            "DocumentReturn": fee["document_return"],
            "DoubleCheck": fee["double_check"],
            "Insurance": fee["insurance_fee"],
            "MainService": fee["service_fee"],
            "PickRemoteAreasFee": fee["pick_remote_areas_fee"],
            "R2S": fee["r2s_fee"],
            "Return": 0,
            "StationDO": 0,
            "StationPU": fee["pick_station_fee"],
            "Total": fee["total"],
        },
        "Height": f["height"],
        "IsPartialReturn": False,
        "Length": f["length"],
        "OrderCode": parcel.order_code,
        "PartialReturnCode": "",
        "PaymentType": f["payment_type_id"],
        "Reason": parcel.reason,
        "ReasonCode": parcel.reason_code,
        "ShopID": parcel.shop_id,
        "Status": parcel.status,
        "Time": ms_iso(when),
        "TotalFee": fee["total"],
        "Type": kind,
        "Warehouse": WAREHOUSE,
        "Weight": f["weight"],
        "Width": f["width"],
    }
