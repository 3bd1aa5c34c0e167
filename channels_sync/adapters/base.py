"""The one small interface every marketplace adapter implements, the dataclasses it returns
(never the platform's JSON) and the one family of errors it raises.

An adapter is built for one app (and, for shop calls, one shop and its access token):

    adapter = ShopeeAdapter(AdapterConfig(base_url=..., app_key=..., app_secret=...,
                                          shop_id="727720655", access_token="..."))

It does not touch the database, does not refresh tokens by itself (the engine does, under a
per-account lock, and builds a new adapter), and sleeps only where the platform asks (rate
limit back-off within `max_wait`). Time comes from `config.clock` so tests can pin it.

Orders come in two steps so that what arrived is stored before it is interpreted:
`fetch_orders(ids)` returns each order's raw JSON (a dict, as the platform sent it) and
`parse_order(raw)` turns one into OrderData or raises PayloadError, which quarantines that one
order. A stored payload is re-parsed the same way when staff re-apply it.

Errors (ChannelError and subclasses) carry a stable `code` (the platform's error name or ours)
and the platform's message; `permanent` says whether retrying can help:
    TransientError   network, 5xx, platform "busy": retry with back-off
    RateLimited      the platform's rate limit: wait `retry_after` seconds, then retry
    AuthError        access token refused/expired: refresh once, then retry once
    ReconnectNeeded  the shop's authorisation is gone (revoked, expired, refresh token spent)
    PermanentError   the request is wrong (bad parameter, not allowed): do not retry
    PayloadError     one payload cannot be understood: quarantine it, go on with the others
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
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
    "AuthError",
    "ChannelError",
    "PayloadError",
    "PermanentError",
    "RateLimited",
    "ReconnectNeeded",
    "TransientError",
]


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


# --- errors --------------------------------------------------------------------------------


# The family is shared with the carriers and e-invoice providers (common.external); a
# marketplace adds ReconnectNeeded. ChannelError is the family's root under this app's name.
ChannelError = ExternalError


class ReconnectNeeded(ExternalError):
    """The shop's authorisation is gone: the owner must connect the shop again."""


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdapterConfig:
    base_url: str
    app_key: str  # Shopee partner_id, Lazada/TikTok app key
    app_secret: str  # Shopee partner key, Lazada/TikTok app secret
    shop_id: str = ""
    access_token: str = ""
    shop_cipher: str = ""  # TikTok only
    currency: str = ""  # the shop's currency (TikTok prices carry it)
    clock: Callable[[], datetime] = utc_now
    timeout: tuple[float, float] = (5.0, 30.0)
    max_wait: float = 30.0  # longest rate-limit back-off the adapter sleeps through


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    shop_id: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class ShopInfo:
    shop_id: str
    name: str
    region: str  # "VN", "TH", ...
    currency: str  # "VND", "THB"
    authorized_until: datetime | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    shop_cipher: str = ""  # TikTok: sent on every shop call


@dataclass(frozen=True)
class OrderRef:
    external_id: str
    status: str  # the platform's status code
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Address:
    name: str
    phone: str  # as given (often masked by the platform)
    full_address: str
    region: str = ""  # country code
    province: str = ""
    district: str = ""
    ward: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class OrderItem:
    item_id: str
    model_id: str  # "" when the item has no variations
    seller_sku: str  # model SKU, else item SKU
    name: str
    quantity: int
    unit_price: Decimal  # the price the buyer paid per unit (after item discounts)
    original_price: Decimal
    line_id: str = ""


@dataclass(frozen=True)
class OrderData:
    external_id: str
    status: str  # the platform's status code
    created_at: datetime
    updated_at: datetime
    currency: str
    total: Decimal  # what the buyer pays, shipping included
    shipping_fee: Decimal
    cod: bool  # cash on delivery (else paid on the platform)
    buyer_id: str
    buyer_username: str
    address: Address | None
    items: tuple[OrderItem, ...]
    paid_at: datetime | None = None
    note: str = ""
    cancel_reason: str = ""
    tracking_number: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ListingData:
    item_id: str
    model_id: str  # "" when the item has no variations
    seller_sku: str
    name: str
    price: Decimal | None
    stock: int | None  # seller stock the platform sells from
    promotion_reserve: int  # held back for promotions (the floor the platform enforces)
    active: bool
    location_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class StockUpdate:
    item_id: str
    model_id: str
    quantity: int
    location_id: str = ""


