"""Command line of the GHN sandbox: `python -m shipping.sandbox.ghn`.

    python -m shipping.sandbox.ghn --port 8711 [--host 127.0.0.1] [--callback URL]
        [--retries 10] [--retry-interval 5]

It prints the API base URL, the token and the shop id of the seeded account (token
"sandbox-ghn-token-0001", ShopId 885, pickup address in Quận 1, TP Hồ Chí Minh), then serves
until interrupted. Move parcels with POST /_sandbox/advance (see ghn_control.py).
"""

from __future__ import annotations

import argparse
import time

from .ghn import GhnSandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Giao Hàng Nhanh API v2 sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--callback", default="", help="callback (webhook) URL")
    parser.add_argument("--retries", type=int, default=10)
    parser.add_argument("--retry-interval", type=float, default=5.0)
    args = parser.parse_args(argv)
    sb = GhnSandbox(
        callback_url=args.callback, retries=args.retries, retry_interval=args.retry_interval
    )
    sb.start(args.host, args.port)
    print(f"GHN sandbox: {sb.base_url} token={sb.token} shop_id={sb.shop_id}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sb.stop()
