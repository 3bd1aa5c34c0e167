from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves (creating users) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server) -> Callable[..., object]:
    """`sign_in(page, username, next_url="/")`: signs `page` in through the login page (typed,
    then Enter) and waits until it lands on `next_url`; returns the page."""

    def sign_in(page, username: str, *, next_url: str = "/", password: str = PASSWORD):
        page.goto(f"{live_server.url}/login/?next={quote(next_url, safe='/')}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}{next_url}")
        return page

    return sign_in


@pytest.fixture
def signed_in(browser, sign_in) -> Iterator[Callable[..., object]]:
    """`signed_in(username, next_url="/", locale="vi-VN", viewport=DESKTOP)`: a new tab in a
    browser of that language and window size, signed in as `username` on `next_url`. Its
    browser context is closed after the test."""
    contexts = []

    def signed_in(
        username: str,
        *,
        next_url: str = "/",
        locale: str = "vi-VN",
        viewport: dict[str, int] = DESKTOP,
        password: str = PASSWORD,
    ):
        context = browser.new_context(viewport=viewport, locale=locale)
        contexts.append(context)
        return sign_in(context.new_page(), username, next_url=next_url, password=password)

    yield signed_in
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
