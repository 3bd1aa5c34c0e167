from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoicing"
    verbose_name = _("E-invoices")

    def ready(self) -> None:
        from orders.panels import register_panel
        from orders.signals import order_returned, order_status_changed

        # The e-invoice panel on the order page.
        register_panel(_einvoice_panel)
        # Issue by the accounts' rules when an order completes; a return proposes an adjustment.
        order_status_changed.connect(_order_status_changed, dispatch_uid="invoicing.auto_issue")
        order_returned.connect(_order_returned, dispatch_uid="invoicing.order_returned")


def _order_status_changed(sender: Any, *, order_id: int, to_status: str, **kwargs: Any) -> None:
    """Sent after the commit; queues a job only when an account issues by itself."""
    from invoicing.services.auto import auto_rules_exist
    from invoicing.tasks import auto_issue

    if to_status == "completed" and auto_rules_exist():
        auto_issue.delay(order_id=order_id)


def _order_returned(sender: Any, *, return_id: int, order_id: int, **kwargs: Any) -> None:
    """Sent after the commit; queues a job only when the order has an issued invoice."""
    from invoicing.models import EInvoice
    from invoicing.services.corrections import CORRECTABLE
    from invoicing.tasks import propose_adjustment

    issued = EInvoice.objects.filter(order_id=order_id, correction_kind="", state__in=CORRECTABLE)
    if issued.exists():
        propose_adjustment.delay(return_id=return_id)


def _einvoice_panel(kind: str, pk: int, user: Any) -> Any:
    from django.urls import reverse

    from orders.panels import Panel

    if kind != "order" or not user.has_perm("invoicing.view_einvoice"):
        return None
    return Panel(key="einvoice", url=reverse("invoicing:panel", args=[pk]))
