"""Command line of the TikTok Shop sandbox: `python -m channels_sync.sandbox.tiktok`.

    python -m channels_sync.sandbox.tiktok --port 8703 [--host 127.0.0.1] [--seed seed.json]
        [--order-every SECONDS] [--webhook-url URL] [--auto-authorize] [--qps N]
        [--retry-scale F]

Seed file (JSON):
    {
      "apps": [{"app_key": "29a39d", "app_secret": "e59af819cc",
                "redirect_url": "http://127.0.0.1:8000/marketplaces/1/callback"}],
      "shops": [
        {"shop_id": "7494049642642441621", "name": "Demo TikTok shop", "region": "VN",
         "warehouses": null,                       # or ["WH1", "WH2"]
         "products": [
           {"title": "Basic cotton T-shirt regular fit", "status": "ACTIVATE",
            "skus": [{"seller_sku": "TS-M", "price": "199000", "stock": 50,
                      "options": ["Black", "M"], "promotion_lock": 0}]}
         ]}
      ]
    }
With --order-every the server keeps placing a random order (1-2 SKUs that still have stock,
COD or paid, AWAITING_SHIPMENT) in a random seeded shop every SECONDS.
"""

from __future__ import annotations

import random
from typing import Any

from common.sandbox_cli import sandbox_parser, serve_seeded

from .tiktok import TikTokSandbox


def seed(sb: TikTokSandbox, data: dict[str, Any]) -> None:
    for app in data.get("apps", []):
        sb.add_app(
            str(app["app_key"]),
            str(app["app_secret"]),
            str(app.get("redirect_url") or ""),
            str(app.get("webhook_url") or ""),
        )
    for shop in data.get("shops", []):
        shop_id = str(shop["shop_id"])
        sb.add_shop(
            shop_id, str(shop["name"]), str(shop.get("region", "VN")), shop.get("warehouses")
        )
        for product in shop.get("products", []):
            sb.add_product(
                shop_id,
                str(product["title"]),
                list(product.get("skus", [])),
                status=str(product.get("status", "ACTIVATE")),
            )


def random_order(sb: TikTokSandbox, rng: random.Random) -> str | None:
    """One random order over SKUs that still have stock; None when nothing is left."""
    with sb.lock:
        choices = [
            (p.shop_id, p.product_id, s.sku_id)
            for p in sb.products.values()
            if p.status == "ACTIVATE"
            for s in p.skus
            if sum(s.stock.values()) > 0
        ]
    if not choices:
        return None
    shop_id = rng.choice(choices)[0]
    own = [c for c in choices if c[0] == shop_id]
    picked = rng.sample(own, k=min(len(own), rng.choice((1, 1, 2))))
    try:
        return sb.place_order(
            shop_id,
            [(product_id, sku_id, 1) for _, product_id, sku_id in picked],
            user_id=str(7494_000_000_000_000_000 + rng.randint(1, 999_999)),
            is_cod=rng.choice((True, True, False)),
        )
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local TikTok Shop Partner API sandbox", port=8703, seeded=True)
    parser.add_argument("--webhook-url")
    parser.add_argument("--auto-authorize", action="store_true")
    parser.add_argument("--qps", type=int, default=50)
    parser.add_argument("--retry-scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    sb = TikTokSandbox(
        webhook_url=args.webhook_url,
        auto_authorize=args.auto_authorize,
        qps=args.qps,
        retry_scale=args.retry_scale,
    )
    serve_seeded(sb, args, seed=seed, place=random_order, banner=lambda s: s.base_url)
