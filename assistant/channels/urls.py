from django.urls import path

from assistant.channels import views_demo, views_inbox, views_webhooks, views_widget

app_name = "assistant_channels"

urlpatterns = [
    path("webhooks/messenger/", views_webhooks.messenger_webhook, name="messenger_webhook"),
    path("webhooks/zalo/", views_webhooks.zalo_webhook, name="zalo_webhook"),
    path("webhooks/line/", views_webhooks.line_webhook, name="line_webhook"),
    path("widget/demo/", views_demo.widget_demo, name="widget_demo"),
    path("widget/<str:key>/messages/", views_widget.widget_messages_view, name="widget_messages"),
    path("inbox/", views_inbox.inbox_list, name="inbox"),
    path("inbox/badge/", views_inbox.unread_badge, name="unread_badge"),
    path("inbox/<int:pk>/", views_inbox.conversation_detail, name="conversation"),
    path("inbox/<int:pk>/take-over/", views_inbox.take_over_view, name="take_over"),
    path("inbox/<int:pk>/hand-back/", views_inbox.hand_back_view, name="hand_back"),
    path("inbox/<int:pk>/close/", views_inbox.conversation_close_view, name="close"),
    path("inbox/<int:pk>/reply/", views_inbox.reply_view, name="reply"),
    path("inbox/<int:pk>/retry/", views_inbox.undelivered_retry_view, name="undelivered_retry"),
    path(
        "inbox/<int:pk>/answered/", views_inbox.undelivered_resolve_view, name="undelivered_resolve"
    ),
    path("accounts/", views_inbox.account_list, name="account_list"),
    path("accounts/new/", views_inbox.account_edit, name="account_create"),
    path("accounts/<int:pk>/", views_inbox.account_edit, name="account_edit"),
    path("customers/<int:pk>/conversations/", views_inbox.customer_panel, name="customer_panel"),
]