@dataclass(frozen=True)
class PriceUpdate:
    item_id: str
    model_id: str
    price: Decimal


@dataclass(frozen=True)
class UpdateResult:
    """One model's outcome in a stock or price push. `code` is "" on success; on failure the
    platform's reason (e.g. a promotion floor: `floor` is then the lowest accepted value)."""

    item_id: str
    model_id: str
    ok: bool
    code: str = ""
    message: str = ""
    floor: int | None = None


@dataclass(frozen=True)
class WebhookEvent:
    """A verified push message, reduced to what the engine acts on. kind: "order" (an order's
    status changed: fetch it), "tracking", "deauthorized", "authorization_expiring", "other"."""

    kind: str
    shop_id: str
    external_id: str = ""
    status: str = ""
    updated_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The platform's id of this message when it has one (TikTok tts_notification_id): a
    # delivery already stored with the same body is a repeat (retry or duplicate send).
    message_id: str = ""


# --- the interface -------------------------------------------------------------------------


class Adapter(abc.ABC):
    """What the engine asks of every platform. Batching to the platform's maxima happens
    inside: callers pass any number of ids or updates."""

    platform: ClassVar[str]
    order_detail_batch: ClassVar[int]  # most order ids per detail call
    stock_batch: ClassVar[int]  # most models per stock call
    # Whether the platform's authorisation callback names the shop (Shopee: `shop_id`); when
    # not, the shop comes from the token answer (Tokens.shop_id).
    callback_has_shop_id: ClassVar[bool] = True
    # Whether the consent URL takes a `state` that comes back on the callback (Lazada, TikTok);
    # when not (Shopee), the one-time token is a part of the redirect URL's path.
    authorize_has_state: ClassVar[bool] = True
    # Whether a stock/price update call takes one item's models only (Shopee); else up to
    # `stock_batch` models of any items (Lazada).
    stock_by_item: ClassVar[bool] = True
    # Whether one authorisation (one token pair) covers several shops (TikTok: the authorised
    # shops list): a refresh then renews the tokens of every shop of that authorisation.
    shared_tokens: ClassVar[bool] = False

    def __init__(self, config: AdapterConfig) -> None:
        self.config = config
        self.calls = 0  # API calls made by this instance (benchmarks, run records)

    # connecting a shop
    @abc.abstractmethod
    def authorize_url(self, *, redirect_url: str, state: str = "") -> str:
        """The seller's consent page; `state` (our one-time CSRF value) is sent where the
        platform documents it and comes back on the callback (Shopee has none: the caller puts
        its token in `redirect_url`)."""

    @abc.abstractmethod
    def tokens_from_code(self, *, code: str, shop_id: str) -> Tokens: ...

    @abc.abstractmethod
    def refresh_tokens(self, *, refresh_token: str) -> Tokens: ...

    @abc.abstractmethod
    def shop_info(self) -> ShopInfo: ...

    def shops_info(self) -> list[ShopInfo]:
        """Every shop the token covers, the one of `shop_info` first."""
        return [self.shop_info()]

    # orders
    @abc.abstractmethod
    def orders_updated(self, *, since: datetime, until: datetime) -> Iterator[OrderRef]:
        """Every order updated in [since, until), across the platform's time windows and pages."""

    @abc.abstractmethod
    def fetch_orders(self, *, external_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Each order's detail JSON as received, in the largest batches allowed."""

    @abc.abstractmethod
    def parse_order(self, raw: Mapping[str, Any]) -> OrderData:
        """One order's detail JSON as OrderData; PayloadError when it cannot be understood."""

    # products and stock
    @abc.abstractmethod
    def listings(self) -> Iterator[ListingData]:
        """Every item and model of the shop (active and not)."""

    @abc.abstractmethod
    def push_stock(self, *, updates: Sequence[StockUpdate]) -> list[UpdateResult]: ...

    @abc.abstractmethod
    def push_prices(self, *, updates: Sequence[PriceUpdate]) -> list[UpdateResult]: ...

    # push messages
    @classmethod
    @abc.abstractmethod
    def verify_webhook(
        cls, *, secret: str, app_key: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> bool:
        """Whether the push is signed by the platform (constant-time comparison)."""

    @classmethod
    @abc.abstractmethod
    def parse_webhook(cls, body: bytes) -> WebhookEvent: ...
