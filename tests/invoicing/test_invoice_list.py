"""The invoice list's filter bar works like every list's: htmx swaps only the table, the export
link under the table carries the filters, an empty list says so once."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_filters_swap_the_table_and_the_export_keeps_them(
    client, login_as, hand_order, sinvoice_account
) -> None:
    from invoicing.services.issuing import invoice_draft, invoice_issue

    login_as("accountant")
    invoice_issue(invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk)
    url = reverse("invoicing:invoice_list")
    page = client.get(url).content.decode()
    assert 'data-testid="einvoice-filters"' in page
    assert '<option value="" selected>Any status</option>' in page
    assert '<option value="" selected>All providers</option>' in page
    partial = client.get(url, {"state": "issued"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert body.lstrip().startswith('<section class="card card--flush" id="einvoice-table">')
    assert "<html" not in body
    assert hand_order.order.number in body
    assert 'href="?state=issued&amp;export=csv" data-testid="einvoice-export"' in body
    assert "HX-Request" in partial["Vary"]
    empty = client.get(url, {"state": "failed"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No e-invoice matches." in empty
    assert "No rows" not in empty  # the empty row says it; no pager under it
    assert "einvoice-export" not in empty


def test_a_filter_that_does_not_parse_is_reported_and_the_list_shown_whole(
    client, login_as
) -> None:
    login_as("accountant")
    page = client.get(reverse("invoicing:invoice_list"), {"date_from": "31/31/2026"})
    body = page.content.decode()
    assert 'data-testid="filter-errors"' in body
    assert "From: Enter a valid date." in body
