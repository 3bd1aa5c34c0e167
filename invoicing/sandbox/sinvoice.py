"""A local Viettel S-Invoice server ("vinvoice" generation) for tests and the offline demo.

Speaks the protocol of /work/shared/api/carriers_einvoice.md section C: `POST /auth/login`
(JSON) -> `{access_token, token_type, expires_in}`; the API under
`/services/einvoiceapplication/api/InvoiceAPI/` (also `/InvoiceAPI/` as on the legacy hosts)
taking the token as the cookie `access_token` or `Authorization: Bearer`, or HTTP Basic with
the account's username and password. createInvoice validates like the provider (templates and
series, tax-code check digits, VAT codes, amounts with the tolerances 5 per line and 20,000 on
tax, the original of an adjustment or replacement), numbers per template and series, is
idempotent by transactionUuid (3 days), and answers errors as `{errorCode, description, result}`
(business) or HTTP 400/401 `{code, message, data}`. Files (PDF, and the XML in a zip inside a
zip) are "not ready" for `file_delay` seconds, the tax authority's code of a C series appears
after `tax_code_delay` seconds (sandbox clock, see advance()). cancelTransactionInvoice and the
payment-status calls find the invoice by number and `strIssueDate`, the issue time to the second
(`issue_date_match="day"`: its date only). JSON endpoints and the sign-in want
`Content-Type: application/json`.

    with SInvoiceSandbox.running() as sb:
        adapter = SInvoiceAdapter(ProviderConfig(base_url=sb.api_base, auth_url=sb.auth_url,
                                                 username=USERNAME, password=PASSWORD,
                                                 seller_tax_code=TAX_CODE))

Demo: python -m invoicing.sandbox.sinvoice --port 8704 (sinvoice_cli.py); faults and
inspection through the control API under /_sandbox/ (sinvoice_control.py).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Fault as SandboxFault
from common.sandbox import FaultQueue, HttpSandbox, SandboxClock

TAX_CODE = "0100109106-506"
USERNAME = "0100109106-506"
PASSWORD = "sinvoice-sandbox-pass"
API_PREFIX = "/services/einvoiceapplication/api"
DAY = 86400.0
IDEMPOTENCY_TTL = 3 * DAY
DEFAULT_TEMPLATES = (
    ("1/001", "C26TAA", "Hóa đơn giá trị gia tăng"),
    ("1/002", "K26TAB", "Hóa đơn giá trị gia tăng (không mã)"),
    ("2/001", "C26TBB", "Hóa đơn bán hàng"),
)
FAULT_KINDS = ("slow", "error", "expired_token", "validation")
OPTIONS = (  # what configure() and POST /_sandbox/configure may change
    "token_ttl",
    "expires_in_as_text",
    "file_delay",
    "tax_code_delay",
    "number_delay",
    "allow_cancel",
    "not_found_style",
    "business_http_status",
    "preview_requires_basic",
    "pascal_keys",
    "string_numbers",
    "single_zip",
    "not_ready_style",
    "issue_date_match",
)


@dataclass
class Account:
    username: str
    password: str
    tax_code: str
    templates: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Fault(SandboxFault):
    """Also "expired_token" and "validation" (errorCode `code`, description `message`)."""

    code: str = "ERR"
    message: str = "Dữ liệu không hợp lệ"


@dataclass
class Invoice:
    key: str
    supplier: str
    template: str
    series: str
    number: int
    issued_ms: int
    created_at: float  # sandbox clock
    body: dict[str, Any]
    reservation_code: str
    adjustment_type: str = "1"
    original_no: str = ""
    state: str = "issued"  # issued, cancelled, replaced, adjusted
    paid: bool = False
    cancel: dict[str, str] = field(default_factory=dict)

    @property
    def invoice_no(self) -> str:
        return f"{self.series}{self.number}"


class SInvoiceSandbox(HttpSandbox, SandboxClock, FaultQueue[Fault]):
    thread_name = "sinvoice-sandbox"
    fault_kinds = FAULT_KINDS

    def __init__(  # the [UNV] points of the doc are options
        self,
        *,
        token_ttl: int = 600,
        expires_in_as_text: bool = True,
        file_delay: float = 0.0,
        tax_code_delay: float = 0.0,
        number_delay: float = 0.0,
        allow_cancel: bool = True,
        not_found_style: str = "empty",  # "empty": result [], "error": errorCode NOT_FOUND_DATA
        business_http_status: int = 200,
        preview_requires_basic: bool = False,
        pascal_keys: bool = False,  # answer keys as ErrorCode, Result, InvoiceNo...
        string_numbers: bool = False,  # answer numbers as strings ("1796605323000")
        single_zip: bool = False,  # the XML in one zip instead of a zip inside a zip
        not_ready_style: str = "empty",  # "empty": fileToBytes null, "error": an errorCode
        issue_date_match: str = "second",  # strIssueDate: "second" exact, or "day" (the date)
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.token_ttl, self.expires_in_as_text = token_ttl, expires_in_as_text
        self.file_delay, self.tax_code_delay = file_delay, tax_code_delay
        self.number_delay, self.allow_cancel = number_delay, allow_cancel
        self.not_found_style = not_found_style
        self.business_http_status = business_http_status
        self.preview_requires_basic = preview_requires_basic
        self.pascal_keys, self.string_numbers = pascal_keys, string_numbers
        self.single_zip, self.not_ready_style = single_zip, not_ready_style
        self.issue_date_match = issue_date_match
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.invoices: dict[tuple[str, str], Invoice] = {}
        self.counters: dict[tuple[str, str, str], int] = {}
        self.last_issue: dict[tuple[str, str, str], int] = {}
        self.faults: list[Fault] = []
        self.received: list[tuple[str, Any]] = []  # (operation, body) of every API call
        self.calls: Counter[str] = Counter()
        self.add_account(USERNAME, PASSWORD, TAX_CODE)

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .sinvoice_http import make_handler

        return make_handler(self)

    @property
    def base_url(self) -> str:
        return self.origin

    @property
    def api_base(self) -> str:
        """What ProviderConfig.base_url takes."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/auth/login"

    # -- accounts and tokens ------------------------------------------------------------------
    def add_account(
        self,
        username: str,
        password: str,
        tax_code: str,
        templates: list[tuple[str, str, str]] | None = None,
    ) -> None:
        with self.lock:
            given = templates if templates is not None else list(DEFAULT_TEMPLATES)
            self.accounts[username] = Account(username, password, tax_code, list(given))

    def login(self, username: str, password: str) -> str | None:
        with self.lock:
            account = self.accounts.get(username)
            if account is None or not secrets.compare_digest(account.password, password):
                return None
            token = secrets.token_urlsafe(24)
            self.tokens[token] = (username, self.now() + self.token_ttl)
            return token

    def account_for_token(self, token: str) -> tuple[Account | None, str]:
        """(account, "") or (None, "expired" | "unknown")."""
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None:
                return None, "unknown"
            if entry[1] <= self.now():
                return None, "expired"
            return self.accounts[entry[0]], ""

    def account_for_basic(self, username: str, password: str) -> Account | None:
        with self.lock:
            account = self.accounts.get(username)
            if account is None or not secrets.compare_digest(account.password, password):
                return None
            return account

    def expire_tokens(self, token: str | None = None) -> int:
        """Every token (or one) expires now; returns how many."""
        with self.lock:
            chosen = [token] if token else list(self.tokens)
            for t in chosen:
                if t in self.tokens:
                    self.tokens[t] = (self.tokens[t][0], self.now() - 1)
            return len(chosen)

    def configure(self, **options: Any) -> None:
        unknown = set(options) - set(OPTIONS)
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}")
        with self.lock:
            for name, value in options.items():
                setattr(self, name, value)

    # -- invoices -----------------------------------------------------------------------------
    def by_key(self, supplier: str, key: str) -> Invoice | None:
        """The invoice of this transactionUuid while the key is valid (3 days)."""
        with self.lock:
            invoice = self.invoices.get((supplier, key))
            if invoice is None or self.now() - invoice.created_at > IDEMPOTENCY_TTL:
                return None
            return invoice

    def by_number(self, supplier: str, invoice_no: str, template: str = "") -> Invoice | None:
        with self.lock:
            for invoice in self.invoices.values():
                same = invoice.supplier == supplier and invoice.invoice_no == invoice_no
                if same and (not template or template == invoice.template):
                    return invoice
        return None

    def numbered(self, invoice: Invoice) -> bool:
        return self.now() >= invoice.created_at + self.number_delay

    def file_ready(self, invoice: Invoice) -> bool:
        return self.now() >= invoice.created_at + self.file_delay

    def code_of_tax(self, invoice: Invoice) -> str:
        """The tax authority's code: M series at once, C series after `tax_code_delay`."""
        kind = invoice.series[:1]
        mtt = invoice.series[3:4] == "M"
        if kind != "C" or (not mtt and self.now() < invoice.created_at + self.tax_code_delay):
            return ""
        digest = hashlib.sha256(f"{invoice.supplier}|{invoice.key}".encode()).hexdigest()
        if mtt:
            return f"M1-{invoice.series[1:3]}-{digest[:5].upper()}-{invoice.number:011d}"
        return "00" + digest[:32].upper()  # 34 characters, as the GDT gives them

    def payloads(self, operation: str = "createInvoice") -> list[Any]:
        """The bodies received by one operation, oldest first."""
        with self.lock:
            return [body for op, body in self.received if op == operation]

    def invoice_count(self) -> int:
        with self.lock:
            return len(self.invoices)


def main() -> None:
    from .sinvoice_cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
