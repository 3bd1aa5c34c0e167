from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shipping"
    verbose_name = _("Shipping")

    def ready(self) -> None:
        from orders.panels import register_panel

        # The Shipping panel on the order page.
        register_panel(_shipping_panel)


def _shipping_panel(kind: str, pk: int, user: Any) -> Any:
    from django.urls import reverse

    from orders.panels import Panel

    if kind != "order" or not user.has_perm("shipping.view_shipment"):
        return None
    return Panel(key="shipping", url=reverse("shipping:panel", args=[pk]))
