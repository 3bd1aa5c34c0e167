from django.urls import URLPattern, path

from channels_sync.views import holds, marketplaces, payloads, publishing, shop, webhooks

app_name = "channels_sync"

urlpatterns: list[URLPattern] = [
    path("marketplaces/", marketplaces.marketplace_list, name="marketplace_list"),
    path("marketplaces/badge/", marketplaces.attention_badge, name="attention_badge"),
    path("marketplaces/apps/new/", marketplaces.app_edit, name="app_create"),
    path("marketplaces/apps/<int:pk>/", marketplaces.app_edit, name="app_edit"),
    path("marketplaces/apps/<int:pk>/connect/", marketplaces.shop_connect, name="shop_connect"),
    # The platform's redirect after the seller authorised us (registered with the platform).
    path("marketplaces/<int:app_id>/callback", marketplaces.oauth_callback, name="oauth_callback"),
    # Shopee's redirect carries our one-time token in its path (Shopee documents no `state`).
    path(
        "marketplaces/<int:app_id>/callback/<str:state>",
        marketplaces.oauth_callback,
        name="oauth_callback_state",
    ),
    path("marketplaces/shops/<int:pk>/", shop.shop_detail, name="shop_detail"),
    path("marketplaces/shops/<int:pk>/settings/", shop.shop_settings, name="shop_settings"),
    path("marketplaces/shops/<int:pk>/runs/", shop.shop_runs, name="shop_runs"),
    path("marketplaces/shops/<int:pk>/run/", marketplaces.shop_run, name="shop_run"),
    path("marketplaces/shops/<int:pk>/pause/", marketplaces.shop_pause, name="shop_pause"),
    path("marketplaces/shops/<int:pk>/holds/", holds.shop_holds, name="shop_holds"),
    path("marketplaces/shops/<int:pk>/holds/add/", holds.hold_add, name="hold_add"),
    path("marketplaces/shops/<int:pk>/holds/<int:hold_id>/end/", holds.hold_stop, name="hold_end"),
    path("marketplaces/shops/<int:pk>/listings/", shop.listing_list, name="listing_list"),
    path("marketplaces/shops/<int:pk>/listings/link/", shop.listing_link, name="listing_link"),
    path("marketplaces/quarantine/", payloads.quarantine_list, name="quarantine_list"),
    path("marketplaces/payloads/<int:pk>/", payloads.payload_detail, name="payload_detail"),
    path(
        "marketplaces/payloads/<int:pk>/reapply/", payloads.payload_reapply, name="payload_reapply"
    ),
    path("marketplaces/oversold/", payloads.oversold_list, name="oversold_list"),
    path("webhooks/shopee", webhooks.shopee_webhook, name="webhook_shopee"),
    path("webhooks/lazada", webhooks.lazada_webhook, name="webhook_lazada"),
    path("webhooks/tiktok", webhooks.tiktok_webhook, name="webhook_tiktok"),
    path(
        "marketplaces/publish/product/<int:product_id>/",
        publishing.publish_product,
        name="publish_product",
    ),
    path(
        "marketplaces/shops/<int:pk>/categories/",
        publishing.publish_categories,
        name="publish_categories",
    ),
    path("marketplaces/publish/bulk/", publishing.publish_bulk, name="publish_bulk"),
    path(
        "marketplaces/publish/batch/<uuid:batch>/", publishing.publish_batch, name="publish_batch"
    ),
    path(
        "marketplaces/publications/<int:pk>/",
        publishing.publication_detail,
        name="publication_detail",
    ),
    path(
        "marketplaces/publications/<int:pk>/action/",
        publishing.publication_action,
        name="publication_action",
    ),
]
