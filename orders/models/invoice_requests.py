"""E-invoice details: the customer's defaults and the request captured with an order.

The order keeps its own copy (a snapshot): the customer's details may change later, the invoice
must carry what the buyer asked for when the order was taken. Both are checked when they are
typed (orders.services.invoice_requests): the tax code's form and check digit, and a company
buyer's legal name and address. The invoicing app reads the order's request to name the buyer.

The customer's tax code and company name stay on Customer (`tax_code`, `company`); the
customer's defaults add what the invoice needs besides (address, e-mail, ID number).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check
from orders.models.customers import Customer
from orders.models.orders import Order


class BuyerType(models.TextChoices):
    PERSON = "person", pgettext_lazy("invoice buyer", "Person")
    COMPANY = "company", pgettext_lazy("invoice buyer", "Company")


class InvoiceDetails(models.Model):
    """What both keep: who the invoice is made out to, where it goes."""

    wants_invoice = models.BooleanField(_("wants an e-invoice"), default=False)
    buyer_type = models.CharField(
        _("buyer type"), max_length=10, choices=BuyerType.choices, default=BuyerType.PERSON
    )
    address = models.CharField(_("invoice address"), max_length=500, blank=True)
    email = models.EmailField(_("invoice e-mail"), blank=True)
    id_number = models.CharField(
        _("ID number"),
        max_length=12,
        blank=True,
        help_text=_("The buyer's 12-digit citizen ID (CCCD), for a person without a tax code."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CustomerInvoiceDetails(InvoiceDetails):
    """A customer's default invoice details (with Customer.company and Customer.tax_code)."""

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="invoice_details",
    )

    class Meta:
        verbose_name = _("customer invoice details")
        verbose_name_plural = _("customer invoice details")
        constraints = [
            choices_check("buyer_type", BuyerType, name="orders_custinv_buyer_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_buyer_type_display()}"


class OrderInvoiceRequest(InvoiceDetails):
    """The e-invoice the buyer asked for with an order, as it was asked (a snapshot)."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="invoice_request"
    )
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    legal_name = models.CharField(_("name on the invoice"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("order invoice request")
        verbose_name_plural = _("order invoice requests")
        constraints = [
            choices_check("buyer_type", BuyerType, name="orders_invreq_buyer_type_valid"),
            # A company buyer is named by its tax code and legal name (checked when typed).
            models.CheckConstraint(
                condition=~Q(wants_invoice=True, buyer_type="company")
                | (~Q(tax_code="") & ~Q(legal_name="")),
                name="orders_invreq_company_named",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name or str(self.order_id)
