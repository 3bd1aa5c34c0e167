"""Command line of the Shopee sandbox: `python -m channels_sync.sandbox.shopee`.

    python -m channels_sync.sandbox.shopee --port 8701 [--host 127.0.0.1] [--seed seed.json]
        [--order-every SECONDS] [--callback URL] [--auto-authorize SHOP_ID] [--rate-limit N]

Seed file (JSON):
    {
      "partners": [{"partner_id": 2001887, "partner_key": "test_partner_key",
                    "callback_url": null}],
      "shops": [
        {"shop_id": 727720655, "name": "Demo shop", "region": "VN",
         "warehouses": null,                        # or ["VNZ", "VNN"] for multi-warehouse
         "items": [
           {"item_sku": "TSHIRT", "name": "T-shirt",
            "models": [{"model_sku": "TSHIRT-S", "price": 199000, "stock": 50,
                        "reserved_promotion_stock": 0}]},
           {"item_sku": "MUG", "name": "Mug", "price": 99000, "stock": 20}
         ]}
      ],
      "auto_authorize_shop_id": 727720655          # optional: auth page redirects at once
    }
With --order-every the server keeps placing a random order (1-2 lines of seeded models that
still have stock, COD or card, READY_TO_SHIP) in a random seeded shop every SECONDS.
"""

from __future__ import annotations

import random
from typing import Any

from common.sandbox_cli import sandbox_parser, serve_seeded

from .shopee import ShopeeSandbox


def seed(sb: ShopeeSandbox, data: dict[str, Any]) -> None:
    for partner in data.get("partners", []):
        sb.add_partner(
            int(partner["partner_id"]), str(partner["partner_key"]), partner.get("callback_url")
        )
    for shop in data.get("shops", []):
        shop_id = int(shop["shop_id"])
        sb.add_shop(
            shop_id, str(shop["name"]), str(shop.get("region", "VN")), shop.get("warehouses")
        )
        for item in shop.get("items", []):
            sb.add_item(
                shop_id,
                str(item["item_sku"]),
                str(item["name"]),
                item.get("models"),
                price=item.get("price", 0),
                stock=item.get("stock", 0),
                reserved_promotion_stock=int(item.get("reserved_promotion_stock", 0)),
            )
    if data.get("auto_authorize_shop_id") is not None:
        sb.configure(auto_authorize_shop_id=int(data["auto_authorize_shop_id"]))


def random_order(sb: ShopeeSandbox, rng: random.Random) -> str | None:
    """One random order over models that still have stock; None when nothing is left."""
    with sb.lock:
        choices = [
            (item.shop_id, item.item_id, model.model_id)
            for item in sb.items.values()
            for model in item.models
            if sum(model.stock.values()) > 0
        ]
    if not choices:
        return None
    shop_id = rng.choice(choices)[0]
    own = [c for c in choices if c[0] == shop_id]
    picked = rng.sample(own, k=min(len(own), rng.choice((1, 1, 2))))
    lines = [(item_id, model_id, 1) for _, item_id, model_id in picked]
    try:
        return sb.place_order(
            shop_id,
            lines,
            buyer_username=f"buyer{rng.randint(1000, 9999)}",
            buyer_user_id=rng.randint(100_000, 999_999),
            payment_method=rng.choice(("COD", "COD", "Credit Card")),
        )
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local Shopee Open Platform v2 sandbox", port=8701, seeded=True)
    parser.add_argument("--callback")
    parser.add_argument("--auto-authorize", type=int)
    parser.add_argument("--rate-limit", type=float)
    args = parser.parse_args(argv)
    sb = ShopeeSandbox(
        callback_url=args.callback,
        rate_limit_per_second=args.rate_limit,
        auto_authorize_shop_id=args.auto_authorize,
    )
    serve_seeded(sb, args, seed=seed, place=random_order, banner=lambda s: s.base_url)
