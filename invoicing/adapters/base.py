"""The one small interface every e-invoice provider adapter implements (Viettel S-Invoice, MISA
meInvoice), the dataclasses it takes and returns (never the provider's JSON) and its errors
(common.external's family).

An adapter is built for one provider account:

    adapter = SInvoiceAdapter(ProviderConfig(base_url=..., auth_url=..., username=...,
                                             password=..., seller_tax_code="0100109106-506"))

It does not touch the database. It signs in by itself when it needs a token (short-lived at
both providers), keeps the token for the instance's life and signs in again once when the
provider says it has expired. Time comes from `config.clock` so tests can pin it.

What is sent is computed by the invoicing app, never by the adapter: every amount of a line,
the VAT breakdown and the totals arrive exact in the currency's precision (VND: whole dong), so
the provider's own checks (S-Invoice: 5 per line, 20,000 on tax) are never what decides. The
adapter only writes them in the provider's shapes (S-Invoice taxPercentage -2/-1 for not subject
/ not declared; MISA VATRateName "KCT"/"KKKNT"; adjustment lines with the provider's signs).

Issuing is idempotent through `InvoiceRequest.key` (S-Invoice transactionUuid, MISA RefID): the
app stores the key before the call, and a retry after a timeout first asks `find(key=...)`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from common.external import (
    AuthError,
    ExternalError,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)

__all__ = [
    "AdjustmentKind",
    "AuthError",
    "Buyer",
    "Correction",
    "InvoiceFile",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceRequest",
    "IssuedInvoice",
    "LineKind",
    "PayloadError",
    "PermanentError",
    "ProviderAdapter",
    "ProviderConfig",
    "ProviderError",
    "RateLimited",
    "Seller",
    "TemplateInfo",
    "TransientError",
    "VatBreakdown",
    "VatRate",
]

ProviderError = ExternalError


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


class InvoiceKind(StrEnum):
    """The template's first digit (Circular 78 art. 4)."""

    VAT = "1"  # hóa đơn giá trị gia tăng
    SALES = "2"  # hóa đơn bán hàng


class VatRate(StrEnum):
    ZERO = "0"
    FIVE = "5"
    EIGHT = "8"
    TEN = "10"
    NOT_SUBJECT = "kct"  # không chịu thuế (S-Invoice -2, MISA "KCT")
    NOT_DECLARED = "kkknt"  # không kê khai, tính nộp thuế (S-Invoice -1, MISA "KKKNT")
    OTHER = "khac"  # another percentage, given beside it (MISA "KHAC:AB.CD%"; S-Invoice: none)

    @property
    def percent(self) -> Decimal:
        """The rate as a number (0 for the two kinds without tax, and for OTHER, whose
        percentage travels beside it: see percent_of)."""
        return Decimal(self.value) if self.value.isdigit() else Decimal(0)


def percent_of(rate: VatRate, other_percent: Decimal) -> Decimal:
    """The percentage a line is taxed at: the rate's, or `other_percent` for OTHER."""
    return other_percent if rate is VatRate.OTHER else rate.percent


class LineKind(StrEnum):
    GOODS = "goods"  # numbered, quantity x unit price
    DISCOUNT = "discount"  # a trade discount line (amounts positive, it decreases)
    FEE = "fee"  # shipping or another charge on the invoice
    NOTE = "note"  # text only, not summed


class AdjustmentKind(StrEnum):
    REPLACEMENT = "replacement"  # a new invoice in place of the original (full values)
    INCREASE = "increase"  # adjustment: the lines add to the original
    DECREASE = "decrease"  # adjustment: the lines take away from the original
    INFORMATION = "information"  # adjustment of details only (no amounts)


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str  # S-Invoice: …/services/einvoiceapplication/api ; MISA: …/api/v3 or host
    username: str
    password: str
    seller_tax_code: str
    auth_url: str = ""  # S-Invoice sign-in (another prefix); "" = derived from base_url
    app_id: str = ""  # MISA appid
    with_tax_authority_code: bool = True  # MISA: the /code routes (series C...)
    clock: Callable[[], datetime] = utc_now
    timeout: tuple[float, float] = (5.0, 60.0)


@dataclass(frozen=True)
class Seller:
    legal_name: str
    tax_code: str
    address: str
    phone: str = ""
    email: str = ""
    bank_account: str = ""
    bank_name: str = ""


@dataclass(frozen=True)
class Buyer:
    """`takes_invoice` False: a person who does not ask for an invoice (no tax code, name
    optional: S-Invoice buyerNotGetInvoice 1)."""

    name: str  # the person
    legal_name: str = ""  # the company, when there is a tax code
    tax_code: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    code: str = ""  # our customer id
    takes_invoice: bool = True
    id_number: str = ""  # the person's citizen ID (CCCD): S-Invoice buyerIdType 1, buyerIdNo


