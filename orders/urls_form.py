from django.urls import URLPattern, path

from orders.views import order_form

urlpatterns: list[URLPattern] = [
    path("orders/new/", order_form.order_create, name="order_create"),
    path("orders/<int:pk>/edit/", order_form.order_edit, name="order_edit"),
    path("orders/form/customers/", order_form.order_form_customers, name="order_form_customers"),
    path("orders/form/variants/", order_form.order_form_variants, name="order_form_variants"),
    path("orders/form/line/", order_form.order_form_line, name="order_form_line"),
    path("orders/form/totals/", order_form.order_form_totals, name="order_form_totals"),
]
