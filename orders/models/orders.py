"""Orders: the order with its shipping address, totals and status, its lines and its history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import markers
from common.db import choices_check
from inventory.models import VatCategory, vat_category_check
from orders import transitions as t
from orders.models.customers import AddressScheme, Country, Customer
from orders.models.fields import money_field


class PaymentMethod(models.TextChoices):
    COD = "cod", _("Cash on delivery")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card")
    MARKETPLACE = "marketplace", _("Paid on marketplace")
    CASH = "cash", _("Cash")


def collected_amount(*, payment_method: str, total: Decimal, paid: Decimal) -> Decimal:
    """What the buyer has paid for an order: the payments recorded, or, for an order paid on
    the marketplace, at least its total (the platform took the buyer's money at checkout and
    settles it with the shop; no payment is recorded here)."""
    if payment_method == PaymentMethod.MARKETPLACE:
        return max(paid, total)
    return paid


class Channel(models.TextChoices):
    WEBSITE = "website", _("Website")
    SHOPEE = "shopee", _("Shopee")
    LAZADA = "lazada", _("Lazada")
    TIKTOK = "tiktok", _("TikTok Shop")
    PHONE = "phone", _("Phone")
    FACEBOOK = "facebook", _("Facebook")
    CHAT = "chat", _("Chat")
    OTHER = "other", _("Other")


class OrderStatus(models.TextChoices):
    NEW = t.NEW, _("New")
    PROCESSING = t.PROCESSING, _("Processing")
    SHIPPED = t.SHIPPED, _("Shipped")
    COMPLETED = t.COMPLETED, _("Completed")
    CANCELLED = t.CANCELLED, _("Cancelled")
    RETURNED = t.RETURNED, _("Returned")


class FollowupState(models.TextChoices):
    NONE = markers.STATE_NONE, _("Not followed up yet")
    OPEN = markers.STATE_OPEN, _("Follow-up open")
    FINISHED = markers.STATE_FINISHED, _("Follow-up finished")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("website request outcome", "Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    EDITED = "edited", _("Edited")
    NOTE = "note", _("Note")
    PAYMENT = "payment", _("Payment")
    RETURN = "return", _("Return")


class Order(models.Model):
    Channel = Channel
    Status = OrderStatus
    PaymentStatus = PaymentStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    channel_account = models.CharField(
        _("channel account"), max_length=32, blank=True, help_text=_("Blank for manual orders.")
    )
    external_number = models.CharField(_("channel order number"), max_length=64, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # (customer, created_at, id) below
    )
    # Shipping address as it was when the order was placed (or last edited).
    ship_name = models.CharField(_("recipient"), max_length=200, blank=True)
    ship_phone = models.CharField(_("recipient phone"), max_length=16, blank=True)
    ship_country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)
    ship_scheme = models.CharField(
        _("address form"), max_length=12, choices=AddressScheme.choices, blank=True
    )
    ship_province = models.CharField(_("province"), max_length=100, blank=True)
    ship_district = models.CharField(_("district"), max_length=100, blank=True)
    ship_ward = models.CharField(_("ward / subdistrict"), max_length=100, blank=True)
    ship_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    ship_street = models.CharField(_("street address"), max_length=255, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PaymentMethod.choices
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # (warehouse, created_at, id) below
    )
    currency = models.CharField(_("currency"), max_length=3)
    # subtotal = sum of line totals; total = subtotal - discount_total + shipping_fee;
    # vat_total = the VAT contained in the goods (prices include VAT), see services.amounts.
    subtotal = money_field(_("subtotal"))
    discount_total = money_field(_("order discount"))
    shipping_fee = money_field(_("shipping fee"))
    vat_total = money_field(_("VAT"))
    total = money_field(_("total"))
    paid_amount = money_field(_("paid"), editable=False)  # payments + COD collected
    refunded_amount = money_field(_("refunded"), editable=False)
    notes = models.TextField(_("notes"), blank=True)
    # fold(number, channel order number, recipient, customer name) + phone digits.
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    # The follow-up summary, written only by followups.services (in the transaction that
    # records the contact) so the order list can show and filter the marker in one query:
    # state "" (nothing recorded), "open" or "finished" (see common.markers).
    followup_state = models.CharField(
        _("follow-up"), max_length=8, choices=FollowupState.choices, blank=True, default=""
    )
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("confirm_order", _("Can confirm orders (reserve stock)")),
            ("ship_order", _("Can mark orders shipped")),
            ("complete_order", _("Can record payments and complete orders")),
            ("cancel_order", _("Can cancel orders")),
            ("export_order", _("Can export orders and print picking lists")),
            ("view_reports", _("Can see sales reports")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "channel_account", "external_number"],
                condition=~Q(external_number=""),
                name="orders_order_external_unique",
            ),
            choices_check("status", OrderStatus, "orders_order_status_valid"),
            choices_check("payment_status", PaymentStatus, "orders_order_payment_status_valid"),
            choices_check("channel", Channel, "orders_order_channel_valid"),
            choices_check("payment_method", PaymentMethod, "orders_order_payment_method_valid"),
            choices_check("followup_state", FollowupState, "orders_order_followup_state_valid"),
            models.CheckConstraint(
                condition=Q(
                    subtotal__gte=0,
                    discount_total__gte=0,
                    shipping_fee__gte=0,
                    vat_total__gte=0,
                    total__gte=0,
                    paid_amount__gte=0,
                    refunded_amount__gte=0,
                ),
                name="orders_order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(discount_total__lte=F("subtotal")),
                name="orders_order_discount_lte_subtotal",
            ),
        ]
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="orders_order_created_idx"),
            models.Index(F("total").desc(), F("id").desc(), name="orders_order_total_idx"),
            models.Index(fields=["status", "created_at", "id"], name="orders_order_status_idx"),
            models.Index(fields=["channel", "created_at", "id"], name="orders_order_channel_idx"),
            models.Index(
                fields=["warehouse", "created_at", "id"], name="orders_order_warehouse_idx"
            ),
            models.Index(
                fields=["payment_status", "created_at", "id"], name="orders_order_payment_idx"
            ),
            models.Index(fields=["customer", "created_at", "id"], name="orders_order_customer_idx"),
            models.Index(
                fields=["followup_state", "created_at", "id"], name="orders_order_followup_idx"
            ),
            models.Index(
                fields=["followup_state", "next_contact_at", "id"],
                name="orders_order_next_contact_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        return t.allowed_actions(self.status)

    @property
    def is_editable(self) -> bool:
        return self.status in t.EDITABLE_STATUSES

    @property
    def collected(self) -> Decimal:
        """What the buyer paid (collected_amount): the marketplace's checkout counts in full."""
        return collected_amount(
            payment_method=self.payment_method, total=self.total, paid=self.paid_amount
        )

    @property
    def balance_due(self) -> Decimal:
        """What the buyer still owes (negative: owed to the buyer)."""
        return self.total - self.collected + self.refunded_amount


