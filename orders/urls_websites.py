"""Website settings (the websites that send orders through the API): /settings/websites/..."""

from django.urls import path

from orders.views import websites as views

urlpatterns = [
    path("settings/websites/", views.website_list, name="website_list"),
    path("settings/websites/new/", views.website_create, name="website_create"),
    path("settings/websites/api/", views.api_docs, name="api_docs"),
    path("settings/websites/<int:pk>/", views.website_detail, name="website_detail"),
    path("settings/websites/<int:pk>/edit/", views.website_edit, name="website_edit"),
    path(
        "settings/websites/<int:pk>/rotate-key/",
        views.website_rotate_key,
        name="website_rotate_key",
    ),
    path("settings/websites/<int:pk>/active/", views.website_set_active, name="website_set_active"),
    path(
        "settings/websites/requests/<int:pk>/reapply/",
        views.website_request_reapply,
        name="website_request_reapply",
    ),
]
