"""Where the assistant's conversations come from and go to.

ChatAccount: one page (Messenger), Official Account (Zalo), LINE channel or website widget,
with the credentials its platform gave (encrypted at rest, common.secrets) and the API base URL
its messages are sent to (configurable, so tests and the demo use the sandboxes).
InboundEvent: every webhook event (and widget message) as received, raw, unique per account by
the platform's event id, so a redelivered event is recognised and ignored.
Delivery: one outgoing message (the assistant's or a person's reply) on its way out through the
platform's send API: status, attempts, the platform's message id or error.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from assistant.models import ConversationChannel
from common.db import choices_check
from common.secrets import EncryptedTextField

# The channels are the conversations' own (assistant.models.ConversationChannel).
Platform = ConversationChannel


DEFAULT_BASE_URLS: dict[str, str] = {
    Platform.MESSENGER: "https://graph.facebook.com/v21.0",
    Platform.ZALO: "https://openapi.zalo.me",
    Platform.LINE: "https://api.line.me",
    Platform.WEB: "",
}


class ChatAccount(models.Model):
    """`external_id`: the Facebook page id, the Zalo OA id, the LINE bot's user id (the
    webhook's `destination`) or, for the website widget, the public key in its script tag.
    `app_id`: the Zalo app id (part of Zalo's webhook signature). `secret`: the Facebook app
    secret, the Zalo OA secret key, the LINE channel secret. `access_token`: the page access
    token, the OA access token, the LINE channel access token. `verify_token`: what Facebook
    sends in its subscription handshake. `allowed_origins`: the shop's sites allowed to call the
    widget endpoint (one origin a line, "https://shop.example")."""

    platform = models.CharField(
        pgettext_lazy("chat account", "platform"), max_length=12, choices=Platform.choices
    )
    name = models.CharField(pgettext_lazy("chat account", "name"), max_length=120)
    external_id = models.CharField(pgettext_lazy("chat account", "account id"), max_length=64)
    app_id = models.CharField(pgettext_lazy("chat account", "app id"), max_length=64, blank=True)
    secret = EncryptedTextField(pgettext_lazy("chat account", "secret"), blank=True)
    access_token = EncryptedTextField(pgettext_lazy("chat account", "access token"), blank=True)
    verify_token = EncryptedTextField(pgettext_lazy("chat account", "verify token"), blank=True)
    api_base_url = models.URLField(
        pgettext_lazy("chat account", "API base URL"), max_length=200, blank=True
    )
    allowed_origins = models.TextField(pgettext_lazy("chat account", "allowed origins"), blank=True)
    active = models.BooleanField(pgettext_lazy("chat account", "active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("chat account", "chat account")
        verbose_name_plural = pgettext_lazy("chat account", "chat accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="assistant_chat_account_unique"
            ),
            choices_check("platform", Platform, "assistant_chat_account_platform_valid"),
        ]
        permissions = [
            ("answer_conversations", "Can read and answer the assistant's conversations"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.name}"

    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split() if o.strip()]


class EventStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("inbound event", "Received")
    ANSWERED = "answered", pgettext_lazy("inbound event", "Answered")
    SILENT = "silent", pgettext_lazy("inbound event", "Left to staff")
    IGNORED = "ignored", pgettext_lazy("inbound event", "Not a message")
    FAILED = "failed", pgettext_lazy("inbound event", "Failed")


class InboundEvent(models.Model):
    """One event as the platform sent it (`body`: the raw webhook body it came in; one body can
    carry several events) and what became of it. `user_id` and `text` are read from it;
    `reply_token` is LINE's (usable once, for about a minute)."""

    account = models.ForeignKey(ChatAccount, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=40, blank=True)
    user_id = models.CharField(max_length=128, blank=True)
    text = models.TextField(blank=True)
    reply_token = models.CharField(max_length=255, blank=True)
    event = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    detail = models.TextField(blank=True)
    conversation = models.ForeignKey(
        "assistant.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "event_id"], name="assistant_inbound_event_unique"
            ),
            choices_check("status", EventStatus, "assistant_inbound_event_status_valid"),
        ]
        indexes = [
            models.Index(fields=["conversation", "-id"], name="assistant_event_conv_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "Sending")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", pgettext_lazy("delivery", "Not delivered")


class FailureReason(models.TextChoices):
    """Why a reply could not be delivered (senders.Reason): shown to staff in the inbox."""

    WINDOW = "window", pgettext_lazy("undelivered reply", "The reply window has passed")
    RECIPIENT = (
        "recipient",
        pgettext_lazy("undelivered reply", "The customer cannot be reached on this channel"),
    )
    TOKEN = "token", pgettext_lazy("undelivered reply", "The channel's access token was refused")
    QUOTA = "quota", pgettext_lazy("undelivered reply", "The channel's message quota is used up")
    REFUSED = "refused", pgettext_lazy("undelivered reply", "The platform refused the message")
    RETRIES = (
        "retries",
        pgettext_lazy("undelivered reply", "The platform kept failing; we stopped retrying"),
    )


class Resolution(models.TextChoices):
    RETRIED = "retried", pgettext_lazy("undelivered reply", "Sent again")
    OTHER_ROUTE = "other_route", pgettext_lazy("undelivered reply", "Answered another way")


class Delivery(models.Model):
    """One outgoing text of one conversation: the assistant.Message it sends.
    `reply_token`: LINE's token of the event answered (else the message is pushed).
    A delivery that failed (`failure`: why) flags its conversation in the inbox until staff
    resolve it (`resolved_at`: sent again, or answered another way, `resolution_note`)."""

    account = models.ForeignKey(ChatAccount, on_delete=models.PROTECT, related_name="deliveries")
    conversation = models.ForeignKey(
        "assistant.Conversation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    message = models.OneToOneField("assistant.Message", on_delete=models.CASCADE, related_name="+")
    recipient = models.CharField(max_length=128)
    text = models.TextField()
    reply_token = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    external_message_id = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)
    failure = models.CharField(max_length=10, choices=FailureReason.choices, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            choices_check("status", DeliveryStatus, "assistant_delivery_status_valid"),
        ]
        indexes = [
            models.Index(fields=["conversation", "-id"], name="assistant_delivery_conv_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}->{self.recipient}: {self.status}"
