import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_to_thai_and_see_the_dashboard(live_server, page, make_user, artifacts):
    make_user("manager", username="minh", first_name="Minh", language="")
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/login/?next=/"
    assert page.locator("html").get_attribute("lang") == "vi"  # browser asks for Vietnamese
    page.fill("#id_username", "minh")
    page.fill("#id_password", PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".page-title").inner_text() == "Tổng quan"

    page.click(".topbar .lang-switch button[value=th]")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator(".page-title").inner_text() == "แดชบอร์ด"
    assert page.locator(".sidebar .nav a.active").inner_text().startswith("แดชบอร์ด")
    assert page.locator("[data-testid=current-user]").inner_text() == "Minh"
    page.screenshot(path=str(artifacts / "dashboard-th.png"), full_page=True)

    # The choice is kept on the account: a new browser session opens in Thai after sign-in.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "minh")
    page.fill("#id_password", PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".page-title").inner_text() == "แดชบอร์ด"

    # Alt+2 opens the second page of the navigation (Orders, the day's work).
    second = page.locator('[data-nav-key="2"]')
    assert second.get_attribute("href") == "/orders/"
    page.keyboard.press("Alt+2")
    page.wait_for_url(f"{live_server.url}/orders/")
    page.screenshot(path=str(artifacts / "orders-th.png"), full_page=True)
