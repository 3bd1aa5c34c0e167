"""Fixtures for the S-Invoice adapter tests: the local sandbox over real HTTP, an adapter on
its demo account with a pinned clock, and invoice requests whose figures are worked by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.adapters.base import (
    Buyer,
    InvoiceKind,
    InvoiceLine,
    InvoiceRequest,
    LineKind,
    ProviderConfig,
    Seller,
    VatBreakdown,
    VatRate,
)
from invoicing.adapters.sinvoice import SInvoiceAdapter
from invoicing.adapters.sinvoice_protocol import ICT
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME, SInvoiceSandbox

__all__ = [
    "SINVOICE_SELLER",
    "mixed_request",
    "sinvoice_adapter",
    "sinvoice_clock",
    "sinvoice_config",
    "sinvoice_request",
    "sinvoice_sandbox",
    "sinvoice_series",
]

SINVOICE_SELLER = Seller(
    legal_name="Công ty TNHH Cửa hàng Demo",
    tax_code=TAX_CODE,
    address="12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
    phone="024 3825 7670",
    email="ketoan@demo.vn",
)
D = Decimal


def _line(
    number: int,
    kind: LineKind,
    name: str,
    qty: int,
    price: int,
    rate: VatRate,
    vat: int,
    *,
    amount: int | None = None,
) -> InvoiceLine:
    return InvoiceLine(
        number=number,
        kind=kind,
        name=name,
        code=f"SKU{number}" if kind == LineKind.GOODS else "",
        unit="cái" if kind == LineKind.GOODS else "",
        quantity=D(qty),
        unit_price=D(price),
        amount=D(amount if amount is not None else qty * price),
        vat_rate=rate,
        vat_amount=D(vat),
    )


def mixed_request(
    *,
    key: str = "",
    issued_at: datetime | None = None,
    series: str = "C26TAA",
    template: str = "1/001",
) -> InvoiceRequest:
    """Six goods lines at 10, 5, 8, 0 %, KCT and KKKNT, a 30,000 discount at 10 %, a 25,000
    shipping fee at 10 % and a note. Worked by hand:
      10 %: 300,000 - 30,000 + 25,000 = 295,000, VAT 30,000 - 3,000 + 2,500 = 29,500
       5 %: 135,000, VAT 6,750;  8 %: 50,000, VAT 4,000;  0 %: 100,000;  KCT: 20,000;
     KKKNT: 60,000;  without VAT 660,000, VAT 40,250, total 700,250."""
    lines = (
        _line(1, LineKind.GOODS, "Áo thun cotton", 2, 150000, VatRate.TEN, 30000),
        _line(2, LineKind.GOODS, "Gạo ST25 (túi 5 kg)", 3, 45000, VatRate.FIVE, 6750),
        _line(3, LineKind.GOODS, "Sữa chua hộp", 4, 12500, VatRate.EIGHT, 4000),
        _line(4, LineKind.GOODS, "Dịch vụ gia công xuất khẩu", 1, 100000, VatRate.ZERO, 0),
        _line(5, LineKind.GOODS, "Phí bảo hiểm hàng hóa", 1, 20000, VatRate.NOT_SUBJECT, 0),
        _line(6, LineKind.GOODS, "Hàng hộ kinh doanh", 1, 60000, VatRate.NOT_DECLARED, 0),
        _line(7, LineKind.DISCOUNT, "Chiết khấu thương mại", 0, 0, VatRate.TEN, 3000, amount=30000),
        _line(8, LineKind.FEE, "Phí vận chuyển", 1, 25000, VatRate.TEN, 2500),
        InvoiceLine(number=9, kind=LineKind.NOTE, name="Giao hàng trong giờ hành chính"),
    )
    return InvoiceRequest(
        key=key or str(uuid.uuid4()),
        kind=InvoiceKind.VAT,
        template=template,
        series=series,
        issued_at=issued_at,
        currency="VND",
        seller=SINVOICE_SELLER,
        buyer=Buyer(
            name="Nguyễn Văn An",
            legal_name="Công ty TNHH Minh An",
            tax_code="0100233488",
            address="5 Lê Lợi, Quận 1, TP Hồ Chí Minh",
            email="an@minhan.vn",
            phone="+84 912 345 678",
            code="C-1001",
        ),
        lines=lines,
        breakdown=(
            VatBreakdown(VatRate.TEN, D(295000), D(29500)),
            VatBreakdown(VatRate.FIVE, D(135000), D(6750)),
            VatBreakdown(VatRate.EIGHT, D(50000), D(4000)),
            VatBreakdown(VatRate.ZERO, D(100000), D(0)),
            VatBreakdown(VatRate.NOT_SUBJECT, D(20000), D(0)),
            VatBreakdown(VatRate.NOT_DECLARED, D(60000), D(0)),
        ),
        total_without_vat=D(660000),
        total_vat=D(40250),
        total=D(700250),
        total_in_words="Bảy trăm nghìn hai trăm năm mươi đồng",
        discount_total=D(30000),
        payment_method="TM/CK",
        note="Đơn hàng SO-1001",
    )


@pytest.fixture
def sinvoice_sandbox() -> Iterator[SInvoiceSandbox]:
    """A started S-Invoice sandbox with its demo account (USERNAME / PASSWORD, TAX_CODE)."""
    with SInvoiceSandbox.running() as sandbox:
        yield sandbox


@pytest.fixture
def sinvoice_clock() -> datetime:
    """The adapter's pinned time: now, to the second."""
    return datetime.now(tz=UTC).replace(microsecond=0)


@pytest.fixture
def sinvoice_series(sinvoice_clock: datetime) -> str:
    """The series S-Invoice numbers in: C26TAA with this year's digits (E.3)."""
    return f"C{sinvoice_clock.astimezone(ICT).strftime('%y')}TAA"


@pytest.fixture
def sinvoice_config(sinvoice_sandbox: SInvoiceSandbox, sinvoice_clock: datetime) -> ProviderConfig:
    return ProviderConfig(
        base_url=sinvoice_sandbox.api_base,
        username=USERNAME,
        password=PASSWORD,
        seller_tax_code=TAX_CODE,
        clock=lambda: sinvoice_clock,
        timeout=(2.0, 5.0),
    )


@pytest.fixture
def sinvoice_adapter(sinvoice_config: ProviderConfig) -> SInvoiceAdapter:
    return SInvoiceAdapter(sinvoice_config)


@pytest.fixture
def sinvoice_request(sinvoice_clock: datetime) -> Callable[..., InvoiceRequest]:
    """mixed_request() issued now; keyword arguments replace its fields."""

    def make(**changes: object) -> InvoiceRequest:
        return replace(mixed_request(issued_at=sinvoice_clock), **changes)  # type: ignore[arg-type]

    return make
