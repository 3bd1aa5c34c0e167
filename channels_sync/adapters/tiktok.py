"""TikTok Shop Partner API (202309) adapter (marketplaces.md §3).

Every call: `app_key`, `timestamp` and `sign` in the query (shop calls also `shop_cipher`), the
access token in the `x-tts-access-token` header, POST bodies as the exact JSON bytes that were
signed. Success iff the envelope's `code` is 0 (HTTP status ignored, except 429 = rate limit and
5xx without an envelope = transient). Calls are paced to 50 per second per API per app+shop in
this process, and HTTP 429 / 36009002 is retried with jittered exponential back-off while the
total wait stays within `config.max_wait`. Token calls go to the auth host (no signature, the
secret in the query); their expiry times are absolute Unix timestamps. Pure pieces live in
tiktok_protocol (signing, error mapping) and tiktok_parse (JSON -> dataclasses).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests

from channels_sync.adapters import tiktok_listing, tiktok_parse
from channels_sync.adapters.base import (
    Adapter,
    AdapterConfig,
    ListingData,
    OrderData,
    OrderRef,
    PermanentError,
    PriceUpdate,
    RateLimited,
    ShopInfo,
    StockUpdate,
    Tokens,
    TransientError,
    UpdateResult,
    WebhookEvent,
)
from channels_sync.adapters.tiktok_pacing import pace
from channels_sync.adapters.tiktok_protocol import (
    error_for,
    hmac_sha256_hex,
    tiktok_sign,
    webhook_signature_valid,
)
from common.http import client

LIVE_API = "https://open-api.tiktokglobalshop.com"
AUTH_HOSTS = {LIVE_API: "https://auth.tiktok-shops.com"}  # elsewhere (sandbox): the API host
AUTHORIZE_PATH = "/oauth/authorize"
SHOPS_PATH = "/authorization/202309/shops"
ORDER_SEARCH = "/order/202309/orders/search"
ORDER_DETAIL = "/order/202309/orders"
PRODUCT = "/product/202309/products/{}"
PAGE_SIZE = 100
DETAIL_BATCH = 50
CURRENCIES = {"VN": "VND", "TH": "THB", "SG": "SGD", "MY": "MYR", "PH": "PHP", "ID": "IDR"}
HTTP_ERRORS = (requests.RequestException, OSError)


class TikTokAdapter(Adapter):
    platform: ClassVar[str] = "tiktok"
    order_detail_batch: ClassVar[int] = DETAIL_BATCH
    stock_batch: ClassVar[int] = 100
    callback_has_shop_id: ClassVar[bool] = False  # the shop comes from the authorised-shops call
    shared_tokens: ClassVar[bool] = True  # one authorisation, several shops
    backoff_first: ClassVar[float] = 0.2  # seconds; doubles (with jitter) per 429
    search_reach: ClassVar[int] = 10_000  # products one products/search can page through

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.http = client(timeout=config.timeout)
        self.base_url = config.base_url.rstrip("/")
        self.auth_url = AUTH_HOSTS.get(self.base_url, self.base_url)
        self._searched: dict[str, dict[str, Any]] = {}  # orders/search answers are full orders

    # -- transport --------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        shop: bool = True,
    ) -> dict[str, Any]:
        """One signed API call with the pacing and the 429 back-off; `data` on success."""
        waited, delay = 0.0, self.backoff_first
        while True:
            try:
                return self._send(method, path, params=params, body=body, shop=shop)
            except RateLimited:
                remaining = self.config.max_wait - waited
                if remaining <= 0:
                    raise
                pause = min(delay * (0.5 + random.random()), remaining)  # noqa: S311 - jitter
                time.sleep(pause)
                waited += pause
                delay *= 2

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        shop: bool,
    ) -> dict[str, Any]:
        query: dict[str, str] = {"app_key": self.config.app_key}
        query["timestamp"] = str(int(self.config.clock().timestamp()))
        if shop:
            query["shop_cipher"] = self.config.shop_cipher
        query.update({k: str(v) for k, v in (params or {}).items()})
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        query["sign"] = tiktok_sign(self.config.app_secret, path, query, data)
        headers = {
            "content-type": "application/json",
            "x-tts-access-token": self.config.access_token,
        }
        pace(self.config.app_key, self.config.shop_cipher if shop else "", path)
        return self._envelope(self._request(method, f"{self.base_url}{path}", query, data, headers))

    def _request(
        self, method: str, url: str, query: Mapping[str, str], data: bytes, headers: dict[str, str]
    ) -> requests.Response:
        self.calls += 1
        try:
            return self.http.request(
                method, f"{url}?{urlencode(query)}", data=data or None, headers=headers
            )
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None

    @staticmethod
    def _envelope(answer: requests.Response) -> dict[str, Any]:
        try:
            envelope = answer.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or "code" not in envelope:
            status = answer.status_code
            if status == 429 or status >= 500:
                raise error_for("", "no envelope in the answer", http_status=status)
            if status >= 300:  # a wrong address or a proxy's refusal: retrying will not help
                raise PermanentError(f"http_{status}", "the answer is not a TikTok envelope")
            raise TransientError(f"http_{status}", "the answer is not a TikTok envelope")
        code = str(envelope.get("code"))
        if code != "0":
            raise error_for(
                code,
                str(envelope.get("message") or ""),
                request_id=str(envelope.get("request_id") or ""),
                http_status=answer.status_code,
            )
        data = envelope.get("data")
        return data if isinstance(data, dict) else {}

    # -- connecting a shop ------------------------------------------------------------------
    def authorize_url(self, *, redirect_url: str, state: str = "") -> str:
        """The seller's consent page (the redirect is the one registered with the app; `state`
        comes back on it). Without a state from the caller, one derived from the redirect."""
        state = state or hmac_sha256_hex(self.config.app_secret, redirect_url)[:16]
        query = urlencode({"app_key": self.config.app_key, "state": state})
        return f"{self.auth_url}{AUTHORIZE_PATH}?{query}"

    def tokens_from_code(self, *, code: str, shop_id: str) -> Tokens:
        data = self._token_call(
            "/api/v2/token/get", {"auth_code": code, "grant_type": "authorized_code"}
        )
        return self._tokens(data, shop_id)

    def refresh_tokens(self, *, refresh_token: str) -> Tokens:
        data = self._token_call(
            "/api/v2/token/refresh", {"refresh_token": refresh_token, "grant_type": "refresh_token"}
        )
        return self._tokens(data, self.config.shop_id)

    def _token_call(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        query = {"app_key": self.config.app_key, "app_secret": self.config.app_secret, **params}
        return self._envelope(self._request("GET", f"{self.auth_url}{path}", query, b"", {}))

    @staticmethod
    def _tokens(data: Mapping[str, Any], shop_id: str) -> Tokens:
        access, refresh = data.get("access_token"), data.get("refresh_token")
        access_until = tiktok_parse.expiry(data.get("access_token_expire_in"))
        if not access or not refresh or access_until is None:
            raise PermanentError("bad_token_answer", "the token answer lacks tokens or expiry")
        return Tokens(
            access_token=str(access),
            refresh_token=str(refresh),
            access_expires_at=access_until,
            refresh_expires_at=tiktok_parse.expiry(data.get("refresh_token_expire_in")),
            shop_id=shop_id,
            raw=data,
        )

    def authorized_shops(self) -> list[dict[str, Any]]:
        data = self.call("GET", SHOPS_PATH, shop=False)
        return [s for s in data.get("shops") or [] if isinstance(s, dict)]

    def shop_info(self) -> ShopInfo:
        """The configured shop among the authorised ones (the first when none is configured),
        with its `cipher`, which every shop call must carry."""
        return self.shops_info()[0]

    def shops_info(self) -> list[ShopInfo]:
        """Every authorised shop (each with its own cipher), the configured one first."""
        shops = [_shop_info(s) for s in self.authorized_shops() if s.get("id") not in (None, "")]
        wanted = self.config.shop_id
        if wanted:
            shops.sort(key=lambda s: s.shop_id != wanted)
        if not shops or (wanted and shops[0].shop_id != wanted):
            raise PermanentError("no_shop", "the authorisation covers no such shop")
        return shops

    # -- orders -----------------------------------------------------------------------------
    def orders_updated(self, *, since: datetime, until: datetime) -> Iterator[OrderRef]:
        body = {
            "update_time_ge": int(since.timestamp()),
            "update_time_lt": math.ceil(until.timestamp()),
        }
        if body["update_time_lt"] <= body["update_time_ge"]:
            return
        token, seen = "", set()
        while True:
            params = {"page_size": PAGE_SIZE, "sort_field": "update_time", "sort_order": "ASC"}
            if token:
                params["page_token"] = token
            page = self.call("POST", ORDER_SEARCH, params=params, body=body)
            for order in page.get("orders") or []:
                order_id = str(order.get("id") or "") if isinstance(order, dict) else ""
                if order_id and order_id not in seen:
                    seen.add(order_id)
                    self._searched[order_id] = order
                    updated = order.get("update_time")
                    yield OrderRef(
                        order_id, str(order.get("status") or ""), tiktok_parse.expiry(updated)
                    )
            token = str(page.get("next_page_token") or "")
            if not token:
                return

    def fetch_orders(self, *, external_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Orders found by the search of this adapter come from it (it answers full orders);
        the others through the detail call, 50 ids at a time."""
        ids = list(dict.fromkeys(external_ids))
        found = [self._searched.pop(i) for i in ids if i in self._searched]
        missing = [i for i in ids if i not in {str(o.get("id")) for o in found}]
        for start in range(0, len(missing), DETAIL_BATCH):
            params = {"ids": ",".join(missing[start : start + DETAIL_BATCH])}
            page = self.call("GET", ORDER_DETAIL, params=params)
            found.extend(o for o in page.get("orders") or [] if isinstance(o, dict))
        return found

    def parse_order(self, raw: Mapping[str, Any]) -> OrderData:
        return tiktok_parse.parse_order(raw)

    # -- products and stock -----------------------------------------------------------------
    def listings(self) -> Iterator[ListingData]:
        """Every product's SKUs, past the 10,000 results one search reaches by status and
        creation-time windows (tiktok_listing)."""
        return tiktok_listing.listings(self)

    def product(self, product_id: str) -> dict[str, Any]:
        return self.call("GET", PRODUCT.format(product_id))

    def push_stock(self, *, updates: Sequence[StockUpdate]) -> list[UpdateResult]:
        from channels_sync.adapters.tiktok_stock import push_stock

        return push_stock(self, updates)

    def push_prices(self, *, updates: Sequence[PriceUpdate]) -> list[UpdateResult]:
        from channels_sync.adapters.tiktok_stock import push_prices

        return push_prices(self, updates)

    # -- webhooks ---------------------------------------------------------------------------
    @classmethod
    def verify_webhook(
        cls, *, secret: str, app_key: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> bool:
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        return bool(given) and webhook_signature_valid(app_key, secret, body, given)

    @classmethod
    def parse_webhook(cls, body: bytes) -> WebhookEvent:
        return tiktok_parse.parse_webhook(body)


def _shop_info(shop: Mapping[str, Any]) -> ShopInfo:
    region = str(shop.get("region") or "").upper()
    return ShopInfo(
        shop_id=str(shop.get("id")),
        name=str(shop.get("name") or ""),
        region=region,
        currency=CURRENCIES.get(region, ""),
        authorized_until=None,
        raw=shop,
        shop_cipher=str(shop.get("cipher") or ""),
    )
