"""Viettel Post sandbox: the protocol calls (master data, prices, orders, printing, tracking).

A handler takes (sandbox, request) and returns a Reply, or raises ApiError, which becomes the
error envelope `{status, error: true, message, messageKey?}` with HTTP 200.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import viettel_post_checks as checks
from . import viettel_post_data as data
from .viettel_post import Parcel
from .viettel_post_checks import ApiError

if TYPE_CHECKING:
    from .viettel_post import ViettelPostSandbox

PHONE = re.compile(r"^(?:\+?84|0)\d{9}$")
__all__ = ["ApiError", "Reply", "Request"]


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: dict[str, Any]
    token: str = ""


@dataclass
class Reply:
    data: Any = None
    message: str = "OK"
    bare: bool = False  # getPriceAll: the array itself
    extra: dict[str, Any] = field(default_factory=dict)


def _int(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ApiError(f"{name} không hợp lệ") from None


# -- account ------------------------------------------------------------------------------------
def login(sb: ViettelPostSandbox, req: Request) -> Reply:
    user, password = str(req.body.get("USERNAME", "")), str(req.body.get("PASSWORD", ""))
    token = sb.login(user, password)
    if token is None:
        raise ApiError("Sai tên đăng nhập hoặc mật khẩu", 401)
    return Reply(
        {"userId": 7081234, "token": token, "partner": 7081234, "phone": user, "expired": 0}
    )


def owner_connect(sb: ViettelPostSandbox, req: Request) -> Reply:
    user, password = str(req.body.get("USERNAME", "")), str(req.body.get("PASSWORD", ""))
    token = sb.owner_connect(req.token, user, password)
    if token is None:
        raise ApiError("Token không hợp lệ hoặc sai thông tin đăng nhập", 401)
    return Reply({"userId": 7081234, "token": token, "partner": 7081234, "expired": 0})


# -- master data --------------------------------------------------------------------------------
def provinces(sb: ViettelPostSandbox, req: Request) -> Reply:
    wanted = _int(req.params.get("provinceId", "-1"), "provinceId")
    rows = [
        {"PROVINCE_ID": sb.number(i), "PROVINCE_CODE": code, "PROVINCE_NAME": name}
        for i, code, name, _ in data.PROVINCES
        if wanted in (-1, i)
    ]
    return Reply(rows)


def districts(sb: ViettelPostSandbox, req: Request) -> Reply:
    wanted = _int(req.params.get("provinceId", "-1"), "provinceId")
    rows = [
        {
            "DISTRICT_ID": sb.number(i),
            "DISTRICT_VALUE": value,
            "DISTRICT_NAME": name,
            "PROVINCE_ID": sb.number(p),
        }
        for i, value, name, p in data.DISTRICTS
        if wanted in (-1, p)
    ]
    return Reply(rows)


def wards(sb: ViettelPostSandbox, req: Request) -> Reply:
    wanted = _int(req.params.get("districtId", "-1"), "districtId")
    rows = [
        {"WARDS_ID": sb.number(i), "WARDS_NAME": name, "DISTRICT_ID": sb.number(d)}
        for i, name, d in data.WARDS
        if wanted in (-1, d)
    ]
    return Reply(rows)


def list_services(sb: ViettelPostSandbox, req: Request) -> Reply:
    return Reply([{"SERVICE_CODE": s.code, "SERVICE_NAME": s.name} for s in data.SERVICES.values()])


# -- prices ---------------------------------------------------------------------------------------
def _place(body: dict[str, Any], side: str, *, ward: bool) -> tuple[int, int]:
    """(province, district) of one side, checked against the master data."""
    who = "người gửi" if side == "SENDER" else "người nhận"
    province = _int(body.get(f"{side}_PROVINCE"), f"{side}_PROVINCE")
    district = _int(body.get(f"{side}_DISTRICT"), f"{side}_DISTRICT")
    if province not in data.PROVINCE_REGION:
        raise ApiError(f"Tỉnh/thành phố {who} không tồn tại")
    if data.DISTRICT_PROVINCE.get(district) != province:
        raise ApiError(f"Quận/huyện {who} không tồn tại hoặc không thuộc tỉnh/thành phố")
    if ward:
        ward_id = _int(body.get(f"{side}_WARD"), f"{side}_WARD")
        if data.WARD_DISTRICT.get(ward_id) != district:
            raise ApiError(f"Phường/xã {who} không tồn tại hoặc không thuộc quận/huyện")
    return province, district


def _weight(body: dict[str, Any]) -> int:
    weight = _int(body.get("PRODUCT_WEIGHT", 0), "PRODUCT_WEIGHT")
    if weight <= 0:
        raise ApiError("Trọng lượng hàng hóa phải lớn hơn 0")
    size = [
        _int(body.get(f"PRODUCT_{d}") or 0, f"PRODUCT_{d}") for d in ("LENGTH", "WIDTH", "HEIGHT")
    ]
    return data.chargeable_weight(weight, *size)


def _fees(body: dict[str, Any], code: str, *, ward: bool) -> dict[str, int]:
    sender, _ = _place(body, "SENDER", ward=ward)
    receiver, _ = _place(body, "RECEIVER", ward=ward)
    service = data.SERVICES.get(code)
    if service is None:
        raise ApiError(f"Mã dịch vụ không hợp lệ: {code}")
    leg = data.route(sender, receiver)
    if service.intra_only and leg != 0:
        raise ApiError(f"Dịch vụ {code} không hỗ trợ tuyến này")
    collection = _int(body.get("MONEY_COLLECTION") or 0, "MONEY_COLLECTION")
    return data.fee(service, leg, _weight(body), collection)


def price_all(sb: ViettelPostSandbox, req: Request) -> Reply:
    checks.price_all_body(req.body)
    rows = []
    for code, service in data.SERVICES.items():
        try:
            fees = _fees(req.body, code, ward=False)
        except ApiError as error:
            if "Dịch vụ" in error.message:
                continue
            raise
        rows.append(
            {
                "MA_DV_CHINH": code,
                "TEN_DICHVU": service.name,
                "GIA_CUOC": sb.number(fees["MONEY_TOTAL"]),
                "THOI_GIAN": f"{fees['KPI_HT']} giờ",
                "EXCHANGE_WEIGHT": sb.number(_weight(req.body)),
                "EXTRA_SERVICE": [],
            }
        )
    return Reply(rows, bare=True)


def price(sb: ViettelPostSandbox, req: Request) -> Reply:
    checks.price_body(req.body)
    fees = _fees(req.body, str(req.body.get("ORDER_SERVICE", "")), ward=False)
    return Reply({k: sb.number(v) for k, v in fees.items()})


# -- orders ---------------------------------------------------------------------------------------
def _check_people(body: dict[str, Any]) -> None:
    for side, who in (("SENDER", "người gửi"), ("RECEIVER", "người nhận")):
        if not str(body.get(f"{side}_FULLNAME") or "").strip():
            raise ApiError(f"Họ tên {who} không được để trống")
        if not str(body.get(f"{side}_ADDRESS") or "").strip():
            raise ApiError(f"Địa chỉ {who} không được để trống")
        phone = re.sub(r"[\s.-]", "", str(body.get(f"{side}_PHONE") or ""))
        if not PHONE.match(phone):
            raise ApiError(f"Số điện thoại {who} không hợp lệ")


def create_order(sb: ViettelPostSandbox, req: Request) -> Reply:
    body = req.body
    reference = str(body.get("ORDER_NUMBER") or "").strip()
    _check_people(body)
    checks.order_body(body, sb.now())
    fees = _fees(body, str(body.get("ORDER_SERVICE", "")), ward=True)
    unique = str(body.get("CHECK_UNIQUE", "")).lower() in ("true", "1")
    if unique and reference and any(sb.find_parcels(reference)):
        raise ApiError(f"Mã đơn hàng {reference} đã tồn tại trên hệ thống")
    waybill = sb.next_waybill()
    parcel = Parcel(waybill, reference or waybill, dict(body), fees)
    sb.add_parcel(parcel)
    answer = {
        "ORDER_NUMBER": waybill,
        "MONEY_COLLECTION": body.get("MONEY_COLLECTION", 0),
        "EXCHANGE_WEIGHT": _weight(body),
        "MONEY_TOTAL": fees["MONEY_TOTAL"],
        "MONEY_TOTAL_FEE": fees["MONEY_TOTAL_FEE"],
        "MONEY_FEE": fees["MONEY_FEE"],
        "MONEY_COLLECTION_FEE": fees["MONEY_COLLECTION_FEE"],
        "MONEY_OTHER_FEE": fees["MONEY_FEE_OTHER"],
        "MONEY_VAT": fees["MONEY_VAT"],
        "KPI_HT": fees["KPI_HT"],
    }
    return Reply({k: sb.number(v) for k, v in answer.items()})


def _parcel(sb: ViettelPostSandbox, number: Any) -> Parcel:
    found = sb.parcels.get(str(number or "").strip())
    if found is None:
        raise ApiError(f"Không tìm thấy vận đơn {number}", 404)
    return found


def update_order(sb: ViettelPostSandbox, req: Request) -> Reply:
    """TYPE 1 confirm (-100), 2 approve return (505), 3 deliver again (505), 4 cancel (before
    pickup), 5 re-order (cancelled), 11 delete (cancelled)."""
    kind = _int(req.body.get("TYPE"), "TYPE")
    parcel = _parcel(sb, req.body.get("ORDER_NUMBER"))
    status, note = parcel.status, str(req.body.get("NOTE") or "")
    if kind == 1:
        if status != -100:
            raise ApiError("Đơn hàng đã được duyệt")
        sb.set_status(parcel.order_number, 100, note=note)
    elif kind in (2, 3):
        if status != 505:
            raise ApiError("Chỉ xử lý được đơn ở trạng thái 505 (chờ duyệt hoàn)")
        sb.set_status(parcel.order_number, 515 if kind == 2 else 508, note=note)
    elif kind == 4:
        if status in data.CANCELLED:
            raise ApiError("Đơn hàng đã bị hủy trước đó")
        if status not in data.BEFORE_PICKUP:
            raise ApiError("Đơn hàng đã được bưu tá lấy, không thể hủy")
        sb.set_status(parcel.order_number, 107, note=note)
    elif kind in (5, 11):
        if status not in data.CANCELLED:
            raise ApiError("Chỉ thao tác được với đơn đã hủy")
        if kind == 5:
            sb.set_status(parcel.order_number, 100, note=note)
        else:
            del sb.parcels[parcel.order_number]
    else:
        raise ApiError("TYPE không hợp lệ")
    return Reply(None, message="Cập nhật thành công")


EDITABLE = (
    "RECEIVER_FULLNAME",
    "RECEIVER_ADDRESS",
    "RECEIVER_PHONE",
    "RECEIVER_EMAIL",
    "RECEIVER_WARD",
    "RECEIVER_DISTRICT",
    "RECEIVER_PROVINCE",
    "RECEIVER_LATITUDE",
    "RECEIVER_LONGITUDE",
    "MONEY_COLLECTION",
    "PRODUCT_WEIGHT",
    "PRODUCT_LENGTH",
    "PRODUCT_WIDTH",
    "PRODUCT_HEIGHT",
    "PRODUCT_PRICE",
    "PRODUCT_NAME",
    "ORDER_NOTE",
    "ORDER_PAYMENT",
)


def edit_order(sb: ViettelPostSandbox, req: Request) -> Reply:
    parcel = _parcel(sb, req.body.get("ORDER_NUMBER"))
    if parcel.status not in data.BEFORE_PICKUP:
        raise ApiError("Đơn hàng đã được bưu tá lấy, không thể sửa")
    changed = {k: v for k, v in req.body.items() if k in EDITABLE}
    merged = {**parcel.body, **changed}
    _check_people(merged)
    checks.payment(merged)
    fees = _fees(merged, str(merged.get("ORDER_SERVICE", "")), ward=True)
    parcel.body, parcel.fees = merged, fees
    return Reply({k: sb.number(v) for k, v in fees.items()}, message="Sửa đơn thành công")


# -- printing and tracking ------------------------------------------------------------------------
def printing_code(sb: ViettelPostSandbox, req: Request) -> Reply:
    orders = req.body.get("ORDER_ARRAY")
    if not isinstance(orders, list) or not orders:
        raise ApiError("ORDER_ARRAY không được để trống")
    expiry = _int(req.body.get("EXPIRY_TIME"), "EXPIRY_TIME")
    if expiry <= sb.now() * 1000:
        raise ApiError("EXPIRY_TIME phải lớn hơn thời điểm hiện tại")
    numbers = [_parcel(sb, n).order_number for n in orders]
    code = secrets.token_hex(20)
    sb.print_codes[code] = (numbers, expiry / 1000)
    return Reply(None, message=code)


def tracking(sb: ViettelPostSandbox, req: Request) -> Reply:
    number = req.params.get("OrderNumber", "").strip()
    if not number:
        raise ApiError("OrderNumber không được để trống")
    items = [sb.item(p, step) for p in sb.find_parcels(number) for step in reversed(p.steps)]
    return Reply(items)