class OrderLine(models.Model):
    """One line: quantity x unit price (VAT included, as sold) - line discount = line_total.

    quantity_reserved: units this line holds reserved in the order's warehouse right now
    (all of them while the order is processing, none otherwise); quantity_shipped: units
    deducted from stock when shipped; quantity_returned: units that came back (returns).
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "inventory.Variant", verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("product"), max_length=400)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = money_field(_("unit price"))
    discount = money_field(_("discount"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    # The variant's VAT category when the line was taken (a snapshot, like vat_rate): a line
    # not subject to VAT (KCT) or not declared (KKKNT) has rate 0 and no VAT.
    vat_category = models.CharField(
        pgettext_lazy("VAT category", "VAT"),
        max_length=16,
        choices=VatCategory.choices,
        default=VatCategory.RATE,
    )
    line_total = money_field(_("line total"))
    # The VAT contained in this line after its share of the order discount.
    vat_amount = money_field(_("VAT"))
    quantity_reserved = models.PositiveIntegerField(_("reserved"), default=0)
    quantity_shipped = models.PositiveIntegerField(_("shipped"), default=0)
    quantity_returned = models.PositiveIntegerField(_("returned"), default=0)
    # The variant's cost (moving average, VAT excluded) when the goods left: what profit
    # reports subtract. 0 until shipped.
    unit_cost = money_field(_("unit cost"), editable=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(quantity_reserved__lte=F("quantity")),
                name="orders_line_reserved_lte_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity")),
                name="orders_line_shipped_lte_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=F("quantity_shipped")),
                name="orders_line_returned_lte_shipped",
            ),
            models.CheckConstraint(
                condition=Q(
                    unit_price__gte=0, discount__gte=0, line_total__gte=0, vat_amount__gte=0
                ),
                name="orders_line_amounts_not_negative",
            ),
            *vat_category_check("orders_line"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} x {self.quantity}"

    @property
    def quantity_returnable(self) -> int:
        return self.quantity_shipped - self.quantity_returned


class OrderEvent(models.Model):
    """The order's history: one row per transition, edit, payment, return or note."""

    Kind = EventKind

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["order", "id"], name="orders_event_order_idx")]
        constraints = [choices_check("kind", EventKind, "orders_event_kind_valid")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"
