"""What the issue 14 walk-through found on the e-invoice pages, over the real sandboxes: a retry
after a refusal sends the order and account as they are now and shows the invoice under way; a
refused correction is retried with its agreement corrected; a person's buyer gives the notice
sent to them; missing shop details are named before issuing; the preview follows the chosen
account; the accounts page checks an account with its provider; numbers are shown once."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.urls import reverse

from inventory.models import ShopProfile
from invoicing.models import EInvoice, InvoiceState, ProviderAccount
from invoicing.sandbox.sinvoice import Fault
from invoicing.services.corrections import correction_draft, decrease_for_return
from invoicing.services.issuing import InvoiceStateError, invoice_draft, invoice_issue

pytestmark = pytest.mark.django_db(transaction=True)
S = InvoiceState
AGREEMENT = {"agreement_name": "Biên bản điều chỉnh số 01/2026", "agreement_date": "07/12/2026"}


def test_a_retry_sends_the_account_as_fixed_since_and_shows_it_under_way(
    client, login_as, hand_order, misa_account, misa_sandbox
) -> None:
    login_as("accountant")
    order = hand_order.order
    good_template = misa_account.template
    ProviderAccount.objects.filter(pk=misa_account.pk).update(template=str(uuid.UUID(int=9)))
    misa_account.refresh_from_db()
    refused = invoice_issue(invoice_id=invoice_draft(order=order, account=misa_account).pk)
    assert (refused.state, refused.error_code) == (S.FAILED, "InvalidTemplate")

    ProviderAccount.objects.filter(pk=misa_account.pk).update(template=good_template)
    panel = client.post(reverse("invoicing:panel_retry", args=[order.pk, refused.pk]))
    html = panel.content.decode()
    assert panel.status_code == 200
    assert 'hx-trigger="every 3s"' in html  # under way: the panel polls
    assert "Draft" in html
    assert "InvalidTemplate" not in html
    refused.refresh_from_db()
    assert (refused.state, refused.template, refused.error_code) == (S.DRAFT, good_template, "")
    assert refused.lines.count() == 4  # drafted again: three goods lines and the shipping fee

    issued = invoice_issue(invoice_id=refused.pk)
    assert (issued.state, issued.template, issued.key) == (S.ISSUED, good_template, refused.key)
    assert issued.number != ""


def test_a_retry_of_an_issued_invoice_changes_nothing(
    client, login_as, hand_order, sinvoice_account, sinvoice_sandbox
) -> None:
    login_as("accountant")
    invoice = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk
    )
    client.post(reverse("invoicing:panel_retry", args=[hand_order.order.pk, invoice.pk]))
    invoice.refresh_from_db()
    assert (invoice.state, invoice.number) == (S.ISSUED, f"{sinvoice_account.series}1")
    assert sinvoice_sandbox.invoice_count() == 1


def test_a_refused_correction_is_retried_with_its_agreement_corrected(
    client, login_as, hand_order, sinvoice_account, sinvoice_sandbox, run_jobs
) -> None:
    login_as("accountant")
    order = hand_order.order
    original = invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    sinvoice_sandbox.add_fault(
        Fault(
            "validation",
            code="AGREEMENT_INVALID",
            message="Văn bản thỏa thuận không hợp lệ",
            path="createInvoice",
        )
    )
    with run_jobs():
        client.post(
            reverse("invoicing:panel_correct", args=[order.pk]),
            {"kind": "replacement", "reason": "Sai tên hàng", **AGREEMENT},
        )
    replacement = EInvoice.objects.get(original=original)
    assert (replacement.state, replacement.error_code) == (S.FAILED, "AGREEMENT_INVALID")
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert 'data-testid="einvoice-retry-form"' in panel
    assert "Biên bản điều chỉnh số 01/2026" in panel  # the details as given, to correct

    url = reverse("invoicing:panel_retry", args=[order.pk, replacement.pk])
    prefix = f"r{replacement.pk}-"
    refused = client.post(url, {f"{prefix}reason": "", f"{prefix}agreement_name": "x"})
    assert refused.status_code == 422
    replacement.refresh_from_db()
    assert (replacement.state, replacement.agreement_name) == (
        S.FAILED,
        AGREEMENT["agreement_name"],
    )
    assert sinvoice_sandbox.invoice_count() == 1

    with run_jobs():
        answer = client.post(
            url,
            {
                f"{prefix}reason": "Sai tên hàng hóa",
                f"{prefix}agreement_name": "Biên bản thay thế số 02/2026",
                f"{prefix}agreement_date": "08/12/2026",
            },
        )
    assert answer.status_code == 200
    replacement.refresh_from_db()
    original.refresh_from_db()
    assert (replacement.state, original.state) == (S.ISSUED, S.REPLACED)
    assert (
        replacement.correction_reason,
        replacement.agreement_name,
        replacement.agreement_date,
    ) == ("Sai tên hàng hóa", "Biên bản thay thế số 02/2026", date(2026, 12, 8))
    assert sinvoice_sandbox.invoice_count() == 2


def test_a_persons_invoice_is_corrected_with_the_notice_sent_to_them(
    hand_order, sinvoice_account, sinvoice_sandbox
) -> None:
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk
    )
    EInvoice.objects.filter(pk=original.pk).update(buyer_tax_code="", buyer_company="")
    original.refresh_from_db()
    with pytest.raises(InvoiceStateError) as caught:
        correction_draft(
            original=original,
            kind="replacement",
            reason="Sai đơn giá",
            agreement_name="",
            agreement_date=None,
        )
    assert str(caught.value) == (
        "Give the notice to the buyer (what was sent to them, or where it was published) and "
        "its date in the agreement fields."
    )
    assert EInvoice.objects.count() == 1
    replacement = correction_draft(
        original=original,
        kind="replacement",
        reason="Sai đơn giá",
        agreement_name="Tin nhắn Zalo thông báo thay thế hóa đơn",
        agreement_date=date(2026, 12, 7),
    )
    issued = invoice_issue(invoice_id=replacement.pk)
    assert issued.state == S.ISSUED
    assert sinvoice_sandbox.invoice_count() == 2


def test_missing_shop_details_are_named_before_issuing(
    client, login_as, hand_order, sinvoice_account, sinvoice_sandbox, settings
) -> None:
    settings.SHOP_NAME = ""
    ShopProfile.objects.all().delete()
    login_as("owner")
    order = hand_order.order
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert (
        "An invoice names the seller: fill in the shop&#x27;s legal name, the shop&#x27;s "
        "address first."
    ) in panel
    assert reverse("shop_settings") in panel
    assert 'data-testid="einvoice-issue-form"' not in panel
    answer = client.post(
        reverse("invoicing:panel_issue", args=[order.pk]), {"account": sinvoice_account.pk}
    )
    assert answer.status_code == 422
    assert not EInvoice.objects.exists()
    assert sinvoice_sandbox.invoice_count() == 0


def test_the_preview_follows_the_chosen_account(
    client, login_as, hand_order, sinvoice_account, misa_account
) -> None:
    login_as("accountant")
    url = reverse("invoicing:panel", args=[hand_order.order.pk])
    preview = reverse("invoicing:panel_preview", args=[hand_order.order.pk])
    first = client.get(url).content.decode()  # MISA demo comes first by name
    assert f'href="{preview}?account={misa_account.pk}"' in first
    chosen = client.get(url, {"account": sinvoice_account.pk}).content.decode()
    assert f'href="{preview}?account={sinvoice_account.pk}"' in chosen
    assert f'<option value="{sinvoice_account.pk}" selected>' in chosen


def test_the_accounts_page_checks_an_account_with_its_provider(
    client, login_as, sinvoice_account, sinvoice_series
) -> None:
    login_as("accountant")
    url = reverse("invoicing:account_check", args=[sinvoice_account.pk])

    def said() -> list[str]:
        answer = client.post(url, follow=True)
        assert answer.redirect_chain == [(reverse("invoicing:account_list"), 302)]
        return [str(m) for m in answer.context["messages"]]

    assert said() == [
        f"S-Invoice demo signed in; template 1/001, series {sinvoice_series} is registered: "
        "Hóa đơn giá trị gia tăng."
    ]
    other = sinvoice_series[:4] + "ZZ"
    ProviderAccount.objects.filter(pk=sinvoice_account.pk).update(series=other)
    assert said() == [f"Template 1/001 with series {other} is not registered with the provider."]
    account = ProviderAccount.objects.get(pk=sinvoice_account.pk)
    account.password = "wrong"
    account.save()
    (message,) = said()
    assert message.startswith("S-Invoice demo: the provider refused or did not answer (")


def test_the_number_is_shown_once_beside_the_symbol(
    client, login_as, hand_order, sinvoice_account
) -> None:
    login_as("accountant")
    invoice_issue(invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk)
    symbol = f"1{sinvoice_account.series}"
    panel = client.get(reverse("invoicing:panel", args=[hand_order.order.pk])).content.decode()
    assert f'data-testid="einvoice-number">{symbol} 1</span>' in panel
    listing = client.get(reverse("invoicing:invoice_list")).content.decode()
    assert f"{symbol} 1" in listing
    assert f"{sinvoice_account.series} {sinvoice_account.series}1" not in listing


def test_a_decrease_lowers_the_list_and_the_export(
    client, login_as, hand_order, sinvoice_account
) -> None:
    from orders.services.returns import ReturnLineInput, return_create

    login_as("accountant")
    order = hand_order.order
    original = invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    line = order.lines.get(variant=hand_order.shirt)
    order_return = return_create(
        order_id=order.pk, lines=[ReturnLineInput(line.pk, 1, "good")], user_id=None
    )
    decrease = correction_draft(
        original=original,
        kind="decrease",
        reason="Khách trả lại 1 áo thun",
        agreement_name="Biên bản điều chỉnh số 01/2026",
        agreement_date=date(2026, 12, 7),
        computed=decrease_for_return(order_return),
        order_return=order_return,
    )
    assert invoice_issue(invoice_id=decrease.pk).state == S.ISSUED
    url = reverse("invoicing:invoice_list")
    assert "-₫148,500" in client.get(url).content.decode()
    export = client.get(url, {"export": "csv"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[1].split(",")[-4:] == ["-135000", "-13500", "-148500", "Decrease adjustment"]
    assert rows[2].split(",")[-4:] == ["637143", "49057", "686200", "Original"]
