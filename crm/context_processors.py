from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The staff navigation: only features that exist are listed; each entry shows only to users
# holding its permission (None: every signed-in user).
NAVIGATION: list[tuple[str, Any, str | None, str]] = [
    ("dashboard", _("Dashboard"), None, "home"),
    ("orders:order_list", _("Orders"), "orders.view_order", "receipt"),
    ("orders:customer_list", _("Customers"), "orders.view_customer", "users"),
    (
        "assistant_channels:inbox",
        _("Chat inbox"),
        "assistant_channels.answer_conversations",
        "chat",
    ),
    ("shipping:shipment_list", _("Shipments"), "shipping.view_shipment", "truck"),
    ("followups:calendar", _("Follow-up calendar"), "followups.view_followup", "calendar"),
    ("followups:request_list", _("Contact requests"), "followups.view_contactrequest", "phone"),
    ("orders:reports", _("Reports"), "orders.view_reports", "chart"),
    ("inventory:product_list", _("Products"), "inventory.view_product", "tag"),
    ("inventory:stock_overview", _("Stock"), "inventory.view_stocklevel", "box"),
    ("inventory:transfer_list", _("Transfers"), "inventory.view_transfer", "swap"),
    ("inventory:count_list", _("Stock counts"), "inventory.view_stockcount", "clipboard"),
    ("inventory:purchase_order_list", _("Purchase orders"), "inventory.view_purchaseorder", "cart"),
    ("inventory:goods_receipt_list", _("Goods receipts"), "inventory.view_goodsreceipt", "truck"),
    ("inventory:supplier_list", _("Suppliers"), "inventory.view_supplier", "user"),
    ("inventory:warehouse_list", _("Warehouses"), "inventory.view_warehouse", "warehouse"),
    ("orders:website_list", _("Websites"), "orders.view_website", "globe"),
    (
        "channels_sync:marketplace_list",
        _("Marketplaces"),
        "channels_sync.manage_marketplaces",
        "store",
    ),
    (
        "assistant_channels:account_list",
        _("Chat channels"),
        "assistant_channels.change_chataccount",
        "chat",
    ),
    ("invoicing:invoice_list", _("E-invoices"), "invoicing.view_einvoice", "clipboard"),
    ("shipping:account_list", _("Carriers"), "shipping.manage_carriers", "truck"),
    ("health", _("System health"), "crm.view_health", "pulse"),
]

# Alt+digit opens the entry that owns the digit. The digit belongs to the entry, not to its
# position in the menu: it is the same for every role (a user who cannot see an entry simply
# has no page behind its digit) and stays put when entries are added. The daily pages of each
# role have one; the rest are a click away.
NAV_SHORTCUTS: dict[str, str] = {
    "dashboard": "1",
    "orders:order_list": "2",
    "orders:customer_list": "3",
    "shipping:shipment_list": "4",
    "followups:calendar": "5",
    "orders:reports": "6",
    "inventory:product_list": "7",
    "inventory:stock_overview": "8",
    "inventory:purchase_order_list": "9",
    "assistant_channels:inbox": "0",
}

# Pages that belong under another app's menu entry: the follow-up outcomes report is a report.
ALSO_UNDER: dict[str, tuple[str, ...]] = {"orders:reports": ("followups:outcomes",)}

# Entries with a count beside them, loaded by htmx after the page (never computed in the page).
NAV_BADGES: dict[str, str] = {
    "channels_sync:marketplace_list": "channels_sync:attention_badge",
    "assistant_channels:inbox": "assistant_channels:unread_badge",
}


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shop_name": settings.SHOP_NAME or _("My shop"), "nav_items": []}
    path = request.path
    items = []
    for url_name, label, perm, icon in NAVIGATION:
        if perm and not user.has_perm(perm):
            continue
        url = reverse(url_name)
        active = path == url if url == "/" else path.startswith(url)
        active = active or any(path.startswith(reverse(n)) for n in ALSO_UNDER.get(url_name, ()))
        badge = NAV_BADGES.get(url_name)
        items.append(
            {
                "url": url,
                "label": label,
                "icon": icon,
                "active": active,
                "badge_url": reverse(badge) if badge else "",
                "key": NAV_SHORTCUTS.get(url_name, ""),
            }
        )
    return {"shop_name": settings.SHOP_NAME or _("My shop"), "nav_items": items}
