"""Roles are Django groups with a fixed set of permissions, declared here as data.

`sync_roles()` runs after every `migrate`, so a new permission lands in the right groups on
deploy. The owner gets every permission of the project's apps.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

OWNER = "owner"
MANAGER = "manager"
SALES = "sales"
WAREHOUSE = "warehouse"
ACCOUNTANT = "accountant"

ROLE_LABELS = {
    OWNER: _("Owner"),
    MANAGER: _("Manager"),
    SALES: _("Sales"),
    WAREHOUSE: _("Warehouse"),
    ACCOUNTANT: _("Accountant"),
}

PROJECT_APPS = (
    "crm",
    "inventory",
    "orders",
    "channels_sync",
    "shipping",
    "invoicing",
    "followups",
    "assistant",
    "assistant_channels",
)

ALL = "__all__"


def _crud(model: str, *actions: str, app: str = "inventory") -> list[str]:
    return [f"{app}.{action}_{model}" for action in actions or ("view", "add", "change")]


CATALOGUE_READ = _crud("product", "view") + _crud("variant", "view")
CATALOGUE_EDIT = (
    _crud("product")
    + _crud("variant")
    + _crud("category")
    + _crud("brand")
    + _crud("productimage", "view", "add", "change", "delete")
)
STOCK_READ = _crud("stocklevel", "view") + _crud("stockmovement", "view")
STOCK_WORK = [
    *STOCK_READ,
    "inventory.add_stockmovement",
    "inventory.change_stocklevel",
    *_crud("transfer"),
    *_crud("stockcount"),
    "inventory.post_stockcount",
]
PURCHASING_READ = (
    _crud("supplier", "view") + _crud("purchaseorder", "view") + _crud("goodsreceipt", "view")
)
PURCHASING_EDIT = _crud("supplier") + _crud("purchaseorder") + _crud("goodsreceipt")
WAREHOUSES_EDIT = _crud("warehouse")
CUSTOMERS_READ = _crud("customer", "view", app="orders")
CUSTOMERS_EDIT = _crud("customer", app="orders")
ORDERS_READ = _crud("order", "view", app="orders") + _crud("return", "view", app="orders")
ORDERS_SELL = [
    *ORDERS_READ,
    *_crud("order", "add", "change", app="orders"),
    "orders.confirm_order",
    "orders.cancel_order",
]
ORDERS_ALL = [
    *ORDERS_SELL,
    "orders.ship_order",
    "orders.complete_order",
    "orders.export_order",
    "orders.add_return",
    "orders.merge_customer",
    *_crud("website", app="orders"),
    "orders.view_reports",
]
# Parcels with the carriers: create, cancel, print labels (shipping.add_shipment covers the
# carrier calls); the carrier accounts themselves are shipping.manage_carriers.
SHIPMENTS_READ = _crud("shipment", "view", app="shipping")
SHIPMENTS_WORK = _crud("shipment", app="shipping")
# Cost price, profit, margin and values at cost (inventory/permissions.py).
COSTS = ["inventory.view_costs"]
FOLLOWUPS_WORK = [
    *_crud("followup", app="followups"),
    *_crud("contactrequest", app="followups"),
]

EINVOICES = [
    "invoicing.view_einvoice",
    "invoicing.issue_einvoice",
    "invoicing.manage_einvoice_accounts",
]

# "app_label.codename" per role. Later issues extend these lists as their pages arrive.
ROLE_PERMISSIONS: dict[str, Any] = {
    OWNER: ALL,
    MANAGER: [
        "crm.view_health",
        *_crud("shopprofile", "view", "change"),
        *COSTS,
        *WAREHOUSES_EDIT,
        *CATALOGUE_EDIT,
        *STOCK_WORK,
        *PURCHASING_EDIT,
        *CUSTOMERS_EDIT,
        *ORDERS_ALL,
        *FOLLOWUPS_WORK,
        "followups.act_on_all_followups",
        "channels_sync.manage_marketplaces",
        *EINVOICES,
        *SHIPMENTS_WORK,
        "shipping.manage_carriers",
        *_crud("codreceipt", "view", "add", app="shipping"),
        "assistant_channels.answer_conversations",
        *_crud("chataccount", app="assistant_channels"),
    ],
    SALES: [
        *CATALOGUE_READ,
        *_crud("stocklevel", "view"),
        *CUSTOMERS_EDIT,
        *ORDERS_SELL,
        "orders.export_order",
        *FOLLOWUPS_WORK,
        *SHIPMENTS_READ,
        "assistant_channels.answer_conversations",
    ],
    WAREHOUSE: [
        *WAREHOUSES_EDIT,
        *CATALOGUE_READ,
        *STOCK_WORK,
        *PURCHASING_READ,
        *_crud("goodsreceipt", "add"),
        *CUSTOMERS_READ,
        *ORDERS_READ,
        "orders.ship_order",
        "orders.export_order",
        "orders.add_return",
        *SHIPMENTS_WORK,
    ],
    ACCOUNTANT: [
        *COSTS,
        *CATALOGUE_READ,
        *STOCK_READ,
        *_crud("stockcount", "view"),
        *_crud("transfer", "view"),
        *_crud("supplier"),
        *PURCHASING_READ,
        *CUSTOMERS_READ,
        *ORDERS_READ,
        "orders.complete_order",
        "orders.export_order",
        "orders.view_reports",
        *EINVOICES,
        *SHIPMENTS_READ,
        # The carriers' COD money: statements imported and reconciled, a parcel's COD marked
        # received (each records the order's payment).
        *_crud("codreceipt", "view", "add", app="shipping"),
    ],
}


def _permissions_for(role: str) -> list[Permission]:
    spec = ROLE_PERMISSIONS[role]
    if spec == ALL:
        return list(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
    query = Q(pk__in=[])
    for dotted in spec:
        app_label, codename = dotted.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = set(spec) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"role {role!r} names unknown permissions: {sorted(missing)}")
    return found


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions declared above."""
    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for role in ROLE_PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions_for(role))


def sync_roles_after_migrate(**kwargs: Any) -> None:
    sync_roles()
