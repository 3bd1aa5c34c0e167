"""The navigation's keyboard shortcuts: each digit belongs to one page, whatever the role and
the number of entries above it; every digit shown works; "?" lists them."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_digit_opens_its_own_page_for_every_role_and_question_mark_lists_them(
    live_server, browser, sign_in, make_user, artifacts
):
    make_user("owner", username="lan", first_name="Lan", language="en")
    make_user("sales", username="hoa", first_name="Hoa", language="en")
    for username in ("lan", "hoa"):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        page = context.new_page()
        sign_in(page, username)
        links = page.locator(".sidebar .nav a")
        shown = {
            links.nth(i).locator("kbd").inner_text(): links.nth(i).get_attribute("href")
            for i in range(links.count())
            if links.nth(i).locator("kbd").count()
        }
        # Stock is Alt+8 for the owner (who sees every entry) and for the sales staff alike.
        assert shown["8"] == "/inventory/stock/"
        page.keyboard.press("Alt+8")
        page.wait_for_url(f"{live_server.url}/inventory/stock/")
        assert page.locator(".sidebar .nav a.active").get_attribute("href") == "/inventory/stock/"
        if username == "lan":
            assert sorted(shown) == list("0123456789")
            page.keyboard.press("Alt+0")
            page.wait_for_url(f"{live_server.url}/assistant/inbox/")
        else:
            assert "9" not in shown  # the sales staff see no purchase orders
            page.keyboard.press("Alt+9")  # nothing behind it: the page stays
            page.keyboard.press("Alt+1")
            page.wait_for_url(f"{live_server.url}/")
        # "?" opens the keyboard help listing the user's digits; Esc closes it.
        page.keyboard.press("?")
        dialog = page.locator("dialog.shortcuts")
        dialog.wait_for(state="visible")
        listed = dialog.locator("tbody tr").filter(has=page.locator("kbd", has_text="Alt"))
        assert listed.count() == len(shown)
        page.screenshot(path=str(artifacts / f"shortcuts-{username}.png"))
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        # The user menu opens it too.
        page.click(".topbar .menu summary")
        page.click("[data-shortcuts-open]")
        dialog.wait_for(state="visible")
        context.close()
