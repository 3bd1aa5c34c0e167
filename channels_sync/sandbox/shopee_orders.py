"""Shopee sandbox: order and logistics endpoints (marketplaces.md section 1.5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .shopee_state import (
    ORDER_STATUSES,
    SHIPPABLE,
    ApiError,
    Order,
    Reply,
    Request,
    decode_cursor,
    encode_cursor,
)

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

WINDOW = 15 * 86400
DETAIL_MAX = 50
OPTIONAL_FIELDS = (
    "buyer_user_id",
    "buyer_username",
    "recipient_address",
    "item_list",
    "pay_time",
    "total_amount",
    "payment_method",
    "shipping_carrier",
    "package_list",
    "cancel_by",
    "cancel_reason",
    "note",
)
CANCEL_REASONS = ("OUT_OF_STOCK", "CUSTOMER_REQUEST", "UNDELIVERABLE_AREA", "COD_NOT_SUPPORTED")
CANCELLABLE = ("UNPAID", "PENDING", "READY_TO_SHIP", "RETRY_SHIP")


def _page_size(req: Request) -> int:
    size = req.integer("page_size")
    if not 1 <= size <= 100:
        raise ApiError("error_param", "Wrong parameters, detail: page_size should be in [1, 100].")
    return size


def _after(req: Request) -> tuple[int, str] | None:
    cursor = req.first("cursor") or ""
    if not cursor:
        return None
    data = decode_cursor(cursor)
    try:
        return int(data["t"]), str(data["sn"])
    except (KeyError, TypeError, ValueError) as error:
        raise ApiError("error_param", "Wrong parameters, detail: invalid cursor.") from error


def _paginate(rows: list[tuple[int, str]], req: Request) -> tuple[list[tuple[int, str]], bool, str]:
    """Keyset paging over sorted (time, order_sn): the cursor names the last row returned."""
    size, after = _page_size(req), _after(req)
    if after is not None:
        rows = [row for row in rows if row > after]
    page, more = rows[:size], len(rows) > size
    next_cursor = encode_cursor({"t": page[-1][0], "sn": page[-1][1]}) if more else ""
    return page, more, next_cursor


def get_order_list(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    field = req.text("time_range_field")
    if field not in ("create_time", "update_time"):
        raise ApiError("error_param", "Wrong parameters, detail: time_range_field is invalid.")
    time_from, time_to = req.integer("time_from"), req.integer("time_to")
    if time_from >= time_to or time_to - time_from > WINDOW:
        raise ApiError(
            "order.order_list_invalid_time",
            "Start time must be earlier than end time and diff in 15days.",
        )
    status = req.first("order_status") or ""
    if status and status not in ORDER_STATUSES:
        raise ApiError("error_param", "Wrong parameters, detail: order_status is invalid.")
    rows = sorted(
        (getattr(order, field), order.order_sn)
        for order in sb.orders.values()
        if order.shop_id == req.shop_id
        and time_from <= getattr(order, field) <= time_to
        and (not status or order.status == status)
    )
    page, more, next_cursor = _paginate(rows, req)
    with_status = "order_status" in req.items("response_optional_fields")
    order_list = []
    for _, order_sn in page:
        entry = {"order_sn": order_sn}
        if with_status:
            entry["order_status"] = sb.orders[order_sn].status
        order_list.append(entry)
    return {"more": more, "next_cursor": next_cursor, "order_list": order_list}


def get_order_detail(sb: ShopeeSandbox, req: Request) -> Reply:
    wanted = req.items("order_sn_list")
    if not 1 <= len(wanted) <= DETAIL_MAX:
        raise ApiError(
            "error_param", "Wrong parameters, detail: order_sn_list size should be in [1, 50]."
        )
    fields = set(req.items("response_optional_fields"))
    found = [sb.orders[sn] for sn in wanted if sn in sb.orders]
    found = [order for order in found if order.shop_id == req.shop_id]
    missing = [sn for sn in wanted if sn not in {o.order_sn for o in found}]
    warning = f"order_sn not found: {','.join(missing)}" if missing else ""
    return Reply({"order_list": [_detail(sb, o, fields) for o in found]}, warning)


def _detail(sb: ShopeeSandbox, order: Order, fields: set[str]) -> dict[str, Any]:
    shop = sb.shops[order.shop_id]
    detail: dict[str, Any] = {
        "order_sn": order.order_sn,
        "region": shop.region,
        "currency": shop.currency,
        "cod": order.payment_method.upper() in ("COD", "CASH ON DELIVERY"),
        "order_status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "days_to_ship": 2,
        "ship_by_date": order.create_time + 2 * 86400,
        "message_to_seller": order.message_to_seller,
    }
    items = [_item_line(sb, order, n) for n in range(len(order.lines))]
    total: Any = sum(
        line["model_discounted_price"] * line["model_quantity_purchased"] for line in items
    )
    optional: dict[str, Any] = {
        "buyer_user_id": order.buyer_user_id,
        "buyer_username": order.buyer_username,
        "recipient_address": dict(order.recipient),
        "item_list": items,
        "pay_time": order.pay_time,
        "total_amount": total,
        "payment_method": order.payment_method,
        "shipping_carrier": order.shipping_carrier,
        "package_list": [_package(order)],
        "cancel_by": order.cancel_by,
        "cancel_reason": order.cancel_reason,
        "note": order.note,
    }
    detail.update({name: value for name, value in optional.items() if name in fields})
    if "note" in fields:
        detail["note_update_time"] = order.update_time if order.note else 0
    return _apply_defect(order, detail)


def _item_line(sb: ShopeeSandbox, order: Order, index: int) -> dict[str, Any]:
    line = order.lines[index]
    item = sb.items[line.item_id]
    model = item.model(line.model_id)
    price = model.price if model else 0
    return {
        "item_id": item.item_id,
        "item_name": item.name,
        "item_sku": item.item_sku,
        "model_id": line.model_id,
        "model_name": model.model_sku if model and item.has_model else "",
        "model_sku": model.model_sku if model else "",
        "model_quantity_purchased": line.qty,
        "model_original_price": price,
        "model_discounted_price": price,
        "order_item_id": line.order_item_id,
        "product_location_id": [line.location_id] if line.location_id else [],
    }


def _package(order: Order) -> dict[str, Any]:
    return {
        "package_number": order.package_number,
        "logistics_status": "LOGISTICS_READY"
        if order.status in SHIPPABLE
        else "LOGISTICS_NOT_START",
        "shipping_carrier": order.shipping_carrier,
        "item_list": [
            {"item_id": ln.item_id, "model_id": ln.model_id, "model_quantity": ln.qty}
            for ln in order.lines
        ],
    }


def _apply_defect(order: Order, detail: dict[str, Any]) -> dict[str, Any]:
    kind, name = order.defect.get("kind"), order.defect.get("field", "")
    if kind == "missing_field":
        if name.startswith("item_list."):
            for line in detail.get("item_list", []):
                line.pop(name.split(".", 1)[1], None)
        else:
            detail.pop(name, None)
    elif kind == "bad_price":
        for line in detail.get("item_list", []):
            line["model_original_price"] = line["model_discounted_price"] = "12x.5"
        if "total_amount" in detail:
            detail["total_amount"] = "n/a"
    return detail


def get_shipment_list(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    rows = sorted(
        (order.create_time, order.order_sn)
        for order in sb.orders.values()
        if order.shop_id == req.shop_id and order.status in SHIPPABLE
    )
    page, more, next_cursor = _paginate(rows, req)
    order_list = [
        {"order_sn": sn, "package_number": sb.orders[sn].package_number} for _, sn in page
    ]
    return {"order_list": order_list, "more": more, "next_cursor": next_cursor}


def _order(sb: ShopeeSandbox, req: Request) -> Order:
    order = sb.orders.get(req.text("order_sn"))
    if order is None or order.shop_id != req.shop_id:
        raise ApiError("error_not_found", "The order is not found.")
    return order


def cancel_order(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    order = _order(sb, req)
    reason = req.text("cancel_reason")
    if reason not in CANCEL_REASONS:
        raise ApiError("error_param", "Wrong parameters, detail: cancel_reason is invalid.")
    if order.status not in CANCELLABLE:
        raise ApiError("error_param", f"Order status {order.status} cannot be cancelled.")
    order.cancel_by, order.cancel_reason = "seller", reason
    sb.set_order_status(order.order_sn, "CANCELLED")
    return {"update_time": order.update_time}


def get_shipping_parameter(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    order = _order(sb, req)
    if order.status not in SHIPPABLE:
        raise ApiError("error_param", f"Order status {order.status} cannot be shipped.")
    day = int(sb.now()) // 86400 * 86400 + 86400
    return {
        "info_needed": {
            "dropoff": [],
            "pickup": ["address_id", "pickup_time_id"],
            "non_integrated": [],
        },
        "dropoff": {"branch_list": []},
        "pickup": {
            "address_list": [
                {
                    "address_id": 1,
                    "region": sb.shops[order.shop_id].region,
                    "state": "",
                    "city": "",
                    "district": "",
                    "town": "",
                    "address": "Sandbox warehouse",
                    "zipcode": "",
                    "address_flag": ["default_address", "pickup_address"],
                    "time_slot_list": [
                        {"date": day, "time_text": "08:00-12:00", "pickup_time_id": str(day)}
                    ],
                }
            ]
        },
    }


def ship_order(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    order = _order(sb, req)
    if order.status not in SHIPPABLE:
        raise ApiError("error_param", f"Order status {order.status} cannot be shipped.")
    modes = [
        m for m in ("pickup", "dropoff", "non_integrated") if isinstance(req.body.get(m), dict)
    ]
    if len(modes) != 1:
        raise ApiError(
            "error_param", "Wrong parameters, detail: give one of pickup, dropoff, non_integrated."
        )
    given = (
        str(req.body["non_integrated"].get("tracking_number") or "")
        if modes == ["non_integrated"]
        else ""
    )
    sb.set_order_status(order.order_sn, "PROCESSED")
    if given:
        order.tracking_no = given
    elif sb.auto_tracking:
        sb.set_tracking(order.order_sn, f"SBX{order.order_sn}")
    return {}


def get_tracking_number(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    order = _order(sb, req)
    return {
        "tracking_number": order.tracking_no,
        "plp_number": "",
        "first_mile_tracking_number": "",
        "last_mile_tracking_number": "",
        "hint": "" if order.tracking_no else "Tracking number is not yet available.",
    }
