"""Viettel Post request bodies (createOrder, edit) from our dataclasses, and the carrier's
answers (lists, tracking rows) back into them. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shipping.adapters import viettel_post_protocol as proto
from shipping.adapters.base import (
    AddressError,
    CarrierEvent,
    Endpoint,
    ParcelInfo,
    ParcelRequest,
    ParcelState,
    Payer,
    PayloadError,
    ViewingRule,
)

VIEWING_NOTES = {
    ViewingRule.ALLOW_VIEWING: "Cho xem hàng, không cho thử",
    ViewingRule.NO_VIEWING: "Không cho xem hàng",
    ViewingRule.TRY_ON: "Cho thử hàng",
}


def place_id(code: str, field: str, side: str = "receiver") -> int:
    text = str(code).strip()
    if not text.lstrip("-").isdigit():
        raise AddressError(
            "invalid_code", f"not a Viettel Post id: {code!r}", field=field, side=side
        )
    return int(text)


def declared_value(request: ParcelRequest) -> Decimal:
    if request.insurance_value:
        return request.insurance_value
    return sum((i.price * i.quantity for i in request.items), Decimal(0))


def payment_type(payer: Payer, cod_amount: Decimal) -> int:
    """ORDER_PAYMENT: 1 no collection, 2 goods + fee, 3 goods only, 4 fee only."""
    if payer == Payer.BUYER:
        return 2 if cod_amount > 0 else 4
    return 3 if cod_amount > 0 else 1


def order_note(request: ParcelRequest) -> str:
    viewing = VIEWING_NOTES[request.viewing]
    return f"{viewing}. {request.note}".strip() if request.note else viewing


def endpoint_fields(prefix: str, endpoint: Endpoint, side: str) -> dict[str, Any]:
    return {
        f"{prefix}_FULLNAME": endpoint.name,
        f"{prefix}_ADDRESS": endpoint.address,
        f"{prefix}_PHONE": endpoint.phone,
        f"{prefix}_EMAIL": endpoint.email,
        f"{prefix}_WARD": place_id(endpoint.ward_code, "ward", side),
        f"{prefix}_DISTRICT": place_id(endpoint.district_code, "district", side),
        f"{prefix}_PROVINCE": place_id(endpoint.province_code, "province", side),
        f"{prefix}_LATITUDE": 0,
        f"{prefix}_LONGITUDE": 0,
    }


def order_body(request: ParcelRequest, now: datetime) -> dict[str, Any]:
    """createOrder's body (B.6); fees are left to the carrier (0)."""
    names = ", ".join(f"{i.name} x{i.quantity}" for i in request.items)
    body: dict[str, Any] = {
        "ORDER_NUMBER": request.reference,
        "GROUPADDRESS_ID": int(request.pickup_id) if request.pickup_id.isdigit() else 0,
        "CUS_ID": int(request.customer_id) if request.customer_id.isdigit() else 0,
        "DELIVERY_DATE": proto.local_text(now),
        **endpoint_fields("SENDER", request.sender, "sender"),
        **endpoint_fields("RECEIVER", request.receiver, "receiver"),
        "PRODUCT_NAME": (request.content or names)[:250],
        "PRODUCT_DESCRIPTION": names[:500],
        "PRODUCT_QUANTITY": sum(i.quantity for i in request.items) or 1,
        "PRODUCT_PRICE": int(declared_value(request)),
        "PRODUCT_WEIGHT": request.weight_g,
        "PRODUCT_LENGTH": request.length_cm,
        "PRODUCT_WIDTH": request.width_cm,
        "PRODUCT_HEIGHT": request.height_cm,
        "PRODUCT_TYPE": "HH",
        "NATIONAL_TYPE": 1,
        "ORDER_PAYMENT": payment_type(request.payer, request.cod_amount),
        "ORDER_SERVICE": request.service_code,
        "ORDER_SERVICE_ADD": "",
        "ORDER_VOUCHER": "",
        "ORDER_NOTE": order_note(request),
        "MONEY_COLLECTION": int(request.cod_amount),
        "CHECK_UNIQUE": True,
        "LIST_ITEM": [
            {
                "PRODUCT_NAME": i.name,
                "PRODUCT_PRICE": int(i.price),
                "PRODUCT_WEIGHT": i.weight_g,
                "PRODUCT_QUANTITY": i.quantity,
            }
            for i in request.items
        ],
    }
    for name in ("MONEY_TOTALFEE", "MONEY_FEECOD", "MONEY_FEEVAS", "MONEY_FEEINSURRANCE"):
        body[name] = 0
    for name in ("MONEY_FEE", "MONEY_FEEOTHER", "MONEY_TOTALVAT", "MONEY_TOTAL"):
        body[name] = 0
    return body


