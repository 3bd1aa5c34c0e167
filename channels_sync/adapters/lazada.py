"""Lazada Open Platform adapter (marketplaces.md §2).

Every call carries the system parameters `app_key`, `timestamp` (milliseconds), `sign_method`
and, for seller calls, `access_token`, signed with `lazada_sign` over the API path (no `/rest`
prefix) and every other parameter; GET sends them in the query string, POST form-encoded with
the business parameters (write payloads are XML text in `payload`, signed as sent). Success iff
the body's `code` is "0" (HTTP status ignored); a body that is not JSON, a network failure or a
5xx without an envelope is a TransientError. `ApiCallLimit` (a 1-second ban) and E901 ("too
frequent") are waited out and retried while the total wait stays within `config.max_wait`.

Orders: `orders_updated` pages `/orders/get` by offset (sorted by update time, ascending) and
keeps each order's header; `fetch_orders` asks `/orders/items/get` for up to 50 orders' lines
and joins them to the headers (an order named by a push and not listed before costs one
`/order/get`). The raw order is the header with its `order_items`; lazada_parse turns it into
OrderData, the order status coming from its lines' statuses (lazada_parse.order_status).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests

from channels_sync.adapters import lazada_parse, lazada_walk
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
from channels_sync.adapters.lazada_protocol import (
    CALL_LIMIT,
    CREATE_FAILED,
    SUCCESS,
    TOO_FREQUENT,
    UPDATE_FAILED,
    error_for,
    floor_from,
    lazada_sign,
    lazada_time,
    parse_time,
    push_signature_valid,
    sku_xml,
)
from common.http import client

LIVE_AUTH = "https://auth.lazada.com"
AUTHORIZE_PATH = "/oauth/authorize"
ORDER_PAGE = 100
DETAIL_BATCH = 50
SKU_BATCH = 50
LIST_HEADERS_FROM = 3  # missing headers fetched by one listing rather than one call each
HEADER_LIST_SLACK = 3  # ... unless that listing is over 3 times longer than needed
REGIONS = {".vn": "VN", ".co.th": "TH", ".sg": "SG", ".com.my": "MY", ".com.ph": "PH"}
REGIONS[".co.id"] = "ID"
CURRENCIES = {"VN": "VND", "TH": "THB", "SG": "SGD", "MY": "MYR", "PH": "PHP", "ID": "IDR"}
HTTP_ERRORS = (requests.RequestException, OSError)
THROTTLED = frozenset({CALL_LIMIT, *TOO_FREQUENT})
SMALL_SKU_BATCH = 20  # the recommended size, after a ServiceTimeout (§2.4, §2.6)


class UpdateRefused(PermanentError):
    """An update (`501`) or create (`500`) call was refused with a `detail` list naming the
    real causes (SKUs refused, fields wrong), kept as the platform sent it."""

    def __init__(self, code: str, message: str, detail: list[Mapping[str, Any]]) -> None:
        super().__init__(code, message)
        self.detail = detail


def host_region(base_url: str) -> str:
    """VN/TH/... from a live API host (`api.lazada.vn`); "" for any other host."""
    host = urlsplit(base_url).hostname or ""
    if "lazada." not in host:
        return ""
    return next((code for end, code in REGIONS.items() if host.endswith(end)), "")


def auth_origin(base_url: str) -> str:
    """Where the consent page and the token API live: auth.lazada.com for the live API
    hosts, the same server otherwise (a sandbox serves both)."""
    parts = urlsplit(base_url)
    if (parts.hostname or "").startswith("api.lazada."):
        return LIVE_AUTH
    return f"{parts.scheme}://{parts.netloc}"


class LazadaAdapter(Adapter):
    platform: ClassVar[str] = "lazada"
    order_detail_batch: ClassVar[int] = DETAIL_BATCH
    stock_batch: ClassVar[int] = SKU_BATCH
    callback_has_shop_id: ClassVar[bool] = False  # the seller comes from the token answer
    stock_by_item: ClassVar[bool] = False  # 50 SKUs of any products per update call
    offset_cap: ClassVar[int] = lazada_walk.OFFSET_MAX  # /products/get's last offset

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.http = client(timeout=config.timeout)
        self.base_url = config.base_url.rstrip("/")
        self.auth_url = auth_origin(self.base_url) + "/rest"
        self._headers: dict[str, dict[str, Any]] = {}  # order headers listed, not fetched yet

    # -- transport --------------------------------------------------------------------------
    def signed(self, path: str, params: Mapping[str, Any], *, seller: bool) -> dict[str, str]:
        """`params` with the system parameters and the signature, every value as text."""
        ms = int(self.config.clock().timestamp() * 1000)
        values = {k: str(v) for k, v in params.items()}
        values.update(app_key=self.config.app_key, timestamp=str(ms), sign_method="sha256")
        if seller:
            values["access_token"] = self.config.access_token
        values["sign"] = lazada_sign(self.config.app_secret, path, values)
        return values

    def call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        seller: bool = True,
        auth: bool = False,
    ) -> dict[str, Any]:
        """One API call; the whole envelope on success. `ApiCallLimit` (a 1-second ban) and
        E901 "too frequent" are waited out, the wait doubling while the same call is refused
        again, as long as the total wait stays within `config.max_wait`."""
        waited, repeat = 0.0, 0
        while True:
            try:
                return self._send(method, path, params or {}, seller=seller, auth=auth)
            except RateLimited as error:
                pause = error.retry_after * 2**repeat
                if error.code not in THROTTLED or self.config.max_wait - waited < pause:
                    raise
                time.sleep(pause)
                waited, repeat = waited + pause, repeat + 1

    def _send(
        self, method: str, path: str, params: Mapping[str, Any], *, seller: bool, auth: bool
    ) -> dict[str, Any]:
        values = self.signed(path, params, seller=seller)
        url = (self.auth_url if auth else self.base_url) + path
        self.calls += 1
        try:
            if method == "GET":
                answer = self.http.get(f"{url}?{urlencode(values)}")
            else:
                answer = self.http.post(url, data=values)
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        try:
            envelope = answer.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise _no_envelope(answer.status_code)
        code = str(envelope.get("code"))
        if code != SUCCESS:
            message = str(envelope.get("message") or "")
            detail = envelope.get("detail")
            if code in (UPDATE_FAILED, CREATE_FAILED) and isinstance(detail, list) and detail:
                raise UpdateRefused(code, message, [d for d in detail if isinstance(d, Mapping)])
            raise error_for(
                code,
                message,
                error_type=str(envelope.get("type") or ""),
                request_id=str(envelope.get("request_id") or ""),
            )
        return envelope

    @staticmethod
    def _data(envelope: Mapping[str, Any]) -> Any:
        return envelope.get("data")

    # -- connecting a shop ------------------------------------------------------------------
    def authorize_url(self, *, redirect_url: str, state: str = "") -> str:
        query = {
            "response_type": "code",
            "force_auth": "true",
            "client_id": self.config.app_key,
            "redirect_uri": redirect_url,
            **({"state": state} if state else {}),
        }
        return f"{auth_origin(self.base_url)}{AUTHORIZE_PATH}?{urlencode(query)}"

    def tokens_from_code(self, *, code: str, shop_id: str) -> Tokens:
        envelope = self.call("GET", "/auth/token/create", {"code": code}, seller=False, auth=True)
        return self._tokens(envelope, shop_id, "")

    def refresh_tokens(self, *, refresh_token: str) -> Tokens:
        envelope = self.call(
            "GET",
            "/auth/token/refresh",
            {"refresh_token": refresh_token},
            seller=False,
            auth=True,
        )
        return self._tokens(envelope, self.config.shop_id, refresh_token)

    def _tokens(self, envelope: Mapping[str, Any], shop_id: str, sent_refresh: str) -> Tokens:
        """Refresh may or may not rotate the refresh token [UNV]: the one returned is kept,
        the one sent when none is returned."""
        now = self.config.clock()
        access = envelope.get("access_token")
        refresh = envelope.get("refresh_token") or sent_refresh
        expires, refresh_expires = envelope.get("expires_in"), envelope.get("refresh_expires_in")
        if not access or not refresh or not isinstance(expires, int):
            raise PermanentError("bad_token_answer", "the token answer lacks tokens or expiry")
        seller = shop_id or self._seller_id(envelope)
        if not seller:
            raise PermanentError("bad_token_answer", "the token answer names no seller")
        return Tokens(
            access_token=str(access),
            refresh_token=str(refresh),
            access_expires_at=now + timedelta(seconds=expires),
            refresh_expires_at=(
                now + timedelta(seconds=refresh_expires)
                if isinstance(refresh_expires, int)
                else None
            ),
            shop_id=seller,
            raw=envelope,
        )

    def _seller_id(self, envelope: Mapping[str, Any]) -> str:
        """The seller of the API host's country among `country_user_info` (the first one
        when the host names no country)."""
        rows = envelope.get("country_user_info") or envelope.get("country_user_info_list") or []
        rows = [r for r in rows if isinstance(r, Mapping) and r.get("seller_id")]
        region = host_region(self.base_url).lower()
        chosen = next((r for r in rows if str(r.get("country", "")).lower() == region), None)
        chosen = chosen or (rows[0] if rows else None)
        return str(chosen["seller_id"]) if chosen else ""

    def shop_info(self) -> ShopInfo:
        """`/seller/get` (name, country); a host without it gives what the host tells."""
        try:
            data = self._data(self.call("GET", "/seller/get")) or {}
        except PermanentError:
            data = {}
        region = str(data.get("country") or host_region(self.base_url)).upper()
        return ShopInfo(
            shop_id=self.config.shop_id,
            name=str(data.get("name") or ""),
            region=region,
            currency=CURRENCIES.get(region, ""),
            authorized_until=None,  # token-based: the refresh token's end is the limit
            raw=data,
        )

    # -- orders -----------------------------------------------------------------------------
    def orders_updated(self, *, since: datetime, until: datetime) -> Iterator[OrderRef]:
        """Offset paging sorted by update time: an order updated while we page moves out of
        [since, until) (update_before) and the pages shift by one; the next pull's window
        (it overlaps the cursor) lists it again."""
        offset, seen = 0, set()
        while True:
            params = {
                "update_after": lazada_time(since),
                "update_before": lazada_time(_ceil_second(until)),
                "sort_by": "updated_at",
                "sort_direction": "ASC",
                "offset": offset,
                "limit": ORDER_PAGE,
            }
            data = self._data(self.call("GET", "/orders/get", params)) or {}
            rows = [r for r in data.get("orders") or [] if isinstance(r, dict)]
            for row in rows:
                order_id = str(row.get("order_id") or "")
                if not order_id or order_id in seen:
                    continue
                seen.add(order_id)
                self._headers[order_id] = row
                statuses = [str(s) for s in row.get("statuses") or []]
                yield OrderRef(order_id, lazada_parse.order_status(statuses) if statuses else "")
            offset += len(rows)
            total = int(data.get("countTotal") or 0)
            if len(rows) < ORDER_PAGE or (total and offset >= total):
                return

    def fetch_orders(self, *, external_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Lines by `/orders/items/get` (50 orders a call), joined to the headers listed by
        `orders_updated`; headers not listed before (orders named by pushes) come from one
        `/orders/get` listing since the oldest of their lines' update times when several are
        missing (a burst: 100 headers a call), else, or for any it did not find, `/order/get`."""
        found: list[dict[str, Any]] = []
        ids = list(dict.fromkeys(str(i) for i in external_ids))
        for start in range(0, len(ids), DETAIL_BATCH):
            chunk = ids[start : start + DETAIL_BATCH]
            params = {"order_ids": "[" + ",".join(chunk) + "]"}
            data = self._data(self.call("GET", "/orders/items/get", params)) or []
            lines = {
                str(row.get("order_id")): row.get("order_items") or []
                for row in data
                if isinstance(row, Mapping)
            }
            missing = [i for i in chunk if i in lines and i not in self._headers]
            if len(missing) >= LIST_HEADERS_FROM:
                self._list_headers(missing, lines, wanted=set(ids[start:]))
            for order_id in chunk:
                header = self._headers.pop(order_id, None)
                if order_id not in lines:
                    continue
                if header is None:
                    header = self._data(self.call("GET", "/order/get", {"order_id": order_id}))
                if isinstance(header, dict):
                    found.append({**header, "order_items": lines[order_id]})
        return found

    def _list_headers(
        self, missing: list[str], lines: Mapping[str, Any], *, wanted: set[str]
    ) -> None:
        """Headers of `missing` (and of any other `wanted` order seen) from `/orders/get`
        since the oldest update of their lines (an order is updated when a line is). Stops
        when all are found, or after the first page when the list is far longer than needed."""
        times = []
        for order_id in missing:
            for line in lines[order_id]:
                if isinstance(line, Mapping) and isinstance(line.get("updated_at"), str):
                    with contextlib.suppress(ValueError):
                        times.append(parse_time(line["updated_at"]))
        if not times:
            return
        since = min(times).replace(microsecond=0) - timedelta(seconds=1)
        todo, offset = set(missing), 0
        while todo:
            params = {
                "update_after": lazada_time(since),
                "sort_by": "updated_at",
                "sort_direction": "ASC",
                "offset": offset,
                "limit": ORDER_PAGE,
            }
            data = self._data(self.call("GET", "/orders/get", params)) or {}
            rows = [r for r in data.get("orders") or [] if isinstance(r, dict)]
            for row in rows:
                order_id = str(row.get("order_id") or "")
                if order_id in wanted:
                    self._headers[order_id] = row
                    todo.discard(order_id)
            total = int(data.get("countTotal") or 0)
            offset += len(rows)
            too_long = total > HEADER_LIST_SLACK * len(missing) + ORDER_PAGE
            if len(rows) < ORDER_PAGE or offset >= total or too_long:
                return

    def parse_order(self, raw: Mapping[str, Any]) -> OrderData:
        return lazada_parse.parse_order(raw)

    # -- products and stock -----------------------------------------------------------------
    def listings(self) -> Iterator[ListingData]:
        """Every product's SKUs, past the 10,000 offset cap by creation-time windows
        (lazada_walk)."""
        return lazada_walk.listings(self)

    def push_stock(self, *, updates: Sequence[StockUpdate]) -> list[UpdateResult]:
        """Absolute sellable quantities, <= 50 SKUs per call."""
        rows = [_stock_row(u, u.quantity) for u in updates]
        return self._sku_update("/product/stock/sellable/update", rows)

    def adjust_stock(self, *, updates: Sequence[StockUpdate]) -> list[UpdateResult]:
        """Sellable quantities changed BY `quantity` (+/-), <= 50 SKUs per call."""
        rows = [_stock_row(u, u.quantity) for u in updates]
        return self._sku_update("/product/stock/sellable/adjust", rows)

    def push_prices(self, *, updates: Sequence[PriceUpdate]) -> list[UpdateResult]:
        rows = [{"ItemId": u.item_id, "SkuId": u.model_id, "Price": u.price} for u in updates]
        return self._sku_update("/product/price_quantity/update", rows)

    def _sku_update(self, path: str, rows: list[dict[str, Any]]) -> list[UpdateResult]:
        """Rows in calls of at most 50 SKUs. Refused SKUs (501 with a detail) fail with their
        reason (a campaign lock: `floor` set) and the others of that call are sent once more
        without them (absolute values: sending one again is harmless; whether the platform kept
        the others of a refused call is not documented). Any other permanent refusal fails the
        call's SKUs. A `ServiceTimeout` of a call of more than 20 SKUs sends them again 20 at
        a time (the doc's advice); other transient and authorisation errors propagate."""
        results: list[UpdateResult] = []
        keys = list(dict.fromkeys((str(r["ItemId"]), str(r["SkuId"])) for r in rows))
        for start in range(0, len(keys), SKU_BATCH):
            chunk = keys[start : start + SKU_BATCH]
            try:
                answered = self._sku_batch(path, rows, chunk)
            except TransientError as error:
                if error.code != "ServiceTimeout" or len(chunk) <= SMALL_SKU_BATCH:
                    raise
                answered = {}  # the doc's advice: again in batches of 20
                for small in range(0, len(chunk), SMALL_SKU_BATCH):
                    part = chunk[small : small + SMALL_SKU_BATCH]
                    answered.update(self._sku_batch(path, rows, part))
            results.extend(answered[key] for key in chunk)
        return results

    def _sku_batch(
        self, path: str, rows: list[dict[str, Any]], keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], UpdateResult]:
        wanted = set(keys)
        batch = [r for r in rows if (str(r["ItemId"]), str(r["SkuId"])) in wanted]
        return {(r.item_id, r.model_id): r for r in self._sku_call(path, batch, retry=True)}

    def _sku_call(
        self, path: str, rows: list[dict[str, Any]], *, retry: bool
    ) -> list[UpdateResult]:
        keys = list(dict.fromkeys((str(r["ItemId"]), str(r["SkuId"])) for r in rows))
        try:
            self.call("POST", path, {"payload": sku_xml(rows)})
        except UpdateRefused as error:
            refused = _refused(error.detail, keys)
            rest = [r for r in rows if (str(r["ItemId"]), str(r["SkuId"])) not in refused]
            failed = []
            for (item_id, sku_id), reason in refused.items():
                floor = floor_from(reason)
                code = "push_refused" if floor is None else "promotion_floor"
                failed.append(UpdateResult(item_id, sku_id, False, code, reason, floor))
            if not refused or not retry:
                return failed + [
                    UpdateResult(i, s, False, error.code, error.message)
                    for i, s in keys
                    if (i, s) not in refused
                ]
            return failed + (self._sku_call(path, rest, retry=False) if rest else [])
        except PermanentError as error:
            return [UpdateResult(i, s, False, error.code, error.message) for i, s in keys]
        return [UpdateResult(i, s, True) for i, s in keys]

    # -- push messages ----------------------------------------------------------------------
    @classmethod
    def verify_webhook(
        cls, *, secret: str, app_key: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> bool:
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        return bool(given) and push_signature_valid(secret, app_key, body, given)

    @classmethod
    def parse_webhook(cls, body: bytes) -> WebhookEvent:
        return lazada_parse.parse_webhook(body)


def _no_envelope(status: int) -> TransientError | PermanentError:
    """An answer without Lazada's envelope: a proxy's or the network's (5xx, 429, or a 2xx
    that is not JSON: transient) or a refusal of the address itself (other 4xx: an API the
    host does not serve; retrying will not help)."""
    if 400 <= status < 500 and status != 429:
        return PermanentError(f"http_{status}", "the answer is not a Lazada envelope")
    return TransientError(f"http_{status}", "the answer is not a Lazada envelope")


def _ceil_second(moment: datetime) -> datetime:
    """Lazada's dates have whole seconds: [since, until) rounded out so that nothing updated
    in until's last part-second is left out."""
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _stock_row(update: StockUpdate, quantity: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ItemId": update.item_id,
        "SkuId": update.model_id,
        "SellableQuantity": quantity,
    }
    if update.location_id:
        row["WarehouseCode"] = update.location_id
    return row


def _refused(
    detail: list[Mapping[str, Any]], keys: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """(item, sku) -> reason for the detail rows that name one of `keys`."""
    known = set(keys)
    refused: dict[tuple[str, str], str] = {}
    for row in detail:
        key = (str(row.get("item_id") or ""), str(row.get("sku_id") or ""))
        if key in known:
            refused[key] = str(row.get("message") or row.get("field") or "refused")
    return refused
