"""Command line of the S-Invoice sandbox: `python -m invoicing.sandbox.sinvoice`.

    python -m invoicing.sandbox.sinvoice --port 8704 [--host 127.0.0.1] [--file-delay 3]
        [--tax-code-delay 20] [--token-ttl 600] [--no-cancel]

It prints what a provider account takes (API base URL, sign-in URL, username, password, seller
tax code) and serves until interrupted. Faults and inspection: /_sandbox/ (sinvoice_control.py).
"""

from __future__ import annotations

from common.sandbox_cli import sandbox_parser, serve_until_interrupted

from .sinvoice import PASSWORD, TAX_CODE, USERNAME, SInvoiceSandbox


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local Viettel S-Invoice sandbox", port=8704)
    parser.add_argument("--file-delay", type=float, default=3.0, help="files ready after N s")
    parser.add_argument("--tax-code-delay", type=float, default=20.0, help="CQT code after N s")
    parser.add_argument("--token-ttl", type=int, default=600, help="access_token lifetime (s)")
    parser.add_argument("--no-cancel", action="store_true", help="refuse cancellations (ND 70)")
    args = parser.parse_args(argv)
    sb = SInvoiceSandbox(
        file_delay=args.file_delay,
        tax_code_delay=args.tax_code_delay,
        token_ttl=args.token_ttl,
        allow_cancel=not args.no_cancel,
    )
    sb.start(args.host, args.port)
    print(
        f"S-Invoice sandbox: base_url {sb.api_base} auth_url {sb.auth_url} "
        f"login {USERNAME} / {PASSWORD} seller tax code {TAX_CODE}",
        flush=True,
    )
    serve_until_interrupted(sb)
