import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TOAST = 'class="toast toast--success"'


def test_full_pages_show_messages_as_toasts(client, login_as):
    login_as("warehouse")
    client.post(
        reverse("inventory:warehouse_create"), {"code": "hcm01", "name": "Kho", "kind": "main"}
    )
    page = client.get(reverse("inventory:warehouse_list")).content.decode()
    assert page.count(TOAST) == 1
    assert "Warehouse HCM01 saved." in page
    assert "hx-swap-oob" not in page
    assert TOAST not in client.get(reverse("inventory:warehouse_list")).content.decode()


def test_htmx_fragments_carry_messages_out_of_band(client, login_as):
    login_as("manager")
    client.post(
        reverse("inventory:warehouse_create"), {"code": "hn01", "name": "HN", "kind": "branch"}
    )
    fragment = client.get(reverse("health"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="health-checks"')
    assert '<div id="toasts" class="toasts" aria-live="polite" hx-swap-oob="beforeend">' in fragment
    assert fragment.count(TOAST) == 1
    assert "Warehouse HN01 saved." in fragment
    assert TOAST not in client.get(reverse("dashboard")).content.decode()
