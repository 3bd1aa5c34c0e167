"""Stock held for a promotion or campaign on one shop (a flash sale), imported by models.py.

StockHold   units of one variant committed to one shop from `starts_at` until `ends_at`
            (open-ended while the platform keeps reporting them); learnt from the platform
            (Shopee reserved promotion stock in the listing data, or a floor refusal) or
            entered by staff with the sale's dates. The rule that applies it to the pushes
            is in channels_sync.services.holds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check


class HoldSource(models.TextChoices):
    PLATFORM = "platform", pgettext_lazy("stock hold source", "Reported by the platform")
    STAFF = "staff", pgettext_lazy("stock hold source", "Entered by staff")


class HoldStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("stock hold status", "Upcoming")
    ACTIVE = "active", pgettext_lazy("stock hold status", "Active")
    ENDED = "ended", pgettext_lazy("stock hold status", "Ended")


class HoldEnd(models.TextChoices):
    TIME = "time", pgettext_lazy("stock hold end", "End time reached")
    STAFF = "staff", pgettext_lazy("stock hold end", "Ended early by staff")
    PLATFORM = "platform", pgettext_lazy("stock hold end", "No longer reported by the platform")


class StockHold(models.Model):
    """`quantity` units of `variant` held for `account` in [starts_at, ends_at); `consumed` of
    them already sold by that shop's orders (the hold counts `quantity - consumed`)."""

    Source = HoldSource
    Status = HoldStatus

    account = models.ForeignKey(
        "channels_sync.ChannelAccount",
        verbose_name=_("shop"),
        on_delete=models.CASCADE,
        related_name="holds",
    )
    variant = models.ForeignKey(
        "inventory.Variant",
        verbose_name=_("our variant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The listing whose platform data reported the hold (platform holds; staff holds: none).
    listing = models.ForeignKey(
        "channels_sync.Listing",
        verbose_name=_("listing"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(pgettext_lazy("stock hold", "promotion"), max_length=120, blank=True)
    source = models.CharField(
        pgettext_lazy("stock hold", "source"), max_length=10, choices=HoldSource.choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HoldStatus.choices, default=HoldStatus.SCHEDULED
    )
    quantity = models.PositiveIntegerField(pgettext_lazy("stock hold", "units held"))
    consumed = models.PositiveIntegerField(pgettext_lazy("stock hold", "units sold"), default=0)
    starts_at = models.DateTimeField(pgettext_lazy("stock hold", "starts"))
    ends_at = models.DateTimeField(pgettext_lazy("stock hold", "ends"), null=True, blank=True)
    ended_at = models.DateTimeField(pgettext_lazy("stock hold", "ended"), null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=HoldEnd.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("stock hold")
        verbose_name_plural = _("stock holds")
        constraints = [
            choices_check("source", HoldSource, "channels_sync_hold_source_valid"),
            choices_check("status", HoldStatus, "channels_sync_hold_status_valid"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="channels_sync_hold_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(consumed__lte=F("quantity")), name="channels_sync_hold_consumed_lte"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="channels_sync_hold_ends_after_start",
            ),
            # One open platform hold per listing: the listings pull updates it in place.
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(source="platform") & ~Q(status="ended"),
                name="channels_sync_hold_platform_open_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["variant", "account"],
                condition=~Q(status="ended"),
                name="channels_sync_hold_open_idx",
            ),
            models.Index(
                fields=["account", "-starts_at", "id"], name="channels_sync_hold_shop_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.variant_id} x{self.quantity}"

    @property
    def remaining(self) -> int:
        return max(0, self.quantity - self.consumed)
