"""A customer's orders and revenue read the same on the customer list, the customer page and
the top customers report, each labelled with its definition (figures worked by hand in
tests/orders/test_customer_figures.py: 3 orders, 350,000 ₫)."""

import pytest
from playwright.sync_api import expect

from tests.orders.test_customer_figures import four_orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_figures_agree_on_list_page_and_report(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("manager", username="hoa", first_name="Hoa", language="vi")
    trang = four_orders()

    sign_in(page, "hoa", next_url="/customers/")

    row = page.locator("#customer-table tbody tr", has_text="Phạm Thu Trang")
    expect(row.locator("td").nth(2)).to_have_text("3")
    expect(row.locator("td").nth(3)).to_have_text("350.000\xa0₫")
    expect(page.locator("#customer-table thead [data-figure-note]")).to_have_text(
        ["không tính đơn đã hủy", "đơn đã giao, trừ hoàn tiền"]
    )
    page.screenshot(path=str(artifacts / "customer_figures_list.png"), full_page=True)

    page.goto(f"{live_server.url}/customers/{trang.pk}/")
    expect(page.locator("[data-lifetime=orders]")).to_have_text("3")
    expect(page.locator("[data-lifetime=revenue]")).to_have_text("350.000\xa0₫")
    page.screenshot(path=str(artifacts / "customer_figures_page.png"), full_page=True)

    page.goto(f"{live_server.url}/reports/top-customers/")
    report_row = page.locator("#report tbody tr", has_text="Phạm Thu Trang")
    expect(report_row.locator("td").nth(3)).to_have_text("3")
    expect(report_row.locator("td").nth(4)).to_have_text("350.000\xa0₫")
    expect(report_row.locator("td").nth(5)).to_have_text("175.000\xa0₫")
    page.screenshot(path=str(artifacts / "customer_figures_report.png"), full_page=True)
