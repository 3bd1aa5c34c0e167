"""Command line of the GHN sandbox: `python -m shipping.sandbox.ghn`.

    python -m shipping.sandbox.ghn --port 8711 [--host 127.0.0.1] [--callback URL]
        [--retries 10] [--retry-interval 5] [--advance-every SECONDS]

It prints the API base URL, the token and the shop id of the seeded account (token
"sandbox-ghn-token-0001", ShopId 885, pickup address in Quận 1, TP Hồ Chí Minh), then serves
until interrupted. Move parcels with POST /_sandbox/advance (see ghn_control.py), or let
--advance-every move every open parcel one status on every tick: most along the happy path, one
in five (by its order code) to a failed delivery and waiting_to_return, where it waits for the
shop's redeliver (then the happy path) or return (then back to the sender).
"""

from __future__ import annotations

import zlib

from common.sandbox_cli import sandbox_parser, serve_until_interrupted

from .ghn import GhnSandbox
from .ghn_state import PATHS


def step_all(sb: GhnSandbox) -> list[tuple[str, str]]:
    """Move every open parcel one status; returns (order code, new status). A parcel waiting
    for the shop's decision (waiting_to_return) stays until it is redelivered or returned."""
    moved = []
    with sb.lock:
        for parcel in list(sb.parcels.values()):
            name = _path(parcel.order_code, parcel.status, [x["status"] for x in parcel.log])
            steps = PATHS[name]
            if parcel.status not in steps or parcel.status in (steps[-1], "waiting_to_return"):
                continue
            following = steps[steps.index(parcel.status) + 1]
            moved.append((parcel.order_code, sb.advance(parcel.order_code, name, following)[0]))
    return moved


def _path(order_code: str, status: str, history: list[str]) -> str:
    if status in PATHS["return"][1:]:
        return "return"
    failing = zlib.crc32(order_code.encode()) % 5 == 0 and "waiting_to_return" not in history
    return "failed_delivery" if failing else "happy"


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local Giao Hàng Nhanh API v2 sandbox", port=8711)
    parser.add_argument("--callback", default="", help="callback (webhook) URL")
    parser.add_argument("--retries", type=int, default=10)
    parser.add_argument("--retry-interval", type=float, default=5.0)
    parser.add_argument("--advance-every", type=float, help="move open parcels every N s")
    args = parser.parse_args(argv)
    sb = GhnSandbox(
        callback_url=args.callback, retries=args.retries, retry_interval=args.retry_interval
    )
    sb.start(args.host, args.port)
    print(f"GHN sandbox: {sb.base_url} token={sb.token} shop_id={sb.shop_id}", flush=True)
    serve_until_interrupted(
        sb,
        every=args.advance_every,
        tick=lambda: [f"{code} -> {status}" for code, status in step_all(sb)],
    )
