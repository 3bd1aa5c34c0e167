"""Customers, orders, payments and returns.

Every field that a rule keeps (totals, reservations, payment status, lifetime figures, search
text) is written by orders.services only; the constraints below are the last line of defence.
Money is Decimal in the order's currency precision (common.money.quantize: VND 0, THB 2).

Over 500 lines on purpose: the app's 28 models, their choices and constraints, and nothing else
(no rules); the foreign keys between customers, orders, payments and returns read best together,
and the migrations and admin name them from this one module.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import markers
from common.db import choices_check
from orders import transitions as t

MONEY = {"max_digits": 14, "decimal_places": 2}


def _money(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        default=Decimal("0"),
        **MONEY,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


class Country(models.TextChoices):
    VN = "VN", _("Vietnam")
    TH = "TH", _("Thailand")


class AddressScheme(models.TextChoices):
    """How an address is divided.

    vn_3level: province / district / ward (the form used until mid-2025);
    vn_2level: province / ward (the 2025 two-level form: districts were abolished; a district
               may still be kept for the courier's sake but is optional);
    th:        province (changwat) / district (amphoe or khet) / subdistrict (tambon or
               khwaeng, stored in `ward`) / 5-digit postcode.
    """

    VN_3LEVEL = "vn_3level", _("Vietnam: province / district / ward")
    VN_2LEVEL = "vn_2level", _("Vietnam: province / ward (2025)")
    TH = "th", _("Thailand: province / district / subdistrict")


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


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    COD_COLLECTED = "cod_collected", _("COD collected")
    REFUND = "refund", _("Refund")


class ReturnStatus(models.TextChoices):
    RECEIVED = "received", _("Goods received")
    REFUNDED = "refunded", _("Refunded")


class ReturnCondition(models.TextChoices):
    GOOD = "good", _("Good: back to stock")
    DAMAGED = "damaged", _("Damaged: written off")


# --- Customers --------------------------------------------------------------------------------


class Tag(models.Model):
    """A customer label ("VIP", "wholesale"); filtering by tag is an indexed join."""

    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(Upper("name"), name="orders_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A buyer, with phones, e-mails, addresses, tags and lifetime totals.

    Lifetime totals (kept by the services in the same transaction as the change, recomputed
    from the orders under a lock on the customer row, never incremented blindly), defined once
    in orders.services.customers (CUSTOMER_ORDER, CUSTOMER_SALE):
      orders_count = the customer's orders that were not cancelled;
      revenue      = over those that were shipped, in the shop currency:
                     total - refunded_amount (paid_amount - refunded_amount for an order
                     returned entirely): the top customers report's net revenue.
    A merged duplicate keeps its row, pointing at the
    customer it was merged into (`merged_into`), with zero totals and nothing left on it.
    """

    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    tax_code = models.CharField(
        _("tax code"),
        max_length=20,
        blank=True,
        help_text=_("Vietnamese tax code (MST) or Thai 13-digit tax identification number."),
    )
    emails = models.JSONField(_("e-mail addresses"), default=list, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    notes = models.TextField(_("notes"), blank=True)
    orders_count = models.PositiveIntegerField(_("orders"), default=0, editable=False)
    revenue = _money(_("revenue"), editable=False)
    # fold(name, company, tax code, e-mails) + phone digits (local and E.164), for search.
    search_text = models.TextField(editable=False, default="")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_duplicates",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("merge_customer", _("Can merge duplicate customers"))]
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="orders_cust_created_idx"),
            models.Index(F("revenue").desc(), F("id").desc(), name="orders_cust_revenue_idx"),
            models.Index(F("orders_count").desc(), F("id").desc(), name="orders_cust_orders_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="orders_customer_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerPhone(models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="phones",
        db_index=False,  # the (customer, e164) unique index serves it
    )
    e164 = models.CharField(_("phone"), max_length=16)  # "+84912345678"
    # National significant number ("912345678"): what "any part of the phone" matches.
    digits = models.CharField(max_length=15, editable=False)
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer phone")
        verbose_name_plural = _("customer phones")
        constraints = [
            models.UniqueConstraint(fields=["customer", "e164"], name="orders_phone_unique"),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="orders_phone_one_primary",
            ),
        ]
        indexes = [models.Index(fields=["e164"]), models.Index(fields=["digits"])]

    def __str__(self) -> str:
        return self.e164


class CustomerAddress(models.Model):
    """A delivery address. `ward` is the Vietnamese ward/commune or the Thai subdistrict."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_phone = models.CharField(_("recipient phone"), max_length=16, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    scheme = models.CharField(_("address form"), max_length=12, choices=AddressScheme.choices)
    province = models.CharField(_("province"), max_length=100)
    district = models.CharField(_("district"), max_length=100, blank=True)
    ward = models.CharField(_("ward / subdistrict"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    street = models.CharField(_("street address"), max_length=255)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer address")
        verbose_name_plural = _("customer addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True),
                name="orders_address_one_default",
            ),
            models.CheckConstraint(
                condition=Q(country="VN", scheme__in=["vn_3level", "vn_2level"])
                | Q(country="TH", scheme="th"),
                name="orders_address_scheme_matches_country",
            ),
            models.CheckConstraint(
                condition=Q(scheme="vn_2level") | ~Q(district=""),
                name="orders_address_district_required",
            ),
            models.CheckConstraint(
                condition=~Q(scheme="th") | ~Q(postcode=""),
                name="orders_address_th_postcode_required",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street, self.ward, self.district, self.province) if p)


# --- Orders -----------------------------------------------------------------------------------


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
    subtotal = _money(_("subtotal"))
    discount_total = _money(_("order discount"))
    shipping_fee = _money(_("shipping fee"))
    vat_total = _money(_("VAT"))
    total = _money(_("total"))
    paid_amount = _money(_("paid"), editable=False)  # payments + COD collected
    refunded_amount = _money(_("refunded"), editable=False)
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
    unit_price = _money(_("unit price"))
    discount = _money(_("discount"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    line_total = _money(_("line total"))
    # The VAT contained in this line after its share of the order discount.
    vat_amount = _money(_("VAT"))
    quantity_reserved = models.PositiveIntegerField(_("reserved"), default=0)
    quantity_shipped = models.PositiveIntegerField(_("shipped"), default=0)
    quantity_returned = models.PositiveIntegerField(_("returned"), default=0)
    # The variant's cost (moving average, VAT excluded) when the goods left: what profit
    # reports subtract. 0 until shipped.
    unit_cost = _money(_("unit cost"), editable=False)

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


class Payment(models.Model):
    """The transaction history of an order: money in (payment, COD collected) and out (refund)."""

    Kind = PaymentKind

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)  # type: ignore[arg-type]
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    paid_at = models.DateTimeField(_("date"))
    order_return = models.ForeignKey(
        "Return",
        verbose_name=_("return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_payment_amount_gt_0"),
            choices_check("kind", PaymentKind, "orders_payment_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Return(models.Model):
    """Goods that came back from a shipped or completed order, with the refund and exchange.

    Created in one step when the goods are received (status received), or refunded when a
    refund was recorded with it.
    """

    Status = ReturnStatus

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns"
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    refund_amount = _money(_("refund"))
    refund_method = models.CharField(
        _("refund method"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    exchange_order = models.ForeignKey(
        Order,
        verbose_name=_("exchange order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_for",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            choices_check("status", ReturnStatus, "orders_return_status_valid"),
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0), name="orders_return_refund_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    Condition = ReturnCondition

    order_return = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orders_return_line_qty_gte_1"
            ),
            choices_check("condition", ReturnCondition, "orders_return_line_condition_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"


# --- Website inbound API ----------------------------------------------------------------------


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
    adds one registers how its requests are applied: orders.services.website_api)."""

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


# --- Sales rollup -----------------------------------------------------------------------------
#
# The sales reports read these pre-aggregated rows instead of the order lines. They are kept by
# orders.services.sales_rollup in the same transaction as the change (shipment, return), like a
# ledger, and can be rebuilt from the orders (manage.py rebuild_sales_rollup) and checked against
# them (manage.py check_sales_rollup). "day" is the shop-local date (settings.TIME_ZONE) of the
# order's created_at. Amounts are unrounded: each line's contribution rounded to 6 decimals (the
# reports round the sums once, to the currency's precision). A row stays when its units go back
# to zero (everything returned): the reports list such a variant with zero, as before.

ROLLUP_AMOUNT = {"max_digits": 24, "decimal_places": 6}


def _rollup_amount(verbose_name: str | object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        default=Decimal("0"),
        **ROLLUP_AMOUNT,  # type: ignore[arg-type]
    )


def _warehouse_key() -> Coalesce:
    """The warehouse in unique keys: NULL (an order without warehouse) as 0, so that the key
    is unique on PostgreSQL and SQLite alike and ON CONFLICT can name it."""
    return Coalesce(F("warehouse"), Value(0), output_field=models.BigIntegerField())


class SalesDay(models.Model):
    """The sales of one variant on one shop-local day, per channel, warehouse and currency:
    the best sellers report's figures (see orders.selectors.reports) summed over the lines of
    the shipped, not cancelled orders created that day."""

    day = models.DateField(_("day"))
    variant = models.ForeignKey(
        "inventory.Variant", verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # filtered together with the day range (the unique index)
    )
    currency = models.CharField(_("currency"), max_length=3)
    units = models.IntegerField(_("units sold"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    vat = _rollup_amount(_("VAT"))
    cost = _rollup_amount(_("cost"))

    class Meta:
        verbose_name = _("daily sales of a variant")
        verbose_name_plural = _("daily sales of variants")
        constraints = [
            # Its leading (day, variant) columns also serve the reports' day ranges.
            models.UniqueConstraint(
                F("day"),
                F("variant"),
                F("channel"),
                _warehouse_key(),
                F("currency"),
                name="orders_salesday_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.variant_id} {self.channel} {self.units}"


class SalesMonth(models.Model):
    """SalesDay summed over a shop-local month (all channels and warehouses): what a long
    period without channel or warehouse filter reads for its whole months, a fraction of the
    daily rows."""

    month = models.DateField(_("month"))  # its first day
    variant = models.ForeignKey(
        "inventory.Variant",
        verbose_name=_("variant"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a small table; the key starts with the month
    )
    currency = models.CharField(_("currency"), max_length=3)
    units = models.IntegerField(_("units sold"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    vat = _rollup_amount(_("VAT"))
    cost = _rollup_amount(_("cost"))

    class Meta:
        verbose_name = _("monthly sales of a variant")
        verbose_name_plural = _("monthly sales of variants")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "variant", "currency"], name="orders_salesmonth_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.variant_id} {self.units}"


class SalesDayChannel(models.Model):
    """The shipped, not cancelled orders created on one shop-local day, per channel, warehouse
    and currency: the sales by channel report's figures (orders, net revenue of the goods,
    shipping fees)."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # filtered together with the day range (the unique index)
    )
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.IntegerField(_("orders"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    shipping_fee = _rollup_amount(_("shipping fees"))

    class Meta:
        verbose_name = _("daily sales of a channel")
        verbose_name_plural = _("daily sales of channels")
        constraints = [
            models.UniqueConstraint(
                F("day"),
                F("channel"),
                _warehouse_key(),
                F("currency"),
                name="orders_salesdaychannel_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.orders}"