SIMPLE_EDITS = {
    "cod_amount": ("MONEY_COLLECTION", int),
    "weight_g": ("PRODUCT_WEIGHT", int),
    "length_cm": ("PRODUCT_LENGTH", int),
    "width_cm": ("PRODUCT_WIDTH", int),
    "height_cm": ("PRODUCT_HEIGHT", int),
    "insurance_value": ("PRODUCT_PRICE", int),
    "content": ("PRODUCT_NAME", str),
}


def edit_body(tracking_number: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """/order/edit's body: the waybill and the createOrder fields of the changes, given in
    ParcelRequest's names. ORDER_NOTE is rebuilt from `note` and `viewing` (pass both to keep
    both; a missing viewing is allow_viewing); ORDER_PAYMENT changes with `payer` (then
    `cod_amount` is needed too)."""
    body: dict[str, Any] = {"ORDER_NUMBER": tracking_number}
    for name, value in changes.items():
        if name == "receiver" and isinstance(value, Endpoint):
            body.update(endpoint_fields("RECEIVER", value, "receiver"))
        elif name in SIMPLE_EDITS:
            field, kind = SIMPLE_EDITS[name]
            body[field] = kind(value)
        elif name not in ("note", "viewing", "payer"):
            raise PayloadError("not_editable", f"Viettel Post cannot change {name}", field=name)
    if "note" in changes or "viewing" in changes:
        viewing = VIEWING_NOTES[ViewingRule(changes.get("viewing", ViewingRule.ALLOW_VIEWING))]
        note = str(changes.get("note") or "").strip()
        body["ORDER_NOTE"] = f"{viewing}. {note}" if note else viewing
    if "payer" in changes:
        if "cod_amount" not in changes:
            message = "a change of payer needs cod_amount"
            raise PayloadError("not_editable", message, field="payer")
        cod = Decimal(changes["cod_amount"])
        body["ORDER_PAYMENT"] = payment_type(Payer(changes["payer"]), cod)
    return body


# -- answers ----------------------------------------------------------------------------------
def rows(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        for key in ("data", "RESULT", "result"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        return []
    return [r for r in data if isinstance(r, dict)]


def as_object(data: Any) -> dict[str, Any]:
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    if not isinstance(data, dict):
        raise PayloadError("bad_body", "the answer's data is not an object", field="data")
    return data


def place_name(row: Mapping[str, Any], level: str) -> str:
    return str(row.get(f"{level}_NAME") or "").strip()


def parcel_info(rows: list[Mapping[str, Any]], reference: str) -> ParcelInfo:
    """The parcel as of its latest status (the rows of one tracking answer)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(proto.code_text(row.get("ORDER_NUMBER")), []).append(row)

    def latest(items: list[Mapping[str, Any]]) -> Mapping[str, Any]:
        return max(items, key=lambda r: proto.parse_local(r.get("ORDER_STATUSDATE")) or _EPOCH)

    tops = [latest(items) for items in groups.values()]
    live = [t for t in tops if proto.state_of(t)[1] != ParcelState.CANCELLED]
    top = (live or tops)[0]
    status, state = proto.state_of(top)
    return ParcelInfo(
        tracking_number=proto.code_text(top.get("ORDER_NUMBER")),
        reference=str(top.get("ORDER_REFERENCE") or reference).strip(),
        state=state,
        carrier_status=status,
        fee=proto.money(top.get("MONEY_TOTAL")),
        cod_amount=proto.money(top.get("MONEY_COLLECTION")),
        expected_delivery=proto.parse_local(top.get("EXPECTED_DELIVERY_DATE")),
        raw=dict(top),
    )


def tracking_events(rows: list[Mapping[str, Any]]) -> tuple[CarrierEvent, ...]:
    """The status rows of one tracking answer as events, oldest first (by ORDER_STATUSDATE;
    rows of the same time keep their order); unreadable rows are left out."""
    events = []
    for row in rows:
        try:
            events.append(proto.event_from(row))
        except PayloadError:
            continue
    return tuple(sorted(events, key=lambda e: e.occurred_at))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
