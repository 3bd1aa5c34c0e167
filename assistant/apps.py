from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistant"
    verbose_name = pgettext_lazy("app", "AI sales assistant")
