"""Shopee Open Platform v2 adapter (marketplaces.md §1).

Every call: auth params (partner_id, timestamp, sign; shop calls also access_token, shop_id) in
the query string, GET params in the query string too, POST bodies as JSON text signed nowhere
(Shopee signs only the path). Success iff the envelope's `error` is "" (HTTP status ignored);
a body that is not JSON, a network failure or a 5xx without an envelope is a TransientError.
`error_rate_limit` is retried with exponential back-off while the total wait stays within
`config.max_wait`; the daily `error_limit` is raised at once with `retry_after` = seconds to
00:00 UTC+8. Pure pieces live in shopee_protocol (signing, error mapping) and shopee_parse
(JSON -> dataclasses).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests

from channels_sync.adapters import shopee_parse
from channels_sync.adapters.base import (
    Adapter,
    AdapterConfig,
    ChannelError,
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
from channels_sync.adapters.shopee_protocol import (
    RATE_LIMIT_ERROR,
    error_for,
    push_signature_valid,
    shopee_sign,
)
from common.http import client

API = "/api/v2"
AUTH_PARTNER_PATH = f"{API}/shop/auth_partner"
ORDER_WINDOW = timedelta(days=15)
PAGE_SIZE = 100
DETAIL_BATCH = 50
ITEM_BATCH = 50
MODEL_BATCH = 50
REFRESH_TOKEN_LIFETIME = timedelta(days=30)  # not in the token answer; §0 says 30 days
ORDER_OPTIONAL_FIELDS = (
    "buyer_user_id,buyer_username,recipient_address,item_list,pay_time,total_amount,"
    "payment_method,shipping_carrier,package_list,cancel_by,cancel_reason,note"
)
ITEM_STATUSES = ("NORMAL", "UNLIST", "BANNED", "REVIEWING")
CURRENCIES = {"VN": "VND", "TH": "THB", "SG": "SGD", "MY": "MYR", "PH": "PHP", "ID": "IDR"}
PROMOTION_WORDS = ("promotion", "reserved")
HTTP_ERRORS = (requests.RequestException, OSError)


class ShopeeAdapter(Adapter):
    platform: ClassVar[str] = "shopee"
    authorize_has_state: ClassVar[bool] = False  # no `state` documented (1.2)
    order_detail_batch: ClassVar[int] = DETAIL_BATCH
    stock_batch: ClassVar[int] = MODEL_BATCH
    backoff_first: ClassVar[float] = 0.5  # seconds; doubles per retry of error_rate_limit

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.http = client(timeout=config.timeout)
        self.base_url = config.base_url.rstrip("/")

    # -- transport --------------------------------------------------------------------------
    def _timestamp(self) -> int:
        return int(self.config.clock().timestamp())

    def _auth_params(self, path: str, *, shop: bool) -> dict[str, str]:
        ts = self._timestamp()
        pid = self.config.app_key
        if not shop:
            return {
                "partner_id": pid,
                "timestamp": str(ts),
                "sign": shopee_sign(self.config.app_secret, pid, path, ts),
            }
        token, shop_id = self.config.access_token, self.config.shop_id
        sign = shopee_sign(self.config.app_secret, pid, path, ts, token, shop_id)
        return {
            "partner_id": pid,
            "timestamp": str(ts),
            "sign": sign,
            "access_token": token,
            "shop_id": shop_id,
        }

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        shop: bool = True,
    ) -> dict[str, Any]:
        """One API call with the rate-limit back-off; the whole envelope on success."""
        waited, delay = 0.0, self.backoff_first
        while True:
            try:
                return self._send(method, path, params=params, body=body, shop=shop)
            except RateLimited as error:
                remaining = self.config.max_wait - waited
                if error.code != RATE_LIMIT_ERROR or remaining <= 0:
                    raise
                pause = min(delay, remaining)
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
        query: list[tuple[str, Any]] = list(self._auth_params(path, shop=shop).items())
        for name, value in (params or {}).items():
            values = value if isinstance(value, list | tuple) else [value]
            query.extend((name, str(v)) for v in values)
        url = f"{self.base_url}{path}?{urlencode(query)}"
        data = json.dumps(body, separators=(",", ":")) if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.calls += 1
        try:
            answer = self.http.request(method, url, data=data, headers=headers)
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        try:
            envelope = answer.json()
        except ValueError:
            raise TransientError(f"http_{answer.status_code}", "the answer is not JSON") from None
        if not isinstance(envelope, dict):
            raise TransientError(f"http_{answer.status_code}", "the answer is not an object")
        code = str(envelope.get("error") or "")
        if code:
            message = str(envelope.get("message") or "")
            raise error_for(
                code,
                message,
                request_id=str(envelope.get("request_id") or ""),
                now=self.config.clock(),
            )
        if "error" not in envelope and answer.status_code >= 500:
            raise TransientError(f"http_{answer.status_code}", "no envelope in the answer")
        return envelope

    @staticmethod
    def _response(envelope: Mapping[str, Any]) -> dict[str, Any]:
        response = envelope.get("response")
        return response if isinstance(response, dict) else {}

    # -- connecting a shop ------------------------------------------------------------------
    def authorize_url(self, *, redirect_url: str, state: str = "") -> str:
        """Shopee documents no `state`: our one-time token travels in `redirect_url`'s path."""
        query = self._auth_params(AUTH_PARTNER_PATH, shop=False)
        query["redirect"] = redirect_url
        return f"{self.base_url}{AUTH_PARTNER_PATH}?{urlencode(query)}"

    def tokens_from_code(self, *, code: str, shop_id: str) -> Tokens:
        body = {"code": code, "shop_id": int(shop_id), "partner_id": int(self.config.app_key)}
        envelope = self.call("POST", f"{API}/auth/token/get", body=body, shop=False)
        return self._tokens(envelope, shop_id)

    def refresh_tokens(self, *, refresh_token: str) -> Tokens:
        body = {
            "refresh_token": refresh_token,
            "shop_id": int(self.config.shop_id),
            "partner_id": int(self.config.app_key),
        }
        envelope = self.call("POST", f"{API}/auth/access_token/get", body=body, shop=False)
        return self._tokens(envelope, self.config.shop_id)

    def _tokens(self, envelope: Mapping[str, Any], shop_id: str) -> Tokens:
        now = self.config.clock()
        access, refresh = envelope.get("access_token"), envelope.get("refresh_token")
        expire_in = envelope.get("expire_in")
        if not access or not refresh or not isinstance(expire_in, int):
            raise PermanentError("bad_token_answer", "the token answer lacks tokens or expiry")
        return Tokens(
            access_token=str(access),
            refresh_token=str(refresh),
            access_expires_at=now + timedelta(seconds=expire_in),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME,
            shop_id=str(shop_id),
            raw=envelope,
        )

    def shop_info(self) -> ShopInfo:
        envelope = self.call("GET", f"{API}/shop/get_shop_info")
        info = {**self._response(envelope), **envelope}  # the answer is top level
        region = str(info.get("region") or "").upper()
        expire = info.get("expire_time")
        return ShopInfo(
            shop_id=self.config.shop_id,
            name=str(info.get("shop_name") or ""),
            region=region,
            currency=CURRENCIES.get(region, ""),
            authorized_until=(
                datetime.fromtimestamp(expire, tz=UTC)
                if isinstance(expire, int) and expire > 0
                else None
            ),
            raw=info,
        )

    # -- orders -----------------------------------------------------------------------------
    def order_windows(self, since: datetime, until: datetime) -> list[tuple[int, int]]:
        """[since, until) as (time_from, time_to) windows of at most 15 days."""
        windows, start = [], since
        while start < until:
            end = min(start + ORDER_WINDOW, until)
            windows.append((int(start.timestamp()), int(end.timestamp())))
            start = end
        return windows

    def orders_updated(self, *, since: datetime, until: datetime) -> Iterator[OrderRef]:
        seen: set[str] = set()
        for time_from, time_to in self.order_windows(since, until):
            if time_to <= time_from:
                continue
            cursor = ""
            while True:
                params = {
                    "time_range_field": "update_time",
                    "time_from": time_from,
                    "time_to": time_to,
                    "page_size": PAGE_SIZE,
                    "cursor": cursor,
                    "response_optional_fields": "order_status",
                }
                page = self._response(
                    self.call("GET", f"{API}/order/get_order_list", params=params)
                )
                for row in page.get("order_list") or []:
                    order_sn = str(row.get("order_sn") or "")
                    if order_sn and order_sn not in seen:
                        seen.add(order_sn)
                        yield OrderRef(order_sn, str(row.get("order_status") or ""))
                cursor = str(page.get("next_cursor") or "")
                if not page.get("more") or not cursor:
                    break

    def fetch_orders(self, *, external_ids: Sequence[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        ids = list(dict.fromkeys(external_ids))
        for start in range(0, len(ids), DETAIL_BATCH):
            params = {
                "order_sn_list": ",".join(ids[start : start + DETAIL_BATCH]),
                "response_optional_fields": ORDER_OPTIONAL_FIELDS,
            }
            page = self._response(self.call("GET", f"{API}/order/get_order_detail", params=params))
            found.extend(row for row in page.get("order_list") or [] if isinstance(row, dict))
        return found

    def parse_order(self, raw: Mapping[str, Any]) -> OrderData:
        return shopee_parse.parse_order(raw)

    # -- products and stock -----------------------------------------------------------------
    def item_ids(self) -> list[int]:
        ids: list[int] = []
        offset = 0
        while True:
            params = {"offset": offset, "page_size": PAGE_SIZE, "item_status": ITEM_STATUSES}
            page = self._response(self.call("GET", f"{API}/product/get_item_list", params=params))
            ids.extend(int(row["item_id"]) for row in page.get("item") or [])
            if not page.get("has_next_page"):
                return ids
            offset = int(page.get("next_offset") or offset + PAGE_SIZE)

    def listings(self) -> Iterator[ListingData]:
        ids = self.item_ids()
        for start in range(0, len(ids), ITEM_BATCH):
            params = {"item_id_list": ",".join(str(i) for i in ids[start : start + ITEM_BATCH])}
            page = self._response(
                self.call("GET", f"{API}/product/get_item_base_info", params=params)
            )
            for base in page.get("item_list") or []:
                models = self._models(base["item_id"]) if base.get("has_model") else None
                yield from shopee_parse.listing_rows(base, models, "")

    def _models(self, item_id: int | str) -> dict[str, Any]:
        envelope = self.call("GET", f"{API}/product/get_model_list", params={"item_id": item_id})
        return self._response(envelope)

    def push_stock(self, *, updates: Sequence[StockUpdate]) -> list[UpdateResult]:
        results: list[UpdateResult] = []
        for item_id, per_model in _group(updates).items():
            entries = []
            for model_id, rows in per_model.items():
                seller_stock = [
                    {"location_id": u.location_id, "stock": u.quantity}
                    if u.location_id
                    else {"stock": u.quantity}
                    for u in rows
                ]
                entries.append({"model_id": _model_number(model_id), "seller_stock": seller_stock})
            results.extend(self._item_update(item_id, "update_stock", "stock_list", entries))
        return results

    def push_prices(self, *, updates: Sequence[PriceUpdate]) -> list[UpdateResult]:
        results: list[UpdateResult] = []
        for item_id, per_model in _group(updates).items():
            entries = [
                {"model_id": _model_number(model_id), "original_price": _number(rows[-1].price)}
                for model_id, rows in per_model.items()
            ]
            results.extend(self._item_update(item_id, "update_price", "price_list", entries))
        return results

    def _item_update(
        self, item_id: str, api: str, key: str, entries: list[dict[str, Any]]
    ) -> list[UpdateResult]:
        """One item's entries in calls of at most 50 models; a refused call (permanent error)
        fails its models and the next items go on."""
        results: list[UpdateResult] = []
        for start in range(0, len(entries), MODEL_BATCH):
            chunk = entries[start : start + MODEL_BATCH]
            body = {"item_id": int(item_id), key: chunk}
            try:
                answer = self._response(self.call("POST", f"{API}/product/{api}", body=body))
            except PermanentError as error:
                results.extend(
                    UpdateResult(
                        item_id, _model_text(e["model_id"]), False, error.code, error.message
                    )
                    for e in chunk
                )
                continue
            results.extend(self._results(item_id, chunk, answer))
        return results

    def _results(
        self, item_id: str, chunk: list[dict[str, Any]], answer: Mapping[str, Any]
    ) -> list[UpdateResult]:
        done = {_model_text(row.get("model_id")) for row in answer.get("success_list") or []}
        failed = {
            _model_text(row.get("model_id")): str(row.get("failed_reason") or "")
            for row in answer.get("failure_list") or []
        }
        floors: dict[str, int] | None = None
        results = []
        for entry in chunk:
            model_id = _model_text(entry["model_id"])
            if model_id in failed:
                reason = failed[model_id]
                if any(word in reason.lower() for word in PROMOTION_WORDS):
                    if floors is None:
                        floors = self._reserves(item_id)
                    results.append(
                        UpdateResult(
                            item_id,
                            model_id,
                            False,
                            "promotion_floor",
                            reason,
                            floors.get(model_id),
                        )
                    )
                else:
                    results.append(UpdateResult(item_id, model_id, False, "push_refused", reason))
            elif model_id in done:
                results.append(UpdateResult(item_id, model_id, True))
            else:
                results.append(
                    UpdateResult(
                        item_id,
                        model_id,
                        False,
                        "no_answer",
                        "the platform did not report this model",
                    )
                )
        return results

    def _reserves(self, item_id: str) -> dict[str, int]:
        """Promotion reserve per model of one item (asked when an update hit the floor)."""
        try:
            models = self._models(item_id)
            rows = shopee_parse.listing_rows({"item_id": item_id, "has_model": True}, models, "")
            if not rows:
                page = self._response(
                    self.call(
                        "GET", f"{API}/product/get_item_base_info", params={"item_id_list": item_id}
                    )
                )
                for base in page.get("item_list") or []:
                    rows = shopee_parse.listing_rows({**base, "has_model": False}, None, "")
        except ChannelError:
            return {}
        return {row.model_id: row.promotion_reserve for row in rows}

    # -- push messages ----------------------------------------------------------------------
    @classmethod
    def verify_webhook(
        cls, *, secret: str, app_key: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> bool:
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        return bool(given) and push_signature_valid(secret, url, body, given)

    @classmethod
    def parse_webhook(cls, body: bytes) -> WebhookEvent:
        return shopee_parse.parse_webhook(body)

    def lost_pushes(self) -> tuple[list[dict[str, Any]], int, bool]:
        """(messages, last_message_id, has_next_page) of get_lost_push_message (public API)."""
        page = self._response(self.call("GET", f"{API}/push/get_lost_push_message", shop=False))
        messages = [m for m in page.get("push_message_list") or [] if isinstance(m, dict)]
        return messages, int(page.get("last_message_id") or 0), bool(page.get("has_next_page"))

    def lost_pushes_confirm(self, *, last_message_id: int) -> None:
        self.call(
            "POST",
            f"{API}/push/confirm_consumed_lost_push_message",
            body={"last_message_id": last_message_id},
            shop=False,
        )


def _group(updates: Sequence[StockUpdate] | Sequence[PriceUpdate]) -> dict[str, dict[str, list]]:
    """item_id -> model_id -> its updates, in the order given."""
    grouped: dict[str, dict[str, list]] = {}
    for update in updates:
        grouped.setdefault(update.item_id, {}).setdefault(update.model_id, []).append(update)
    return grouped


def _model_number(model_id: str) -> int:
    return int(model_id) if model_id else 0


def _model_text(model_id: Any) -> str:
    return "" if model_id in (0, "0", "", None) else str(model_id)


def _number(price: Decimal) -> int | float:
    """A price as a JSON number (the wire format): integral amounts as int (VND), others as
    the float nearest the exact decimal (THB has two decimals, always exactly representable
    to the precision JSON parsers read back)."""
    return int(price) if price == price.to_integral_value() else float(price)
