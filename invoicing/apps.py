from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoicing"
    verbose_name = _("E-invoices")

    def ready(self) -> None:
        from orders.panels import register_panel

        # The e-invoice panel on the order page.
        register_panel(_einvoice_panel)


def _einvoice_panel(kind: str, pk: int, user: Any) -> Any:
    from django.urls import reverse

    from orders.panels import Panel

    if kind != "order" or not user.has_perm("invoicing.view_einvoice"):
        return None
    return Panel(key="einvoice", url=reverse("invoicing:panel", args=[pk]))
