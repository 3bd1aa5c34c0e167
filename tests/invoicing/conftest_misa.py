"""Fixtures for the MISA meInvoice adapter tests: the local sandbox over real HTTP, an adapter
signed in to its demo account, the control API and invoice requests with mixed VAT rates."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
import requests

from invoicing.adapters.base import (
    Buyer,
    Correction,
    InvoiceKind,
    InvoiceLine,
    InvoiceRequest,
    LineKind,
    ProviderConfig,
    Seller,
    VatBreakdown,
    VatRate,
)
from invoicing.adapters.misa import MisaAdapter
from invoicing.sandbox.misa import APP_ID, PASSWORD, TAX_CODE, USERNAME, MisaSandbox

__all__ = [
    "MisaControl",
    "misa_adapter",
    "misa_config",
    "misa_control",
    "misa_lines",
    "misa_request",
    "misa_sandbox",
]

D = Decimal
MISA_SELLER = Seller(
    legal_name="Công ty TNHH Cửa hàng Mẫu",
    tax_code=TAX_CODE,
    address="12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
    phone="0243111222",
    email="hoadon@cuahang.vn",
)
MISA_BUYER = Buyer(
    name="Nguyễn Văn Bình",
    legal_name="Công ty Cổ phần Bình An",
    tax_code="0100233488",
    address="5 Lê Lợi, Quận 1, TP Hồ Chí Minh",
    email="binh@binhan.vn",
    code="C-1001",
)


def goods(
    number: int, name: str, qty: int, price: int, rate: VatRate, disc: int = 0
) -> InvoiceLine:
    amount = D(qty * price - disc)
    vat = (amount * rate.percent / 100).quantize(D(1))
    return InvoiceLine(
        number=number,
        kind=LineKind.GOODS,
        name=name,
        code=f"SP{number:02d}",
        unit="cái",
        quantity=D(qty),
        unit_price=D(price),
        discount=D(disc),
        amount=amount,
        vat_rate=rate,
        vat_amount=vat,
    )


def misa_lines() -> tuple[InvoiceLine, ...]:
    """Six rates, a line discount, a discount line, a shipping fee and a note line."""
    return (
        goods(1, "Áo thun", 2, 150_000, VatRate.TEN),
        goods(2, "Gạo ST25", 3, 99_000, VatRate.EIGHT, disc=7_000),
        goods(3, "Sữa tươi", 1, 120_000, VatRate.FIVE),
        goods(4, "Hàng xuất khẩu", 1, 50_000, VatRate.ZERO),
        goods(5, "Sách giáo khoa", 1, 40_000, VatRate.NOT_SUBJECT),
        goods(6, "Dịch vụ hộ kinh doanh", 1, 30_000, VatRate.NOT_DECLARED),
        InvoiceLine(
            number=7,
            kind=LineKind.DISCOUNT,
            name="Chiết khấu thương mại",
            amount=D(20_000),
            vat_rate=VatRate.TEN,
            vat_amount=D(2_000),
        ),
        replace(goods(8, "Phí vận chuyển", 1, 25_000, VatRate.TEN), kind=LineKind.FEE),
        InvoiceLine(number=9, kind=LineKind.NOTE, name="Giao hàng tận nơi"),
    )


def breakdown(lines: tuple[InvoiceLine, ...]) -> tuple[VatBreakdown, ...]:
    sums: dict[VatRate, list[Decimal]] = {}
    for line in lines:
        if line.kind is LineKind.NOTE:
            continue
        sign = -1 if line.kind is LineKind.DISCOUNT else 1
        part = sums.setdefault(line.vat_rate, [D(0), D(0)])
        part[0] += sign * line.amount
        part[1] += sign * line.vat_amount
    return tuple(VatBreakdown(rate, taxable, vat) for rate, (taxable, vat) in sums.items())


def build_request(
    *,
    key: str,
    template: str,
    series: str,
    lines: tuple[InvoiceLine, ...] | None = None,
    buyer: Buyer = MISA_BUYER,
    correction: Correction | None = None,
    kind: InvoiceKind = InvoiceKind.VAT,
) -> InvoiceRequest:
    lines = misa_lines() if lines is None else lines
    parts = breakdown(lines)
    untaxed = sum((p.taxable for p in parts), D(0))
    vat = sum((p.vat for p in parts), D(0))
    return InvoiceRequest(
        key=key,
        kind=kind,
        template=template,
        series=series,
        issued_at=None,
        currency="VND",
        seller=MISA_SELLER,
        buyer=buyer,
        lines=lines,
        breakdown=parts,
        total_without_vat=untaxed,
        total_vat=vat,
        total=untaxed + vat,
        total_in_words="Tám trăm chín mươi tư nghìn bảy trăm đồng",
        payment_method="TM/CK",
        correction=correction,
    )


class MisaControl:
    """The sandbox's /_sandbox/ API over HTTP."""

    def __init__(self, sandbox: MisaSandbox) -> None:
        self.sandbox = sandbox

    def post(self, name: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.post(f"{self.sandbox.origin}/_sandbox/{name}", json=body or {}, timeout=5)
        assert answer.status_code == 200, answer.text
        return json.loads(answer.text, parse_float=Decimal)

    def get(self, name: str) -> Any:
        answer = requests.get(f"{self.sandbox.origin}/_sandbox/{name}", timeout=5)
        assert answer.status_code == 200, answer.text
        return json.loads(answer.text, parse_float=Decimal)


@pytest.fixture
def misa_sandbox() -> Iterator[MisaSandbox]:
    """A started MISA sandbox with its demo account and three templates (1C..TAA, 2C..TBB,
    1K..TKK)."""
    with MisaSandbox.running() as sandbox:
        yield sandbox


@pytest.fixture
def misa_control(misa_sandbox: MisaSandbox) -> MisaControl:
    return MisaControl(misa_sandbox)


@pytest.fixture
def misa_config(misa_sandbox: MisaSandbox) -> ProviderConfig:
    return ProviderConfig(
        base_url=misa_sandbox.api_base,
        username=USERNAME,
        password=PASSWORD,
        seller_tax_code=TAX_CODE,
        app_id=APP_ID,
        timeout=(2.0, 1.0),
    )


@pytest.fixture
def misa_adapter(misa_config: ProviderConfig) -> MisaAdapter:
    return MisaAdapter(misa_config)


@pytest.fixture
def misa_request(
    misa_sandbox: MisaSandbox,
) -> Callable[..., InvoiceRequest]:
    """build_request(key=..., ...) on the sandbox's VAT template with a tax-authority code."""
    template = misa_sandbox.templates[0]

    def make(key: str, **options: Any) -> InvoiceRequest:
        options.setdefault("template", template.template_id)
        options.setdefault("series", template.symbol[1:])
        return build_request(key=key, **options)

    return make
