"""The one small interface every carrier adapter implements (Giao Hàng Nhanh, Viettel Post), the
dataclasses it returns (never the carrier's JSON) and its errors (common.external's family plus
AddressError).

An adapter is built for one carrier account:

    adapter = GhnAdapter(CarrierConfig(base_url=..., token=..., shop_id="885"))

It does not touch the database and does not store tokens by itself: Viettel Post's two-step
login returns a long-term token through `authorize()`, which the account keeps (encrypted) and
passes back in `CarrierConfig.token`. Time comes from `config.clock` so tests can pin it.

Money is Decimal in whole dong (the carriers speak integer VND). Weights are grams, sizes
centimetres. Addresses go to the carrier as its own codes (`CarrierPlace` ids), which the
shipping app resolves from our addresses with the cached master data; an address the carrier
refuses raises AddressError naming our field ("province", "district", "ward", "address",
"phone", "name").

Carrier statuses are mapped onto ours (ParcelState) as data, in each adapter's STATUS_MAP; an
event also keeps the carrier's own status code and text.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from common.external import (
    AuthError,
    ExternalError,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)

__all__ = [
    "AddressError",
    "AuthError",
    "CarrierAdapter",
    "CarrierConfig",
    "CarrierError",
    "CarrierEvent",
    "CarrierPlace",
    "CreatedParcel",
    "Endpoint",
    "Item",
    "LabelDocument",
    "ParcelInfo",
    "ParcelRequest",
    "ParcelState",
    "Payer",
    "PayloadError",
    "PermanentError",
    "Quote",
    "RateLimited",
    "ServiceOption",
    "SwitchResult",
    "Tracking",
    "TransientError",
    "ViewingRule",
]

CarrierError = ExternalError


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


class AddressError(PermanentError):
    """The carrier cannot resolve an address: `field` is ours ("province", "district", "ward",
    "address", "phone", "name"), `side` is "receiver" or "sender"."""

    def __init__(self, code: str, message: str = "", *, field: str, side: str = "receiver"):
        super().__init__(code, message)
        self.field = field
        self.side = side


class ParcelState(StrEnum):
    """Our parcel states; each adapter maps its carrier's statuses onto these (STATUS_MAP)."""

    CREATED = "created"  # accepted, waiting for pickup
    PICKING = "picking"  # courier on the way to pick up
    PICKED_UP = "picked_up"  # the carrier has the goods: the order is shipped
    IN_TRANSIT = "in_transit"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"  # an attempt failed; the carrier gives a reason
    WAITING_ACTION = "waiting_action"  # on hold: redeliver, change address or return?
    RETURNING = "returning"
    RETURNED = "returned"  # back with the sender
    CANCELLED = "cancelled"
    LOST = "lost"
    DAMAGED = "damaged"
    EXCEPTION = "exception"


class Payer(StrEnum):
    SHOP = "shop"  # the sender pays the shipping fee
    BUYER = "buyer"  # the receiver pays it (collected with the COD)


class ViewingRule(StrEnum):
    """What the receiver may do before accepting (GHN required_note; Viettel Post note)."""

    ALLOW_VIEWING = "allow_viewing"  # view, no try-on
    NO_VIEWING = "no_viewing"
    TRY_ON = "try_on"


@dataclass(frozen=True)
class CarrierConfig:
    base_url: str  # API base, e.g. https://online-gateway.ghn.vn/shiip/public-api
    token: str = ""  # GHN API token; Viettel Post long-term token (from authorize())
    shop_id: str = ""  # GHN ShopId
    username: str = ""  # Viettel Post login
    password: str = ""
    print_base_url: str = ""  # label host when the carrier prints elsewhere ("" = derived)
    clock: Callable[[], datetime] = utc_now
    timeout: tuple[float, float] = (5.0, 30.0)
    # Called with a token the adapter obtained by itself (Viettel Post renews a refused one by
    # logging in again), so the account keeps it; None: not kept beyond this adapter.
    on_token: Callable[[str], None] | None = None


