"""A local Shopee Open Platform v2 server for tests and the offline demo.

Speaks the protocol of /work/shared/api/marketplaces.md section 1 (paths under /api/v2/, public
and shop signatures, the `{request_id, error, message, warning, response}` envelope, pushes
signed `hex(HMAC-SHA256(partner_key, callback_url + "|" + body))`). Assumptions the doc marks
[UNV] are constructor options. Seeding and inspection: the Python methods below or the JSON
control API under /_sandbox/ (see shopee_control.py).

CLI (see shopee_cli.py for the seed file format):
    python -m channels_sync.sandbox.shopee --port 8701 [--seed seed.json] [--order-every 5]
        [--callback URL]
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Background, HttpSandbox, SandboxClock

from .push import Delivery, PushJob, PushSender, push_body
from .shopee_listings import PublishingState
from .shopee_state import (
    ORDER_STATUSES,
    RELEASED,
    Item,
    Line,
    Link,
    LostPush,
    Model,
    Number,
    Order,
    Partner,
    Shop,
    Token,
    default_recipient,
)

DAY = 86400


class ShopeeSandbox(HttpSandbox, SandboxClock):
    thread_name = "shopee-sandbox"

    def __init__(  # every [UNV] assumption of the doc is an option
        self,
        *,
        access_token_ttl: int = 4 * 3600,
        refresh_token_ttl: int = 30 * DAY,
        auth_code_ttl: int = 600,
        authorization_ttl: int = 365 * DAY,
        timestamp_validity: int = 300,
        rate_limit_per_second: float | None = None,
        burst: int = 10,
        status_auth: int = 403,
        status_rate_limit: int = 429,
        status_other: int = 400,
        push_duplicate: bool = False,
        callback_url: str | None = None,
        push_timeout: float = 3.0,
        lost_push_days: int = 3,
        auto_authorize_shop_id: int | None = None,
        auto_tracking: bool = False,
        expired_token_error: str = "invalid_access_token",  # noqa: S107 - an error name
        spent_refresh_token_error: str = "error_shop_refresh_token",  # noqa: S107
        invalid_code_error: str = "error_auth",
        revoked_error: str = "shop_no_linked",
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.access_token_ttl, self.refresh_token_ttl = access_token_ttl, refresh_token_ttl
        self.auth_code_ttl, self.authorization_ttl = auth_code_ttl, authorization_ttl
        self.timestamp_validity = timestamp_validity
        self.rate_limit_per_second, self.burst = rate_limit_per_second, burst
        self.status_auth, self.status_rate_limit = status_auth, status_rate_limit
        self.status_other = status_other
        self.push_duplicate, self.callback_url = push_duplicate, callback_url
        self.lost_push_days = lost_push_days
        self.auto_authorize_shop_id, self.auto_tracking = auto_authorize_shop_id, auto_tracking
        self.expired_token_error = expired_token_error
        self.spent_refresh_token_error = spent_refresh_token_error
        self.invalid_code_error, self.revoked_error = invalid_code_error, revoked_error
        self.partners: dict[int, Partner] = {}
        self.shops: dict[int, Shop] = {}
        self.links: dict[tuple[int, int], Link] = {}
        self.codes: dict[str, Token] = {}
        self.access_tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.items: dict[int, Item] = {}
        self.orders: dict[str, Order] = {}
        self.lost: list[LostPush] = []
        self.publishing = PublishingState()  # listing creation (shopee_listings)
        self.buckets: dict[tuple[int, int], tuple[float, float]] = {}
        self.calls: list[tuple[str, dict[str, list[str]], Any]] = []
        self._ids = {"item": 800_000_000, "model": 1_000_000_000, "order": 0, "line": 0, "msg": 0}
        self._sender = PushSender(self._keep_lost, timeout=push_timeout)

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .shopee_http import make_handler

        return make_handler(self)

    def background(self) -> list[Background]:
        return [self._sender]

    @property
    def base_url(self) -> str:
        return self.origin

    # -- clock --------------------------------------------------------------------------------
    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # -- seeding ------------------------------------------------------------------------------
    def add_partner(
        self, partner_id: int, partner_key: str, callback_url: str | None = None
    ) -> None:
        with self.lock:
            self.partners[partner_id] = Partner(partner_id, partner_key, callback_url)

    def add_shop(
        self, shop_id: int, name: str, region: str = "VN", warehouses: list[str] | None = None
    ) -> None:
        with self.lock:
            self.shops[shop_id] = Shop(shop_id, name, region.upper(), warehouses or None)

    def add_item(
        self,
        shop_id: int,
        item_sku: str,
        name: str,
        models: list[dict[str, Any]] | None = None,
        *,
        price: Number = 0,
        stock: int | dict[str, int] = 0,
        reserved_promotion_stock: int = 0,
        status: str = "NORMAL",
    ) -> tuple[int, list[int]]:
        """Returns (item_id, model_ids); a no-variant item has the single model id 0.

        A model is {model_sku, price, stock, reserved_promotion_stock}; `stock` is an int (first
        warehouse) or {location_id: stock} on a multi-warehouse shop.
        """
        with self.lock:
            shop = self.shops[shop_id]
            now = int(self.now())
            item = Item(self._next("item"), shop_id, item_sku, name, bool(models), [], now, now)
            item.status = status
            for spec in models or [
                {
                    "model_sku": "",
                    "price": price,
                    "stock": stock,
                    "reserved_promotion_stock": reserved_promotion_stock,
                }
            ]:
                model_id = self._next("model") if models else 0
                item.models.append(
                    Model(
                        model_id,
                        str(spec.get("model_sku", "")),
                        _number(spec["price"]),
                        self._stock_map(shop, spec.get("stock", 0)),
                        int(spec.get("reserved_promotion_stock", 0)),
                    )
                )
            self.items[item.item_id] = item
            return item.item_id, [m.model_id for m in item.models]

    @staticmethod
    def _stock_map(shop: Shop, stock: int | dict[str, int]) -> dict[str, int]:
        locations = shop.warehouses or [""]
        if isinstance(stock, dict):
            return {loc: int(stock.get(loc, 0)) for loc in locations}
        return {loc: (int(stock) if i == 0 else 0) for i, loc in enumerate(locations)}

    def place_order(
        self,
        shop_id: int,
        lines: list[tuple[int, int, int]],
        *,
        buyer_username: str = "sandbox_buyer",
        buyer_user_id: int = 700001,
        recipient: dict[str, str] | None = None,
        status: str = "READY_TO_SHIP",
        payment_method: str = "COD",
        create_time: int | None = None,
        note: str = "",
        message_to_seller: str = "",
    ) -> str:
        """Creates an order, takes its units from Shopee-side stock, pushes code 3.

        Raises ValueError on an unknown item/model or when stock is short (nothing changes).
        """
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            shop = self.shops[shop_id]
            taken = self._take_stock(shop_id, lines)
            now = int(self.now())
            created = int(create_time) if create_time is not None else now
            order_sn = (
                time.strftime("%y%m%d", time.gmtime(created)) + f"SB{self._next('order'):06d}"
            )
            order = Order(
                order_sn,
                shop_id,
                status,
                created,
                max(created, now),
                [
                    Line(i, m, q, self._next("line"), loc)
                    for (i, m, q), loc in zip(lines, taken, strict=True)
                ],
                payment_method,
                buyer_user_id,
                buyer_username,
                recipient or default_recipient(shop.region),
                note=note,
                message_to_seller=message_to_seller,
                pay_time=None if status == "UNPAID" else created,
            )
            self.orders[order_sn] = order
            if status in RELEASED:
                self._give_back(order)
            self._push_status(order)
            return order_sn

    def _take_stock(self, shop_id: int, lines: list[tuple[int, int, int]]) -> list[str]:
        plan: list[tuple[Model, str, int]] = []
        for item_id, model_id, qty in lines:
            item = self.items.get(item_id)
            model = item.model(model_id) if item and item.shop_id == shop_id else None
            if model is None or qty < 1:
                raise ValueError(f"no model {item_id}/{model_id} in shop {shop_id}")
            need = qty + sum(q for m, _, q in plan if m is model)
            loc = next((k for k, v in model.stock.items() if v >= need), None)
            if loc is None:
                raise ValueError(f"not enough stock for {item_id}/{model_id}")
            plan.append((model, loc, qty))
        for model, loc, qty in plan:
            model.stock[loc] -= qty
        return [loc for _, loc, _ in plan]

    def _give_back(self, order: Order) -> None:
        for line in order.lines:
            item = self.items.get(line.item_id)
            model = item.model(line.model_id) if item else None
            if model is not None:
                model.stock[line.location_id] = model.stock.get(line.location_id, 0) + line.qty

    def malformed_order(
        self,
        shop_id: int,
        lines: list[tuple[int, int, int]],
        *,
        defect: str = "missing_field",
        field: str = "item_list.model_quantity_purchased",
    ) -> str:
        """An order whose detail lacks `field` (dotted for item fields) or, with
        defect="bad_price", carries non-numeric item prices and total."""
        if defect not in ("missing_field", "bad_price"):
            raise ValueError(defect)
        order_sn = self.place_order(shop_id, lines)
        with self.lock:
            self.orders[order_sn].defect = {"kind": defect, "field": field}
        return order_sn

    def set_order_status(self, order_sn: str, status: str) -> None:
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            order = self.orders[order_sn]
            if status in RELEASED and order.status not in RELEASED:
                self._give_back(order)
            elif order.status in RELEASED and status not in RELEASED:
                raise ValueError("a cancelled order cannot be revived")
            order.status = status
            order.update_time = max(int(self.now()), order.update_time)
            if status not in ("UNPAID", "CANCELLED") and order.pay_time is None:
                order.pay_time = order.update_time
            self._push_status(order)

    def set_tracking(self, order_sn: str, tracking_no: str) -> None:
        with self.lock:
            order = self.orders[order_sn]
            order.tracking_no = tracking_no
            data = {
                "ordersn": order_sn,
                "forder_id": f"{order_sn}F1",
                "package_number": order.package_number,
                "tracking_no": tracking_no,
            }
            self._emit(order.shop_id, 4, data, msg_id=True)

    def revoke_shop(self, shop_id: int) -> None:
        """Seller cancels the authorization: tokens die, push code 2."""
        with self.lock:
            for link in self.links.values():
                if link.shop_id == shop_id:
                    link.revoked = True
            data = {"shop_id": shop_id, "success": 1, "extra": "cancel authorization"}
            self._emit(shop_id, 2, data, partner_level=True)

    def warn_expiry(self, shop_id: int) -> None:
        """Push code 12: the authorization expires within 7 days."""
        with self.lock:
            link = next((x for x in self.links.values() if x.shop_id == shop_id), None)
            expire = link.expire_time if link else int(self.now()) + 7 * DAY
            data = {
                "merchant_expire_soon": [],
                "shop_expire_soon": [shop_id],
                "expire_before": expire,
                "page_no": 1,
                "total_page": 1,
            }
            self._emit(shop_id, 12, data, partner_level=True)

    def expire_access_token(self, shop_id: int) -> None:
        with self.lock:
            for token in self.access_tokens.values():
                if token.shop_id == shop_id:
                    token.expires_at = self.now() - 1

    def configure(self, **options: Any) -> None:
        allowed = {
            "callback_url",
            "rate_limit_per_second",
            "burst",
            "push_duplicate",
            "auto_authorize_shop_id",
            "auto_tracking",
        }
        unknown = set(options) - allowed
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}")
        with self.lock:
            for name, value in options.items():
                setattr(self, name, value)
            self.buckets.clear()

    def set_reserve(self, item_id: int, model_id: int, reserved: int) -> None:
        """A promotion starts (reserved > 0), changes or ends (0) on one model: its reserved
        promotion stock, reported in `stock_info_v2` and the floor of update_stock."""
        with self.lock:
            model = self.items[item_id].model(model_id)
            if model is None or reserved < 0:
                raise KeyError(model_id)
            model.reserved = reserved
            self.items[item_id].update_time = int(self.now())
            self._emit(self.items[item_id].shop_id, 8, {"item_id": item_id, "model_id": model_id})

    # -- readers ------------------------------------------------------------------------------
    def item_stock(self, item_id: int, model_id: int = 0, location_id: str | None = None) -> int:
        """Seller stock of one model: one warehouse, or the sum over warehouses."""
        with self.lock:
            model = self.items[item_id].model(model_id)
            if model is None:
                raise KeyError(model_id)
            return (
                model.stock[location_id] if location_id is not None else sum(model.stock.values())
            )

    def item_price(self, item_id: int, model_id: int = 0) -> Number:
        with self.lock:
            model = self.items[item_id].model(model_id)
            if model is None:
                raise KeyError(model_id)
            return model.price

    def order_status(self, order_sn: str) -> str:
        with self.lock:
            return self.orders[order_sn].status

    def call_count(self, path: str | None = None) -> int:
        """Protocol calls received, for one path ("/api/v2/..." or "order/get_order_list")."""
        with self.lock:
            if path is None:
                return len(self.calls)
            full = path if path.startswith("/") else f"/api/v2/{path}"
            return sum(1 for p, _, _ in self.calls if p == full)

    def call_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(Counter(p for p, _, _ in self.calls))

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self._sender.deliveries)

    def flush_pushes(self, timeout: float = 5.0) -> bool:
        return self._sender.flush(timeout)

    # -- authorization ------------------------------------------------------------------------
    def authorize(self, partner_id: int, shop_id: int) -> str:
        """What the seller's "Authorize" click does: links the shop, returns a fresh code."""
        from .shopee_state import new_token

        with self.lock:
            if partner_id not in self.partners or shop_id not in self.shops:
                raise KeyError((partner_id, shop_id))
            now = int(self.now())
            self.links[(partner_id, shop_id)] = Link(
                partner_id, shop_id, now, now + self.authorization_ttl
            )
            code = new_token()
            self.codes[code] = Token(partner_id, shop_id, now + self.auth_code_ttl)
            self._emit(
                shop_id,
                1,
                {"shop_id": shop_id, "success": 1, "extra": ""},
                partner_level=True,
                partners=[partner_id],
            )
            return code

    # -- pushes -------------------------------------------------------------------------------
    def _push_status(self, order: Order) -> None:
        data = {
            "items": [],
            "ordersn": order.order_sn,
            "status": order.status,
            "completed_scenario": "",
            "update_time": order.update_time,
        }
        self._emit(order.shop_id, 3, data)

    def _emit(
        self,
        shop_id: int,
        code: int,
        data: dict[str, Any],
        *,
        partner_level: bool = False,
        msg_id: bool = False,
        partners: list[int] | None = None,
    ) -> None:
        """Queue one push per partner linked to the shop (every partner if none is)."""
        targets = partners or [p for (p, s) in self.links if s == shop_id] or list(self.partners)
        timestamp = int(self.now())
        for partner_id in targets:
            partner = self.partners[partner_id]
            url = partner.callback_url or self.callback_url
            if not url:
                continue
            mid = f"sandbox-{self._next('msg')}" if msg_id else None
            top_shop = None if partner_level else shop_id
            body = push_body(data, shop_id=top_shop, code=code, timestamp=timestamp, msg_id=mid)
            job = PushJob(partner_id, top_shop, code, timestamp, url, partner.partner_key, body)
            for _ in range(2 if self.push_duplicate else 1):
                self._sender.enqueue(job)

    def _keep_lost(self, job: PushJob) -> None:
        with self.lock:
            # A duplicate send of the same push is one lost message.
            if any(x.body == job.body.decode() for x in self.lost):
                return
            lost = LostPush(self._next("msg"), job.partner_id, job.shop_id, job.code, 0, "")
            lost.timestamp, lost.body = int(self.now()), job.body.decode()
            self.lost.append(lost)


def _number(value: Any) -> Number:
    """Prices as JSON numbers: a Decimal (or numeric string) becomes int when whole."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


if __name__ == "__main__":
    from .shopee_cli import main

    main()
