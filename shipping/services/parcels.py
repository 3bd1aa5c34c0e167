"""What a parcel of an order is made of: defaults from the order (weight, sizes, COD), the
ParcelRequest sent to the carrier (our addresses resolved to its codes) and the volumetric
weight staff see."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import phonenumbers
from django.utils.translation import gettext as _

from orders.models import AddressScheme, Order, OrderLine
from shipping.adapters.base import (
    CarrierAdapter,
    Endpoint,
    Item,
    ParcelRequest,
    Payer,
    ViewingRule,
)
from shipping.errors import ShippingAddressError, address_error
from shipping.models import Carrier, CarrierAccount, ShipmentPayer, Viewing
from shipping.services.addresses import address_resolve

# cm³ per kg of volumetric weight: GHN 5000 (L x W x H / 5000), Viettel Post 6000.
VOLUMETRIC_DIVISOR = {Carrier.GHN.value: 5000, Carrier.VIETTEL_POST.value: 6000}
# The carriers' documented limit on the declared (insured) value.
INSURANCE_MAX = Decimal(5_000_000)
# The parcel form's bounds (shipping.forms.ParcelForm): defaults never exceed them.
WEIGHT_MAX_G = 100_000
SIZE_MAX_CM = 200


def whole_dong(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def volumetric_weight_g(*, carrier: str, length_cm: int, width_cm: int, height_cm: int) -> int:
    """The weight the carrier charges for the parcel's size, in grams (rounded up)."""
    divisor = VOLUMETRIC_DIVISOR.get(carrier, 5000)
    volume = length_cm * width_cm * height_cm * 1000
    return -(-volume // divisor)


def cod_default(*, order: Order, payer: str, fee: Decimal | None) -> Decimal:
    """What the courier collects: the order's balance, plus the shipping fee when the buyer
    pays it."""
    amount = max(order.balance_due, Decimal(0))
    if payer == ShipmentPayer.BUYER and fee is not None:
        amount += fee
    return whole_dong(amount)


@dataclass(frozen=True)
class ParcelDefaults:
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    cod_amount: Decimal
    insurance_value: Decimal
    payer: str
    viewing: str


@dataclass(frozen=True)
class PackedSize:
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int


def packed_size(*, order: Order, account: CarrierAccount) -> PackedSize:
    """The parcel's weight and sizes from the variants of the order's lines (the catalogue's
    shipping fields), the account's defaults where the catalogue is blank:
    - weight: the sum of quantity x the variant's weight over the lines that have one; the
      account's default weight when no line's variant has a weight;
    - sizes: the units stacked (the longest length, the widest width, the heights added) over
      the lines whose variant has all three sizes; the account's default sizes when none has.
    Staff see these in the form and change them before quoting."""
    rows = OrderLine.objects.filter(order_id=order.pk).values_list(
        "quantity",
        "variant__weight_grams",
        "variant__length_cm",
        "variant__width_cm",
        "variant__height_cm",
    )
    weight = 0
    length = width = height = 0
    for quantity, grams, line_length, line_width, line_height in rows:
        weight += quantity * (grams or 0)
        if line_length and line_width and line_height:
            length = max(length, line_length)
            width = max(width, line_width)
            height += quantity * line_height
    if not (length and width and height):
        length, width = account.default_length_cm, account.default_width_cm
        height = account.default_height_cm
    return PackedSize(
        weight_g=min(weight, WEIGHT_MAX_G) or account.default_weight_g,
        length_cm=min(length, SIZE_MAX_CM),
        width_cm=min(width, SIZE_MAX_CM),
        height_cm=min(height, SIZE_MAX_CM),
    )


def parcel_defaults(*, order: Order, account: CarrierAccount) -> ParcelDefaults:
    """Weight and sizes from the order's variants (see packed_size), COD from the order's
    balance, the goods' value declared (up to the carriers' limit)."""
    goods = max(order.total - order.shipping_fee, Decimal(0))
    size = packed_size(order=order, account=account)
    return ParcelDefaults(
        weight_g=size.weight_g,
        length_cm=size.length_cm,
        width_cm=size.width_cm,
        height_cm=size.height_cm,
        cod_amount=cod_default(order=order, payer=ShipmentPayer.SHOP, fee=None),
        insurance_value=whole_dong(min(goods, INSURANCE_MAX)),
        payer=ShipmentPayer.SHOP,
        viewing=Viewing.ALLOW_VIEWING,
    )


@dataclass(frozen=True)
class ParcelSpec:
    """What staff chose for the parcel."""

    service_code: str
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    cod_amount: Decimal
    insurance_value: Decimal
    payer: str
    viewing: str
    note: str = ""


def carrier_phone(value: str) -> str:
    """A phone as the Vietnamese carriers take it: national digits ("0905123456"), from our
    stored E.164 ("+84905123456") or whatever staff typed (warehouses keep free text)."""
    text = value.strip()
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in text if ch.isdigit())
    if phonenumbers.region_code_for_number(number) == "VN":
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def receiver_endpoint(
    *, order: Order, account: CarrierAccount, adapter: CarrierAdapter
) -> Endpoint:
    """The order's shipping address with the carrier's codes; ShippingAddressError naming the
    field that cannot be used."""
    for field, value in (
        ("name", order.ship_name),
        ("phone", order.ship_phone),
        ("address", order.ship_street),
    ):
        if not value.strip():
            raise address_error(field, value)
    district = "" if order.ship_scheme == AddressScheme.VN_2LEVEL else order.ship_district
    codes = address_resolve(
        carrier=account.carrier,
        adapter=adapter,
        province=order.ship_province,
        district=district,
        ward=order.ship_ward,
    )
    return Endpoint(
        name=order.ship_name,
        phone=carrier_phone(order.ship_phone),
        address=order.ship_street,
        province_code=codes.province_code,
        district_code=codes.district_code,
        ward_code=codes.ward_code,
        province_name=codes.province_name,
        district_name=codes.district_name,
        ward_name=codes.ward_name,
    )


