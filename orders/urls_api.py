"""The inbound JSON API for websites: /api/v1/... (namespace "api").

Public to the session login (each view authenticates the website's key itself)."""

from django.urls import path

from orders.api import views

app_name = "api"

urlpatterns = [
    path("orders", views.order_create, name="order_create"),
    path("orders/<str:external_id>", views.order_status, name="order_status"),
    path("openapi.json", views.openapi, name="openapi"),
]
