"""Issuing by itself when an order completes (the account's rule), over real HTTP against both
sandboxes: the order-completed signal queues the job, the invoice is issued once, then e-mailed
to the buyer. The hand order (conftest_app.hand_order) totals 686,200 VND (test_compute.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from invoicing.models import AutoIssue, EInvoice, InvoiceState, SendVia
from invoicing.services.auto import invoice_auto_issue
from invoicing.services.issuing import invoice_draft
from invoicing.tasks import auto_issue
from orders.models import Customer
from orders.services.invoice_requests import (
    InvoiceDetailsInput,
    invoice_request_resolve,
    order_invoice_request_save,
)
from orders.services.orders.transitions import order_complete

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


def complete(order_id: int, run_jobs) -> None:
    with run_jobs():
        order_complete(order_id=order_id, user_id=None)


def test_asked_issues_when_the_order_completes_then_emails_the_pdf(
    provider, hand_order, run_jobs
) -> None:
    provider.set_rule(auto_issue=AutoIssue.ASKED, send_via=SendVia.EMAIL)
    order = hand_order.order
    asked = invoice_request_resolve(
        InvoiceDetailsInput(wants=True, address="12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội"),
        customer=order.customer,
    )
    with transaction.atomic():
        order_invoice_request_save(order=order, data=asked)
    complete(order.pk, run_jobs)
    invoice = EInvoice.objects.get(order=order)
    assert (invoice.state, invoice.auto_issued, invoice.total, invoice.created_by_id) == (
        InvoiceState.ISSUED,
        True,
        D(686200),
        None,
    )
    assert (provider.count(), provider.sent_total()) == (1, D(686200))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["an@minhan.vn"]
    assert message.subject == f"Hóa đơn điện tử số {invoice.number} của Công ty TNHH Cửa hàng Demo"
    day = timezone.localtime(invoice.issued_at).strftime("%d/%m/%Y")
    assert message.body == (
        "Kính gửi Công ty TNHH Minh An,\n\n"
        f"Công ty TNHH Cửa hàng Demo xin gửi Quý khách hóa đơn điện tử số {invoice.number} "
        f"(ký hiệu 1{invoice.series}) ngày {day} cho đơn hàng {order.number}, tổng cộng "
        "686.200\xa0₫. Hóa đơn được đính kèm dưới dạng PDF.\n\n"
        "Quý khách cũng có thể tra cứu hóa đơn trên cổng của nhà cung cấp bằng mã "
        f"{invoice.lookup_code}.\n\n"
        "Cảm ơn Quý khách đã mua hàng.\n\n"
        "Công ty TNHH Cửa hàng Demo"
    )
    invoice.pdf.open("rb")
    assert message.attachments == [
        (f"{invoice.series}-{invoice.number}.pdf", invoice.pdf.read(), "application/pdf")
    ]
    sending = invoice.sendings.get()
    assert (sending.channel, sending.recipient, sending.outcome, sending.sent_by_id) == (
        "email",
        "an@minhan.vn",
        "ok",
        None,
    )
    # the job run again (a signal delivered twice) changes nothing
    with run_jobs():
        assert auto_issue.delay(order_id=order.pk).get() == "no invoice"
    assert (EInvoice.objects.count(), provider.count(), len(mail.outbox)) == (1, 1, 1)


def test_misa_sends_with_its_own_email_call(misa_account, misa_control, hand_order, run_jobs):
    misa_account.auto_issue = AutoIssue.ALWAYS
    misa_account.send_via = SendVia.PROVIDER
    misa_account.save()
    complete(hand_order.order.pk, run_jobs)
    invoice = EInvoice.objects.get(order=hand_order.order)
    assert invoice.state == InvoiceState.ISSUED
    assert misa_control.get("state")["emails"] == [
        {
            "TransactionID": invoice.lookup_code,
            "ReceiverName": "Công ty TNHH Minh An",
            "ReceiverEmail": "an@minhan.vn",
        }
    ]
    assert mail.outbox == []
    assert list(invoice.sendings.values_list("channel", "recipient", "outcome")) == [
        ("provider", "an@minhan.vn", "ok")
    ]


@pytest.mark.parametrize(
    ("threshold", "issued"), [(D(686200), True), (D(686201), False), (D(0), True)]
)
def test_orders_from_an_amount(
    sinvoice_account, sinvoice_sandbox, hand_order, run_jobs, threshold, issued
):
    sinvoice_account.auto_issue = AutoIssue.ABOVE
    sinvoice_account.auto_issue_from = threshold
    sinvoice_account.save()
    complete(hand_order.order.pk, run_jobs)
    assert EInvoice.objects.filter(order=hand_order.order, auto_issued=True).count() == int(issued)
    assert sinvoice_sandbox.invoice_count() == int(issued)


def test_asked_skips_a_customer_who_did_not_ask(
    sinvoice_account, sinvoice_sandbox, hand_order, run_jobs
):
    sinvoice_account.auto_issue = AutoIssue.ASKED
    sinvoice_account.save()
    # A company with a tax code that did not ask for an invoice on this order gets none.
    assert Customer.objects.get(pk=hand_order.order.customer_id).tax_code == "0100233488"
    complete(hand_order.order.pk, run_jobs)
    assert not EInvoice.objects.exists()
    assert sinvoice_sandbox.invoice_count() == 0


def test_never_queues_nothing(sinvoice_account, sinvoice_sandbox, hand_order, run_jobs) -> None:
    assert sinvoice_account.auto_issue == AutoIssue.NEVER
    complete(hand_order.order.pk, run_jobs)
    assert not EInvoice.objects.exists()
    assert sinvoice_sandbox.invoice_count() == 0


def test_an_invoice_issued_by_staff_first_is_kept(
    sinvoice_account, sinvoice_sandbox, hand_order, run_jobs
):
    sinvoice_account.auto_issue = AutoIssue.ALWAYS
    sinvoice_account.save()
    by_staff = invoice_draft(order=hand_order.order, account=sinvoice_account)
    complete(hand_order.order.pk, run_jobs)
    assert list(EInvoice.objects.values_list("pk", "auto_issued")) == [(by_staff.pk, False)]
    assert invoice_auto_issue(order_id=hand_order.order.pk) is None


def test_an_order_not_completed_is_not_issued(sinvoice_account, hand_order) -> None:
    sinvoice_account.auto_issue = AutoIssue.ALWAYS
    sinvoice_account.save()
    assert invoice_auto_issue(order_id=hand_order.order.pk) is None  # still shipped
    assert not EInvoice.objects.exists()


def test_the_account_form_sets_the_rule(
    client, login_as, encryption_keys, sinvoice_sandbox, sinvoice_series
):
    from django.urls import reverse

    from invoicing.models import ProviderAccount
    from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME

    login_as("accountant")
    data = {
        "provider": "sinvoice",
        "name": "Viettel chính",
        "base_url": sinvoice_sandbox.api_base,
        "username": USERNAME,
        "password": PASSWORD,
        "seller_tax_code": TAX_CODE,
        "template": "1/001",
        "series": sinvoice_series,
        "default_kind": "1",
        "active": "on",
        "auto_issue": "above",
        "auto_issue_from": "500000",
        "send_via": "provider",
    }
    url = reverse("invoicing:account_create")
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "send_via": ['S-Invoice has no e-mail call: choose "We e-mail the PDF".']
    }
    assert not ProviderAccount.objects.exists()
    negative = client.post(url, {**data, "send_via": "email", "auto_issue_from": "-1"})
    assert negative.context["form"].errors == {
        "auto_issue_from": ["Ensure this value is greater than or equal to 0."]
    }
    assert client.post(url, {**data, "send_via": "email"}).status_code == 302
    assert list(
        ProviderAccount.objects.values_list("auto_issue", "auto_issue_from", "send_via")
    ) == [("above", D(500000), "email")]
    from common.money import format_money

    listing = client.get(reverse("invoicing:account_list")).content.decode()
    assert f"Orders from an amount {format_money(D(500000), 'VND', 'en')}</td>" in listing
