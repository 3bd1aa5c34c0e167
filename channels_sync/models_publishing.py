"""Publishing our products to a shop: one Publication per (product, shop).

It keeps what the platform needs and our catalogue lacks (platform category, attributes with
the platform's value ids, brand, package weight and size, which of our images), the variation
plan chosen (as is / merge / split), and what happened: the platform items created (one, or
one per value when split), their review state and reason, the last error. The items' models
are Listing rows linked to our variants as soon as the platform answers. PublicationItem keeps
each created item id in an indexed column, so a platform push naming an item finds its
publication without reading every publication's `items`. Imported by channels_sync.models so
Django sees it there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("publication", "Draft")
    SENDING = "sending", pgettext_lazy("publication", "Sending")
    IN_REVIEW = "in_review", pgettext_lazy("publication", "In review")
    LIVE = "live", pgettext_lazy("publication", "Live")
    REJECTED = "rejected", pgettext_lazy("publication", "Rejected")
    FAILED = "failed", pgettext_lazy("publication", "Failed")


class Publication(models.Model):
    Status = PublicationStatus

    product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    account = models.ForeignKey(
        "channels_sync.ChannelAccount",
        verbose_name=_("shop"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    category_id = models.CharField(pgettext_lazy("publication", "platform category"), max_length=32)
    category_path = models.CharField(max_length=400, blank=True)
    brand_id = models.CharField(max_length=32, blank=True)
    brand_name = models.CharField(max_length=200, blank=True)
    # [{attribute_id, value_ids: [..], text, unit}] as the platform names them
    attributes = models.JSONField(default=list, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"))
    length_cm = models.PositiveIntegerField(_("length (cm)"), default=0)
    width_cm = models.PositiveIntegerField(_("width (cm)"), default=0)
    height_cm = models.PositiveIntegerField(_("height (cm)"), default=0)
    image_ids = models.JSONField(default=list, blank=True)  # our ProductImage ids, in order
    # {"mode": "as_is"|"merge"|"split", "merged": [i, j] | null, "split_on": n | null}
    plan = models.JSONField(default=dict, blank=True)
    live = models.BooleanField(default=True)  # False: created hidden
    # [{"item_id", "suffix", "state", "reason"}] one per platform item, in plan order
    items = models.JSONField(default=list, blank=True)
    uploaded = models.JSONField(default=dict, blank=True)  # our image id -> platform image id
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=80, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    batch = models.UUIDField(null=True, blank=True, db_index=True)  # a bulk publish
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)  # last "push changes"
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "account"], name="channels_sync_publication_unique"
            ),
            choices_check("status", PublicationStatus, "channels_sync_publication_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "account"], name="channels_sync_pub_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.account_id}"

    @property
    def reject_reasons(self) -> list[str]:
        return [str(row.get("reason")) for row in self.items if row.get("reason")]


class PublicationItem(models.Model):
    """A platform item a publication created (the same id as in its `items` row), stored as soon
    as the platform answers, before its models are linked: the indexed way from an item id to
    the publication (a review push names only the item)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="platform_items"
    )
    item_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "item_id"], name="channels_sync_pub_item_unique"
            ),
        ]
        indexes = [models.Index(fields=["item_id"], name="channels_sync_pub_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.publication_id}"
