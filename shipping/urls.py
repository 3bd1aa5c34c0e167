from django.urls import URLPattern, path

from shipping.views import (
    accounts,
    actions,
    address_fix,
    bulk,
    callbacks,
    cod,
    panel,
    shipments,
    webhooks,
)

app_name = "shipping"

urlpatterns: list[URLPattern] = [
    path("shipments/", shipments.shipment_list, name="shipment_list"),
    path("labels/", shipments.labels, name="labels"),
    path("shipments/<int:pk>/label/", shipments.label, name="label"),
    path("shipments/<int:pk>/retry/", panel.retry, name="retry"),
    path("shipments/<int:pk>/cancel/", panel.cancel, name="cancel"),
    path("shipments/<int:pk>/redeliver/", actions.redeliver, name="redeliver"),
    path("shipments/<int:pk>/return/", actions.send_back, name="return"),
    path("shipments/<int:pk>/handled/", actions.handled, name="handled"),
    path("shipments/<int:pk>/address/", actions.change_address, name="change_address"),
    path("shipments/<int:pk>/update/", actions.update, name="update"),
    path("shipments/<int:pk>/receive/", actions.receive, name="receive"),
    path("orders/<int:order_id>/panel/", panel.panel, name="panel"),
    path("orders/<int:order_id>/quote/", panel.quote, name="quote"),
    path("orders/<int:order_id>/create/", panel.create, name="create"),
    path("orders/<int:order_id>/address-fix/", address_fix.address_fix, name="address_fix"),
    path("bulk-create/", bulk.bulk_create, name="bulk_create"),
    path("cod/", cod.statement_import, name="cod_import"),
    path("cod/<int:pk>/", cod.statement_detail, name="cod_statement"),
    path("cod/<int:pk>/confirm/", cod.statement_confirm_view, name="cod_confirm"),
    path("shipments/<int:pk>/cod/", cod.shipment_cod, name="shipment_cod"),
    path("carriers/", accounts.account_list, name="account_list"),
    path("carriers/new/", accounts.account_edit, name="account_create"),
    path("carriers/<int:pk>/", accounts.account_edit, name="account_edit"),
    path("carriers/<int:pk>/connect/", accounts.account_connect, name="account_connect"),
    path("carriers/<int:pk>/refresh/", accounts.account_refresh, name="account_refresh"),
    path("callbacks/", callbacks.callback_list, name="callback_list"),
    path("callbacks/<int:pk>/reapply/", callbacks.callback_reapply_view, name="callback_reapply"),
    # Registered with the carriers: public, the account's webhook secret is the credential.
    path("webhooks/ghn/<int:account_id>/", webhooks.ghn_webhook, name="ghn_webhook"),
    path(
        "webhooks/viettel-post/<int:account_id>/",
        webhooks.viettel_post_webhook,
        name="viettel_post_webhook",
    ),
]
