from django.urls import URLPattern, path

from invoicing import views, views_actions

app_name = "invoicing"

urlpatterns: list[URLPattern] = [
    path("einvoices/", views.invoice_list, name="invoice_list"),
    path("einvoices/<int:pk>/<str:kind>/", views.invoice_file, name="invoice_file"),
    path("einvoices/accounts/", views.account_list, name="account_list"),
    path("einvoices/accounts/new/", views.account_edit, name="account_create"),
    path("einvoices/accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("einvoices/accounts/<int:pk>/check/", views.account_check, name="account_check"),
    path("einvoices/orders/<int:pk>/panel/", views.panel, name="panel"),
    path("einvoices/orders/<int:pk>/preview/", views.panel_preview, name="panel_preview"),
    path("einvoices/orders/<int:pk>/issue/", views.panel_issue, name="panel_issue"),
    path(
        "einvoices/orders/<int:pk>/retry/<int:invoice_pk>/", views.panel_retry, name="panel_retry"
    ),
    path("einvoices/orders/<int:pk>/correct/", views.panel_correct, name="panel_correct"),
    path(
        "einvoices/orders/<int:pk>/proposals/<int:invoice_pk>/confirm/",
        views_actions.proposal_confirm,
        name="proposal_confirm",
    ),
    path(
        "einvoices/orders/<int:pk>/proposals/<int:invoice_pk>/dismiss/",
        views_actions.proposal_dismiss,
        name="proposal_dismiss",
    ),
    path(
        "einvoices/orders/<int:pk>/cancel/<int:invoice_pk>/",
        views_actions.cancel,
        name="panel_cancel",
    ),
    path("einvoices/orders/<int:pk>/send/<int:invoice_pk>/", views_actions.send, name="panel_send"),
    path("einvoices/pdf/<str:token>/", views_actions.public_pdf, name="public_pdf"),
]
