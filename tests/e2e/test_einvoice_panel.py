"""The order page's e-invoice panel in Vietnamese in Chromium over the S-Invoice sandbox: the
panel offers the account, the preview is our Vietnamese PDF of the exact amounts. Screenshot
and the preview's file in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from invoicing.models import EInvoice
from tests.invoicing.conftest_app import (  # noqa: F401 - fixtures
    hand_order,
    shop_profile,
    sinvoice_account,
)
from tests.invoicing.conftest_sinvoice import (  # noqa: F401
    sinvoice_clock,
    sinvoice_sandbox,
    sinvoice_series,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


def test_the_panel_and_its_preview(
    live_server,
    signed_in,
    make_user,
    hand_order,  # noqa: F811
    sinvoice_account,  # noqa: F811
    artifacts,
):
    make_user("accountant", username="ketoan")
    order = hand_order.order
    page = signed_in("ketoan", next_url=f"/orders/{order.pk}/")
    panel = page.locator('[data-testid="einvoice-panel"]')
    expect(panel).to_contain_text("Đơn hàng này chưa có hóa đơn điện tử.")
    expect(panel.locator('[data-testid="einvoice-issue-form"]')).to_be_visible()
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "einvoice-panel-vi.png"), full_page=True)

    href = panel.locator('[data-testid="einvoice-preview"]').get_attribute("href")
    answer = page.request.get(f"{live_server.url}{href}")
    assert (answer.status, answer.headers["content-type"]) == (200, "application/pdf")
    assert answer.body().startswith(b"%PDF")
    (artifacts / "einvoice-preview.pdf").write_bytes(answer.body())
    assert not EInvoice.objects.exists()  # a preview issues nothing


@pytest.mark.parametrize(
    ("locale", "heading"),
    [("vi-VN", "Phát hành hóa đơn điều chỉnh"), ("th-TH", "ออกใบปรับปรุง")],
)
def test_a_return_proposes_an_adjustment_on_the_panel(
    signed_in,
    make_user,
    hand_order,  # noqa: F811
    sinvoice_account,  # noqa: F811
    artifacts,
    run_jobs,
    locale,
    heading,
):
    """The invoice issued, one shirt comes back: the panel shows the proposed decrease
    (-148,500 VAT included) with its reason to confirm; nothing is sent before that."""
    from invoicing.services.issuing import invoice_draft, invoice_issue
    from orders.services.returns import ReturnLineInput, return_create

    make_user("accountant", username="ketoan")
    order = hand_order.order
    invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    line = order.lines.get(variant=hand_order.shirt)
    with run_jobs():
        return_create(order_id=order.pk, lines=[ReturnLineInput(line.pk, 1, "good")], user_id=None)
    page = signed_in("ketoan", next_url=f"/orders/{order.pk}/", locale=locale)
    panel = page.locator('[data-testid="einvoice-panel"]')
    proposal = panel.locator('[data-testid="einvoice-proposal"]')
    expect(proposal).to_be_visible()
    expect(proposal.locator('[data-testid="einvoice-proposal-total"]')).to_contain_text("148")
    expect(proposal.locator("button[type=submit]")).to_have_text(heading)
    proposal.scroll_into_view_if_needed()
    language = locale[:2]
    panel.screenshot(path=str(artifacts / f"einvoice-proposal-{language}.png"))
    page.screenshot(path=str(artifacts / f"einvoice-proposal-page-{language}.png"), full_page=True)
    assert EInvoice.objects.filter(state="proposed").count() == 1


def test_the_preview_follows_the_chosen_account(
    live_server,
    signed_in,
    make_user,
    hand_order,  # noqa: F811
    sinvoice_account,  # noqa: F811
):
    """With two accounts (the demo has S-Invoice and MISA), "Preview (PDF)" previews the
    account chosen in the panel, not always the first one."""
    second = sinvoice_account
    second.pk = None
    second.name = "Zz second account"
    second.save()
    make_user("accountant", username="ketoan")
    order = hand_order.order
    page = signed_in("ketoan", next_url=f"/orders/{order.pk}/")
    panel = page.locator('[data-testid="einvoice-panel"]')
    preview = panel.locator('[data-testid="einvoice-preview"]')
    first_pk = panel.locator(f"#einv-account-{order.pk} option").first.get_attribute("value")
    assert first_pk != str(second.pk)
    assert preview.get_attribute("href") == (
        f"/einvoices/orders/{order.pk}/preview/?account={first_pk}"
    )
    panel.locator(f"#einv-account-{order.pk}").select_option(str(second.pk))
    href = f"/einvoices/orders/{order.pk}/preview/?account={second.pk}"
    expect(preview).to_have_attribute("href", href)
    answer = page.request.get(f"{live_server.url}{href}")
    assert (answer.status, answer.headers["content-type"]) == (200, "application/pdf")
