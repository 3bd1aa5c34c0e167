"""The inbound website API: the websites allowed to send orders, and every request they sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check
from orders.models.orders import Order


class Website(models.Model):
    """A shop website allowed to send orders through the inbound API.

    `code` is the channel account of its orders (channel website). The API key is shown once
    when created and stored only as a SHA-256 hash, looked up by its first characters
    (`key_prefix`).
    """

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short code stored on its orders, e.g. MAIN-SITE."),
    )
    key_prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Warehouse its orders ship from, unless the request names one."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("website")
        verbose_name_plural = _("websites")

    def __str__(self) -> str:
        return self.name


class ApiRequestOutcome(models.TextChoices):
    CREATED = "created", pgettext_lazy("website request outcome", "Created")
    DUPLICATE = "duplicate", _("Already received")
    REJECTED = "rejected", _("Rejected")


class ApiEndpoint(models.TextChoices):
    """The endpoint of the website API a kept request was sent to (each app above orders that
    adds one registers how its requests are applied: orders.services.website_requests)."""

    ORDERS = "orders", _("Order")
    CONTACT_REQUESTS = "contact_requests", _("Contact request")


class WebsiteRequest(models.Model):
    """Every request a website sent to the API (orders, contact requests), kept as received
    with what we answered: a rejected payload is never lost and staff can read why it was
    refused. `raw_body` is the body as text; when that text is not exactly the bytes received
    (not UTF-8, NUL bytes, cut at the size limit) `raw_bytes` keeps the bytes themselves."""

    Outcome = ApiRequestOutcome
    Endpoint = ApiEndpoint

    website = models.ForeignKey(
        Website, on_delete=models.CASCADE, related_name="requests", db_index=False
    )
    endpoint = models.CharField(
        _("endpoint"), max_length=20, choices=ApiEndpoint.choices, default=ApiEndpoint.ORDERS
    )
    external_number = models.CharField(_("website order id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    raw_body = models.TextField(_("body as received"), blank=True)
    raw_bytes = models.BinaryField(_("bytes as received"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    errors = models.JSONField(_("errors"), default=list, blank=True)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("website request")
        verbose_name_plural = _("website requests")
        indexes = [
            models.Index(fields=["website", "received_at", "id"], name="orders_webreq_website_idx")
        ]
        constraints = [
            choices_check("outcome", ApiRequestOutcome, "orders_webreq_outcome_valid"),
            choices_check("endpoint", ApiEndpoint, "orders_webreq_endpoint_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.website_id} {self.external_number} {self.outcome}"
