from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AssistantChannelsConfig(AppConfig):
    """The assistant's channels (website widget, Messenger, Zalo OA, LINE) and the staff inbox:
    its own models and migrations beside the assistant's core (assistant.models)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "assistant.channels"
    label = "assistant_channels"
    verbose_name = pgettext_lazy("app", "Assistant channels")

    def ready(self) -> None:
        from assistant.channels.panels import customer_conversations_panel
        from orders.panels import register_panel

        register_panel(customer_conversations_panel)
