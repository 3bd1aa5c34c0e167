from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.roles import ROLE_PERMISSIONS, sync_roles

pytestmark = pytest.mark.django_db


def perms_of(group: str) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=group).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_each_role_is_a_group_with_exactly_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    warehouse = perms_of("warehouse")
    assert {
        "inventory.view_warehouse",
        "inventory.add_stockmovement",
        "inventory.post_stockcount",
        "inventory.add_goodsreceipt",
    } <= warehouse
    assert "inventory.change_product" not in warehouse
    assert "inventory.add_purchaseorder" not in warehouse
    assert perms_of("sales") == {
        "inventory.view_product",
        "inventory.view_variant",
        "inventory.view_stocklevel",
        "orders.view_customer",
        "orders.add_customer",
        "orders.change_customer",
        "orders.view_order",
        "orders.add_order",
        "orders.change_order",
        "orders.view_return",
        "orders.confirm_order",
        "orders.cancel_order",
        "orders.export_order",
        "followups.view_followup",
        "followups.add_followup",
        "followups.change_followup",
        "followups.view_contactrequest",
        "followups.add_contactrequest",
        "followups.change_contactrequest",
        "shipping.view_shipment",
        "assistant_channels.answer_conversations",
    }
    assert {"orders.ship_order", "orders.add_return"} <= warehouse
    assert "orders.add_order" not in warehouse
    assert {"orders.complete_order", "orders.view_reports"} <= perms_of("accountant")
    assert "orders.view_reports" not in perms_of("sales")
    assert "orders.merge_customer" not in perms_of("sales")
    assert {"orders.merge_customer", "orders.add_website"} <= perms_of("manager")
    assert "inventory.post_stockcount" not in perms_of("accountant")
    assert "crm.view_health" in perms_of("manager")
    assert "crm.view_health" not in perms_of("warehouse")
    assert {"crm.view_health", "inventory.delete_warehouse"} <= perms_of("owner")


def test_sync_roles_restores_a_tampered_group():
    group = Group.objects.get(name="warehouse")
    before = perms_of("warehouse")
    group.permissions.clear()
    sync_roles()
    assert perms_of("warehouse") == before
    assert len(before) > 10


def test_sales_is_refused_the_warehouse_page_with_403(client, login_as):
    login_as("sales")
    response = client.get(reverse("inventory:warehouse_list"))
    assert response.status_code == 403
    assert b"does not give access" in response.content


def test_warehouse_staff_open_the_warehouse_page(client, login_as):
    login_as("warehouse")
    assert client.get(reverse("inventory:warehouse_list")).status_code == 200


def test_sales_cannot_post_a_new_warehouse_either(client, login_as):
    from inventory.models import Warehouse

    login_as("sales")
    response = client.post(
        reverse("inventory:warehouse_create"), {"code": "X1", "name": "X", "kind": "main"}
    )
    assert response.status_code == 403
    assert Warehouse.objects.count() == 0


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("inventory:warehouse_list"))
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/inventory/warehouses/"


def test_navigation_lists_only_what_the_role_may_open(client, login_as):
    login_as("sales")
    html = client.get(reverse("dashboard")).content.decode()
    assert 'href="/inventory/warehouses/"' not in html
    assert 'href="/system/health/"' not in html
    client.logout()
    login_as("manager")
    html = client.get(reverse("dashboard")).content.decode()
    assert 'href="/inventory/warehouses/"' in html
    assert 'href="/system/health/"' in html


PUBLIC = {
    "login",
    "language_switch",
    "healthz",
    # The website API authenticates by API key, not by session.
    "api:order_create",
    "api:order_status",
    "api:openapi",
    "followups_api:contact_request_create",
    # A private calendar feed: its secret token is the credential.
    "followups:ical",
    # Marketplace push messages: the signature over the body is the credential.
    "channels_sync:webhook_shopee",
    "channels_sync:webhook_lazada",
    "channels_sync:webhook_tiktok",
    # Carrier callbacks: the account's webhook secret is the credential.
    "shipping:ghn_webhook",
    "shipping:viettel_post_webhook",
    # An e-invoice PDF link for the buyer: its signed, expiring token is the credential.
    "invoicing:public_pdf",
    # Chat platforms' webhooks (signature over the body) and the website chat widget (the
    # shop's allowed origins, a signed visitor token, rate limits).
    "assistant_channels:messenger_webhook",
    "assistant_channels:zalo_webhook",
    "assistant_channels:line_webhook",
    "assistant_channels:widget_messages",
    # The website chat's demo storefront: DEBUG only (404 otherwise), what a shop's visitor sees.
    "assistant_channels:widget_demo",
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else ""
            if entry.namespace == "admin":
                continue  # the maintenance admin checks is_staff itself
            yield from walk(entry.url_patterns, prefix + ns)
        elif isinstance(entry, URLPattern):
            yield prefix + (entry.name or "?"), entry.callback


def test_every_page_declares_its_permission_or_is_public():
    undeclared = []
    for name, callback in walk(get_resolver().url_patterns):
        public = getattr(callback, "login_required", True) is False
        if name in PUBLIC:
            assert public, f"{name} should be reachable without signing in"
        elif not hasattr(callback, "required_perms"):
            undeclared.append(name)
    assert undeclared == []
