"""The e-invoice pages: provider accounts (roles, validation, write-only password), the panel
on the order page (preview, issue through the job, a refusal in the user's language, a
correction after a return), the list with its filters and CSV export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from invoicing.models import EInvoice, InvoiceState, Provider, ProviderAccount
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME, Fault
from orders.services.returns import ReturnLineInput, return_create

pytestmark = pytest.mark.django_db(transaction=True)
S = InvoiceState


def account_data(sandbox, series: str, **changes: str) -> dict[str, str]:
    data = {
        "provider": Provider.SINVOICE,
        "name": "Viettel chính",
        "base_url": sandbox.api_base,
        "auth_url": "",
        "app_id": "",
        "username": USERNAME,
        "password": PASSWORD,
        "seller_tax_code": TAX_CODE,
        "template": "1/001",
        "series": series,
        "default_kind": "1",
        "active": "on",
    }
    return {**data, **changes}


def test_accounts_for_accountants_only(client, login_as) -> None:
    login_as("sales")
    assert client.get(reverse("invoicing:account_list")).status_code == 403
    login_as("accountant")
    assert client.get(reverse("invoicing:account_list")).status_code == 200


def test_an_account_is_validated_and_its_password_kept(
    client, login_as, encryption_keys, sinvoice_sandbox, sinvoice_series
) -> None:
    login_as("accountant")
    url = reverse("invoicing:account_create")
    refused = client.post(
        url,
        account_data(sinvoice_sandbox, "X26TAA", seller_tax_code="0100233480", template="1-001"),
    )
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["seller_tax_code"] == [
        "0100233480 is not a valid Vietnamese tax code: the check digit does not match."
    ]
    assert errors["series"][0].startswith("X26TAA is not an invoice series")
    assert errors["template"] == ["An S-Invoice template code looks like 1/001."]
    saved = client.post(url, account_data(sinvoice_sandbox, sinvoice_series.lower()))
    assert saved.status_code == 302
    account = ProviderAccount.objects.get()
    assert (account.series, account.password) == (sinvoice_series, PASSWORD)
    edit = reverse("invoicing:account_edit", args=[account.pk])
    data = account_data(sinvoice_sandbox, sinvoice_series, password="", name="Viettel 2")
    assert client.post(edit, data).status_code == 302
    account.refresh_from_db()
    assert (account.name, account.password) == ("Viettel 2", PASSWORD)


def test_the_panel_previews_and_issues(client, login_as, hand_order, sinvoice_account, run_jobs):
    login_as("accountant")
    order = hand_order.order
    detail = client.get(reverse("orders:order_detail", args=[order.pk]))
    assert reverse("invoicing:panel", args=[order.pk]).encode() in detail.content
    panel = client.get(reverse("invoicing:panel", args=[order.pk]))
    assert "No e-invoice for this order yet." in panel.content.decode()
    preview = client.get(
        reverse("invoicing:panel_preview", args=[order.pk]), {"account": sinvoice_account.pk}
    )
    assert (preview.status_code, preview["Content-Type"]) == (200, "application/pdf")
    assert preview.content.startswith(b"%PDF")
    with run_jobs():
        issued = client.post(
            reverse("invoicing:panel_issue", args=[order.pk]),
            {"account": sinvoice_account.pk},
            HTTP_HX_REQUEST="true",
        )
    assert issued.status_code == 200
    invoice = EInvoice.objects.get()
    assert (invoice.state, invoice.number) == (S.ISSUED, f"{sinvoice_account.series}1")
    page = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert f"1{sinvoice_account.series} 1" in page  # the symbol, then the number
    assert invoice.tax_authority_code in page
    pdf = client.get(reverse("invoicing:invoice_file", args=[invoice.pk, "pdf"]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")


def test_a_refusal_is_shown_in_thai_and_retried(
    client, login_as, hand_order, sinvoice_account, sinvoice_sandbox, run_jobs
) -> None:
    login_as("accountant")
    order = hand_order.order
    sinvoice_sandbox.add_fault(
        Fault(
            "validation",
            code="INVALID_BUYER_EMAIL",
            message="Email người mua không hợp lệ",
            path="createInvoice",
        )
    )
    with run_jobs():
        client.post(
            reverse("invoicing:panel_issue", args=[order.pk]), {"account": sinvoice_account.pk}
        )
    invoice = EInvoice.objects.get()
    assert invoice.state == S.FAILED
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    page = client.get(reverse("invoicing:panel", args=[order.pk]))
    assert (
        "ผู้ให้บริการปฏิเสธใบกำกับภาษี (INVALID_BUYER_EMAIL): Email người mua không hợp lệ"
        in page.content.decode()
    )
    with run_jobs():
        client.post(reverse("invoicing:panel_retry", args=[order.pk, invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.state == S.ISSUED
    assert sinvoice_sandbox.invoice_count() == 1


def test_a_decrease_adjustment_after_a_return_from_the_panel(
    client, login_as, hand_order, sinvoice_account, sinvoice_sandbox, run_jobs
) -> None:
    login_as("accountant")
    order = hand_order.order
    with run_jobs():
        client.post(
            reverse("invoicing:panel_issue", args=[order.pk]), {"account": sinvoice_account.pk}
        )
    line = order.lines.get(variant=hand_order.shirt)
    order_return = return_create(
        order_id=order.pk, lines=[ReturnLineInput(line.pk, 1, "good")], user_id=None
    )
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert f"{order_return.number} · -₫148,500" in panel  # the proposal, in English
    url = reverse("invoicing:panel_correct", args=[order.pk])
    refused = client.post(
        url, {"kind": "decrease", "reason": "Trả 1 áo", "agreement_name": "", "agreement_date": ""}
    )
    assert refused.status_code == 422
    assert "Choose the return this decrease is for." in refused.content.decode()
    data = {
        "kind": "decrease",
        "reason": "Khách trả lại 1 áo thun",
        "agreement_name": "Biên bản điều chỉnh số 01/2026",
        "agreement_date": "07/12/2026",
        "order_return": order_return.pk,
    }
    with run_jobs():
        assert client.post(url, data).status_code == 200
    original, adjustment = EInvoice.objects.order_by("id")
    assert (original.state, adjustment.state) == (S.ADJUSTED, S.ISSUED)
    assert (adjustment.correction_kind, adjustment.total) == ("decrease", Decimal(148500))
    assert sinvoice_sandbox.invoice_count() == 2


def test_the_list_filters_and_exports(client, login_as, hand_order, sinvoice_account) -> None:
    from invoicing.services.issuing import invoice_draft, invoice_issue

    login_as("accountant")
    invoice_issue(invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk)
    url = reverse("invoicing:invoice_list")
    issued = client.get(url, {"state": "issued", "provider": "sinvoice"}).content.decode()
    assert hand_order.order.number in issued
    failed = client.get(url, {"state": "failed"}).content.decode()
    assert hand_order.order.number not in failed
    export = client.get(url, {"state": "issued", "export": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = text.splitlines()
    assert rows[0].startswith("Order,Provider,State,Series,Number")
    assert rows[1].split(",")[:5] == [
        hand_order.order.number,
        "Viettel S-Invoice",
        "Issued",
        sinvoice_account.series,
        f"{sinvoice_account.series}1",
    ]
    assert rows[1].split(",")[-4:] == ["637143", "49057", "686200", "Original"]


def test_a_rate_an_invoice_cannot_carry_is_explained(
    client, login_as, hand_order, sinvoice_account
) -> None:
    from orders.models import OrderLine

    login_as("accountant")
    order = hand_order.order
    OrderLine.objects.filter(order=order, variant=hand_order.milk).update(vat_rate=Decimal(7))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    answer = client.post(
        reverse("invoicing:panel_issue", args=[order.pk]), {"account": sinvoice_account.pk}
    )
    assert answer.status_code == 422
    assert (
        "Thuế suất của một dòng (7 %) không thể ghi trên hóa đơn điện tử: hãy dùng 0, 5, 8 hoặc "
        "10 %." in answer.content.decode()
    )
    assert not EInvoice.objects.exists()


def test_an_order_whose_goods_all_came_back_is_not_invoiced(
    client, login_as, hand_order, sinvoice_account, sinvoice_sandbox
) -> None:
    """A returned order sold nothing: the panel says so instead of offering "Issue", and a
    POST is refused with nothing drafted and nothing sent (the demo's returned parcel)."""
    login_as("accountant")
    order = hand_order.order
    return_create(
        order_id=order.pk,
        lines=[ReturnLineInput(line.pk, line.quantity, "good") for line in order.lines.all()],
        user_id=None,
    )
    order.refresh_from_db()
    assert order.status == "returned"
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert 'data-testid="einvoice-issue-form"' not in panel
    assert "Every unit of this order came back: there is nothing to invoice." in panel
    refused = client.post(
        reverse("invoicing:panel_issue", args=[order.pk]), {"account": sinvoice_account.pk}
    )
    assert refused.status_code == 422
    assert "This order&#x27;s invoice cannot be issued now." in refused.content.decode()
    assert EInvoice.objects.count() == 0
    assert sinvoice_sandbox.invoice_count() == 0
