"""Issuing invoices from orders against both sandboxes over real HTTP: issue, files, the tax
authority's code after a delay, a timeout then a retry (one invoice), a refusal shown in the
user's language, corrections after a return and replacement. Figures: test_compute.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from invoicing.models import Attempt, EInvoice, InvoiceState
from invoicing.sandbox.sinvoice import Fault
from invoicing.services.corrections import correction_draft, decrease_for_return
from invoicing.services.issuing import failure_text, invoice_draft, invoice_issue, invoice_refresh
from orders.services.returns import ReturnLineInput, return_create

D = Decimal
S = InvoiceState
pytestmark = pytest.mark.django_db(transaction=True)


class SInvoiceDriver:
    def __init__(self, request: Any) -> None:
        self.sandbox = request.getfixturevalue("sinvoice_sandbox")
        self.account = request.getfixturevalue("sinvoice_account")
        self.series = self.account.series

    def number(self, n: int) -> str:
        return f"{self.series}{n}"

    def code_delay(self, seconds: int) -> None:
        self.sandbox.configure(tax_code_delay=seconds, file_delay=seconds)

    def advance(self, seconds: int) -> None:
        self.sandbox.advance(seconds)

    def slow(self, delay: float) -> None:
        self.sandbox.add_fault(Fault("slow", delay=delay, path="createInvoice"))

    def unavailable(self) -> None:
        self.sandbox.add_fault(Fault("error", status=503, path="createInvoice"))

    def refuse(self, code: str, message: str) -> None:
        self.sandbox.add_fault(
            Fault("validation", code=code, message=message, path="createInvoice")
        )

    def count(self) -> int:
        return self.sandbox.invoice_count()

    def sent_total(self) -> Decimal:
        return D(str(self.sandbox.payloads()[-1]["summarizeInfo"]["totalAmountWithTax"]))


class MisaDriver:
    def __init__(self, request: Any) -> None:
        self.sandbox = request.getfixturevalue("misa_sandbox")
        self.control = request.getfixturevalue("misa_control")
        self.account = request.getfixturevalue("misa_account")
        self.series = self.account.series

    def number(self, n: int) -> str:
        return f"{n:08d}"

    def code_delay(self, seconds: int) -> None:
        self.control.post("config", {"code_delay": seconds, "file_delay": seconds})

    def advance(self, seconds: int) -> None:
        self.control.post("clock", {"advance": seconds})

    def slow(self, delay: float) -> None:
        self.control.post("fault", {"kind": "slow", "delay": delay, "path": "publishhsm"})

    def unavailable(self) -> None:
        self.control.post("fault", {"kind": "error", "status": 503, "path": "publishhsm"})

    def refuse(self, code: str, message: str) -> None:
        self.control.post(
            "fault", {"kind": "validation", "path": "publishhsm", "code": code, "message": message}
        )

    def count(self) -> int:
        return len(self.control.get("state")["invoices"])

    def sent_total(self) -> Decimal:
        return D(str(self.control.get("received")[-1]["TotalAmountOC"]))


@pytest.fixture(params=["sinvoice", "misa"])
def driver(request: Any) -> Any:
    return SInvoiceDriver(request) if request.param == "sinvoice" else MisaDriver(request)


def attempts(invoice: EInvoice) -> list[tuple[str, str]]:
    return list(Attempt.objects.filter(invoice=invoice).values_list("action", "outcome"))


def test_issue_stores_number_code_and_files(driver, hand_order) -> None:
    invoice = invoice_draft(order=hand_order.order, account=driver.account)
    assert (invoice.state, invoice.total) == (S.DRAFT, D(686200))
    issued = invoice_issue(invoice_id=invoice.pk)
    issued.refresh_from_db()
    assert (issued.state, issued.number, issued.series) == (
        S.ISSUED,
        driver.number(1),
        driver.series,
    )
    assert issued.tax_authority_code != ""
    assert issued.lookup_code != ""
    assert issued.issued_at is not None
    assert driver.sent_total() == D(686200)
    assert issued.pdf.read().startswith(b"%PDF")
    assert issued.xml.read().lstrip().startswith(b"<")
    assert attempts(issued) == [("issue", "ok"), ("file_pdf", "ok"), ("file_xml", "ok")]
    # issuing again changes nothing and calls nobody
    assert invoice_issue(invoice_id=invoice.pk).state == S.ISSUED
    assert (driver.count(), Attempt.objects.count()) == (1, 3)


def test_the_tax_authority_code_and_files_come_later(driver, hand_order) -> None:
    driver.code_delay(60)
    invoice = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=driver.account).pk
    )
    invoice.refresh_from_db()
    assert (invoice.state, invoice.tax_authority_code, bool(invoice.pdf)) == (
        S.WAITING_FOR_CODE,
        "",
        False,
    )
    invoice_refresh(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.state == S.WAITING_FOR_CODE
    driver.advance(61)
    invoice_refresh(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.state == S.ISSUED
    assert invoice.tax_authority_code != ""
    assert invoice.pdf.read().startswith(b"%PDF")
    assert driver.count() == 1


def test_a_timeout_then_a_retry_issues_one_invoice(driver, hand_order, settings) -> None:
    settings.EINVOICE_TIMEOUT = (2.0, 0.5)
    invoice = invoice_draft(order=hand_order.order, account=driver.account)
    driver.slow(1.2)
    invoice_issue(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.error_code) == (S.ISSUING, "timeout")
    with translation.override("vi"):
        assert "không bao giờ" in failure_text(invoice)
    settings.EINVOICE_TIMEOUT = (2.0, 5.0)
    retried = invoice_issue(invoice_id=invoice.pk)
    retried.refresh_from_db()
    assert (retried.state, retried.number) == (S.ISSUED, driver.number(1))
    assert attempts(retried)[:2] == [("issue", "timeout"), ("find", "ok")]
    assert driver.count() == 1


def test_a_refusal_is_failed_with_the_providers_words_in_the_users_language(
    driver, hand_order
) -> None:
    invoice = invoice_draft(order=hand_order.order, account=driver.account)
    driver.refuse("INVALID_BUYER_EMAIL", "Email người mua không hợp lệ")
    invoice_issue(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.error_code, invoice.error_message) == (
        S.FAILED,
        "INVALID_BUYER_EMAIL",
        "Email người mua không hợp lệ",
    )
    with translation.override("th"):
        assert failure_text(invoice) == (
            "ผู้ให้บริการปฏิเสธใบกำกับภาษี (INVALID_BUYER_EMAIL): Email người mua không hợp lệ"
        )
    with translation.override("vi"):
        assert failure_text(invoice) == (
            "Nhà cung cấp từ chối hóa đơn (INVALID_BUYER_EMAIL): Email người mua không hợp lệ"
        )
    # a retry after the refusal issues it (nothing was issued before)
    assert invoice_issue(invoice_id=invoice.pk).state == S.ISSUED
    assert driver.count() == 1


def test_a_return_proposes_a_decrease_adjustment(driver, hand_order) -> None:
    """One shirt back: 330,000 x 664,200 / 738,000 / 2 = 148,500 paid for it; VAT
    148,500 x 10/110 = 13,500, amount 135,000; gross 165,000 is 150,000 without VAT, so the
    discount is 15,000."""
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=driver.account).pk
    )
    line = hand_order.order.lines.get(variant=hand_order.shirt)
    order_return = return_create(
        order_id=hand_order.order.pk, lines=[ReturnLineInput(line.pk, 1, "good")], user_id=None
    )
    proposal = decrease_for_return(order_return)
    assert [
        (ln.quantity, ln.unit_price, ln.discount, ln.amount, ln.vat_amount) for ln in proposal.lines
    ] == [(D(1), D(150000), D(15000), D(135000), D(13500))]
    assert (proposal.total_without_vat, proposal.total_vat, proposal.total) == (
        D(135000),
        D(13500),
        D(148500),
    )
    adjustment = correction_draft(
        original=original,
        kind="decrease",
        reason="Khách trả lại 1 áo thun",
        agreement_name="Biên bản điều chỉnh số 01/2026",
        agreement_date=date(2026, 12, 7),
        computed=proposal,
    )
    issued = invoice_issue(invoice_id=adjustment.pk)
    issued.refresh_from_db()
    original.refresh_from_db()
    assert (issued.state, issued.number, issued.original_id) == (
        S.ISSUED,
        driver.number(2),
        original.pk,
    )
    assert original.state == S.ADJUSTED
    assert driver.count() == 2


def test_a_replacement_replaces_the_original(driver, hand_order) -> None:
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=driver.account).pk
    )
    replacement = correction_draft(
        original=original,
        kind="replacement",
        reason="Sai địa chỉ và mã số thuế người mua",
        agreement_name="Biên bản thỏa thuận số 02/2026",
        agreement_date=date(2026, 12, 7),
    )
    assert replacement.total == D(686200)
    issued = invoice_issue(invoice_id=replacement.pk)
    issued.refresh_from_db()
    original.refresh_from_db()
    assert (issued.state, original.state) == (S.ISSUED, S.REPLACED)
    assert driver.count() == 2


def test_the_periodic_sweep_fetches_the_code_later(driver, hand_order, run_jobs) -> None:
    from invoicing.tasks import follow_up_all

    driver.code_delay(60)
    invoice = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=driver.account).pk
    )
    assert invoice.state == S.WAITING_FOR_CODE
    driver.advance(61)
    with run_jobs():
        assert follow_up_all() == 1
    invoice.refresh_from_db()
    assert invoice.state == S.ISSUED
    assert invoice.tax_authority_code != ""
    assert bool(invoice.pdf)
    assert bool(invoice.xml)


def test_a_5xx_leaves_the_outcome_unknown_and_a_retry_issues_once(driver, hand_order) -> None:
    invoice = invoice_draft(order=hand_order.order, account=driver.account)
    driver.unavailable()
    invoice_issue(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.state == S.ISSUING
    assert invoice.error_code != ""
    with translation.override("vi"):
        assert failure_text(invoice).startswith(
            f"Không kết nối được với nhà cung cấp ({invoice.error_code}): "
        )
    assert invoice_issue(invoice_id=invoice.pk).state == S.ISSUED
    assert attempts(invoice)[:2] == [("issue", "error"), ("find", "ok")]
    assert driver.count() == 1


def test_one_invoice_per_order(hand_order, sinvoice_account) -> None:
    from django.db import IntegrityError

    invoice_draft(order=hand_order.order, account=sinvoice_account)
    with pytest.raises(IntegrityError):
        invoice_draft(order=hand_order.order, account=sinvoice_account)
    assert EInvoice.objects.count() == 1
