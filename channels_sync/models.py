"""Marketplace sync: the apps and shops we are connected to, which of their listings are our
variants, every payload that came in (kept raw), the orders it made, and the runs staff watch.

    ChannelApp        our app on a platform (Shopee partner id + key; Lazada/TikTok app key +
                      secret); one app serves many shops
    ChannelAccount    one connected shop: tokens, expiry, cursor, push rules, health figures
    Listing           a platform item/model <-> our Variant (unlinked while variant is null)
    ChannelOrder      a platform order <-> our Order, with the platform's own status and time
    InboundPayload    what arrived (webhook body, order detail JSON), kept as received;
                      applied, quarantined (with the reason) or superseded by a newer one
    SyncRun           one run of a job (pull, push, reconcile...) with progress, counts, errors
    ChannelBuyer      a platform buyer <-> our Customer (marketplaces hide phone numbers)

Secrets and tokens are EncryptedTextField (common.secrets). The platform's order status moves
our order through orders.services only (channels_sync.status_map says how).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.db import choices_check
from common.secrets import EncryptedTextField


class Platform(models.TextChoices):
    SHOPEE = "shopee", _("Shopee")
    LAZADA = "lazada", _("Lazada")
    TIKTOK = "tiktok", _("TikTok Shop")


class ChannelApp(models.Model):
    """Our registered app on a platform: Shopee partner_id/partner_key, Lazada app_key/app_secret,
    TikTok app_key/app_secret. `api_base_url` is the default for the shops connected through it."""

    Platform = Platform

    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=120)
    app_key = models.CharField(_("partner id / app key"), max_length=64)
    app_secret = EncryptedTextField(_("partner key / app secret"))
    api_base_url = models.URLField(_("API base URL"), max_length=200)
    # Lazada/TikTok sign their pushes with the app secret; Shopee with the partner key. Some
    # Shopee integrators report a separate push key [UNV]: blank = use app_secret.
    push_secret = EncryptedTextField(_("push key"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("marketplace app")
        verbose_name_plural = _("marketplace apps")
        # The Marketplaces pages (apps, shops, runs, quarantine, listings): owner and manager.
        permissions = [("manage_marketplaces", _("Can manage marketplace apps and shops"))]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "app_key"], name="channels_sync_app_platform_key_unique"
            ),
            choices_check("platform", Platform, "channels_sync_app_platform_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.name}"


class AccountStatus(models.TextChoices):
    CONNECTING = "connecting", _("Connecting")
    ACTIVE = "active", _("Connected")
    RECONNECT = "reconnect", _("Reconnect needed")
    PAUSED = "paused", _("Paused")


class ChannelAccount(models.Model):
    """One connected shop. `code` is what orders record as their channel account."""

    Status = AccountStatus

    app = models.ForeignKey(
        ChannelApp, verbose_name=_("app"), on_delete=models.PROTECT, related_name="accounts"
    )
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    shop_id = models.CharField(_("shop id"), max_length=64)
    # TikTok: the shop's cipher from the authorised-shops call, sent on every shop call.
    shop_cipher = models.CharField(_("shop cipher"), max_length=128, blank=True)
    name = models.CharField(_("shop name"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=8, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    api_base_url = models.URLField(_("API base URL"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CONNECTING
    )
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    access_token = EncryptedTextField(_("access token"), blank=True)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    access_expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    refresh_expires_at = models.DateTimeField(_("refresh token expires"), null=True, blank=True)
    authorized_until = models.DateTimeField(_("authorisation expires"), null=True, blank=True)
    # Orders are reserved and shipped from this warehouse.
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("order warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Stock push rules (BigSeller parity): pushed = max(0, floor(available x percent / 100) +
    # offset), 0 when that is below `push_floor`; `push_warehouses` empty = every warehouse.
    push_enabled = models.BooleanField(_("push stock"), default=True)
    push_warehouses = models.ManyToManyField(
        "inventory.Warehouse",
        verbose_name=_("warehouses that count"),
        blank=True,
        related_name="+",
    )
    push_percent = models.PositiveSmallIntegerField(_("percent of available"), default=100)
    push_offset = models.IntegerField(_("offset"), default=0)
    push_floor = models.PositiveIntegerField(_("push 0 below"), default=0)
    # The nightly reconciliation also corrects prices that differ from our sale prices.
    push_prices = models.BooleanField(_("push prices"), default=False)
    # Incremental order pull: platform update time up to which every order was fetched.
    orders_cursor = models.DateTimeField(_("orders fetched up to"), null=True, blank=True)
    last_order_at = models.DateTimeField(_("last order received"), null=True, blank=True)
    last_stock_push_at = models.DateTimeField(_("last stock push"), null=True, blank=True)
    last_push_delay_ms = models.PositiveIntegerField(_("last push delay (ms)"), null=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("connected"), default=timezone.now)

    class Meta:
        verbose_name = _("marketplace shop")
        verbose_name_plural = _("marketplace shops")
        constraints = [
            models.UniqueConstraint(fields=["app", "shop_id"], name="channels_sync_account_unique"),
            choices_check("platform", Platform, "channels_sync_account_platform_valid"),
            choices_check("status", AccountStatus, "channels_sync_account_status_valid"),
            models.CheckConstraint(
                condition=Q(push_percent__lte=100), name="channels_sync_push_percent_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Not for sale")
    DELETED = "deleted", _("Deleted on the platform")


class Listing(models.Model):
    """A sellable unit on the platform (Shopee item + model; model_id "" when the item has no
    variations) and the variant it is. Unlinked while `variant` is null."""

    Status = ListingStatus

    account = models.ForeignKey(
        ChannelAccount, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="listings"
    )
    item_id = models.CharField(_("item id"), max_length=64)
    model_id = models.CharField(_("model id"), max_length=64, blank=True)
    seller_sku = models.CharField(_("seller SKU"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=400, blank=True)
    variant = models.ForeignKey(
        "inventory.Variant",
        verbose_name=_("our variant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listings",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    location_id = models.CharField(_("platform warehouse"), max_length=64, blank=True)
    platform_stock = models.IntegerField(_("stock on the platform"), null=True, blank=True)
    platform_price = models.DecimalField(
        _("price on the platform"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The platform refuses stock below what a promotion holds back (Shopee reserve, Lazada
    # campaign, TikTok promotion): learnt from its answers and item details.
    promotion_reserve = models.PositiveIntegerField(_("held for promotions"), default=0)
    # Linked (or unlinked) by staff: the seller-SKU rule of the listings pull leaves it alone.
    linked_manually = models.BooleanField(_("linked by hand"), default=False)
    pushed_stock = models.IntegerField(_("last pushed stock"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("last pushed"), null=True, blank=True)
    push_error = models.CharField(_("last push error"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "item_id", "model_id"], name="channels_sync_listing_unique"
            ),
            choices_check("status", ListingStatus, "channels_sync_listing_status_valid"),
        ]
        indexes = [
            models.Index(fields=["account", "seller_sku"], name="channels_sync_listing_sku_idx"),
            models.Index(fields=["variant", "account"], name="channels_sync_listing_var_idx"),
        ]

    def __str__(self) -> str:
        return self.seller_sku or f"{self.item_id}/{self.model_id}"


class ChannelBuyer(models.Model):
    """A platform's buyer account and the customer their orders are recorded under."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="buyers")
    buyer_id = models.CharField(_("buyer id"), max_length=64)
    username = models.CharField(_("buyer username"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "buyer_id"], name="channels_sync_buyer_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.username or self.buyer_id


class ChannelOrder(models.Model):
    """A platform order and our order for it. `platform_updated_at` guards against applying an
    older update over a newer one."""

    account = models.ForeignKey(
        ChannelAccount, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="orders"
    )
    external_id = models.CharField(_("platform order id"), max_length=64)
    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="channel_order",
    )
    platform_status = models.CharField(_("platform status"), max_length=32)
    platform_updated_at = models.DateTimeField(_("updated on the platform"))
    # Paid on the platform but our stock could not cover it: staff must act.
    oversold = models.BooleanField(_("oversold"), default=False)
    cancel_requested = models.BooleanField(_("cancellation requested"), default=False)
    # The buyer opened a return on the platform; staff receive it through the return flow.
    return_requested = models.BooleanField(_("return requested"), default=False)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("marketplace order")
        verbose_name_plural = _("marketplace orders")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="channels_sync_order_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["oversold", "created_at"],
                condition=Q(oversold=True),
                name="channels_sync_oversold_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class PayloadKind(models.TextChoices):
    WEBHOOK = "webhook", _("Push message")
    ORDER = "order", _("Order")


class PayloadStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPLIED = "applied", _("Applied")
    QUARANTINED = "quarantined", _("Needs attention")
    SUPERSEDED = "superseded", _("Replaced by a newer update")
    IGNORED = "ignored", _("Nothing to do")


class InboundPayload(models.Model):
    """What arrived, as it arrived. Orders: one row per order detail fetched (or pushed); the
    newest row of an order is applied, an unappliable one is quarantined with `reason` (a
    stable code) and `detail` (readable, in English for the log; pages translate the code)."""

    Kind = PayloadKind
    Status = PayloadStatus

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("shop"),
        on_delete=models.CASCADE,
        related_name="payloads",
        null=True,
        blank=True,  # a push we could not attribute to a shop is still kept
    )
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    external_id = models.CharField(_("platform order id"), max_length=64, blank=True)
    external_updated_at = models.DateTimeField(_("updated on the platform"), null=True)
    # The platform's id of this message when it gives one (TikTok `tts_notification_id`, its
    # documented de-duplication key): a second delivery with the same id is a repeat.
    message_id = models.CharField(_("message id"), max_length=64, blank=True, default="")
    body = models.TextField(_("as received"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    # The values the reason's text takes (channels_sync.errors.error_text(reason, params)),
    # e.g. {"line": 2, "sku": "AO-1", "skus": ["AO-1"]} for unknown_sku.
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    detail = models.TextField(_("details"), blank=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("received payload")
        verbose_name_plural = _("received payloads")
        constraints = [
            choices_check("platform", Platform, "channels_sync_payload_platform_valid"),
            choices_check("kind", PayloadKind, "channels_sync_payload_kind_valid"),
            choices_check("status", PayloadStatus, "channels_sync_payload_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["account", "external_id", "received_at"],
                name="channels_sync_payload_ext_idx",
            ),
            models.Index(
                fields=["status", "received_at"],
                condition=Q(status__in=["pending", "quarantined"]),
                name="channels_sync_payload_open_idx",
            ),
            models.Index(
                fields=["account", "message_id"],
                condition=~Q(message_id=""),
                name="channels_sync_payload_msg_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.kind} {self.external_id or self.pk}"


class RunKind(models.TextChoices):
    ORDERS_PULL = "orders_pull", _("Order pull")
    ORDERS_AUDIT = "orders_audit", _("Nightly order check")
    WEBHOOKS = "webhooks", _("Push messages")
    PRODUCTS_PULL = "products_pull", _("Product pull")
    STOCK_PUSH = "stock_push", _("Stock push")
    PRICE_PUSH = "price_push", _("Price push")
    RECONCILE = "reconcile", _("Nightly reconciliation")
    TOKEN_REFRESH = "token_refresh", _("Authorisation refresh")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    PARTIAL = "partial", _("Done with problems")
    FAILED = "failed", _("Failed")


class SyncRun(models.Model):
    """One run of a job for one shop. `counts` keys: fetched, created, updated, quarantined,
    pushed, skipped, failed (absent = 0). `errors`: [{"code": str, "message": str, "params":
    {...}}] with `code` from channels_sync.errors so pages show them in the staff's language."""

    Kind = RunKind
    Status = RunStatus

    account = models.ForeignKey(
        ChannelAccount, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="runs"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        constraints = [
            choices_check("kind", RunKind, "channels_sync_run_kind_valid"),
            choices_check("status", RunStatus, "channels_sync_run_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["account", "kind", "-created_at"], name="channels_sync_run_recent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class StockPushQueue(models.Model):
    """Variants whose stock changed and must be pushed to a shop, when there is no Redis (the
    embedded mode); with Redis the queue is a sorted set (channels_sync.services.stock_queue).
    `queued_at` is the oldest change not pushed yet (the push delay is measured from it)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    variant_id = models.BigIntegerField()
    queued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "variant_id"], name="channels_sync_pushqueue_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.variant_id}"


# Promotion/campaign stock holds (issue 15) live in their own module; imported for Django.
from channels_sync.models_holds import (  # noqa: E402, F401
    HoldEnd,
    HoldSource,
    HoldStatus,
    StockHold,
)
from channels_sync.models_publishing import (  # noqa: E402, F401
    Publication,
    PublicationItem,
    PublicationStatus,
)
