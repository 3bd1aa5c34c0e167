"""The platforms bench_channels.py can drive: one class per platform sandbox, behind one small
interface (how to seed and start its sandbox, connect a shop, place orders, point its pushes at
us, read its stock and orders, which API paths count as detail/list/stock calls).

Adding a platform: subclass BenchPlatform, implement the methods with that sandbox's control
API, and register it in PLATFORMS under the name `--platforms` takes (shopee, lazada, tiktok).
Every sandbox is expected to answer `GET /_sandbox/calls` ({counts: {path: n}}) and
`POST /_sandbox/reset_calls` as Shopee's does; `fold` turns its paths into APIs.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Control = Callable[..., dict[str, Any]]  # ctl(name, data=None) of one sandbox


class BenchPlatform:
    """One platform's sandbox, as the benchmark sees it."""

    name: str = ""
    module: str = ""  # `python -m <module> --port N --seed FILE` starts the sandbox
    detail_path: str = ""  # order detail call (batch of detail_batch ids)
    list_path: str = ""  # order list call (pages of list_page orders)
    stock_path: str = ""  # stock update call (one per item per push)
    webhook_path: str = ""  # our URL its pushes go to
    detail_batch: int = 50
    list_page: int = 100
    ready_path: str = "/_sandbox/state"  # a GET that answers once the sandbox is up

    def api_url(self, sandbox_url: str) -> str:
        """The API base URL of an app on this sandbox (Lazada's APIs are under /rest)."""
        return sandbox_url

    def fold(self, counts: dict[str, int]) -> dict[str, int]:
        """The sandbox's calls per path, as the benchmark counts them (one API per name)."""
        return counts

    def deliveries(self, ctl: Control) -> list[dict[str, Any]]:
        """The sandbox's push attempts, each with `ok` (acknowledged in time)."""
        return list(ctl("pushes")["deliveries"])

    def pull_detail_minimum(self, orders: int) -> int:
        """Detail calls a pull of `orders` orders needs at least (the list gives ids only)."""
        return math.ceil(orders / self.detail_batch)

    def command(self, port: int, seed_file: Path) -> list[str]:
        return [sys.executable, "-m", self.module, "--port", str(port), "--seed", str(seed_file)]

    def seed(self, skus: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    def connect(self, ctl: Control, sandbox_url: str) -> int:
        """Register our app, connect the shop through the real flow; the account id."""
        raise NotImplementedError

    def place(self, ctl: Control, item_ids: list[int], count: int, rng: random.Random) -> list[str]:
        """Place `count` orders (one control call); their platform order ids."""
        raise NotImplementedError

    def set_callback(self, ctl: Control, url: str | None) -> None:
        """Send the sandbox's pushes to `url` (None: no pushes)."""
        raise NotImplementedError

    def items(self, ctl: Control) -> dict[str, int]:
        """Seller SKU -> the sandbox's item id."""
        raise NotImplementedError

    def stock(self, ctl: Control) -> dict[int, int]:
        """Item id -> the stock the sandbox shows (first model, every warehouse)."""
        raise NotImplementedError

    def order_ids(self, ctl: Control) -> set[str]:
        raise NotImplementedError


class ShopeeBench(BenchPlatform):
    name = "shopee"
    module = "channels_sync.sandbox.shopee"
    detail_path = "/api/v2/order/get_order_detail"
    list_path = "/api/v2/order/get_order_list"
    stock_path = "/api/v2/product/update_stock"
    webhook_path = "/webhooks/shopee"
    partner_id, partner_key, shop_id = 2001887, "bench_partner_key", 727720655

    def seed(self, skus: list[str]) -> dict[str, Any]:
        return {
            "partners": [{"partner_id": self.partner_id, "partner_key": self.partner_key}],
            "shops": [
                {
                    "shop_id": self.shop_id,
                    "name": "Bench shop",
                    "region": "VN",
                    "items": [
                        {"item_sku": sku, "name": sku, "price": 150000, "stock": 100_000}
                        for sku in skus
                    ],
                }
            ],
        }

    def connect(self, ctl: Control, sandbox_url: str) -> int:
        from channels_sync.services.accounts import app_save, connect_finish

        app = app_save(
            platform="shopee",
            name="Bench sandbox",
            app_key=str(self.partner_id),
            app_secret=self.partner_key,
            api_base_url=sandbox_url,
        )
        code = ctl("authorize", {"partner_id": self.partner_id, "shop_id": self.shop_id})["code"]
        account = connect_finish(app_id=app.pk, code=code, shop_id=str(self.shop_id))
        return int(account.pk)

    def place(self, ctl: Control, item_ids: list[int], count: int, rng: random.Random) -> list[str]:
        batch = [
            {
                "shop_id": self.shop_id,
                "lines": [[item, 0, 1] for item in rng.sample(item_ids, k=rng.choice((1, 1, 2)))],
                "payment_method": rng.choice(("COD", "Credit Card")),
                "buyer_username": f"buyer{rng.randint(1, 5000)}",
                "buyer_user_id": rng.randint(100_000, 105_000),
            }
            for _ in range(count)
        ]
        answer = ctl("place_order", {"orders": batch})
        if answer["failed"]:
            raise RuntimeError(f"sandbox refused orders: {answer['failed'][:3]}")
        return list(answer["order_sn_list"])

    def set_callback(self, ctl: Control, url: str | None) -> None:
        ctl("configure", {"callback_url": url})

    def items(self, ctl: Control) -> dict[str, int]:
        return {item["item_sku"]: int(item["item_id"]) for item in ctl("items")["items"]}

    def stock(self, ctl: Control) -> dict[int, int]:
        items = ctl("items")["items"]
        return {int(i["item_id"]): sum(i["models"][0]["stock"].values()) for i in items}

    def order_ids(self, ctl: Control) -> set[str]:
        return {o["order_sn"] for o in ctl("orders")["orders"]}


class LazadaBench(BenchPlatform):
    """Lazada: one product per SKU; `/orders/items/get` takes 50 orders, `/orders/get` pages of
    100; stock updates go 50 SKUs a call (absolute or delta, counted as one API)."""

    name = "lazada"
    module = "channels_sync.sandbox.lazada"
    detail_path = "/orders/items/get"
    list_path = "/orders/get"
    stock_path = "/product/stock/sellable/update"
    webhook_path = "/webhooks/lazada"
    ready_path = "/_sandbox/calls"
    app_key, app_secret, seller_id = "100821", "bench_lazada_secret", 200188457

    def __init__(self) -> None:
        self.skus: dict[int, int] = {}  # item id -> its SKU id

    def api_url(self, sandbox_url: str) -> str:
        return f"{sandbox_url}/rest"

    def fold(self, counts: dict[str, int]) -> dict[str, int]:
        folded = dict(counts)
        adjusted = folded.pop("/product/stock/sellable/adjust", 0)
        if adjusted:
            folded[self.stock_path] = folded.get(self.stock_path, 0) + adjusted
        return folded

    def seed(self, skus: list[str]) -> dict[str, Any]:
        products = [
            {"name": sku, "skus": [{"seller_sku": sku, "price": 150000, "stock": 100_000}]}
            for sku in skus
        ]
        return {
            "apps": [{"app_key": self.app_key, "app_secret": self.app_secret}],
            "sellers": [
                {
                    "seller_id": self.seller_id,
                    "name": "Bench",
                    "country": "VN",
                    "products": products,
                }
            ],
        }

    def connect(self, ctl: Control, sandbox_url: str) -> int:
        from channels_sync.services.accounts import app_save, connect_finish

        app = app_save(
            platform="lazada",
            name="Bench Lazada sandbox",
            app_key=self.app_key,
            app_secret=self.app_secret,
            api_base_url=self.api_url(sandbox_url),
        )
        code = ctl("authorize", {"app_key": self.app_key, "seller_id": self.seller_id})["code"]
        return int(connect_finish(app_id=app.pk, code=code, shop_id="").pk)

    def place(self, ctl: Control, item_ids: list[int], count: int, rng: random.Random) -> list[str]:
        batch = [
            {
                "seller_id": self.seller_id,
                "lines": [
                    [item, self.skus[item], 1]
                    for item in rng.sample(item_ids, k=rng.choice((1, 1, 2)))
                ],
                "payment_method": rng.choice(("COD", "MIXEDCARD")),
            }
            for _ in range(count)
        ]
        answer = ctl("place_order", {"orders": batch})
        if answer["failed"]:
            raise RuntimeError(f"sandbox refused orders: {answer['failed'][:3]}")
        return [str(o) for o in answer["order_ids"]]

    def set_callback(self, ctl: Control, url: str | None) -> None:
        ctl("configure", {"callback_url": url})

    def _products(self, ctl: Control) -> list[dict[str, Any]]:
        return list(ctl(f"products?seller_id={self.seller_id}")["products"])

    def items(self, ctl: Control) -> dict[str, int]:
        found = {}
        for product in self._products(ctl):
            sku = product["skus"][0]
            self.skus[int(product["item_id"])] = int(sku["sku_id"])
            found[sku["seller_sku"]] = int(product["item_id"])
        return found

    def stock(self, ctl: Control) -> dict[int, int]:
        return {int(p["item_id"]): int(p["skus"][0]["sellable"]) for p in self._products(ctl)}

    def order_ids(self, ctl: Control) -> set[str]:
        return {str(o["order_id"]) for o in ctl("orders")["orders"]}


class TikTokBench(BenchPlatform):
    """TikTok Shop: one product per SKU; orders searched 100 a page and read 50 ids a call;
    one inventory call per product (ids in paths folded into one API)."""

    name = "tiktok"
    module = "channels_sync.sandbox.tiktok"
    detail_path = "/order/202309/orders"
    list_path = "/order/202309/orders/search"
    stock_path = "/product/202309/products/{id}/inventory/update"
    webhook_path = "/webhooks/tiktok"
    app_key, app_secret, shop_id = "bench_tiktok", "bench_tiktok_secret", "7494049642642441621"

    def __init__(self) -> None:
        self.skus: dict[int, str] = {}  # product id -> its SKU id

    def command(self, port: int, seed_file: Path) -> list[str]:
        return [*super().command(port, seed_file), "--retry-scale", "0.01"]

    def deliveries(self, ctl: Control) -> list[dict[str, Any]]:
        return list(ctl("webhooks")["deliveries"])

    def pull_detail_minimum(self, orders: int) -> int:
        return 0  # orders/search answers whole orders: a pull reads no detail

    def fold(self, counts: dict[str, int]) -> dict[str, int]:
        from channels_sync.adapters.tiktok_pacing import api_name

        folded: dict[str, int] = {}
        for path, count in counts.items():
            folded[api_name(path)] = folded.get(api_name(path), 0) + count
        return folded

    def seed(self, skus: list[str]) -> dict[str, Any]:
        products = [
            {
                "title": f"Bench product {sku} for the sync benchmark",
                "skus": [{"seller_sku": sku, "price": "150000", "stock": 99_999}],
            }
            for sku in skus
        ]
        return {
            "apps": [{"app_key": self.app_key, "app_secret": self.app_secret}],
            "shops": [
                {"shop_id": self.shop_id, "name": "Bench", "region": "VN", "products": products}
            ],
        }

    def connect(self, ctl: Control, sandbox_url: str) -> int:
        from channels_sync.services.accounts import app_save, connect_finish

        app = app_save(
            platform="tiktok",
            name="Bench TikTok sandbox",
            app_key=self.app_key,
            app_secret=self.app_secret,
            api_base_url=sandbox_url,
        )
        code = ctl("authorize", {"app_key": self.app_key, "shop_ids": [self.shop_id]})["result"]
        return int(connect_finish(app_id=app.pk, code=str(code), shop_id="").pk)

    def place(self, ctl: Control, item_ids: list[int], count: int, rng: random.Random) -> list[str]:
        made = []
        for _ in range(count):  # the control API places one order a call
            lines = [
                [str(item), self.skus[item], 1]
                for item in rng.sample(item_ids, k=rng.choice((1, 1, 2)))
            ]
            made.append(
                str(ctl("place_order", {"shop_id": self.shop_id, "lines": lines})["result"])
            )
        return made

    def set_callback(self, ctl: Control, url: str | None) -> None:
        ctl("configure", {"webhook_url": url or ""})

    def _products(self, ctl: Control) -> list[dict[str, Any]]:
        return list(ctl("state")["products"])

    def items(self, ctl: Control) -> dict[str, int]:
        found = {}
        for product in self._products(ctl):
            sku = product["skus"][0]
            self.skus[int(product["id"])] = str(sku["id"])
            found[sku["seller_sku"]] = int(product["id"])
        return found

    def stock(self, ctl: Control) -> dict[int, int]:
        return {
            int(p["id"]): sum(int(w["quantity"]) for w in p["skus"][0]["inventory"])
            for p in self._products(ctl)
        }

    def order_ids(self, ctl: Control) -> set[str]:
        return {str(o["id"]) for o in ctl("state")["orders"]}


PLATFORMS: dict[str, type[BenchPlatform]] = {
    "shopee": ShopeeBench,
    "lazada": LazadaBench,
    "tiktok": TikTokBench,
}


def platforms_from(names: str) -> list[BenchPlatform]:
    """`--platforms shopee,lazada` -> the platform objects, in that order (no repeats)."""
    chosen = [n.strip().lower() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in PLATFORMS]
    if unknown or not chosen:
        raise SystemExit(
            f"unknown platform(s) {', '.join(unknown) or '(none)'}; "
            f"available: {', '.join(sorted(PLATFORMS))}"
        )
    return [PLATFORMS[n]() for n in dict.fromkeys(chosen)]
