"""Conversations of the AI sales assistant with customers on one channel (website widget,
Messenger, Zalo, LINE) and their messages, kept as received and as sent.

A conversation is answered by the bot until staff take it over (state staff, `owner` set):
the bot then stays silent. `draft` holds the purchase being prepared and, once the assistant
has read it back to the customer, the confirmation token that a "yes" must match before
assistant.tools.create_draft_order creates the order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from common.db import choices_check


class ConversationChannel(models.TextChoices):
    WEB = "web", pgettext_lazy("assistant channel", "Website chat")
    MESSENGER = "messenger", pgettext_lazy("assistant channel", "Facebook Messenger")
    ZALO = "zalo", pgettext_lazy("assistant channel", "Zalo")
    LINE = "line", pgettext_lazy("assistant channel", "LINE")


class ConversationState(models.TextChoices):
    BOT = "bot", pgettext_lazy("assistant state", "Answered by the assistant")
    STAFF = "staff", pgettext_lazy("assistant state", "Taken over by staff")
    CLOSED = "closed", pgettext_lazy("assistant state", "Closed")


class HandOverReason(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("hand-over reason", "The customer asked for a person")
    LOW_CONFIDENCE = (
        "low_confidence",
        pgettext_lazy("hand-over reason", "The assistant was not sure"),
    )
    FAILED_ATTEMPTS = (
        "failed_attempts",
        pgettext_lazy("hand-over reason", "Two answers in a row did not help"),
    )
    GUARDRAIL = (
        "guardrail",
        pgettext_lazy(
            "hand-over reason", "The answer could not be checked against the shop's data"
        ),
    )
    UNAVAILABLE = (
        "unavailable",
        pgettext_lazy("hand-over reason", "The assistant's engine did not answer"),
    )
    STAFF = "staff", pgettext_lazy("hand-over reason", "Taken over by staff")


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("message direction", "Received")
    OUT = "out", pgettext_lazy("message direction", "Sent")


class Author(models.TextChoices):
    CUSTOMER = "customer", pgettext_lazy("message author", "Customer")
    BOT = "bot", pgettext_lazy("message author", "Assistant")
    STAFF = "staff", pgettext_lazy("message author", "Staff")


class Conversation(models.Model):
    Channel = ConversationChannel
    State = ConversationState

    channel = models.CharField(
        pgettext_lazy("assistant", "channel"), max_length=12, choices=ConversationChannel.choices
    )
    # The visitor id of the widget, the Messenger PSID, the Zalo user id, the LINE user id.
    external_user_id = models.CharField(pgettext_lazy("assistant", "user id"), max_length=128)
    display_name = models.CharField(pgettext_lazy("assistant", "name"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=pgettext_lazy("assistant", "customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    language = models.CharField(
        pgettext_lazy("assistant", "language"), max_length=5, blank=True, default=""
    )
    state = models.CharField(
        pgettext_lazy("assistant", "state"),
        max_length=8,
        choices=ConversationState.choices,
        default=ConversationState.BOT,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("assistant", "handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hand_over_reason = models.CharField(
        pgettext_lazy("assistant", "hand-over reason"),
        max_length=16,
        choices=HandOverReason.choices,
        blank=True,
        default="",
    )
    unread_count = models.PositiveIntegerField(pgettext_lazy("assistant", "unread"), default=0)
    # Consecutive bot turns that did not help (reset by one that did): 2 -> hand over.
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    # The purchase being prepared: {"items": [{"variant_id", "quantity"}], "name", "phone",
    # "address": {...AddressInput fields}, "token": "" until read back, "read_back": {...}}.
    draft = models.JSONField(default=dict, blank=True)
    # The order numbers whose details this conversation may see (phone matched), and the
    # draft orders it created.
    verified_orders = models.JSONField(default=list, blank=True)
    last_activity_at = models.DateTimeField(
        pgettext_lazy("assistant", "last activity"), default=timezone.now
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("assistant", "conversation")
        verbose_name_plural = pgettext_lazy("assistant", "conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_user_id"], name="assistant_conversation_user_unique"
            ),
            choices_check("channel", ConversationChannel, "assistant_conversation_channel_valid"),
            choices_check("state", ConversationState, "assistant_conversation_state_valid"),
            models.CheckConstraint(
                condition=Q(state="staff", owner__isnull=False) | ~Q(state="staff"),
                name="assistant_conversation_staff_has_owner",
            ),
        ]
        indexes = [
            models.Index(
                fields=["state", "-last_activity_at", "id"], name="assistant_conv_state_idx"
            ),
            models.Index(fields=["customer", "-last_activity_at"], name="assistant_conv_cust_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_user_id}"


class Message(models.Model):
    Direction = Direction
    Author = Author

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    author = models.CharField(max_length=8, choices=Author.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(pgettext_lazy("assistant", "text"), blank=True)
    raw = models.JSONField(default=dict, blank=True)  # the channel's payload as received/sent
    tool_calls = models.JSONField(default=list, blank=True)  # [{"name", "arguments"}]
    tool_results = models.JSONField(default=list, blank=True)  # [{"name", "ok", "data"}]
    engine = models.CharField(max_length=32, blank=True)
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    # "" passed, else why the guardrails replaced the engine's text (kept in `raw`).
    guardrail = models.CharField(max_length=32, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("assistant", "message")
        verbose_name_plural = pgettext_lazy("assistant", "messages")
        constraints = [
            choices_check("direction", Direction, "assistant_message_direction_valid"),
            choices_check("author", Author, "assistant_message_author_valid"),
        ]
        indexes = [models.Index(fields=["conversation", "id"], name="assistant_msg_conv_idx")]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"
