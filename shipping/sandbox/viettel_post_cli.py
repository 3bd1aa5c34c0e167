"""Command line of the Viettel Post sandbox: `python -m shipping.sandbox.viettel_post`.

    python -m shipping.sandbox.viettel_post --port 8702 [--host 127.0.0.1]
        [--webhook URL --webhook-token SECRET] [--advance-every SECONDS] [--auto-confirm]

It prints the API base URL (what the carrier account's base URL takes) and the demo login, then
serves until interrupted. The account's two-step login gives the long-term token. Move parcels
with POST /_sandbox/scenario or /_sandbox/status (viettel_post_control.py), or let
--advance-every move every open parcel one status per tick (ViettelPostSandbox.step_all).
"""

from __future__ import annotations

from common.sandbox_cli import sandbox_parser, serve_until_interrupted

from .viettel_post import PASSWORD, USERNAME, ViettelPostSandbox


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local Viettel Post partner API v2 sandbox", port=8702)
    parser.add_argument("--webhook", default="", help="callback URL for status webhooks")
    parser.add_argument("--webhook-token", default="", help="TOKEN sent in each callback")
    parser.add_argument("--advance-every", type=float, help="move open parcels every N s")
    parser.add_argument("--auto-confirm", action="store_true", help="new orders start at 100")
    args = parser.parse_args(argv)
    sb = ViettelPostSandbox(initial_status=100 if args.auto_confirm else -100)
    sb.start(args.host, args.port)
    if args.webhook:
        sb.configure_webhook(args.webhook, args.webhook_token)
    print(f"Viettel Post sandbox: {sb.api_base} login {USERNAME} / {PASSWORD}", flush=True)
    serve_until_interrupted(
        sb,
        every=args.advance_every,
        tick=lambda: [f"{number} -> {status}" for number, status in sb.step_all()],
    )
