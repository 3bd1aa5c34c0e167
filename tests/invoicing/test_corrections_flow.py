"""Corrections on the order's invoice panel over real HTTP against both sandboxes: a return
proposes a decrease adjustment (nothing sent until staff confirm it with the reason and the
buyer's agreement), an increase adjustment typed by staff, and cancellation only where the
rules still allow it (never sent to the buyer, not corrected). Figures: test_compute.py and
test_issuing.py (one shirt back = 135,000 + 13,500 VAT = 148,500)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from common.money import format_money
from invoicing.models import EInvoice, InvoiceState, SendChannel, Sending
from invoicing.services.corrections import adjustment_propose
from invoicing.services.issuing import invoice_draft, invoice_issue
from invoicing.tasks import follow_up_all
from orders.services.returns import ReturnLineInput, return_create

D = Decimal
S = InvoiceState
pytestmark = pytest.mark.django_db(transaction=True)
AGREEMENT = {"agreement_name": "Biên bản điều chỉnh số 01/2026", "agreement_date": "2026-12-07"}


def issued(provider, order) -> EInvoice:
    invoice = invoice_issue(invoice_id=invoice_draft(order=order, account=provider.account).pk)
    invoice.refresh_from_db()
    assert invoice.state == S.ISSUED
    return invoice


def return_one_shirt(hand_order, run_jobs):
    line = hand_order.order.lines.get(variant=hand_order.shirt)
    with run_jobs():
        return return_create(
            order_id=hand_order.order.pk,
            lines=[ReturnLineInput(line.pk, 1, "good")],
            user_id=None,
        )


def test_a_return_proposes_a_decrease_that_staff_confirm(
    provider, hand_order, run_jobs, client, login_as
) -> None:
    order = hand_order.order
    original = issued(provider, order)
    order_return = return_one_shirt(hand_order, run_jobs)
    proposal = EInvoice.objects.get(order_return=order_return)
    assert (proposal.state, proposal.correction_kind, proposal.original_id) == (
        S.PROPOSED,
        "decrease",
        original.pk,
    )
    assert (proposal.total_without_vat, proposal.total_vat, proposal.total) == (
        D(135000),
        D(13500),
        D(148500),
    )
    assert list(
        proposal.lines.values_list(
            "name", "quantity", "unit_price", "discount", "amount", "vat_rate"
        )
    ) == [("Áo thun cotton", D(1), D(150000), D(15000), D(135000), "10")]
    assert proposal.correction_reason == (
        f"Người mua trả lại hàng (phiếu trả hàng {order_return.number})"
    )
    assert provider.count() == 1  # nothing is sent before staff confirm
    # the periodic sweep never issues a proposal, however old
    EInvoice.objects.filter(pk=proposal.pk).update(updated_at=timezone.now() - timedelta(days=1))
    with run_jobs():
        assert follow_up_all() == 0
    login_as("accountant")
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    total = format_money(D(148500), "VND", "en")
    assert f'data-testid="einvoice-proposal-total">-{total}<' in panel
    url = reverse("invoicing:proposal_confirm", args=[order.pk, proposal.pk])
    prefix = f"p{proposal.pk}-"
    refused = client.post(url, {f"{prefix}reason": "Khách trả lại 1 áo thun"})
    assert refused.status_code == 422
    assert "A business buyer&#x27;s written agreement (its name and date) is required." in (
        refused.content.decode()
    )
    proposal.refresh_from_db()
    assert (proposal.state, provider.count()) == (S.PROPOSED, 1)
    data = {f"{prefix}reason": "Khách trả lại 1 áo thun"}
    data.update({f"{prefix}{k}": v for k, v in AGREEMENT.items()})
    with run_jobs():
        assert client.post(url, data).status_code == 200
    proposal.refresh_from_db()
    original.refresh_from_db()
    assert (proposal.state, original.state) == (S.ISSUED, S.ADJUSTED)
    assert (proposal.correction_reason, proposal.agreement_name, proposal.agreement_date) == (
        "Khách trả lại 1 áo thun",
        "Biên bản điều chỉnh số 01/2026",
        date(2026, 12, 7),
    )
    assert provider.count() == 2
    # S-Invoice: positive amounts flagged as a decrease; MISA: negative amounts
    assert provider.sent_total() == (D(148500) if provider.name == "sinvoice" else D(-148500))


def test_a_proposal_can_be_dismissed(
    sinvoice_account, sinvoice_sandbox, hand_order, run_jobs, client, login_as
):
    order = hand_order.order
    invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    order_return = return_one_shirt(hand_order, run_jobs)
    proposal = EInvoice.objects.get(order_return=order_return)
    # the job run twice (the signal delivered again) proposes nothing more
    assert adjustment_propose(return_id=order_return.pk) is None
    assert EInvoice.objects.count() == 2
    login_as("accountant")
    answer = client.post(reverse("invoicing:proposal_dismiss", args=[order.pk, proposal.pk]))
    assert answer.status_code == 200
    assert not EInvoice.objects.filter(pk=proposal.pk).exists()
    assert sinvoice_sandbox.invoice_count() == 1


def test_a_return_before_any_invoice_proposes_nothing(sinvoice_account, hand_order, run_jobs):
    return_one_shirt(hand_order, run_jobs)
    assert not EInvoice.objects.exists()


def test_an_increase_adjustment_typed_by_staff(provider, hand_order, run_jobs, client, login_as):
    """1 x 110,000 VAT included at 10 %: 100,000 + 10,000."""
    order = hand_order.order
    original = issued(provider, order)
    login_as("accountant")
    url = reverse("invoicing:panel_correct", args=[order.pk])
    data = {
        "kind": "increase",
        "line_name": "Phí lắp đặt",
        "line_quantity": "1",
        "line_price": "110000",
        "line_rate": "10",
        "reason": "Bổ sung phí lắp đặt chưa tính",
        **AGREEMENT,
    }
    missing = client.post(url, {**data, "line_price": ""})
    assert missing.status_code == 422
    assert EInvoice.objects.count() == 1
    with run_jobs():
        assert client.post(url, data).status_code == 200
    increase = EInvoice.objects.get(correction_kind="increase")
    original.refresh_from_db()
    assert (increase.state, original.state) == (S.ISSUED, S.ADJUSTED)
    assert (increase.total_without_vat, increase.total_vat, increase.total) == (
        D(100000),
        D(10000),
        D(110000),
    )
    assert (provider.count(), provider.sent_total()) == (2, D(110000))
    if provider.name == "sinvoice":
        body = provider.received()[-1]
        assert body["generalInvoiceInfo"]["adjustmentType"] == "5"
        assert body["itemInfo"][0]["isIncreaseItem"] is True


def test_cancel_where_the_rules_allow_it(provider, hand_order, client, login_as) -> None:
    order = hand_order.order
    invoice = issued(provider, order)
    login_as("accountant")
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert 'data-testid="einvoice-cancel-form"' in panel
    url = reverse("invoicing:panel_cancel", args=[order.pk, invoice.pk])
    prefix = f"c{invoice.pk}-"
    no_agreement = client.post(url, {f"{prefix}reason": "Lập nhầm hóa đơn"})
    assert no_agreement.status_code == 422
    assert provider.cancelled(invoice) is False
    data = {f"{prefix}reason": "Lập nhầm hóa đơn, chưa gửi người mua"}
    data.update({f"{prefix}{k}": v for k, v in AGREEMENT.items()})
    answer = client.post(url, data)
    assert answer.status_code == 200
    invoice.refresh_from_db()
    assert (invoice.state, invoice.correction_reason) == (
        S.CANCELLED,
        "Lập nhầm hóa đơn, chưa gửi người mua",
    )
    assert provider.cancelled(invoice) is True
    # the order may have a new invoice
    assert 'data-testid="einvoice-issue-form"' in answer.content.decode()
    again = invoice_draft(order=order, account=provider.account)
    assert again.state == S.DRAFT


def test_no_cancel_once_sent_to_the_buyer(provider, hand_order, client, login_as) -> None:
    order = hand_order.order
    invoice = issued(provider, order)
    Sending.objects.create(invoice=invoice, channel=SendChannel.EMAIL, recipient="an@minhan.vn")
    login_as("accountant")
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert 'data-testid="einvoice-cancel-form"' not in panel
    prefix = f"c{invoice.pk}-"
    data = {f"{prefix}reason": "Lập nhầm"}
    data.update({f"{prefix}{k}": v for k, v in AGREEMENT.items()})
    answer = client.post(reverse("invoicing:panel_cancel", args=[order.pk, invoice.pk]), data)
    assert answer.status_code == 422
    assert (
        "The invoice has reached the buyer: since Decree 70/2025 it is corrected by an "
        "adjustment or a replacement, not cancelled."
    ) in answer.content.decode()
    invoice.refresh_from_db()
    assert (invoice.state, provider.cancelled(invoice)) == (S.ISSUED, False)


def test_a_provider_refusing_the_cancellation(provider, hand_order, client, login_as) -> None:
    order = hand_order.order
    invoice = issued(provider, order)
    provider.refuse_cancel()
    login_as("accountant")
    prefix = f"c{invoice.pk}-"
    data = {f"{prefix}reason": "Lập nhầm"}
    data.update({f"{prefix}{k}": v for k, v in AGREEMENT.items()})
    answer = client.post(
        reverse("invoicing:panel_cancel", args=[order.pk, invoice.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert answer.status_code == 422
    expected = {
        "sinvoice": "Nhà cung cấp từ chối hủy (CANCEL_NOT_ALLOWED): Không được hủy hóa đơn đã "
        "lập theo Nghị định 70/2025/NĐ-CP; vui lòng lập hóa đơn điều chỉnh hoặc thay thế",
        "misa": "Nhà cung cấp từ chối hủy (CancelNotAllowed): Không được hủy hóa đơn",
    }[provider.name]
    assert expected in answer.content.decode()
    invoice.refresh_from_db()
    assert (invoice.state, provider.cancelled(invoice)) == (S.ISSUED, False)
    assert list(invoice.attempts.filter(action="cancel").values_list("outcome", flat=True)) == [
        "error"
    ]
