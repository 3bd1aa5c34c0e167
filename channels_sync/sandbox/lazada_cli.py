"""Command line of the Lazada sandbox: `python -m channels_sync.sandbox.lazada`.

    python -m channels_sync.sandbox.lazada --port 8702 [--host 127.0.0.1] [--seed seed.json]
        [--order-every SECONDS] [--callback URL] [--auto-authorize SELLER_ID] [--qps N]
        [--push-retry-interval SECONDS] [--push-duplicates N]

Seed file (JSON):
    {
      "apps": [{"app_key": "123456", "app_secret": "helloworld", "callback_url": null}],
      "sellers": [
        {"seller_id": 1234567, "name": "Demo shop", "country": "VN",
         "products": [{"name": "T-shirt", "skus": [{"seller_sku": "TSHIRT-S", "price": 199000,
                                                      "stock": 50, "campaign_lock": 0}]}]}
      ],
      "auto_authorize_seller_id": 1234567,         # optional: consent redirects at once
      "publishing": {"qc": "review", "qc_seconds": 30}   # optional: lazada_listings options
    }
With --order-every the server keeps placing a random order (1-2 units of seeded SKUs that
still have stock, COD or card, status pending) for a random seeded seller every SECONDS.
"""

from __future__ import annotations

import random
from typing import Any

from common.sandbox_cli import sandbox_parser, serve_seeded

from .lazada import LazadaSandbox
from .lazada_listings import configure_listings


def seed(sb: LazadaSandbox, data: dict[str, Any]) -> None:
    for app in data.get("apps", []):
        sb.add_app(str(app["app_key"]), str(app["app_secret"]), app.get("callback_url"))
    for seller in data.get("sellers", []):
        seller_id = int(seller["seller_id"])
        sb.add_seller(seller_id, str(seller["name"]), str(seller.get("country", "VN")))
        for product in seller.get("products", []):
            sb.add_product(seller_id, str(product["name"]), list(product["skus"]))
    if data.get("publishing"):  # listing options (lazada_listings.configure_listings)
        configure_listings(sb, **data["publishing"])
    if data.get("auto_authorize_seller_id") is not None:
        sb.configure(auto_authorize_seller_id=int(data["auto_authorize_seller_id"]))


def random_order(sb: LazadaSandbox, rng: random.Random) -> int | None:
    with sb.lock:
        stocked = [
            (p.seller_id, p.item_id, s.sku_id)
            for p in sb.products.values()
            for s in p.skus
            if s.total() > 0
        ]
    if not stocked:
        return None
    seller_id, item_id, sku_id = rng.choice(stocked)
    try:
        return sb.place_order(
            seller_id,
            [(item_id, sku_id, rng.choice((1, 1, 2)))],
            payment_method=rng.choice(("COD", "MIXEDCARD")),
        )
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local Lazada Open Platform sandbox", port=8702, seeded=True)
    parser.add_argument("--callback")
    parser.add_argument("--auto-authorize", type=int)
    parser.add_argument("--qps", type=float)
    parser.add_argument("--push-retry-interval", type=float, default=1800.0)
    parser.add_argument("--push-duplicates", type=int, default=1)
    args = parser.parse_args(argv)
    sb = LazadaSandbox(
        callback_url=args.callback,
        qps_per_api=args.qps,
        push_retry_interval=args.push_retry_interval,
        push_duplicates=args.push_duplicates,
        auto_authorize_seller_id=args.auto_authorize,
    )
    serve_seeded(sb, args, seed=seed, place=random_order, banner=_banner)


def _banner(sb: LazadaSandbox) -> str:
    return f"Lazada sandbox on {sb.base_url} (consent page {sb.origin}/oauth/authorize)"
