from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from common.auth import require_perm
from crm import views, views_jobs

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", require_perm()(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "account/password/",
        require_perm()(
            auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html")
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        require_perm()(
            auth_views.PasswordChangeDoneView.as_view(
                template_name="registration/password_change_done.html"
            )
        ),
        name="password_change_done",
    ),
    path("language/", views.language_switch, name="language_switch"),
    path("system/health/", views.health, name="health"),
    path("settings/shop/", views.shop_settings, name="shop_settings"),
    path("healthz", views.healthz, name="healthz"),
    path("jobs/", views_jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views_jobs.job_download, name="job_download"),
    path("jobs/<int:pk>/run-again/", views_jobs.job_run_again, name="job_run_again"),
    path("inventory/", include("inventory.urls")),
    path("", include("orders.urls")),
    path("api/v1/", include("orders.urls_api")),
    path("api/v1/", include("followups.urls_api")),
    path("followups/", include("followups.urls")),
    path("", include("channels_sync.urls")),
    path("", include("invoicing.urls")),
    path("shipping/", include("shipping.urls")),
    path("assistant/", include("assistant.channels.urls")),
    path("maintenance/", admin.site.urls),
]
