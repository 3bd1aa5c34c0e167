"""The inbound JSON API for websites: /api/v1/... (namespace "api")."""

from django.urls import URLPattern

app_name = "api"

urlpatterns: list[URLPattern] = []
