from django.urls import URLPattern, path

from invoicing import views

app_name = "invoicing"

urlpatterns: list[URLPattern] = [
    path("einvoices/", views.invoice_list, name="invoice_list"),
    path("einvoices/<int:pk>/<str:kind>/", views.invoice_file, name="invoice_file"),
    path("einvoices/accounts/", views.account_list, name="account_list"),
    path("einvoices/accounts/new/", views.account_edit, name="account_create"),
    path("einvoices/accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("einvoices/orders/<int:pk>/panel/", views.panel, name="panel"),
    path("einvoices/orders/<int:pk>/preview/", views.panel_preview, name="panel_preview"),
    path("einvoices/orders/<int:pk>/issue/", views.panel_issue, name="panel_issue"),
    path(
        "einvoices/orders/<int:pk>/retry/<int:invoice_pk>/", views.panel_retry, name="panel_retry"
    ),
    path("einvoices/orders/<int:pk>/correct/", views.panel_correct, name="panel_correct"),
]
