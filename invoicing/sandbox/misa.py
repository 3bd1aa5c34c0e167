"""A local MISA meInvoice v3 ("itg") server for tests and the offline demo.

Speaks carriers_einvoice.md section D under /api/v3: `POST /auth/token` {appid, taxcode,
username, password} -> a Bearer token that expires after `token_ttl` seconds (then every call
answers ErrorCode "TokenExpiredCode"); the two-layer envelope {Success, ErrorCode, Errors, Data:
"<JSON string>", CustomData} with per-element ErrorCode; publishhsm with the checks of
misa_validate.py, RefID idempotency and per-series continuous numbering; the /code prefix for
series C (with a tax-authority code, which appears `code_delay` seconds after publishing), and
only before the routes D.3 marks [/code] and the refid lookup; publishhsm elements wrapped
{RefID, OriginalInvoiceData} (or flat, `publish_body`);
status by TransactionID and by RefID; download (PDF and XML as base64, "not ready" for
`file_delay` seconds); the draft link view (a real small PDF); cancel; e-mail; templates.
The test control API lives under /_sandbox/ (misa_http.py).

In tests:

    with MisaSandbox.running() as misa:
        adapter = MisaAdapter(ProviderConfig(base_url=misa.api_base, username=USERNAME, ...))

Demo: python -m invoicing.sandbox.misa --port 8710 [--code-delay S] [--file-delay S]
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Fault as SandboxFault
from common.sandbox import FaultQueue, HttpSandbox, SandboxClock
from common.sandbox_cli import sandbox_parser, serve_until_interrupted

ICT = timezone(timedelta(hours=7))
APP_ID = "sandbox-app-id"
TAX_CODE = "0100109106-506"
USERNAME = "misa-sandbox@example.vn"
PASSWORD = "misa-sandbox-pass"
TOKEN_TTL = 15 * 24 * 3600.0  # "a token is valid for 15 days" (D.1)
VAT_TEMPLATE_ID = str(uuid.UUID(int=1))  # the seeded VAT invoice template, series 1C<yy>TAA


@dataclass
class Fault(SandboxFault):
    """Also "expired_token" and "validation"; `path` in lowercase."""

    code: str = "InvalidData"  # validation: the ErrorCode and ErrorData
    message: str = "Dữ liệu không hợp lệ"


@dataclass
class Invoice:
    ref_id: str
    transaction_id: str
    symbol: str  # "1C25TAA"
    number: int
    inv_date: date
    template_id: str
    coded: bool
    published_at: float
    payload: dict[str, Any]
    reference_type: int = 0
    original: str = ""  # the TransactionID this one replaces or adjusts
    cancelled: bool = False
    replaced_by: str = ""
    adjusted_by: list[str] = field(default_factory=list)
    tax_code: str = ""

    @property
    def inv_no(self) -> str:
        return f"{self.number:08d}"

    @property
    def series(self) -> str:
        return self.symbol[1:]


@dataclass
class Template:
    template_id: str
    symbol: str
    name: str


class MisaSandbox(HttpSandbox, SandboxClock, FaultQueue[Fault]):
    thread_name = "misa-sandbox"

    def __init__(
        self,
        *,
        token_ttl: float = TOKEN_TTL,
        code_delay: float = 0.0,
        file_delay: float = 0.0,
        tolerance: Decimal = Decimal(1),
        expired_http_status: int = 200,
        xml_in_zip: bool = False,
        string_numbers: bool = False,
        key_case: str = "pascal",
        duplicate_ref: str = "same",
        publish_delay: float = 0.0,
        publish_body: str = "wrapped",
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.token_ttl = token_ttl
        self.code_delay = code_delay
        self.file_delay = file_delay
        self.tolerance = tolerance
        self.expired_http_status = expired_http_status
        self.xml_in_zip = xml_in_zip
        self.string_numbers = string_numbers
        self.key_case = key_case  # "pascal" (Success, Data...) or "camel" (success, data...)
        self.duplicate_ref = duplicate_ref  # "same": that invoice again; "error": an ErrorCode
        self.publish_delay = publish_delay  # seconds a series stays busy after a publish
        # publishhsm elements: "wrapped" {RefID, OriginalInvoiceData: {...}} as MISA's page and
        # every public client have it; "flat": the OriginalInvoiceData itself (D.3's reading)
        self.publish_body = publish_body
        self.busy: dict[str, int] = {}  # symbol -> publishes in progress
        self.accounts = {(APP_ID, TAX_CODE, USERNAME): PASSWORD}
        self.tokens: dict[str, float] = {}  # token -> expiry (sandbox time)
        self.invoices: dict[str, Invoice] = {}  # TransactionID -> invoice
        self.by_ref: dict[str, str] = {}  # RefID -> TransactionID
        self.counters: dict[str, int] = {}  # symbol -> last number
        self.last_dates: dict[str, date] = {}
        self.drafts: dict[str, dict[str, Any]] = {}
        self.emails: list[dict[str, Any]] = []
        self.cancels: list[dict[str, Any]] = []  # every cancel body received
        self.received: list[dict[str, Any]] = []  # every invoice body publishhsm received
        self.faults: list[Fault] = []
        self.calls: list[str] = []
        year = datetime.now(tz=ICT).year % 100
        self.templates = [
            Template(VAT_TEMPLATE_ID, f"1C{year:02d}TAA", "Hóa đơn GTGT có mã"),
            Template(str(uuid.UUID(int=2)), f"2C{year:02d}TBB", "Hóa đơn bán hàng có mã"),
            Template(str(uuid.UUID(int=3)), f"1K{year:02d}TKK", "Hóa đơn GTGT không mã"),
        ]

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .misa_http import make_handler

        return make_handler(self)

    @property
    def api_base(self) -> str:
        return f"{self.origin}/api/v3"

    # -- state --------------------------------------------------------------------------------
    def today(self) -> date:
        return datetime.fromtimestamp(self.now(), tz=UTC).astimezone(ICT).date()

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.now() + self.token_ttl
        return token

    def token_state(self, token: str) -> str:
        expiry = self.tokens.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if expiry > self.now() else "expired"

    def expire_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = self.now() - 1

    def template(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.template_id == template_id), None)

    def next_number(self, symbol: str) -> int:
        self.counters[symbol] = self.counters.get(symbol, 0) + 1
        return self.counters[symbol]

    def code_ready(self, invoice: Invoice) -> str:
        """The tax-authority code once `code_delay` has passed (series C only)."""
        if (
            invoice.coded
            and not invoice.tax_code
            and self.now() >= (invoice.published_at + self.code_delay)
        ):
            digest = invoice.transaction_id.replace("-", "").upper()
            invoice.tax_code = f"00{digest[:30]}"
        return invoice.tax_code

    def take_fault(self, path: str) -> Fault | None:
        return super().take_fault(path.lower())

    def reset(self) -> None:
        with self.lock:
            self.tokens.clear()
            self.invoices.clear()
            self.by_ref.clear()
            self.counters.clear()
            self.last_dates.clear()
            self.drafts.clear()
            self.emails.clear()
            self.cancels.clear()
            self.received.clear()
            self.faults.clear()
            self.busy.clear()
            self.calls.clear()
            self.clock_offset = 0.0


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_parser("Local MISA meInvoice v3 sandbox", port=8710)
    parser.add_argument("--code-delay", type=float, default=5.0)
    parser.add_argument("--file-delay", type=float, default=2.0)
    parser.add_argument("--token-ttl", type=float, default=TOKEN_TTL)
    args = parser.parse_args(argv)
    sandbox = MisaSandbox(
        token_ttl=args.token_ttl, code_delay=args.code_delay, file_delay=args.file_delay
    )
    sandbox.start(args.host, args.port)
    print(f"MISA sandbox on {sandbox.api_base}")
    print(f"appid={APP_ID} taxcode={TAX_CODE} username={USERNAME} password={PASSWORD}")
    for template in sandbox.templates:
        print(f"template {template.template_id} {template.symbol} {template.name}")
    serve_until_interrupted(sandbox)


if __name__ == "__main__":
    main()
