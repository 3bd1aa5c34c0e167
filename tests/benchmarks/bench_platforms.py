"""The platforms bench_channels.py can drive: one class per platform sandbox, behind one small
interface (how to seed and start its sandbox, connect a shop, place orders, point its pushes at
us, read its stock and orders, which API paths count as detail/list/stock calls).

Adding a platform (Lazada, TikTok Shop once their adapters and sandboxes land): subclass
BenchPlatform, implement the methods with that sandbox's control API, and register it in
PLATFORMS under the name `--platforms` takes. Every sandbox is expected to answer
`GET /_sandbox/calls` ({counts: {path: n}}) and `POST /_sandbox/reset_calls` as Shopee's does.
"""

from __future__ import annotations

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


PLATFORMS: dict[str, type[BenchPlatform]] = {"shopee": ShopeeBench}


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
