from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from orders.panels import register_panel
        from orders.signals import customer_merged, order_created

        order_created.connect(_order_created, dispatch_uid="followups.order_created")
        customer_merged.connect(_customers_merged, dispatch_uid="followups.customer_merged")
        # The follow-up panel on the order and customer pages.
        register_panel(_followup_panel)
        # The contact-request endpoint in the API's OpenAPI document.
        from followups.api import openapi_paths
        from orders.api.openapi import register_api_paths

        register_api_paths(openapi_paths)
        # Kept contact requests are re-applied by staff through the endpoint's own handler.
        from followups.api import contact_request_handle
        from orders.models import ApiEndpoint
        from orders.services.website_requests import register_request_handler

        register_request_handler(ApiEndpoint.CONTACT_REQUESTS, contact_request_handle)


def _followup_panel(kind: str, pk: int, user: Any) -> Any:
    from django.urls import reverse

    from orders.panels import Panel

    if not user.has_perm("followups.view_followup"):
        return None
    return Panel(key=f"followups-{kind}", url=reverse("followups:panel", args=[kind, pk]))


def _order_created(*, order_id: int, **kwargs: Any) -> None:
    from followups.services import contact_requests_link_order

    contact_requests_link_order(
        order_id=order_id,
        customer_id=kwargs.get("customer_id"),
        created_at=kwargs.get("created_at"),
    )


def _customers_merged(*, target_id: int, merged_ids: list[int], **kwargs: Any) -> None:
    from followups.services import followups_customers_merged

    followups_customers_merged(target_id=target_id, merged_ids=merged_ids)
