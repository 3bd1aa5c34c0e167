from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = _("Orders and customers")

    def ready(self) -> None:
        from inventory.demand import register_demand_provider
        from orders.selectors import open_orders_shortage

        # Reorder suggestions include what the new (not yet reserved) orders cannot get.
        register_demand_provider(open_orders_shortage)
        # Kept order requests are re-applied by staff through the endpoint's own handler.
        from orders.api.handlers import order_request_handle
        from orders.models import ApiEndpoint
        from orders.services.website_requests import register_request_handler

        register_request_handler(ApiEndpoint.ORDERS, order_request_handle)
