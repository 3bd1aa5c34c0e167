"""A local Lazada Open Platform server for tests and the offline demo.

Speaks the protocol of /work/shared/api/marketplaces.md section 2: the consent page
`/oauth/authorize`, the APIs under `/rest/` (token create/refresh, orders, products, XML stock
and price updates) with upper-case signatures over the union of query, form and JSON params,
millisecond timestamps within `timestamp_skew`, the `{code, data, request_id}` envelope and
`{type, code, message, request_id}` errors, a per-API QPS limiter (`ApiCallLimit`, a 1-second
ban), campaign locks (`501`), and pushes: one message per order line, signed
`hex(HMAC(app_secret, app_key + body))`, retried every `push_retry_interval` seconds at most
`push_retry_count` times, optionally duplicated. Assumptions the doc marks [UNV] are
constructor options. Control API under /_sandbox/ (lazada_control.py).

CLI: python -m channels_sync.sandbox.lazada --port 8702 [--seed seed.json] [--order-every 5]
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Background, HttpSandbox, SandboxClock

from .lazada_catalog import ListingsState
from .lazada_push import LazadaDelivery, LazadaPush, LazadaPushSender
from .lazada_state import (
    LINE_STATUSES,
    RELEASED,
    App,
    Line,
    Order,
    Product,
    Seller,
    Sku,
    Token,
    default_address,
    new_token,
)

DAY = 86400
DEFAULT_WAREHOUSE = "dropshipping"


class LazadaSandbox(HttpSandbox, SandboxClock):
    thread_name = "lazada-sandbox"

    def __init__(  # every [UNV] assumption of the doc is an option
        self,
        *,
        access_token_ttl: int = 30 * DAY,
        refresh_token_ttl: int = 180 * DAY,
        auth_code_ttl: int = 1800,
        timestamp_skew: int = 7200,
        qps_per_api: float | None = None,
        error_http_status: int = 200,
        rotate_refresh_token: bool = False,
        partial_apply: bool = True,
        push_duplicates: int = 1,
        push_retry_interval: float = 1800.0,
        push_retry_count: int = 12,
        push_ack_budget: float = 0.5,
        callback_url: str | None = None,
        auto_authorize_seller_id: int | None = None,
        product_offset_max: int = 10_000,
        throttle_code: str = "ApiCallLimit",  # or "E901" (§2.4)
        service_timeout_over: int | None = None,  # updates of more SKUs: ServiceTimeout
        seller_api: bool = True,  # /seller/get is not in marketplaces.md: False = HTTP 404
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.access_token_ttl, self.refresh_token_ttl = access_token_ttl, refresh_token_ttl
        self.auth_code_ttl, self.timestamp_skew = auth_code_ttl, timestamp_skew
        self.qps_per_api, self.error_http_status = qps_per_api, error_http_status
        self.rotate_refresh_token, self.partial_apply = rotate_refresh_token, partial_apply
        self.push_duplicates, self.callback_url = push_duplicates, callback_url
        self.auto_authorize_seller_id = auto_authorize_seller_id
        self.product_offset_max = product_offset_max  # /products/get: offset <= 10,000 (E014)
        self.throttle_code, self.service_timeout_over = throttle_code, service_timeout_over
        self.seller_api = seller_api
        self.apps: dict[str, App] = {}
        self.sellers: dict[int, Seller] = {}
        self.codes: dict[str, Token] = {}
        self.access_tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.products: dict[int, Product] = {}
        self.orders: dict[int, Order] = {}
        self.windows: dict[tuple[str, str], list[float]] = {}  # (caller, api) -> call times
        self.banned: dict[tuple[str, str], float] = {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.publishing = ListingsState()  # listing creation (lazada_catalog, lazada_listings)
        self._ids = {"item": 3_000_000_000, "sku": 9_000_000_000, "order": 480_000_000_000}
        self._ids["line"] = 490_000_000_000
        self._sender = LazadaPushSender(
            ack_budget=push_ack_budget,
            retry_interval=push_retry_interval,
            retry_count=push_retry_count,
        )

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .lazada_http import make_handler

        return make_handler(self)

    def background(self) -> list[Background]:
        return [self._sender]

    @property
    def base_url(self) -> str:
        """The API base URL (an adapter's `base_url`)."""
        return self.origin + "/rest"

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # -- seeding ------------------------------------------------------------------------------
    def add_app(self, app_key: str, app_secret: str, callback_url: str | None = None) -> None:
        with self.lock:
            self.apps[app_key] = App(app_key, app_secret, callback_url)

    def add_seller(self, seller_id: int, name: str, country: str = "VN") -> None:
        with self.lock:
            self.sellers[seller_id] = Seller(seller_id, name, country.upper())

    def add_product(
        self,
        seller_id: int,
        name: str,
        skus: list[dict[str, Any]],
        *,
        status: str = "Active",
        created: float | None = None,
    ) -> tuple[int, list[int]]:
        """A product with SKUs {seller_sku, price, stock (int or {warehouse: n}),
        campaign_lock?}, created now or at `created` (Unix s); returns (item_id, sku_ids)."""
        with self.lock:
            now = self.now() if created is None else created
            product = Product(self._next("item"), seller_id, name, [], now, now, status)
            for spec in skus:
                stock = spec.get("stock", 0)
                sellable = (
                    {str(k): int(v) for k, v in stock.items()}
                    if isinstance(stock, dict)
                    else {DEFAULT_WAREHOUSE: int(stock)}
                )
                product.skus.append(
                    Sku(
                        self._next("sku"),
                        str(spec["seller_sku"]),
                        Decimal(str(spec.get("price", 0))),
                        sellable,
                        int(spec.get("campaign_lock", 0)),
                    )
                )
            self.products[product.item_id] = product
            return product.item_id, [s.sku_id for s in product.skus]

    def set_campaign_lock(self, item_id: int, sku_id: int, quantity: int) -> None:
        with self.lock:
            sku = self.products[item_id].sku(sku_id)
            if sku is None:
                raise KeyError(sku_id)
            sku.campaign_lock = quantity

    # -- orders -------------------------------------------------------------------------------
    def place_order(
        self,
        seller_id: int,
        lines: list[tuple[int, int, int]],
        *,
        status: str = "pending",
        payment_method: str = "COD",
        shipping_fee: Any = 0,
        created: float | None = None,
        customer: tuple[str, str] = ("Sandbox", "Buyer"),
        address: dict[str, str] | None = None,
        remarks: str = "",
    ) -> int:
        """An order of (item_id, sku_id, quantity): one line per unit, taken from sellable
        stock; pushes type 0 once per line. ValueError (nothing changes) when unknown/short."""
        if status not in LINE_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            seller = self.sellers[seller_id]
            taken = self._take(seller_id, lines)
            now = self.now()
            when = float(created) if created is not None else now
            order = Order(
                self._next("order"),
                seller_id,
                when,
                max(when, now),
                [
                    Line(self._next("line"), item, sku, warehouse, status, max(when, now))
                    for item, sku, warehouse in taken
                ],
                payment_method,
                customer,
                address or default_address(seller.country),
                Decimal(str(shipping_fee)),
                remarks,
            )
            self.orders[order.order_id] = order
            if status in RELEASED:
                self._give_back(order.lines)
            self._push_lines(order, order.lines)
            return order.order_id

    def _take(
        self, seller_id: int, lines: list[tuple[int, int, int]]
    ) -> list[tuple[int, int, str]]:
        plan: list[tuple[Sku, int, int, str]] = []
        for item_id, sku_id, qty in lines:
            product = self.products.get(item_id)
            sku = product.sku(sku_id) if product and product.seller_id == seller_id else None
            if sku is None or qty < 1:
                raise ValueError(f"no SKU {item_id}/{sku_id} for seller {seller_id}")
            for _ in range(qty):
                need = 1 + sum(1 for s, *_ in plan if s is sku)
                warehouse = next((k for k, v in sku.sellable.items() if v >= need), None)
                if warehouse is None:
                    raise ValueError(f"not enough stock for {item_id}/{sku_id}")
                plan.append((sku, item_id, sku_id, warehouse))
        for sku, _i, _s, warehouse in plan:
            sku.sellable[warehouse] -= 1
        return [(i, s, w) for _sku, i, s, w in plan]

    def _give_back(self, lines: list[Line]) -> None:
        for line in lines:
            product = self.products.get(line.item_id)
            sku = product.sku(line.sku_id) if product else None
            if sku is not None:
                sku.sellable[line.warehouse] = sku.sellable.get(line.warehouse, 0) + 1

    def set_status(
        self, order_id: int, status: str, *, line_ids: list[int] | None = None, reason: str = ""
    ) -> None:
        """Moves the order's lines (all, or `line_ids`) to `status`; one push per line moved."""
        if status not in LINE_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            order = self.orders[order_id]
            moved = [x for x in order.lines if line_ids is None or x.order_item_id in line_ids]
            if any(x.status in RELEASED and status not in RELEASED for x in moved):
                raise ValueError("a canceled line cannot be revived")
            now = max(self.now(), order.updated)
            self._give_back([x for x in moved if status in RELEASED and x.status not in RELEASED])
            for line in moved:
                line.status, line.updated = status, now
                line.reason = reason or line.reason
                if status in ("shipped", "shipping") and not line.tracking_code:
                    line.tracking_code = f"LZVN{line.order_item_id}"
            order.updated = now
            self._push_lines(order, moved)

    def malformed_order(
        self, seller_id: int, lines: list[tuple[int, int, int]], *, field: str = "paid_price"
    ) -> int:
        """An order whose lines lack `field` (a line field) in /orders/items/get."""
        order_id = self.place_order(seller_id, lines)
        with self.lock:
            self.orders[order_id].defect = {"field": field}
        return order_id

    # -- authorisation ------------------------------------------------------------------------
    def authorize(self, app_key: str, seller_id: int) -> str:
        """What the seller's consent does: a fresh code for this app and seller."""
        with self.lock:
            if app_key not in self.apps or seller_id not in self.sellers:
                raise KeyError((app_key, seller_id))
            code = new_token()
            self.codes[code] = Token(app_key, seller_id, self.now() + self.auth_code_ttl)
            return code

    def expire_access_token(self, seller_id: int) -> None:
        with self.lock:
            for token in self.access_tokens.values():
                if token.seller_id == seller_id:
                    token.expires_at = self.now() - 1

    def revoke(self, seller_id: int) -> None:
        """Every token of the seller dies (refresh answers IllegalRefreshToken)."""
        with self.lock:
            for table in (self.access_tokens, self.refresh_tokens):
                for token in table.values():
                    if token.seller_id == seller_id:
                        token.expires_at = self.now() - 1

    def warn_expiry(self, seller_id: int) -> None:
        """Push type 8: the seller's token ends within 48 h."""
        with self.lock:
            ends = max(
                (t.expires_at for t in self.access_tokens.values() if t.seller_id == seller_id),
                default=self.now() + DAY,
            )
            for app in self.apps.values():
                data = {
                    "app_key": app.app_key,
                    "seller_id": str(seller_id),
                    "auth_expiry_time": int(ends),
                }
                self._emit(app, seller_id, 8, data)

    def configure(self, **options: Any) -> None:
        allowed = {
            "callback_url",
            "qps_per_api",
            "push_duplicates",
            "auto_authorize_seller_id",
            "rotate_refresh_token",
            "partial_apply",
            "error_http_status",
            "product_offset_max",
            "throttle_code",
            "service_timeout_over",
            "seller_api",
        }
        unknown = set(options) - allowed
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}")
        with self.lock:
            for name, value in options.items():
                setattr(self, name, value)
            self.windows.clear()
            self.banned.clear()

    # -- pushes -------------------------------------------------------------------------------
    def _push_lines(self, order: Order, lines: list[Line]) -> None:
        for line in lines:
            data = {
                "order_status": line.status,
                "trade_order_id": str(order.order_id),
                "trade_order_line_id": str(line.order_item_id),
                "status_update_time": int(line.updated),
            }
            for app in self.apps.values():
                self._emit(app, order.seller_id, 0, data)

    def _emit(self, app: App, seller_id: int, message_type: int, data: dict[str, Any]) -> None:
        url = app.callback_url or self.callback_url
        if not url:
            return
        seller = self.sellers.get(seller_id)
        site = f"lazada_{(seller.country if seller else 'VN').lower()}"
        envelope = {
            "seller_id": str(seller_id),
            "message_type": message_type,
            "data": data,
            "timestamp": int(self.now() * 1000),
            "site": site,
        }
        body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
        push = LazadaPush(url, app.app_key, app.app_secret, message_type, body)
        self._sender.enqueue(push, copies=max(1, int(self.push_duplicates)))

    # -- readers ------------------------------------------------------------------------------
    def sellable(self, item_id: int, sku_id: int, warehouse: str | None = None) -> int:
        with self.lock:
            sku = self.products[item_id].sku(sku_id)
            if sku is None:
                raise KeyError(sku_id)
            return sku.sellable.get(warehouse, 0) if warehouse else sku.total()

    def price(self, item_id: int, sku_id: int) -> Decimal:
        with self.lock:
            sku = self.products[item_id].sku(sku_id)
            if sku is None:
                raise KeyError(sku_id)
            return sku.price

    def line_ids(self, order_id: int) -> list[int]:
        with self.lock:
            return [x.order_item_id for x in self.orders[order_id].lines]

    def call_count(self, path: str | None = None) -> int:
        with self.lock:
            return len(self.calls) if path is None else sum(1 for p, _ in self.calls if p == path)

    def call_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(Counter(p for p, _ in self.calls))

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    @property
    def deliveries(self) -> list[LazadaDelivery]:
        return list(self._sender.deliveries)

    @property
    def given_up(self) -> list[LazadaPush]:
        return list(self._sender.given_up)

    def flush_pushes(self, timeout: float = 5.0) -> bool:
        return self._sender.flush(timeout)


if __name__ == "__main__":
    from .lazada_cli import main

    main()
