from django.urls import path

from orders.views import bulk, order_list

urlpatterns = [
    path("orders/", order_list.order_list, name="order_list"),
    path("orders/bulk/confirm/", bulk.order_bulk_confirm, name="order_bulk_confirm"),
    path("orders/bulk/cancel/", bulk.order_bulk_cancel, name="order_bulk_cancel"),
    path("orders/bulk/assign/", bulk.order_bulk_assign, name="order_bulk_assign"),
    path("orders/bulk/picking-list/", bulk.order_bulk_picking_list, name="order_bulk_picking_list"),
    path(
        "orders/bulk/delivery-notes/",
        bulk.order_bulk_delivery_notes,
        name="order_bulk_delivery_notes",
    ),
    path("orders/bulk/export/", bulk.order_bulk_export, name="order_bulk_export"),
]
