"""The navigation's Alt+digit shortcuts belong to entries, not to positions: each digit opens
the same page for every role, and the keyboard help lists the ones the user has."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crm.context_processors import NAV_SHORTCUTS, NAVIGATION
from crm.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_each_digit_belongs_to_one_entry_of_the_menu():
    assert sorted(NAV_SHORTCUTS.values()) == list("0123456789")
    assert set(NAV_SHORTCUTS) <= {url_name for url_name, *_rest in NAVIGATION}


def shortcuts_shown(html: str) -> dict[str, str]:
    """digit -> href of the sidebar links that carry one."""
    sidebar = html.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]
    return {
        key: href for href, key in re.findall(r'<a href="([^"]+)"[^>]*data-nav-key="(\d)"', sidebar)
    }


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_a_digit_opens_the_same_page_whatever_the_role(client, login_as, role):
    user = login_as(role)
    shown = shortcuts_shown(client.get(reverse("dashboard")).content.decode())
    expected = {
        key: reverse(url_name)
        for url_name, key in NAV_SHORTCUTS.items()
        if (perm := next(p for n, _l, p, _i in NAVIGATION if n == url_name)) is None
        or user.has_perm(perm)
    }
    assert shown == expected
    assert shown["1"] == "/"


def test_the_owner_sees_every_digit_and_the_keyboard_help_lists_them(client, login_as):
    login_as("owner", language="en")
    html = client.get(reverse("orders:order_list")).content.decode()
    assert shortcuts_shown(html) == {
        "1": "/",
        "2": "/orders/",
        "3": "/customers/",
        "4": "/shipping/shipments/",
        "5": "/followups/calendar/",
        "6": "/reports/",
        "7": "/inventory/products/",
        "8": "/inventory/stock/",
        "9": "/inventory/purchase-orders/",
        "0": "/assistant/inbox/",
    }
    help_dialog = html.split('<dialog class="shortcuts"', 1)[1].split("</dialog>", 1)[0]
    rows = re.findall(r"<kbd>Alt</kbd> \+ <kbd>(\d)</kbd></td><td>([^<]+)</td>", help_dialog)
    assert rows == [
        ("1", "Dashboard"),
        ("2", "Orders"),
        ("3", "Customers"),
        ("0", "Chat inbox"),
        ("4", "Shipments"),
        ("5", "Follow-up calendar"),
        ("6", "Reports"),
        ("7", "Products"),
        ("8", "Stock"),
        ("9", "Purchase orders"),
    ]
    assert "data-shortcuts-open" in html


def test_the_keyboard_help_is_translated(client, login_as):
    login_as("owner")
    html = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert '<h2 id="shortcuts-title">แป้นพิมพ์ลัด</h2>' in html