def sender_endpoint(*, account: CarrierAccount, adapter: CarrierAdapter) -> Endpoint:
    """The pickup address of the account (name and phone default to its warehouse's)."""
    warehouse = account.warehouse
    if not account.sender_province.strip() or not account.sender_ward.strip():
        raise ShippingAddressError(
            _("Enter the pickup address (province, district, ward) of carrier account %(name)s.")
            % {"name": account.name},
            field="province" if not account.sender_province.strip() else "ward",
            side="sender",
        )
    codes = address_resolve(
        carrier=account.carrier,
        adapter=adapter,
        province=account.sender_province,
        district=account.sender_district,
        ward=account.sender_ward,
        side="sender",
    )
    return Endpoint(
        name=account.sender_name or warehouse.name,
        phone=carrier_phone(account.sender_phone or warehouse.phone),
        address=account.sender_street or warehouse.address,
        province_code=codes.province_code,
        district_code=codes.district_code,
        ward_code=codes.ward_code,
        province_name=codes.province_name,
        district_name=codes.district_name,
        ward_name=codes.ward_name,
    )


def order_items(order: Order) -> list[Item]:
    lines = OrderLine.objects.filter(order_id=order.pk).order_by("id")
    return [
        Item(
            name=line.name[:200],
            quantity=line.quantity,
            price=whole_dong(line.unit_price),
            code=line.sku,
        )
        for line in lines
    ]


def request_data(*, sender: Endpoint, receiver: Endpoint, items: list[Item]) -> dict[str, Any]:
    """The parts of a request kept on the shipment (JSON), so a retry sends the same parcel."""
    return {
        "sender": asdict(sender),
        "receiver": asdict(receiver),
        "items": [
            {
                "name": i.name,
                "quantity": i.quantity,
                "price": str(i.price),
                "weight_g": i.weight_g,
                "code": i.code,
            }
            for i in items
        ],
    }


def parcel_request(
    *, reference: str, data: dict[str, Any], spec: ParcelSpec, account: CarrierAccount
) -> ParcelRequest:
    items = tuple(
        Item(
            name=i["name"],
            quantity=int(i["quantity"]),
            price=Decimal(i["price"]),
            weight_g=int(i.get("weight_g") or 0),
            code=i.get("code", ""),
        )
        for i in data["items"]
    )
    content = ", ".join(f"{i.name} x{i.quantity}" for i in items)[:500]
    return ParcelRequest(
        reference=reference,
        sender=Endpoint(**data["sender"]),
        receiver=Endpoint(**data["receiver"]),
        items=items,
        weight_g=spec.weight_g,
        length_cm=spec.length_cm,
        width_cm=spec.width_cm,
        height_cm=spec.height_cm,
        service_code=spec.service_code,
        cod_amount=whole_dong(spec.cod_amount),
        insurance_value=whole_dong(spec.insurance_value),
        # Our COD is everything the courier collects: when the buyer pays shipping the fee is
        # already in it (cod_default). Told that the receiver pays (GHN payment_type_id 2,
        # Viettel Post ORDER_PAYMENT 2/4), the carrier would collect its fee again on top of
        # the COD. So the carrier bills the shop, taking its fee out of the COD it remits: the
        # buyer hands over exactly our COD, which is also what the carrier's statement shows.
        # Who bears the fee stays ours (Shipment.payer).
        payer=Payer.SHOP,
        viewing=ViewingRule(spec.viewing),
        note=spec.note,
        content=content,
        pickup_id=account.group_address_id,
        customer_id=account.customer_id,
    )