@dataclass(frozen=True)
class InvoiceLine:
    """One line, every amount exact in the currency's precision. For GOODS and FEE:
    amount = quantity x unit_price - discount; vat_amount on amount. A DISCOUNT line carries
    its positive amount and the VAT it takes away."""

    number: int
    kind: LineKind
    name: str
    code: str = ""
    unit: str = ""
    quantity: Decimal = Decimal(0)
    unit_price: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)  # a discount on this line (amount)
    amount: Decimal = Decimal(0)  # without VAT, after the line's discount
    vat_rate: VatRate = VatRate.TEN
    vat_amount: Decimal = Decimal(0)
    other_percent: Decimal = Decimal(0)  # the percentage of an OTHER rate (KHAC)


@dataclass(frozen=True)
class VatBreakdown:
    rate: VatRate
    taxable: Decimal
    vat: Decimal
    other_percent: Decimal = Decimal(0)  # the percentage of an OTHER rate (KHAC)


@dataclass(frozen=True)
class Correction:
    """What an adjustment or replacement invoice refers to (Decree 70/2025), with the buyer's
    agreement (name and date of the document) and the reason."""

    kind: AdjustmentKind
    original_number: str  # the provider's invoice number of the original (e.g. "C25TAA12")
    original_template: str  # "1/001" (S-Invoice) or the template id/series (MISA)
    original_series: str
    original_issued_at: datetime
    reason: str
    agreement_name: str = ""
    agreement_date: date | None = None
    original_transaction_id: str = ""  # MISA TransactionID of the original


@dataclass(frozen=True)
class InvoiceRequest:
    key: str  # our idempotency key (a UUID4 string): S-Invoice transactionUuid, MISA RefID
    kind: InvoiceKind
    template: str  # S-Invoice templateCode "1/001"; MISA InvoiceTemplateID
    series: str  # "C25TAA"
    issued_at: datetime | None  # None: the provider's now
    currency: str
    seller: Seller
    buyer: Buyer
    lines: tuple[InvoiceLine, ...]
    breakdown: tuple[VatBreakdown, ...]
    total_without_vat: Decimal
    total_vat: Decimal
    total: Decimal
    total_in_words: str  # Vietnamese words of the total ("Một trăm nghìn đồng")
    discount_total: Decimal = Decimal(0)
    payment_method: str = "TM/CK"  # "TM", "CK", "TM/CK"
    paid: bool = False
    note: str = ""
    correction: Correction | None = None


@dataclass(frozen=True)
class IssuedInvoice:
    """An invoice as the provider holds it. `number` "" while the provider has not numbered it
    yet (ask again later); `tax_authority_code` "" until the tax authority has given it."""

    key: str
    number: str
    series: str
    template: str
    issued_at: datetime | None
    lookup_code: str = ""  # S-Invoice reservationCode, MISA TransactionID
    tax_authority_code: str = ""
    status: str = ""  # the provider's own status text
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class InvoiceFile:
    content: bytes
    file_name: str
    content_type: str  # application/pdf, application/xml


@dataclass(frozen=True)
class TemplateInfo:
    template: str  # S-Invoice templateCode; MISA IPTemplateID
    series: str
    kind: InvoiceKind | None
    name: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


class ProviderAdapter(abc.ABC):
    """What the invoicing app asks of every provider."""

    provider: ClassVar[str]  # "sinvoice", "misa"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.calls = 0  # API calls made by this instance (benchmarks)

    @abc.abstractmethod
    def check_credentials(self) -> None:
        """Sign in; AuthError when the provider refuses the account."""

    @abc.abstractmethod
    def templates(self) -> list[TemplateInfo]:
        """The account's registered templates and series."""

    @abc.abstractmethod
    def preview(self, *, request: InvoiceRequest) -> bytes:
        """The provider's draft PDF of the request (nothing is issued or stored)."""

    @abc.abstractmethod
    def issue(self, *, request: InvoiceRequest) -> IssuedInvoice:
        """Issue (sign and publish) the invoice; the same key returns the same invoice."""

    @abc.abstractmethod
    def find(self, *, key: str) -> IssuedInvoice | None:
        """The invoice issued with our key, if any (status, number and tax-authority code as
        the provider has them now)."""

    @abc.abstractmethod
    def file(self, *, invoice: IssuedInvoice, kind: str) -> InvoiceFile | None:
        """The issued invoice's "pdf" or "xml"; None while the provider is still making it."""

    @abc.abstractmethod
    def cancel(
        self, *, invoice: IssuedInvoice, reason: str, agreement_name: str, agreement_date: date
    ) -> None:
        """Cancel where the provider and the rules still allow it; PermanentError otherwise."""

    @abc.abstractmethod
    def send_email(self, *, invoice: IssuedInvoice, to: str, name: str) -> None:
        """Ask the provider to e-mail the invoice to the buyer (PermanentError("not_supported")
        where it has no such call: the app e-mails the PDF itself)."""
