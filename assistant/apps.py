from typing import Any

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistant"
    verbose_name = pgettext_lazy("app", "AI sales assistant")

    def ready(self) -> None:
        from orders.signals import customer_merged

        customer_merged.connect(_customers_merged, dispatch_uid="assistant.customer_merged")


def _customers_merged(*, target_id: int, merged_ids: list[int], **kwargs: Any) -> None:
    """Conversations of merged duplicates follow the customer they were merged into (inside
    the merge's transaction)."""
    from assistant.models import Conversation

    Conversation.objects.filter(customer_id__in=merged_ids).update(customer_id=target_id)
