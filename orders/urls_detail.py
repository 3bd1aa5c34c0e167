"""The order detail page, its actions and the return / exchange page."""

from django.urls import path

from orders.views import delivery_notes, returns
from orders.views import order_detail as views

urlpatterns = [
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/confirm/", views.order_confirm_view, name="order_confirm"),
    path("orders/<int:pk>/ship/", views.order_ship_view, name="order_ship"),
    path("orders/<int:pk>/complete/", views.order_complete_view, name="order_complete"),
    path("orders/<int:pk>/cancel/", views.order_cancel_view, name="order_cancel"),
    path("orders/<int:pk>/payments/", views.order_payment_view, name="order_payment"),
    path("orders/<int:pk>/notes/", views.order_note_view, name="order_note"),
    path(
        "orders/<int:pk>/shortage-purchase/",
        views.order_shortage_purchase,
        name="order_shortage_purchase",
    ),
    path(
        "orders/<int:pk>/delivery-note/",
        delivery_notes.order_delivery_note,
        name="order_delivery_note",
    ),
    path("orders/<int:pk>/return/", returns.return_create_view, name="return_create"),
    path(
        "orders/<int:pk>/return/refund/",
        returns.return_refund_suggestion,
        name="return_refund_suggestion",
    ),
]
