"""Catalogue, warehouses, the stock ledger, suppliers, purchasing, transfers and stock counts.

Stock invariants (checked by constraints here and kept by inventory.services.stock):
  0 <= reserved <= on_hand for every StockLevel row, so available = on_hand - reserved >= 0;
  on_hand and reserved always equal the sums of their StockMovement deltas.
Prices are stored with 2 decimals and rounded to the shop currency's precision by services.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


def _money_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        validators=[MinValueValidator(Decimal("0"))],
        default=Decimal("0"),
        **MONEY,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", _("Main warehouse")
        BRANCH = "branch", _("Branch")
        SUB = "sub", _("Sub-warehouse")

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_("Short code used on documents, e.g. HCM01. Letters, digits, - and _."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    address = models.TextField(_("address"), blank=True)
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warehouses_in_charge",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Only a sub-warehouse has one: the main or branch warehouse it belongs to.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subs",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(Upper("code"), name="inventory_warehouse_code_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["main", "branch", "sub"]),
                name="inventory_warehouse_kind_valid",
            ),
            # A parent only for a sub-warehouse, and never itself. (That a sub has one, and that
            # it is a main or branch warehouse, is checked by clean(): sub-warehouses saved
            # before the field existed have none yet.)
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True)
                | (models.Q(kind="sub") & ~models.Q(parent=models.F("pk"))),
                name="inventory_warehouse_parent_only_sub",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.kind != self.Kind.SUB:
            if self.parent_id is not None:
                raise ValidationError(
                    {"parent": _("Only a sub-warehouse belongs to a parent warehouse.")}
                )
            return
        if self.pk is not None and Warehouse.objects.filter(parent_id=self.pk).exists():
            raise ValidationError(
                {"kind": _("Sub-warehouses belong to this warehouse: it cannot become one.")}
            )
        if self.parent_id is None:
            raise ValidationError(
                {"parent": _("Choose the main or branch warehouse this sub-warehouse belongs to.")}
            )
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A warehouse cannot be its own parent.")})
        parent_kind = (
            Warehouse.objects.filter(pk=self.parent_id).values_list("kind", flat=True).first()
        )
        if parent_kind not in (self.Kind.MAIN, self.Kind.BRANCH):
            raise ValidationError({"parent": _("The parent must be a main or branch warehouse.")})


# --- Catalogue --------------------------------------------------------------------------------


class Category(models.Model):
    """A node of the category tree; `full_name` ("Fashion / Shirts") is kept by services."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    full_name = models.CharField(_("full name"), max_length=500, editable=False, default="")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                "parent", Upper("name"), name="inventory_category_name_unique_in_parent"
            ),
            models.UniqueConstraint(
                Upper("name"),
                condition=Q(parent__isnull=True),
                name="inventory_category_root_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        constraints = [models.UniqueConstraint(Upper("name"), name="inventory_brand_name_unique")]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(_("name"), max_length=255)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    brand = models.ForeignKey(
        Brand,
        verbose_name=_("brand"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    description = models.TextField(_("description"), blank=True)
    # [{"name": "Material", "value": "Cotton"}, ...] in display order.
    specifications = models.JSONField(_("specifications"), default=list, blank=True)
    video = models.FileField(_("video file"), upload_to="products/videos/", blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["category", "id"]), models.Index(fields=["brand", "id"])]

    def __str__(self) -> str:
        return self.name


class ProductOption(models.Model):
    """One of at most 3 option attributes (colour, size, material...) and its values."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(
        _("position"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    name = models.CharField(_("option name"), max_length=60)
    values = models.JSONField(_("values"), default=list)

    class Meta:
        verbose_name = _("product option")
        verbose_name_plural = _("product options")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "position"], name="inventory_option_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=3), name="inventory_option_position_1_3"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="products/images/")
    thumbnail = models.ImageField(upload_to="products/thumbs/", blank=True, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    alt_text = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        indexes = [models.Index(fields=["product", "position"])]

    def __str__(self) -> str:
        return str(self.image.name)


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    payment_terms = models.CharField(
        _("payment terms"), max_length=120, blank=True, help_text=_("e.g. 30 days after receipt")
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(Upper("name"), name="inventory_supplier_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """A sellable SKU: one combination of the product's option values."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField(_("SKU"), max_length=64)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    option1 = models.CharField(max_length=60, blank=True)
    option2 = models.CharField(max_length=60, blank=True)
    option3 = models.CharField(max_length=60, blank=True)
    # Cost is before VAT (input VAT is deductible); sale price includes VAT, as shown to buyers.
    cost_price = _money_field(_("cost price"))
    sale_price = _money_field(_("sale price"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    length_cm = models.PositiveIntegerField(_("length (cm)"), default=0)
    width_cm = models.PositiveIntegerField(_("width (cm)"), default=0)
    height_cm = models.PositiveIntegerField(_("height (cm)"), default=0)
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=0)
    preferred_supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("preferred supplier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Unaccented, lower-case "sku barcode product name options" for search (kept by services).
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        # Cost price, profit, margin and everything valued at cost (stock value, purchase
        # prices, count variances, report cost columns): see inventory/permissions.py.
        permissions = [("view_costs", _("Can see costs and profit"))]
        constraints = [
            models.UniqueConstraint(Upper("sku"), name="inventory_variant_sku_ci_unique"),
            models.UniqueConstraint(
                "barcode",
                condition=~Q(barcode=""),
                name="inventory_variant_barcode_unique",
            ),
            models.UniqueConstraint(
                fields=["product", "option1", "option2", "option3"],
                name="inventory_variant_options_unique",
            ),
            models.CheckConstraint(
                condition=Q(cost_price__gte=0, sale_price__gte=0),
                name="inventory_variant_prices_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "id"]),
            models.Index(fields=["sku"]),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def option_values(self) -> list[str]:
        return [v for v in (self.option1, self.option2, self.option3) if v]

    @property
    def sale_price_ex_vat(self) -> Decimal:
        return self.sale_price / (1 + self.vat_rate / 100)

    @property
    def profit(self) -> Decimal:
        """Profit per unit before tax: sale price without VAT minus cost."""
        return self.sale_price_ex_vat - self.cost_price

    @property
    def margin_percent(self) -> Decimal | None:
        net = self.sale_price_ex_vat
        if not net:
            return None
        return self.profit / net * 100


# --- Stock and the ledger ---------------------------------------------------------------------


class StockLevel(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    # Overrides the variant's threshold for this warehouse when set.
    low_stock_threshold = models.PositiveIntegerField(
        _("low-stock threshold"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="inventory_stocklevel_unique"
            ),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("on_hand")),
                name="inventory_reserved_lte_on_hand",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def available_units(relation: str = "") -> CombinedExpression:
    """Units available (on hand minus reserved) as an SQL expression, the one definition every
    query uses: of a StockLevel row, or through `relation` ("stock_levels__" from a Variant)."""
    return F(f"{relation}on_hand") - F(f"{relation}reserved")


class MovementKind(models.TextChoices):
    INITIAL = "initial", _("Initial stock")
    RECEIPT = "receipt", _("Goods receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release of reservation")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return to stock")
    DAMAGE = "damage", _("Damage write-off")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT = "count", _("Stock count adjustment")
    ADJUSTMENT = "adjustment", _("Manual adjustment")


# Why the services moved stock, stored as a code (StockMovement.reason_code) and worded in the
# reader's language when shown (StockMovement.reason_text): %(document)s is the movement's
# source document, the other values come from reason_args. `reason` keeps what staff typed.
MOVEMENT_REASONS = {
    "count": _("Count %(document)s"),
    "import": _("Import %(document)s"),
    "transfer_to": _("To %(warehouse)s"),
    "transfer_from": _("From %(warehouse)s"),
    "transfer_cancelled": _("Returned: transfer cancelled"),
    "return_damaged": _("Damaged return %(number)s"),
}


class StockMovement(models.Model):
    """One ledger row: a change of on_hand and/or reserved, with who, when and why."""

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    unit_cost = models.DecimalField(null=True, blank=True, **MONEY)  # type: ignore[arg-type]
    reason = models.CharField(_("reason"), max_length=255, blank=True)  # as staff typed it
    reason_code = models.CharField(_("reason code"), max_length=32, blank=True)
    reason_args = models.JSONField(_("reason details"), default=dict, blank=True)
    # The document that caused it: ("purchase_receipt", "12"), ("order", "SO-1001")...
    source_type = models.CharField(_("source type"), max_length=32, blank=True)
    source_id = models.CharField(_("source"), max_length=64, blank=True)
    source_label = models.CharField(_("document"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), db_index=False)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(on_hand_delta=0, reserved_delta=0), name="inventory_movement_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "initial",
                        "receipt",
                        "reservation",
                        "release",
                        "shipment",
                        "return",
                        "damage",
                        "transfer_out",
                        "transfer_in",
                        "count",
                        "adjustment",
                    ]
                ),
                name="inventory_movement_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(reason_code__in=["", *MOVEMENT_REASONS]),
                name="inventory_movement_reason_code_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["variant", "warehouse", "id"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+d}/{self.reserved_delta:+d}"

    @property
    def reason_text(self) -> str:
        """The reason in the active language: a service's code worded now, or staff's text."""
        template = MOVEMENT_REASONS.get(self.reason_code)
        if template is None:
            return self.reason
        values = {"document": self.source_label or self.source_id}
        values.update({str(k): str(v) for k, v in (self.reason_args or {}).items()})
        try:
            return str(template) % values
        except (KeyError, TypeError, ValueError):
            return self.reason


# --- Purchasing -------------------------------------------------------------------------------


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTIAL = "partial", _("Partially received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed short")

    number = models.CharField(_("number"), max_length=32, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="orders"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("deliver to"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3)
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # What the draft was made for, as a plain reference an app above inventory understands
    # ("order:<pk>" for a sales order's shortage); empty for drafts staff made by hand.
    source = models.CharField(max_length=40, blank=True, default="", editable=False)
    subtotal = _money_field(_("subtotal"))
    vat_total = _money_field(_("VAT"))
    total = _money_field(_("total"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "confirmed", "partial", "received", "cancelled", "closed"]
                ),
                name="inventory_po_status_valid",
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["supplier", "id"]),
            models.Index(
                fields=["source", "id"],
                condition=~Q(source=""),
                name="inventory_po_source_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    quantity_received = models.PositiveIntegerField(_("received"), default=0)
    unit_cost = _money_field(_("unit cost"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("10")
    )

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_received__lte=models.F("quantity")),
                name="inventory_po_line_not_over_received",
            ),
            models.UniqueConstraint(fields=["order", "variant"], name="inventory_po_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"

    @property
    def quantity_open(self) -> int:
        return self.quantity - self.quantity_received


class PurchaseOrderEvent(models.Model):
    """The history of a purchase order: one row per action that is not a document of its own
    (goods receipts are). Today: closed short, with the staff's reason and the open units."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed short")

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("purchase order event")
        verbose_name_plural = _("purchase order events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["closed"]), name="inventory_po_event_kind_valid"
            )
        ]
        indexes = [models.Index(fields=["order", "id"], name="inventory_po_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class ShopProfile(models.Model):
    """The shop's own details printed on its documents (purchase orders, delivery notes,
    invoices): one row (id 1), edited on the shop settings page. Until it is filled in, the
    name falls back to settings.SHOP_NAME (inventory.selectors.shop.shop_details).

    It lives here, in the lowest app with models, so that every app that prints (inventory,
    orders, invoicing...) can read it; common holds no models."""

    name = models.CharField(_("shop name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("shop details")
        verbose_name_plural = _("shop details")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="inventory_shop_profile_one")]

    def __str__(self) -> str:
        return self.name


class GoodsReceipt(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="receipts"
    )
    received_at = models.DateTimeField(_("received at"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The receipt form's one-time token: the same form sent again (double click, resend) finds
    # this receipt instead of receiving the goods twice. Empty for receipts posted without one.
    idempotency_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_token"],
                condition=~Q(idempotency_token=""),
                name="inventory_receipt_token_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_cost = _money_field(_("unit cost"))

    class Meta:
        verbose_name = _("goods receipt line")
        verbose_name_plural = _("goods receipt lines")

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"


# --- Transfers and counts ---------------------------------------------------------------------


class Transfer(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True)
    source = models.ForeignKey(
        Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("destination")), name="inventory_transfer_two_places"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sent", "received", "cancelled"]),
                name="inventory_transfer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "variant"], name="inventory_transfer_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"


class StockCount(models.Model):
    """A periodic stocktake of one warehouse (optionally some categories)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Counting")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="counts"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        permissions = [("post_stockcount", _("Can post stock counts"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "posted", "cancelled"]),
                name="inventory_count_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.number


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    # on_hand when the count started; the variance is counted - expected, posted as a delta so
    # that sales between counting and posting are not undone.
    expected = models.IntegerField(_("expected"))
    counted = models.IntegerField(_("counted"), null=True, blank=True)
    unit_cost = _money_field(_("unit cost"))

    class Meta:
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        constraints = [
            models.UniqueConstraint(
                fields=["count", "variant"], name="inventory_count_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="inventory_count_line_counted_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.expected} -> {self.counted}"

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


class DocumentSequence(models.Model):
    """Gap-free numbering per document prefix (PO, GR, TR, SC...), taken under a row lock."""

    prefix = models.CharField(max_length=8, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_value}"
