"""Customer pages: /customers/... (namespace "orders")."""

from django.urls import path

from orders.views import customer_invoice
from orders.views import customers as views

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create_view, name="customer_create"),
    path("customers/phone-check/", views.customer_phone_check, name="customer_phone_check"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/addresses/", views.customer_addresses, name="customer_addresses"),
    path(
        "customers/<int:pk>/addresses/new/",
        views.customer_address_add,
        name="customer_address_add",
    ),
    path(
        "customers/<int:pk>/addresses/<int:address_pk>/edit/",
        views.customer_address_edit,
        name="customer_address_edit",
    ),
    path(
        "customers/<int:pk>/addresses/<int:address_pk>/delete/",
        views.customer_address_delete_view,
        name="customer_address_delete",
    ),
    path(
        "customers/<int:pk>/invoice/",
        customer_invoice.customer_invoice_details,
        name="customer_invoice_details",
    ),
    path(
        "customers/<int:pk>/merge/<int:duplicate_pk>/",
        views.customer_merge_view,
        name="customer_merge",
    ),
]
