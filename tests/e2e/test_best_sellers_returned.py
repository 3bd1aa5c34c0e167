"""Best sellers do not list a product sold and then all returned (net units 0)."""

import pytest
from playwright.sync_api import expect

from tests.orders.test_best_sellers_returned import sell_and_return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_best_sellers_leave_out_what_all_came_back(page, sign_in, make_user, artifacts):
    make_user("accountant", username="mai", first_name="Mai", language="vi")
    sell_and_return()  # SOCK: 3 sold, 1 returned; HAT: 2 sold, 2 returned

    url = "/reports/best-sellers/?date_from=2026-03-01&date_to=2026-03-31"
    sign_in(page, "mai", next_url=url)

    rows = page.locator("#report tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.mono")).to_have_text("SOCK")
    expect(rows.first).to_contain_text("40.000\xa0₫")
    page.screenshot(path=str(artifacts / "best_sellers_returned.png"), full_page=True)
