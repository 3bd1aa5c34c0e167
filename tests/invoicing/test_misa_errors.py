"""MISA adapter: the provider's validation errors kept word for word, the error family for
expired tokens, 5xx, timeouts and injected faults, and the /code routing."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from invoicing.adapters.base import (
    AuthError,
    Buyer,
    IssuedInvoice,
    PermanentError,
    TransientError,
    VatBreakdown,
    VatRate,
)
from invoicing.adapters.misa import MisaAdapter
from tests.invoicing.conftest_misa import MISA_BUYER, goods


def new_key() -> str:
    return str(uuid.uuid4())


def rejected(adapter: MisaAdapter, request) -> PermanentError:
    with pytest.raises(PermanentError) as caught:
        adapter.issue(request=request)
    return caught.value


def test_buyer_tax_code_check_digit(misa_adapter, misa_request, misa_sandbox) -> None:
    buyer = replace(MISA_BUYER, tax_code="0100233480")
    error = rejected(misa_adapter, misa_request(new_key(), buyer=buyer))
    assert (error.code, error.message) == (
        "InvalidTaxCode",
        "Mã số thuế người mua 0100233480 không hợp lệ",
    )
    assert misa_sandbox.invoices == {}


@pytest.mark.parametrize("tax_code", ["0100109106-506", "012345678901", "0314409058"])
def test_buyer_tax_code_forms_accepted(misa_adapter, misa_request, tax_code: str) -> None:
    buyer = replace(MISA_BUYER, tax_code=tax_code)
    assert misa_adapter.issue(request=misa_request(new_key(), buyer=buyer)).number == "00000001"


def test_buyer_with_tax_code_needs_an_address(misa_adapter, misa_request) -> None:
    buyer = replace(MISA_BUYER, address="")
    error = rejected(misa_adapter, misa_request(new_key(), buyer=buyer))
    assert (error.code, error.message) == (
        "RequiredField",
        "Có mã số thuế người mua thì phải có tên đơn vị và địa chỉ",
    )


def test_person_without_invoice(misa_adapter, misa_request, misa_control) -> None:
    buyer = Buyer(name="Khách lẻ", takes_invoice=False)
    misa_adapter.issue(request=misa_request(new_key(), buyer=buyer))
    body = misa_control.get("received")[-1]
    assert (body["BuyerTaxCode"], body["BuyerLegalName"], body["BuyerFullName"]) == (
        "",
        "",
        "Khách lẻ",
    )


def test_series_format(misa_adapter, misa_request) -> None:
    error = rejected(misa_adapter, misa_request(new_key(), series="C26XAA"))
    assert (error.code, error.message) == (
        "InvalidInvSeries",
        "Ký hiệu hóa đơn '1C26XAA' không đúng định dạng",
    )


def test_unregistered_template(misa_adapter, misa_request, misa_sandbox) -> None:
    error = rejected(misa_adapter, misa_request(new_key(), template=str(uuid.UUID(int=9))))
    symbol = misa_sandbox.templates[0].symbol
    assert (error.code, error.message) == (
        "InvalidTemplate",
        f"Mẫu hóa đơn/ký hiệu {symbol} chưa được đăng ký",
    )


def test_line_amount_beyond_tolerance(misa_adapter, misa_request) -> None:
    line = replace(goods(1, "Áo thun", 2, 150_000, VatRate.TEN), amount=300_005, vat_amount=30_000)
    request = misa_request(new_key(), lines=(line,))
    request = replace(
        request,
        breakdown=(VatBreakdown(VatRate.TEN, line.amount, line.vat_amount),),
        total_without_vat=line.amount,
        total_vat=line.vat_amount,
        total=line.amount + line.vat_amount,
    )
    error = rejected(misa_adapter, request)
    assert (error.code, error.message) == ("InvalidAmount", "Dòng 1: Thành tiền 300005 khác 300000")


def test_line_vat_within_tolerance_accepted_beyond_refused(misa_adapter, misa_request) -> None:
    def with_vat(vat: int):
        line = replace(goods(1, "Áo thun", 1, 155_555, VatRate.EIGHT), vat_amount=vat)
        request = misa_request(new_key(), lines=(line,))
        return replace(
            request,
            breakdown=(VatBreakdown(VatRate.EIGHT, line.amount, line.vat_amount),),
            total_vat=line.vat_amount,
            total=line.amount + line.vat_amount,
        )

    assert misa_adapter.issue(request=with_vat(12_445)).number == "00000001"  # 12,444.4
    error = rejected(misa_adapter, with_vat(12_447))
    assert (error.code, error.message) == ("InvalidVATAmount", "Dòng 1: Tiền thuế 12447 khác 12444")


def test_breakdown_must_match_the_lines(misa_adapter, misa_request) -> None:
    request = misa_request(new_key())
    wrong = (*request.breakdown[:-1], VatBreakdown(VatRate.NOT_DECLARED, 31_000, 0))
    error = rejected(misa_adapter, replace(request, breakdown=wrong))
    assert (error.code, error.message) == (
        "InvalidTaxRateInfo",
        "Tổng hợp thuế suất KKKNT không khớp các dòng hàng",
    )


def test_injected_validation_error(misa_adapter, misa_request, misa_control, misa_sandbox) -> None:
    misa_control.post(
        "fault",
        {
            "kind": "validation",
            "path": "publishhsm",
            "code": "InvalidInvoiceData",
            "message": "Dữ liệu hóa đơn không hợp lệ",
        },
    )
    error = rejected(misa_adapter, misa_request(new_key()))
    assert (error.code, error.message) == ("InvalidInvoiceData", "Dữ liệu hóa đơn không hợp lệ")
    assert misa_sandbox.invoices == {}


def test_outer_error_on_another_call(misa_adapter, misa_control) -> None:
    misa_control.post(
        "fault",
        {"kind": "validation", "path": "templates", "code": "InvalidParam", "message": "Sai"},
    )
    with pytest.raises(PermanentError) as caught:
        misa_adapter.templates()
    assert (caught.value.code, caught.value.message) == ("InvalidParam", "Sai")


@pytest.mark.parametrize(
    "code",
    ["InvoiceNumberNotContinuous", "InvoiceNumberNotCotinuous"],  # MISA's table has both
)
def test_number_not_continuous_is_transient(
    misa_adapter, misa_request, misa_control, misa_sandbox, code: str
) -> None:
    misa_control.post(
        "fault",
        {
            "kind": "validation",
            "path": "publishhsm",
            "code": code,
            "message": "Số hóa đơn không liên tục",
        },
    )
    with pytest.raises(TransientError) as caught:
        misa_adapter.issue(request=misa_request(new_key()))
    assert caught.value.code == code
    assert misa_sandbox.invoices == {}


def test_expired_token_signs_in_again(misa_adapter, misa_sandbox, misa_control) -> None:
    misa_adapter.check_credentials()
    first = misa_adapter.token
    misa_control.post("expire-tokens")
    assert len(misa_adapter.templates()) == 3
    assert misa_adapter.token != first
    assert misa_sandbox.calls.count("/api/v3/auth/token") == 2


@pytest.mark.parametrize("status", [200, 401])
def test_expired_token_fault_any_http_status(
    misa_adapter, misa_request, misa_sandbox, misa_control, status: int
) -> None:
    misa_control.post("config", {"expired_http_status": status})
    misa_adapter.check_credentials()
    misa_control.post("fault", {"kind": "expired_token", "path": "publishhsm"})
    assert misa_adapter.issue(request=misa_request(new_key())).number == "00000001"
    assert misa_sandbox.calls.count("/api/v3/code/itg/invoicepublishing/publishhsm") == 2


def test_token_refused_twice_is_auth_error(misa_adapter, misa_control) -> None:
    misa_control.post("config", {"token_ttl": -1})
    with pytest.raises(AuthError) as caught:
        misa_adapter.templates()
    assert (caught.value.code, caught.value.message) == (
        "TokenExpiredCode",
        "Token đã hết hạn, vui lòng đăng nhập lại",
    )


def test_5xx_is_transient_then_works(
    misa_adapter, misa_request, misa_control, misa_sandbox
) -> None:
    misa_control.post("fault", {"kind": "error", "status": 503, "path": "publishhsm"})
    request = misa_request(new_key())
    with pytest.raises(TransientError) as caught:
        misa_adapter.issue(request=request)
    assert caught.value.code == "http_503"
    assert misa_sandbox.invoices == {}
    assert misa_adapter.issue(request=request).number == "00000001"


def test_unreachable_host_is_transient(misa_config) -> None:
    adapter = MisaAdapter(replace(misa_config, base_url="http://127.0.0.1:9/api/v3"))
    with pytest.raises(TransientError) as caught:
        adapter.templates()
    assert caught.value.code == "network"


def test_with_code_series_refused_on_the_plain_routes(misa_config, misa_request) -> None:
    adapter = MisaAdapter(replace(misa_config, with_tax_authority_code=False))
    with pytest.raises(PermanentError) as caught:
        adapter.issue(request=misa_request(new_key()))
    assert caught.value.code == "InvalidInvSeries"


def test_file_of_an_unknown_invoice(misa_adapter) -> None:
    ghost = IssuedInvoice(
        key="k", number="00000001", series="C26TAA", template="", issued_at=None, lookup_code="x"
    )
    with pytest.raises(PermanentError) as caught:
        misa_adapter.file(invoice=ghost, kind="pdf")
    assert (caught.value.code, caught.value.message) == (
        "InvoiceNotFound",
        "Không tìm thấy hóa đơn",
    )
