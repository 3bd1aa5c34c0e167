"""The catalogue: categories, brands, products with their options and images, and variants
(the sellable SKUs)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check
from inventory.models.fields import money_field
from inventory.models.suppliers import Supplier


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


class VatCategory(models.TextChoices):
    """How VAT applies to what a variant sells. Only RATE carries a percentage (`vat_rate`);
    the other two carry none (rate 0) and an e-invoice shows their code instead."""

    RATE = "rate", pgettext_lazy("VAT category", "VAT rate")
    NOT_SUBJECT = "not_subject", pgettext_lazy("VAT category", "Not subject to VAT (KCT)")
    NOT_DECLARED = "not_declared", pgettext_lazy("VAT category", "VAT not declared (KKKNT)")


def vat_category_check(prefix: str) -> list[models.CheckConstraint]:
    """The category is one of VatCategory, and only RATE has a rate other than 0."""
    return [
        choices_check("vat_category", VatCategory, f"{prefix}_vat_category_valid"),
        models.CheckConstraint(
            condition=Q(vat_category=VatCategory.RATE) | Q(vat_rate=0),
            name=f"{prefix}_vat_rate_zero_without_rate",
        ),
    ]


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
    cost_price = money_field(_("cost price"))
    sale_price = money_field(_("sale price"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    vat_category = models.CharField(
        pgettext_lazy("VAT category", "VAT"),
        max_length=16,
        choices=VatCategory.choices,
        default=VatCategory.RATE,
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
            *vat_category_check("inventory_variant"),
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
