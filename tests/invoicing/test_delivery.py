"""Sending an issued invoice to the buyer: the automatic e-mail after issuing, "send again",
the provider's own e-mail (MISA over HTTP; S-Invoice has none), and where the buyer's e-mail
is hidden the signed, expiring public link to the PDF (no login)."""

from __future__ import annotations

import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from invoicing.models import EInvoice, InvoiceState, SendVia
from invoicing.services.delivery import LINK_SALT, link_token
from invoicing.services.issuing import invoice_draft
from orders.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)
S = InvoiceState


def issue_through_the_job(account, order, run_jobs) -> EInvoice:
    from invoicing.tasks import enqueue_issue

    with run_jobs():
        invoice = invoice_draft(order=order, account=account)
        enqueue_issue(invoice.pk)
    invoice.refresh_from_db()
    assert invoice.state == S.ISSUED
    return invoice


class OldSigner(signing.TimestampSigner):
    """Signs as if two days ago (a link made then)."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 2 * 86400)


def test_hidden_email_gets_a_signed_expiring_link(
    sinvoice_account, hand_order, run_jobs, client, login_as, settings
) -> None:
    order = hand_order.order
    Customer.objects.filter(pk=order.customer_id).update(emails=[])
    invoice = issue_through_the_job(sinvoice_account, order, run_jobs)
    assert (mail.outbox, invoice.sendings.count()) == ([], 0)  # nobody to e-mail
    user = login_as("accountant")
    panel = client.get(reverse("invoicing:panel", args=[order.pk])).content.decode()
    assert 'data-testid="einvoice-send-email"' not in panel
    assert 'data-testid="einvoice-send-link"' in panel
    answer = client.post(
        reverse("invoicing:panel_send", args=[order.pk, invoice.pk]), {"channel": "link"}
    )
    assert answer.status_code == 200
    # The link shown is the invoice's signed token; its signing second may differ from ours.
    prefix = "http://testserver" + reverse("invoicing:public_pdf", args=["TOKEN"]).split("TOKEN")[0]
    shown = answer.content.decode().split(f'value="{prefix}', 1)[1].split('"', 1)[0]
    token = shown.rstrip("/")
    assert token.split(":")[0] == link_token(invoice).split(":")[0]
    assert list(invoice.sendings.values_list("channel", "recipient", "sent_by_id")) == [
        ("link", "", user.pk)
    ]
    buyer = Client()  # not signed in
    pdf = buyer.get(reverse("invoicing:public_pdf", args=[token]))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    invoice.pdf.open("rb")
    assert pdf.content == invoice.pdf.read()
    tampered = buyer.get(reverse("invoicing:public_pdf", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 410
    settings.EINVOICE_LINK_DAYS = 1
    old = OldSigner(salt=LINK_SALT).sign_object({"k": str(invoice.key)}, compress=True)
    expired = buyer.get(reverse("invoicing:public_pdf", args=[old]))
    assert expired.status_code == 410
    assert expired.content.decode() == (
        "This invoice link is not valid or has expired. Ask the shop for a new one."
    )
    settings.EINVOICE_LINK_DAYS = 3
    assert buyer.get(reverse("invoicing:public_pdf", args=[old])).status_code == 200


def test_send_again_by_email(sinvoice_account, hand_order, run_jobs, client, login_as) -> None:
    order = hand_order.order
    invoice = issue_through_the_job(sinvoice_account, order, run_jobs)
    assert [m.to for m in mail.outbox] == [["an@minhan.vn"]]
    user = login_as("accountant")
    url = reverse("invoicing:panel_send", args=[order.pk, invoice.pk])
    assert client.post(url, {"channel": "email"}).status_code == 200
    assert [m.to for m in mail.outbox] == [["an@minhan.vn"], ["an@minhan.vn"]]
    assert list(invoice.sendings.order_by("id").values_list("channel", "sent_by_id")) == [
        ("email", None),
        ("email", user.pk),
    ]
    refused = client.post(url, {"channel": "provider"})
    assert refused.status_code == 422
    assert "This provider has no e-mail call." in refused.content.decode()
    assert invoice.sendings.count() == 2


def test_misa_send_again_with_its_email_call(
    misa_account, misa_control, hand_order, run_jobs, client, login_as
) -> None:
    misa_account.send_via = SendVia.OFF
    misa_account.save()
    order = hand_order.order
    invoice = issue_through_the_job(misa_account, order, run_jobs)
    assert (mail.outbox, misa_control.get("state")["emails"]) == ([], [])
    login_as("accountant")
    url = reverse("invoicing:panel_send", args=[order.pk, invoice.pk])
    answer = client.post(url, {"channel": "provider", "to": "ketoan@minhan.vn"})
    assert answer.status_code == 200
    assert misa_control.get("state")["emails"] == [
        {
            "TransactionID": invoice.lookup_code,
            "ReceiverName": "Công ty TNHH Minh An",
            "ReceiverEmail": "ketoan@minhan.vn",
        }
    ]
    assert list(invoice.sendings.values_list("channel", "recipient", "outcome")) == [
        ("provider", "ketoan@minhan.vn", "ok")
    ]


def test_nothing_is_sent_before_issuing(sinvoice_account, hand_order, client, login_as) -> None:
    order = hand_order.order
    draft = invoice_draft(order=order, account=sinvoice_account)
    login_as("accountant")
    answer = client.post(
        reverse("invoicing:panel_send", args=[order.pk, draft.pk]), {"channel": "email"}
    )
    assert answer.status_code == 422
    assert "Only an issued invoice can be sent to the buyer." in answer.content.decode()
    assert (mail.outbox, draft.sendings.count()) == ([], 0)
