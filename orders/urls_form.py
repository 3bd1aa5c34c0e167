from django.urls import URLPattern, path

from orders.views import order_form
from orders.views import order_form_partials as partials

urlpatterns: list[URLPattern] = [
    path("orders/new/", order_form.order_create, name="order_create"),
    path("orders/<int:pk>/edit/", order_form.order_edit, name="order_edit"),
    path("orders/form/customers/", partials.order_form_customers, name="order_form_customers"),
    path("orders/form/variants/", partials.order_form_variants, name="order_form_variants"),
    path("orders/form/line/", partials.order_form_line, name="order_form_line"),
    path("orders/form/totals/", partials.order_form_totals, name="order_form_totals"),
]