@dataclass(frozen=True)
class CarrierPlace:
    """One entry of the carrier's master data. level: "province", "district" or "ward"."""

    level: str
    code: str  # the carrier's id as a string (GHN WardCode is a string already)
    name: str
    parent_code: str = ""  # the province of a district, the district of a ward
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Endpoint:
    """A sender or receiver, with the carrier's codes for its places."""

    name: str
    phone: str
    address: str  # street, house number
    province_code: str
    district_code: str
    ward_code: str
    email: str = ""
    # The carrier's names of the same places, when known (GHN's create takes the sender by
    # name: from_province_name, from_district_name, from_ward_name).
    province_name: str = ""
    district_name: str = ""
    ward_name: str = ""


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int
    price: Decimal  # unit price, whole dong
    weight_g: int = 0
    code: str = ""  # our SKU


@dataclass(frozen=True)
class ParcelRequest:
    """What a quote or a create sends. `reference` is ours and unique per parcel attempt (the
    idempotency key: GHN client_order_code, Viettel Post ORDER_NUMBER)."""

    reference: str
    sender: Endpoint
    receiver: Endpoint
    items: tuple[Item, ...]
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    service_code: str  # from services()
    cod_amount: Decimal = Decimal(0)
    insurance_value: Decimal = Decimal(0)
    payer: Payer = Payer.SHOP
    viewing: ViewingRule = ViewingRule.ALLOW_VIEWING
    note: str = ""
    content: str = ""  # goods description
    pickup_id: str = ""  # Viettel Post GROUPADDRESS_ID (the sender warehouse); GHN: unused
    customer_id: str = ""  # Viettel Post CUS_ID


@dataclass(frozen=True)
class ServiceOption:
    """A service the carrier offers on a route, with its live fee when quoted.
    level: "express" or "economy" (our two levels; the carrier's own name is kept)."""

    code: str
    name: str
    level: str
    fee: Decimal | None = None
    expected_delivery: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Quote:
    total: Decimal
    parts: Mapping[str, Decimal]  # the carrier's fee lines (service, insurance, COD fee, ...)
    expected_delivery: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class CreatedParcel:
    tracking_number: str  # GHN order_code, Viettel Post waybill ORDER_NUMBER
    fee: Decimal
    sort_code: str = ""
    expected_delivery: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ParcelInfo:
    """A parcel as the carrier knows it now (lookup by our reference or by tracking number)."""

    tracking_number: str
    reference: str
    state: ParcelState
    carrier_status: str
    fee: Decimal | None = None
    cod_amount: Decimal | None = None
    expected_delivery: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Tracking:
    """A parcel pulled from the carrier (polling): as it stands now, and the status changes
    the carrier reports with their times, oldest first (empty when it gives no times)."""

    parcel: ParcelInfo
    events: tuple[CarrierEvent, ...] = ()


@dataclass(frozen=True)
class SwitchResult:
    """One parcel's outcome in a cancel, return or redeliver call."""

    tracking_number: str
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class LabelDocument:
    content: bytes
    content_type: str  # application/pdf or text/html
    url: str = ""  # the carrier's print page, when it has one


@dataclass(frozen=True)
class CarrierEvent:
    """One status change from a webhook or a poll. `occurred_at` orders events: an older event
    never moves a parcel back. `key` identifies the event for de-duplication."""

    tracking_number: str
    reference: str
    state: ParcelState
    carrier_status: str  # the carrier's own code ("delivery_fail", "506")
    occurred_at: datetime
    reason: str = ""  # the carrier's text (failed delivery reason, location)
    cod_amount: Decimal | None = None
    fee: Decimal | None = None
    weight_g: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.tracking_number}|{self.carrier_status}|{self.occurred_at.isoformat()}"


