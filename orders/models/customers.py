"""Customers: the buyer, their phones, delivery addresses and tags."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models.fields import money_field


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
    revenue = money_field(_("revenue"), editable=False)
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
