"""The navigation's keyboard shortcuts: only the numbers shown work, and every one shown does."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alt_0_opens_the_tenth_entry_and_later_entries_show_no_number(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("owner", username="lan", first_name="Lan", language="en")
    sign_in(page, "lan")
    links = page.locator(".sidebar .nav a")
    count = links.count()
    assert count > 10  # the owner sees every page: more entries than digits
    shown = [links.nth(i).locator("kbd").all_inner_texts() for i in range(count)]
    assert shown == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"], ["8"], ["9"], ["0"]] + [
        []
    ] * (count - 10)
    tenth = links.nth(9).get_attribute("href")
    page.keyboard.press("Alt+0")
    page.wait_for_url(f"{live_server.url}{tenth}")
    assert page.locator(".sidebar .nav a.active").get_attribute("href") == tenth
    page.screenshot(path=str(artifacts / "nav-alt-0.png"), full_page=True)
    # Alt+9 still opens the ninth.
    ninth = links.nth(8).get_attribute("href")
    page.keyboard.press("Alt+9")
    page.wait_for_url(f"{live_server.url}{ninth}")