class CarrierAdapter(abc.ABC):
    """What the shipping app asks of every carrier."""

    carrier: ClassVar[str]  # "ghn", "viettel_post"
    STATUS_MAP: ClassVar[Mapping[str, ParcelState]]
    label_batch: ClassVar[int]  # most parcels per label call

    def __init__(self, config: CarrierConfig) -> None:
        self.config = config
        self.calls = 0  # API calls made by this instance (benchmarks)

    # the account
    @abc.abstractmethod
    def authorize(self) -> str:
        """Check the credentials; return the token to keep (Viettel Post: the long-term token
        from login + ownerconnect; GHN: the configured token after a call that proves it)."""

    # master data
    @abc.abstractmethod
    def provinces(self) -> list[CarrierPlace]: ...

    @abc.abstractmethod
    def districts(self, *, province_code: str) -> list[CarrierPlace]: ...

    @abc.abstractmethod
    def wards(self, *, district_code: str) -> list[CarrierPlace]: ...

    # services and fees
    @abc.abstractmethod
    def services(self, *, request: ParcelRequest) -> list[ServiceOption]:
        """The services on the request's route, each with its live fee for this parcel."""

    @abc.abstractmethod
    def quote(self, *, request: ParcelRequest) -> Quote: ...

    # parcels
    @abc.abstractmethod
    def create(self, *, request: ParcelRequest) -> CreatedParcel: ...

    @abc.abstractmethod
    def find(self, *, reference: str) -> ParcelInfo | None:
        """The parcel created with our `reference`, if the carrier has one (the retry after a
        timeout asks this before creating again)."""

    @abc.abstractmethod
    def parcel(self, *, tracking_number: str) -> ParcelInfo:
        """The parcel now (polling). PermanentError("not_supported") where the carrier has
        no pull API."""

    def track(self, *, tracking_number: str) -> Tracking:
        """The parcel and its timed status history (polling). This default knows no history:
        an adapter whose carrier gives the times of its statuses overrides it."""
        return Tracking(self.parcel(tracking_number=tracking_number))

    @abc.abstractmethod
    def cancel(self, *, tracking_numbers: Sequence[str]) -> list[SwitchResult]: ...

    @abc.abstractmethod
    def redeliver(self, *, tracking_numbers: Sequence[str]) -> list[SwitchResult]: ...

    @abc.abstractmethod
    def return_to_sender(self, *, tracking_numbers: Sequence[str]) -> list[SwitchResult]: ...

    @abc.abstractmethod
    def change_address(
        self, *, tracking_number: str, receiver: Endpoint, address_text: str
    ) -> SwitchResult:
        """After a failed delivery: deliver again, to `receiver` (the carrier's codes) and
        `address_text` (the same address written out, for a carrier that takes it as a note).
        GHN: delivery again (switch-status/storing), then update the receiver; Viettel Post:
        UpdateOrder TYPE 3 (phát tiếp) with the new address in NOTE, the documented route
        once the parcel has been picked up (/order/edit is before pickup only)."""

    @abc.abstractmethod
    def update(self, *, tracking_number: str, changes: Mapping[str, Any]) -> None:
        """Change a parcel while the carrier allows it. `changes` uses ParcelRequest's field
        names (receiver, cod_amount, note, weight_g, ...)."""

    @abc.abstractmethod
    def label(self, *, tracking_numbers: Sequence[str], paper: str = "a5") -> LabelDocument:
        """The carrier's label for these parcels (paper: "a5", "a6", "80x80", "52x70")."""

    # webhooks
    @classmethod
    @abc.abstractmethod
    def verify_webhook(
        cls, *, secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]
    ) -> bool:
        """Whether the callback is ours (constant-time comparison): GHN signs nothing, so the
        secret travels in the callback URL's query (?token=); Viettel Post puts it in the
        body's TOKEN."""

    @classmethod
    @abc.abstractmethod
    def parse_webhook(cls, body: bytes) -> list[CarrierEvent]:
        """The events of one callback body; PayloadError when it cannot be understood."""
