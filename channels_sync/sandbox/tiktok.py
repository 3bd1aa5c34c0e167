"""A local TikTok Shop Partner API (202309) server for tests and the offline demo.

Speaks the protocol of /work/shared/api/marketplaces.md section 3 on one port: the auth host's
calls (`/oauth/authorize`, `/api/v2/token/get`, `/api/v2/token/refresh`) and the API host's
(`/authorization/202309/shops`, orders, products, inventory and prices), the signature over
path, sorted query and body wrapped in the app secret, the `x-tts-access-token` header, the
shop cipher, the `{code, message, request_id, data}` envelope with the documented codes, page
tokens, batch limits, 50 calls per second per API per app+shop (HTTP 429), and webhooks signed
`hex(HMAC(app_secret, app_key + body))` with the documented retry schedule (scalable). What the
doc marks [UNV] is an option. Seeding and inspection: the methods below or the JSON control API
under /_sandbox/ (tiktok_http.py).

CLI: python -m channels_sync.sandbox.tiktok --port 8703 [--seed seed.json] [--order-every 5]
         [--webhook-url URL] [--auto-authorize]      (see tiktok_cli.py)
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Background, HttpSandbox, SandboxClock

from .tiktok_state import (
    ORDER_STATUSES,
    App,
    Grant,
    Order,
    Product,
    Shop,
    Sku,
    Token,
    Unit,
    default_recipient,
    new_token,
)
from .tiktok_webhooks import Delivery, Webhook, WebhookSender

DAY = 86400
RELEASED = ("CANCELLED",)
PACKAGE_STATUSES = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED")
OPTIONS = {
    "qps",
    "webhook_url",
    "webhook_duplicate",
    "auto_authorize",
    "allow_zero_quantity",
    "detail_cancel_status",
    "webhook_cancel_status",
    "search_reach",
    "rotate_refresh_token",
    "line_quantity_field",
}


class TikTokSandbox(HttpSandbox, SandboxClock):
    thread_name = "tiktok-sandbox"

    def __init__(  # every [UNV] assumption of the doc is an option
        self,
        *,
        access_token_ttl: int = 7 * DAY,
        authorization_ttl: int = 365 * DAY,
        auth_code_ttl: int = 30 * 60,
        timestamp_past: int = 300,
        timestamp_future: int = 30,
        qps: int = 50,
        allow_zero_quantity: bool = True,  # [UNV] documented range is 1-99 999
        webhook_url: str | None = None,
        webhook_timeout: float = 3.0,
        retry_scale: float = 1.0,  # 0.001: +2 min becomes 0.12 s
        webhook_duplicate: bool = False,
        auto_authorize: bool = False,  # the consent page grants every shop at once
        detail_cancel_status: str = "CANCELLED",
        webhook_cancel_status: str = "CANCEL",
        search_reach: int = 10_000,  # products/search pages through this many results at most
        rotate_refresh_token: bool = False,  # [UNV] a refresh spends the refresh token sent
        line_quantity_field: bool = False,  # [UNV] one row per SKU with `quantity`, not per unit
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.access_token_ttl, self.authorization_ttl = access_token_ttl, authorization_ttl
        self.auth_code_ttl = auth_code_ttl
        self.timestamp_past, self.timestamp_future = timestamp_past, timestamp_future
        self.qps, self.allow_zero_quantity = qps, allow_zero_quantity
        self.webhook_url, self.webhook_duplicate = webhook_url, webhook_duplicate
        self.auto_authorize = auto_authorize
        self.detail_cancel_status = detail_cancel_status
        self.webhook_cancel_status = webhook_cancel_status
        self.search_reach = search_reach
        self.rotate_refresh_token, self.line_quantity_field = (
            rotate_refresh_token,
            line_quantity_field,
        )
        self.apps: dict[str, App] = {}
        self.shops: dict[str, Shop] = {}
        self.grants: list[Grant] = []
        self.codes: dict[str, Token] = {}
        self.access_tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.products: dict[str, Product] = {}
        self.orders: dict[str, Order] = {}
        self.page_tokens: dict[str, tuple[str, int]] = {}
        self.hits: dict[tuple[str, str, str], deque[float]] = {}
        self.calls: list[tuple[str, dict[str, list[str]], Any, int]] = []
        self._ids = {"product": 1729_000_000_000_000_000, "sku": 1729_500_000_000_000_000}
        self._ids.update({"order": 576_000_000_000_000_000, "line": 0, "notification": 0})
        self.sender = WebhookSender(timeout=webhook_timeout, retry_scale=retry_scale)

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .tiktok_http import make_handler

        return make_handler(self)

    def background(self) -> list[Background]:
        return [self.sender]

    @property
    def base_url(self) -> str:
        return self.origin

    def next_id(self, kind: str) -> str:
        self._ids[kind] += 1
        return str(self._ids[kind])

    # -- seeding ------------------------------------------------------------------------------
    def add_app(
        self, app_key: str, app_secret: str, redirect_url: str = "", webhook_url: str = ""
    ) -> None:
        with self.lock:
            self.apps[app_key] = App(app_key, app_secret, redirect_url, webhook_url)

    def add_shop(
        self, shop_id: str, name: str, region: str = "VN", warehouses: list[str] | None = None
    ) -> str:
        """Returns the shop's cipher."""
        with self.lock:
            cipher = f"ROW_{region.upper()}_{shop_id[-6:]}{new_token()[4:14]}"
            stores = warehouses or [f"WH{shop_id[-4:]}01"]
            self.shops[str(shop_id)] = Shop(str(shop_id), name, region.upper(), cipher, stores)
            return cipher

    def add_product(
        self,
        shop_id: str,
        title: str,
        skus: list[dict[str, Any]],
        *,
        status: str = "ACTIVATE",
        created: int | None = None,
    ) -> tuple[str, list[str]]:
        """Returns (product_id, sku_ids), created now or at `created` (Unix s). A SKU is
        {seller_sku, price, stock, options?, promotion_lock?}; `stock` is an int (first
        warehouse) or {warehouse_id: quantity}."""
        with self.lock:
            shop = self.shops[str(shop_id)]
            now = int(self.now()) if created is None else int(created)
            product = Product(self.next_id("product"), shop.shop_id, title, status, [], now, now)
            for spec in skus:
                stock = spec.get("stock", 0)
                places = (
                    {w: int(stock.get(w, 0)) for w in shop.warehouses}
                    if isinstance(stock, dict)
                    else {w: int(stock) if i == 0 else 0 for i, w in enumerate(shop.warehouses)}
                )
                product.skus.append(
                    Sku(
                        self.next_id("sku"),
                        str(spec.get("seller_sku", "")),
                        _decimal_text(spec.get("price", 0)),
                        places,
                        [str(o) for o in spec.get("options", [])],
                        int(spec.get("promotion_lock", 0)),
                    )
                )
            self.products[product.product_id] = product
            return product.product_id, [s.sku_id for s in product.skus]

    def authorize(self, app_key: str, shop_ids: list[str]) -> str:
        """What the seller's consent does: a grant of the shops to the app, a fresh code."""
        with self.lock:
            if app_key not in self.apps or any(s not in self.shops for s in shop_ids):
                raise KeyError((app_key, shop_ids))
            now = int(self.now())
            grant = Grant(app_key, [str(s) for s in shop_ids], now + self.authorization_ttl)
            self.grants.append(grant)
            code = new_token()
            self.codes[code] = Token(grant, now + self.auth_code_ttl)
            return code

    # -- orders -------------------------------------------------------------------------------
    def place_order(
        self,
        shop_id: str,
        lines: list[tuple[str, str, int]],
        *,
        status: str = "AWAITING_SHIPMENT",
        is_cod: bool = True,
        user_id: str = "7494000000000000001",
        recipient: dict[str, Any] | None = None,
        shipping_fee: Any = 0,
        create_time: int | None = None,
        buyer_message: str = "",
    ) -> str:
        """An order of (product_id, sku_id, quantity) lines: its units are taken from the
        shop's stock (one warehouse per line) and webhook type 1 is sent. ValueError on an
        unknown SKU or short stock (nothing changes)."""
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            shop = self.shops[str(shop_id)]
            units = self._take_stock(shop.shop_id, lines)
            now = int(self.now())
            created = int(create_time) if create_time is not None else now
            order = Order(
                self.next_id("order"),
                shop.shop_id,
                status,
                created,
                max(created, now),
                units,
                bool(is_cod),
                str(user_id),
                recipient or default_recipient(shop.region),
                shipping_fee=_decimal_text(shipping_fee),
                paid_time=None if status == "UNPAID" else created,
                buyer_message=buyer_message,
            )
            self.orders[order.order_id] = order
            if status in RELEASED:
                self._give_back(order)
            self._order_webhook(order)
            return order.order_id

    def _take_stock(self, shop_id: str, lines: list[tuple[str, str, int]]) -> list[Unit]:
        plan: list[tuple[Sku, str, str, int]] = []
        for product_id, sku_id, qty in lines:
            product = self.products.get(str(product_id))
            sku = product.sku(str(sku_id)) if product and product.shop_id == shop_id else None
            if sku is None or int(qty) < 1:
                raise ValueError(f"no SKU {product_id}/{sku_id} in shop {shop_id}")
            need = int(qty) + sum(q for s, _, _, q in plan if s is sku)
            place = next((w for w, v in sku.stock.items() if v >= need), None)
            if place is None:
                raise ValueError(f"not enough stock for {product_id}/{sku_id}")
            plan.append((sku, str(product_id), place, int(qty)))
        units: list[Unit] = []
        for sku, product_id, place, qty in plan:
            sku.stock[place] -= qty
            units.extend(
                Unit(self.next_id("line"), product_id, sku.sku_id, place) for _ in range(qty)
            )
        return units

    def _give_back(self, order: Order) -> None:
        for unit in order.units:
            product = self.products.get(unit.product_id)
            sku = product.sku(unit.sku_id) if product else None
            if sku is not None:
                sku.stock[unit.warehouse_id] = sku.stock.get(unit.warehouse_id, 0) + 1

    def malformed_order(
        self, shop_id: str, lines: list[tuple[str, str, int]], *, field: str = "line_items.sku_id"
    ) -> str:
        """An order whose JSON lacks `field` (dotted: "payment.total_amount",
        "line_items.sale_price"), or carries "abc" as prices with field="bad_price"."""
        order_id = self.place_order(shop_id, lines)
        with self.lock:
            self.orders[order_id].defect = {"field": field}
        return order_id

    def set_order_status(self, order_id: str, status: str, *, cancel_reason: str = "") -> None:
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            order = self.orders[order_id]
            if status in RELEASED and order.status not in RELEASED:
                self._give_back(order)
                order.cancel_reason = cancel_reason or "Buyer changed their mind"
            elif order.status in RELEASED and status not in RELEASED:
                raise ValueError("a cancelled order cannot be revived")
            order.status = status
            order.update_time = max(int(self.now()), order.update_time)
            if status not in ("UNPAID", "CANCELLED") and order.paid_time is None:
                order.paid_time = order.update_time
            self._order_webhook(order)
            if status in PACKAGE_STATUSES:  # the package moved: webhook type 4
                package = {"package_id": f"P{order_id}", "order_id_list": [order_id]}
                data = {"sc_type": "SPLIT", "role_type": "SELLER", "package_list": [package]}
                self.emit(order.shop_id, 4, {**data, "update_time": order.update_time})

    def request_cancellation(self, order_id: str) -> None:
        """The buyer asks to cancel: webhook type 11 (the order's status does not move)."""
        with self.lock:
            order = self.orders[order_id]
            data = {
                "order_id": order_id,
                "cancellations_role": "BUYER",
                "cancel_status": "CANCELLATION_REQUEST_PENDING",
                "cancel_id": f"C{order_id}",
                "create_time": int(self.now()),
            }
            self.emit(order.shop_id, 11, data)

    def order_status(self, order_id: str) -> str:
        with self.lock:
            return self.orders[order_id].status

    # -- shops and authorisations ----------------------------------------------------------------
    def revoke_shop(self, shop_id: str) -> None:
        """The seller deauthorises: the grants' tokens die, webhook type 6."""
        with self.lock:
            for grant in self.grants:
                if shop_id in grant.shop_ids:
                    grant.revoked = True
            self.emit(shop_id, 6, {"message": "The seller has deauthorized the app."})

    def warn_expiry(self, shop_id: str) -> int:
        """Webhook type 7: the authorisation ends at `expiration_time` (returned)."""
        with self.lock:
            grant = next((g for g in self.grants if shop_id in g.shop_ids and not g.revoked), None)
            ends = grant.expires_at if grant else int(self.now()) + 30 * DAY
            message = "The authorization of the app will expire soon."
            self.emit(shop_id, 7, {"message": message, "expiration_time": ends})
            return ends

    def expire_access_token(self, shop_id: str) -> None:
        with self.lock:
            for token in self.access_tokens.values():
                if shop_id in token.grant.shop_ids:
                    token.expires_at = int(self.now()) - 1

    def set_promotion_lock(self, product_id: str, sku_id: str, quantity: int) -> None:
        """A promotion holds `quantity`: inventory updates below it are refused (12052393)."""
        with self.lock:
            sku = self.products[product_id].sku(sku_id)
            if sku is None:
                raise KeyError(sku_id)
            sku.promotion_lock = int(quantity)

    def set_product_status(self, product_id: str, status: str) -> None:
        with self.lock:
            product = self.products[product_id]
            product.status, product.update_time = status, int(self.now())

    def configure(self, **options: Any) -> None:
        unknown = set(options) - OPTIONS
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}")
        with self.lock:
            for name, value in options.items():
                setattr(self, name, value)
            self.hits.clear()

    # -- readers ------------------------------------------------------------------------------
    def sku_stock(self, product_id: str, sku_id: str, warehouse_id: str | None = None) -> int:
        with self.lock:
            sku = self.products[product_id].sku(sku_id)
            if sku is None:
                raise KeyError(sku_id)
            return sku.stock[warehouse_id] if warehouse_id else sum(sku.stock.values())

    def sku_price(self, product_id: str, sku_id: str) -> str:
        with self.lock:
            sku = self.products[product_id].sku(sku_id)
            if sku is None:
                raise KeyError(sku_id)
            return sku.price

    def call_count(self, path: str | None = None, *, status: int | None = None) -> int:
        with self.lock:
            return sum(
                1
                for p, _, _, s in self.calls
                if (path is None or p == path) and (status is None or s == status)
            )

    def call_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(Counter(p for p, _, _, _ in self.calls))

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.sender.deliveries)

    def flush_webhooks(self, timeout: float = 5.0, retries: bool = False) -> bool:
        return self.sender.flush(timeout, retries=retries)

    # -- webhooks -----------------------------------------------------------------------------
    def _order_webhook(self, order: Order) -> None:
        status = self.webhook_cancel_status if order.status in RELEASED else order.status
        data = {
            "order_id": order.order_id,
            "order_status": status,
            "is_on_hold_order": order.status == "ON_HOLD",
            "update_time": order.update_time,
        }
        self.emit(order.shop_id, 1, data)

    def inventory_changed(self, shop_id: str, product_id: str, sku_id: str, before: int) -> None:
        """Webhook type 27 when a SKU runs out or comes back."""
        sku = self.products[product_id].sku(sku_id)
        now = sum(sku.stock.values()) if sku else 0
        if (before > 0) != (now > 0):
            data = {
                "product_id": product_id,
                "sku_id": sku_id,
                "current_inventory_status": "IN_STOCK" if now else "OUT_OF_STOCK",
                "inventory_distribution": {"warehouse_inventory": dict(sku.stock) if sku else {}},
            }
            self.emit(shop_id, 27, data)

    def emit(self, shop_id: str, kind: int, data: dict[str, Any]) -> None:
        """One webhook per app the shop is granted to, to its URL (else the sandbox's)."""
        apps = {g.app_key for g in self.grants if shop_id in g.shop_ids}
        for app_key in sorted(apps):
            app = self.apps[app_key]
            url = app.webhook_url or self.webhook_url
            if not url:
                continue
            envelope = {
                "type": kind,
                # 19 digits like TikTok's, distinct for every counter value (a "7" fill would
                # make 1, 71 and 771 the same id: repeats by the documented dedup key).
                "tts_notification_id": f"7{int(self.next_id('notification')):018d}",
                "shop_id": shop_id,
                "timestamp": int(self.now()),
                "data": data,
            }
            body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
            hook = Webhook(url, app.app_key, app.app_secret, kind, body)
            for _ in range(2 if self.webhook_duplicate else 1):
                self.sender.enqueue(hook)


def _decimal_text(value: Any) -> str:
    """A price as TikTok sends it: a decimal string without exponent ("199000", "12.5")."""
    number = Decimal(str(value))
    return format(number.normalize(), "f") if number else "0"


if __name__ == "__main__":
    from .tiktok_cli import main

    main()
