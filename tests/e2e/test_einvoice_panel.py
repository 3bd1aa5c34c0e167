"""The order page's e-invoice panel in Vietnamese in Chromium over the S-Invoice sandbox: the
panel offers the account, the preview is our Vietnamese PDF of the exact amounts. Screenshot
and the preview's file in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from invoicing.models import EInvoice
from tests.invoicing.conftest_app import (  # noqa: F401 - fixtures
    hand_order,
    misa_account,
    shop_profile,
    sinvoice_account,
)
from tests.invoicing.conftest_misa import misa_sandbox  # noqa: F401
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


@pytest.fixture
def eager_jobs():
    """Jobs run where they are queued (the live server's thread), as a worker would run them."""
    from crm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 720}, {"width": 1400, "height": 900}]
)
def test_the_panel_in_thai_chooses_the_account_issues_and_gives_the_link(
    signed_in,
    make_user,
    hand_order,  # noqa: F811
    sinvoice_account,  # noqa: F811
    misa_account,  # noqa: F811
    artifacts,
    eager_jobs,
    viewport,
):
    """Thai staff, keyboard on the account list: the preview follows the chosen account, Issue
    shows the invoice issued with its number once beside the symbol, the files and the chat
    link."""
    make_user("accountant", username="ketoan", language="th")
    order = hand_order.order
    page = signed_in("ketoan", next_url=f"/orders/{order.pk}/", locale="th-TH", viewport=viewport)
    panel = page.locator('[data-testid="einvoice-panel"]')
    expect(panel).to_contain_text("คำสั่งซื้อนี้ยังไม่มีใบกำกับภาษีอิเล็กทรอนิกส์")
    preview = panel.locator('[data-testid="einvoice-preview"]')
    expect(preview).to_have_attribute("href", re.compile(rf"account={misa_account.pk}$"))
    choice = panel.locator("select[name=account]")
    choice.focus()  # reached with Tab
    choice.select_option(str(sinvoice_account.pk))
    expect(preview).to_have_attribute("href", re.compile(rf"account={sinvoice_account.pk}$"))
    expect(panel.locator("select[name=account]")).to_be_focused()  # kept across the swap
    size = f"{viewport['width']}x{viewport['height']}"
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"einvoice-panel-th-{size}.png"))
    panel.get_by_role("button", name="ออกใบกำกับภาษีอิเล็กทรอนิกส์").click()
    expect(panel.locator('[data-testid="einvoice-state"]')).to_have_text("ออกแล้ว")
    expect(panel.locator('[data-testid="einvoice-number"]')).to_have_text(
        f"1{sinvoice_account.series} 1"
    )
    panel.get_by_test_id("einvoice-send-link").click()
    expect(panel.locator('[data-testid="einvoice-link"] input')).to_have_value(
        re.compile(r"/einvoices/pdf/")
    )
    expect(panel.get_by_role("link", name="PDF", exact=True)).to_be_visible()
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"einvoice-issued-th-{size}.png"))
    assert EInvoice.objects.get().account_id == sinvoice_account.pk
