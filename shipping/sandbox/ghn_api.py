"""GHN sandbox: the protocol calls (master data, services, fee, lead time, create, detail,
switch-status, update, print token). Each handler takes the sandbox and the parsed request
(token and shop already checked) and returns the envelope's `data`, or raises ApiError.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import ghn_data as md
from .ghn_state import (
    CANCELLABLE,
    PRE_PICKUP_FIELDS,
    REDELIVERABLE,
    RETURNABLE,
    UPDATABLE,
    ApiError,
    Parcel,
    PrintToken,
    Request,
)
from .ghn_values import as_int, as_str, bad, body_or_query

if TYPE_CHECKING:
    from collections.abc import Callable

    from .ghn import GhnSandbox

    Handler = Callable[[GhnSandbox, Request], Any]

NOTES = ("CHOTHUHANG", "CHOXEMHANGKHONGTHU", "KHONGCHOXEMHANG")
PHONE = re.compile(r"^0\d{9,10}$")
# A.7's text limits (characters).
TEXT_LIMITS = {
    "to_name": 1024,
    "to_address": 1024,
    "required_note": 500,
    "content": 2000,
    "note": 5000,
}


# -- master data --------------------------------------------------------------------------


def provinces(sb: GhnSandbox, req: Request) -> list[dict[str, Any]]:
    return [md.province_json(p) for p in md.PROVINCES]


def districts(sb: GhnSandbox, req: Request) -> list[dict[str, Any]]:
    body = body_or_query(req, "province_id")
    if body.get("province_id") is None:
        return [md.district_json(d) for d in md.DISTRICTS]
    province_id = as_int(body, "province_id")
    return [md.district_json(d) for d in md.DISTRICTS if d.province_id == province_id]


def wards(sb: GhnSandbox, req: Request) -> list[dict[str, Any]] | None:
    district_id = as_int(body_or_query(req, "district_id"), "district_id")
    found = [md.ward_json(w) for w in md.WARDS if w.district_id == district_id]
    return found or None


# -- places of a request ------------------------------------------------------------------


def place(
    body: dict[str, Any], prefix: str, default: tuple[int, str] | None, *, ids: bool = True
) -> tuple[int, str]:
    """(district id, ward code) of the `to_`/`from_`/`return_` side, id or name style (name
    style only when not `ids`: create's sender, A.7)."""
    if ids and body.get(f"{prefix}district_id") not in (None, "", 0):
        district_id = as_int(body, f"{prefix}district_id")
        district = md.DISTRICT_BY_ID.get(district_id)
        if district is None:
            raise bad(f"{prefix}district_id: Quận/huyện không tồn tại (district {district_id})")
        code = as_str(body, f"{prefix}ward_code", required=True)
        ward = md.WARD_BY_CODE.get(code)
        if ward is None or ward.district_id != district_id:
            raise bad(f"{prefix}ward_code: Mã phường/xã không hợp lệ (ward {code})")
        if ward.locked:
            raise bad(f"{prefix}ward_code: Phường/xã đang tạm khóa (ward {code} is locked)")
        return district_id, code
    if body.get(f"{prefix}province_name") or body.get(f"{prefix}district_name"):
        return place_by_name(body, prefix)
    if default is None:
        raise bad(f"{prefix}district_id: trường bắt buộc (required)")
    return default


def place_by_name(body: dict[str, Any], prefix: str) -> tuple[int, str]:
    name = as_str(body, f"{prefix}province_name", required=True)
    province = md.find_province(name)
    if province is None:
        raise bad(f"{prefix}province_name: Không tìm thấy tỉnh/thành phố '{name}'")
    name = as_str(body, f"{prefix}district_name", required=True)
    district = md.find_district(province, name)
    if district is None:
        raise bad(f"{prefix}district_name: Không tìm thấy quận/huyện '{name}'")
    name = as_str(body, f"{prefix}ward_name", required=True)
    ward = md.find_ward(district, name)
    if ward is None or ward.locked:
        raise bad(f"{prefix}ward_name: Không tìm thấy phường/xã '{name}'")
    return district.id, ward.code


def shop_place(req: Request) -> tuple[int, str]:
    assert req.shop is not None  # shop calls are checked before the handler runs
    return req.shop.district_id, req.shop.ward_code


# -- services, fee, lead time -------------------------------------------------------------


def available_services(sb: GhnSandbox, req: Request) -> list[dict[str, Any]]:
    sb.check_shop(req, as_int(req.body, "shop_id"))
    from_district = as_int(req.body, "from_district")
    to_district = as_int(req.body, "to_district")
    for name, value in (("from_district", from_district), ("to_district", to_district)):
        if value not in md.DISTRICT_BY_ID:
            raise bad(f"{name}: Quận/huyện không tồn tại (district {value})")
    return [
        {"service_id": sid, "short_name": name, "service_type_id": stype}
        for sid, name, stype in md.services_for(from_district, to_district)
    ]


def service_type(body: dict[str, Any], from_district: int, to_district: int) -> tuple[int, int]:
    """(service_id, service_type_id) from either field, checked against the route."""
    offered = md.services_for(from_district, to_district)
    if as_int(body, "service_id", default=0):
        sid = as_int(body, "service_id")
        match = [s for s in offered if s[0] == sid]
        if not match:
            raise bad(f"service_id: Dịch vụ {sid} không hỗ trợ tuyến này (route not served)")
        return sid, match[0][2]
    stype = as_int(body, "service_type_id", default=md.LIGHT)
    match = [s for s in offered if s[2] == stype]
    if not match:
        raise bad(f"service_type_id: Loại dịch vụ {stype} không hỗ trợ tuyến này")
    return match[0][0], stype


def parcel_size(body: dict[str, Any], stype: int) -> tuple[int, int, int, int]:
    weight = as_int(body, "weight")
    length, width, height = (as_int(body, n) for n in ("length", "width", "height"))
    if weight <= 0:
        raise bad("weight: Khối lượng phải lớn hơn 0")
    if stype == md.LIGHT and weight > md.MAX_LIGHT_WEIGHT:
        raise bad(f"weight: Khối lượng tối đa {md.MAX_LIGHT_WEIGHT} gram cho hàng nhẹ")
    for name, value in (("length", length), ("width", width), ("height", height)):
        if not 0 < value <= md.MAX_SIDE:
            raise bad(f"{name}: Kích thước phải từ 1 đến {md.MAX_SIDE} cm")
    return weight, length, width, height


def money(body: dict[str, Any], name: str, *, limit: int) -> int:
    value = as_int(body, name, default=0)
    if not 0 <= value <= limit:
        raise bad(f"{name}: Giá trị tối đa {limit} (max {limit})")
    return value


def chargeable(body: dict[str, Any], stype: int, size: tuple[int, int, int, int]) -> int:
    """Grams charged (A.5): a light parcel on the order's size, a heavy one on its items' own
    weight and size, each times its quantity."""
    if stype != md.HEAVY:
        return md.converted_weight(*size)
    total = 0
    for index, item in enumerate(i for i in body.get("items") or () if isinstance(i, dict)):
        dims = [as_int(item, n, default=0) for n in ("weight", "length", "width", "height")]
        if min(dims) <= 0:
            raise bad(f"items[{index}]: hàng nặng cần weight, length, width, height (type 5)")
        total += md.converted_weight(*dims) * max(1, as_int(item, "quantity", default=1))
    if not total:
        raise bad("items: hàng nặng cần danh sách hàng hóa (required for service type 5)")
    return total


def cod_of(body: dict[str, Any], *, fee_call: bool) -> int:
    """The COD a body declares. Create and update: `cod_amount` (max 50,000,000). The fee
    page names it `cod_value`, max 5,000,000 (A.6); integrators send `cod_amount` there too,
    which wins when both are given."""
    amount = money(body, "cod_amount", limit=md.MAX_COD)
    if not fee_call:
        return amount
    value = money(body, "cod_value", limit=md.MAX_FEE_COD)
    return amount or value


def quote(
    body: dict[str, Any],
    origin: tuple[int, str],
    *,
    fee_call: bool = False,
    sender_ids: bool = True,
) -> dict[str, Any]:
    """The route, service and fee lines of a fee (`fee_call`) or create body. A create names
    its sender (from_*_name) or picks up at the shop's address: A.7 has no from_ ids."""
    from_place = place(body, "from_", origin, ids=sender_ids)
    to_place = place(body, "to_", None)
    sid, stype = service_type(body, from_place[0], to_place[0])
    weight, length, width, height = parcel_size(body, stype)
    zone = md.route_zone(from_place[0], to_place[0])
    lines = md.fee_lines(
        service_type=stype,
        zone=zone,
        weight=chargeable(body, stype, (weight, length, width, height)),
        rural=md.DISTRICT_BY_ID[to_place[0]].type == 3,
        insurance_value=money(body, "insurance_value", limit=md.MAX_INSURANCE),
        cod_value=cod_of(body, fee_call=fee_call),
    )
    return {
        "from": from_place,
        "to": to_place,
        "service_id": sid,
        "service_type_id": stype,
        "size": (weight, length, width, height),
        "zone": zone,
        "fee": lines,
    }


def fee(sb: GhnSandbox, req: Request) -> dict[str, Any]:
    return dict(quote(req.body, shop_place(req), fee_call=True)["fee"])


def leadtime(sb: GhnSandbox, req: Request) -> dict[str, Any]:
    origin = (req.shop.district_id, req.shop.ward_code) if req.shop else None
    from_place = place(req.body, "from_", origin)
    to_place = place(req.body, "to_", None)
    _, stype = service_type(req.body, from_place[0], to_place[0])
    days = md.lead_days(stype, md.route_zone(from_place[0], to_place[0]))
    start = md.expected_delivery(sb.now(), days - 1) + timedelta(seconds=1)
    end = md.expected_delivery(sb.now(), days)
    return {
        "leadtime": int(end.timestamp()),
        "order_date": int(sb.now().timestamp()),
        "leadtime_order": {
            "from_estimate_date": md.iso_z(start),
            "to_estimate_date": md.iso_z(end),
        },
    }


# -- parcels ------------------------------------------------------------------------------


def create(sb: GhnSandbox, req: Request) -> dict[str, Any]:
    body, client = req.body, req.client
    assert client is not None
    assert req.shop is not None
    for name in ("to_name", "to_phone", "to_address"):
        as_str(body, name, required=True)
    if not PHONE.match(as_str(body, "to_phone")):
        raise bad("to_phone: Số điện thoại người nhận không hợp lệ")
    q = quote(body, shop_place(req), sender_ids=False)
    check_terms(body)
    reference = as_str(body, "client_order_code")
    if reference and sb.parcel_by_reference(client.client_id, reference) is not None:
        raise bad(f"client_order_code: Mã đơn hàng của khách hàng đã tồn tại ({reference})")
    parcel = sb.add_parcel(req, q, reference)
    return {
        "order_code": parcel.order_code,
        "sort_code": parcel.sort_code,
        "trans_type": "truck",
        "ward_encode": "",
        "district_encode": "",
        "fee": create_fee(parcel.fee),
        "total_fee": parcel.total_fee,
        "expected_delivery_time": md.iso_z(parcel.expected),
    }


def check_terms(body: dict[str, Any]) -> None:
    for name, limit in TEXT_LIMITS.items():
        if len(as_str(body, name)) > limit:
            raise bad(f"{name}: tối đa {limit} ký tự (at most {limit} characters)")
    if as_int(body, "payment_type_id") not in (1, 2):
        raise bad("payment_type_id: chỉ nhận 1 (người gửi trả) hoặc 2 (người nhận trả)")
    if as_str(body, "required_note", required=True) not in NOTES:
        raise bad("required_note: phải là CHOTHUHANG, CHOXEMHANGKHONGTHU hoặc KHONGCHOXEMHANG")
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise bad("items: Danh sách hàng hóa là bắt buộc (required)")
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not as_str(item, "name"):
            raise bad(f"items[{index}].name: trường bắt buộc (required)")
        if as_int(item, "quantity", default=0) < 1:
            raise bad(f"items[{index}].quantity: phải lớn hơn 0")


def create_fee(lines: dict[str, int]) -> dict[str, int]:
    return {
        "main_service": lines["service_fee"],
        "insurance": lines["insurance_fee"],
        "station_do": 0,
        "station_pu": lines["pick_station_fee"],
        "return": 0,
        "r2s": lines["r2s_fee"],
        "coupon": lines["coupon_value"],
        "cod_fee": lines["cod_fee"],
        "return_again": 0,
        "document_return": 0,
        "double_check": 0,
        "double_check_deliver": 0,
        "pick_remote_areas_fee": 0,
        "deliver_remote_areas_fee": lines["deliver_remote_areas_fee"],
        "pick_remote_areas_fee_return": 0,
        "deliver_remote_areas_fee_return": 0,
        "cod_failed_fee": 0,
    }


def not_found() -> ApiError:
    return ApiError(
        400, "Lỗi gọi API: corev2_tenant_order_detail - code=404, message=Đơn hàng không tồn tại"
    )


def detail(sb: GhnSandbox, req: Request) -> dict[str, Any]:
    assert req.client is not None
    parcel = sb.parcels.get(as_str(req.body, "order_code", required=True))
    if parcel is None or parcel.client_id != req.client.client_id:
        raise not_found()
    return detail_json(parcel)


def detail_by_client_code(sb: GhnSandbox, req: Request) -> list[dict[str, Any]]:
    assert req.client is not None
    reference = as_str(req.body, "client_order_code", required=True)
    parcel = sb.parcel_by_reference(req.client.client_id, reference)
    if parcel is None:
        raise not_found()
    return [detail_json(parcel)]


def soc(sb: GhnSandbox, req: Request) -> dict[str, Any]:
    """Per-order fee after creation (A.6): fee lines and the payments so far."""
    parcel = sb.parcels.get(as_str(req.body, "order_code", required=True))
    if parcel is None or parcel.shop_id != (req.shop and req.shop.shop_id):
        raise not_found()
    lines = create_fee(parcel.fee)
    keys = ("main_service", "insurance", "station_do", "station_pu", "return", "r2s", "coupon")
    paid = parcel.status == "delivered" and parcel.fields["payment_type_id"] == 2
    payment = [
        {
            "value": parcel.total_fee,
            "payment_type": 2,
            "paid_date": md.iso_z(parcel.updated),
            "created_date": md.iso_z(parcel.created),
        }
    ]
    return {
        "detail": {k: lines[k] for k in keys},
        "payment": payment if paid else [],
        "cod_collect_date": md.iso_z(parcel.updated) if parcel.status == "delivered" else None,
        "transaction_id": f"TX{parcel.order_code}",
        "created_ip": "127.0.0.1",
    }


def detail_json(p: Parcel) -> dict[str, Any]:
    f = p.fields
    keys = (
        "to_name", "to_phone", "to_address", "to_ward_code", "to_district_id",
        "from_name", "from_phone", "from_address", "from_ward_code", "from_district_id",
        "return_name", "return_phone", "return_address", "return_ward_code",
        "return_district_id", "weight", "length", "width", "height", "converted_weight",
        "payment_type_id", "cod_amount", "insurance_value", "required_note", "content",
        "note", "items",
    )  # fmt: skip
    return {
        "_id": f"sb{p.order_code.lower()}",
        "shop_id": p.shop_id,
        "client_id": p.client_id,
        **{k: f.get(k) for k in keys},
        "service_type_id": p.service_type_id,
        "service_id": p.service_id,
        "custom_service_fee": 0,
        "order_value": f.get("insurance_value", 0),
        "cod_collect_date": None,
        "cod_transfer_date": None,
        "is_cod_transferred": False,
        "is_cod_collected": p.status == "delivered" and bool(f.get("cod_amount")),
        "pick_station_id": 0,
        "deliver_station_id": 0,
        "client_order_code": p.client_order_code,
        "coupon": "",
        "employee_note": "",
        "order_code": p.order_code,
        "sort_code": p.sort_code,
        "status": p.status,
        "total_fee": p.total_fee,
        "leadtime": int(p.expected.timestamp()),
        "leadtime_order": {"to_estimate_date": md.iso_z(p.expected)},
        "order_date": md.iso_z(p.created),
        "updated_date": md.iso_z(p.updated),
        "reason": p.reason,
        "reason_code": p.reason_code,
        "log": list(p.log),
    }


def switch(allowed: tuple[str, ...], target: str, refusal: str) -> Handler:
    def run(sb: GhnSandbox, req: Request) -> list[dict[str, Any]]:
        codes = req.body.get("order_codes")
        if not isinstance(codes, list) or not codes:
            raise bad("order_codes: trường bắt buộc (required)")
        answer = []
        for code in (str(c) for c in codes):
            parcel = sb.parcels.get(code)
            if parcel is None or parcel.shop_id != (req.shop and req.shop.shop_id):
                answer.append(
                    {"order_code": code, "result": False, "message": "Đơn hàng không tồn tại"}
                )
            elif parcel.status not in allowed:
                message = f"{refusal} ở trạng thái {parcel.status}"
                answer.append({"order_code": code, "result": False, "message": message})
            else:
                sb.move(parcel, target)
                answer.append({"order_code": code, "result": True, "message": "OK"})
        return answer

    return run


cancel = switch(CANCELLABLE, "cancel", "Không thể hủy đơn hàng")
return_order = switch(RETURNABLE, "return", "Không thể chuyển hoàn đơn hàng")
redeliver = switch(REDELIVERABLE, "storing", "Không thể giao lại đơn hàng")


def update(sb: GhnSandbox, req: Request) -> None:
    parcel = sb.parcels.get(as_str(req.body, "order_code", required=True))
    if parcel is None or parcel.shop_id != (req.shop and req.shop.shop_id):
        raise not_found()
    changes = {k: v for k, v in req.body.items() if k != "order_code"}
    if "client_order_code" in changes:
        raise bad("client_order_code: không được phép cập nhật (cannot be changed)")
    if parcel.status not in UPDATABLE or (
        parcel.status not in CANCELLABLE and PRE_PICKUP_FIELDS & set(changes)
    ):
        raise bad(f"Đơn hàng ở trạng thái {parcel.status} không được phép cập nhật")
    merged = {**parcel.fields, **changes}
    q = quote(merged, (parcel.fields["from_district_id"], parcel.fields["from_ward_code"]))
    check_terms(merged)
    sb.apply_update(parcel, changes, q)


def gen_token(sb: GhnSandbox, req: Request) -> dict[str, Any]:
    assert req.client is not None
    codes = req.body.get("order_codes")
    if not isinstance(codes, list) or not codes:
        raise bad("order_codes: trường bắt buộc (required)")
    for code in codes:
        parcel = sb.parcels.get(str(code))
        if parcel is None or parcel.client_id != req.client.client_id:
            raise not_found()
    token = sb.new_print_token()
    expires: datetime = sb.now() + timedelta(minutes=30)
    sb.print_tokens[token] = PrintToken(
        token, req.client.client_id, [str(c) for c in codes], expires
    )
    return {"token": token}
