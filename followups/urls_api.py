"""The website API of the follow-ups app (namespace "followups_api", mounted at /api/v1/)."""

from django.urls import path

from followups import api

app_name = "followups_api"

urlpatterns = [
    path("contact-requests", api.contact_request_receive, name="contact_request_create"),
]
