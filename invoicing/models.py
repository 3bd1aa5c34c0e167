"""E-invoices: the provider accounts (S-Invoice, MISA), the invoices issued from orders with
their lines, and one attempt row per provider call.

An invoice's row and its idempotency key are committed before the provider is called
(services.issue), so a retry after a timeout asks the provider for that key instead of issuing
again. Amounts are exact in the currency's precision (VND: whole dong).
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check
from common.secrets import EncryptedTextField
from common.taxcodes import vn_check_digit
from orders.models.fields import money_field

SERIES_RE = re.compile(r"^[CK][0-9]{2}[TDLMNBGH][A-Z0-9]{2}$")  # E.3
SINVOICE_TEMPLATE_RE = re.compile(r"^[1-6]/[0-9]{3,4}$")  # "1/001"
SELLER_TAX_CODE_RE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")


def validate_seller_tax_code(value: str) -> None:
    """10 digits with a valid check digit, optionally "-" and a 3-digit branch (001-999)."""
    if not SELLER_TAX_CODE_RE.match(value or ""):
        raise ValidationError(
            _("%(code)s is not a tax code: 10 digits, or 10 digits, a dash and 3 digits."),
            params={"code": value},
            code="shape",
        )
    if vn_check_digit(value[:9]) != int(value[9]) or value[11:] == "000":
        raise ValidationError(
            _("%(code)s is not a valid Vietnamese tax code: the check digit does not match."),
            params={"code": value},
            code="check_digit",
        )


def validate_series(value: str) -> None:
    if not SERIES_RE.match(value or ""):
        raise ValidationError(
            _(
                "%(series)s is not an invoice series: 6 characters such as C25TAA (C or K, "
                "two digits of the year, the kind letter, two letters or digits)."
            ),
            params={"series": value},
            code="series",
        )


class Provider(models.TextChoices):
    SINVOICE = "sinvoice", _("Viettel S-Invoice")
    MISA = "misa", _("MISA meInvoice")


class InvoiceKind(models.TextChoices):
    VAT = "1", _("VAT invoice")
    SALES = "2", _("Sales invoice")


class AutoIssue(models.TextChoices):
    """When an invoice is issued by itself as an order completes."""

    NEVER = "never", _("Never (staff issue it)")
    ASKED = "asked", _("When the customer asked for one")
    ABOVE = "above", _("Orders from an amount")
    ALWAYS = "always", _("Every order")


class SendVia(models.TextChoices):
    """How an issued invoice reaches the buyer."""

    EMAIL = "email", _("We e-mail the PDF")
    PROVIDER = "provider", _("The provider's own e-mail")
    OFF = "off", _("Not sent automatically")


class ProviderAccount(models.Model):
    provider = models.CharField(_("provider"), max_length=12, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=100)
    base_url = models.URLField(_("API base URL"), max_length=300)
    auth_url = models.URLField(
        _("sign-in URL"),
        max_length=300,
        blank=True,
        help_text=_("Blank: derived from the API URL."),
    )
    app_id = models.CharField(_("app id"), max_length=100, blank=True)
    username = models.CharField(_("user name"), max_length=150)
    password = EncryptedTextField(_("password"))
    seller_tax_code = models.CharField(
        _("seller tax code"), max_length=14, validators=[validate_seller_tax_code]
    )
    template = models.CharField(
        _("template"),
        max_length=64,
        help_text=_("S-Invoice: template code such as 1/001. MISA: the template id."),
    )
    series = models.CharField(_("series"), max_length=6, validators=[validate_series])
    default_kind = models.CharField(
        _("default invoice kind"), max_length=1, choices=InvoiceKind.choices, default="1"
    )
    active = models.BooleanField(_("active"), default=True)
    auto_issue = models.CharField(
        _("issue automatically"),
        max_length=8,
        choices=AutoIssue.choices,
        default=AutoIssue.NEVER,
        help_text=_("When an order completes."),
    )
    auto_issue_from = money_field(
        _("from an order total of"),
        help_text=_('VAT included; for the rule "Orders from an amount".'),
        validators=[MinValueValidator(Decimal(0))],
    )
    send_via = models.CharField(
        _("send to the buyer"), max_length=8, choices=SendVia.choices, default=SendVia.EMAIL
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("e-invoice account")
        verbose_name_plural = _("e-invoice accounts")
        permissions = [("manage_einvoice_accounts", _("Can manage e-invoice provider accounts"))]
        constraints = [
            choices_check("provider", Provider, "invoicing_account_provider_valid"),
            choices_check("default_kind", InvoiceKind, "invoicing_account_kind_valid"),
            choices_check("auto_issue", AutoIssue, "invoicing_account_auto_issue_valid"),
            choices_check("send_via", SendVia, "invoicing_account_send_via_valid"),
            models.CheckConstraint(
                condition=Q(auto_issue_from__gte=0), name="invoicing_account_auto_from_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.provider == Provider.SINVOICE and not SINVOICE_TEMPLATE_RE.match(self.template):
            raise ValidationError(
                {"template": _("An S-Invoice template code looks like 1/001.")}, code="template"
            )
        if self.provider == Provider.SINVOICE and self.template[:1] != self.default_kind:
            raise ValidationError(
                {"default_kind": _("The template's first digit says which kind it issues.")},
                code="kind",
            )
        if self.send_via == SendVia.PROVIDER and self.provider == Provider.SINVOICE:
            raise ValidationError(
                {"send_via": _('S-Invoice has no e-mail call: choose "We e-mail the PDF".')},
                code="send_via",
            )


class InvoiceState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")  # an adjustment a return proposes: staff confirm it
    DRAFT = "draft", _("Draft")
    ISSUING = "issuing", _("Issuing")
    ISSUED = "issued", _("Issued")
    WAITING_FOR_CODE = "waiting_for_code", _("Waiting for the tax authority's code")
    FAILED = "failed", _("Failed")
    ADJUSTED = "adjusted", _("Adjusted")
    REPLACED = "replaced", _("Replaced")
    CANCELLED = "cancelled", _("Cancelled")


class CorrectionKind(models.TextChoices):
    NONE = "", _("Original")
    REPLACEMENT = "replacement", _("Replacement")
    INCREASE = "increase", _("Increase adjustment")
    DECREASE = "decrease", _("Decrease adjustment")


class EInvoice(models.Model):
    State = InvoiceState

    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        ProviderAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=1, choices=InvoiceKind.choices)
    key = models.UUIDField(_("idempotency key"), unique=True, default=uuid.uuid4)
    state = models.CharField(
        _("state"), max_length=20, choices=InvoiceState.choices, default=InvoiceState.DRAFT
    )
    error_code = models.CharField(_("error code"), max_length=100, blank=True)
    error_message = models.TextField(_("provider's message"), blank=True)
    number = models.CharField(_("number"), max_length=40, blank=True)
    series = models.CharField(_("series"), max_length=6)
    template = models.CharField(_("template"), max_length=64)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    tax_authority_code = models.CharField(_("tax authority code"), max_length=64, blank=True)
    lookup_code = models.CharField(_("lookup code"), max_length=100, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    buyer_company = models.CharField(_("company"), max_length=400, blank=True)
    buyer_tax_code = models.CharField(_("buyer tax code"), max_length=20, blank=True)
    buyer_address = models.CharField(_("buyer address"), max_length=500, blank=True)
    buyer_email = models.EmailField(_("buyer e-mail"), blank=True)
    payment_method = models.CharField(_("payment method"), max_length=10, default="TM/CK")
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    total_without_vat = money_field(_("total without VAT"))
    total_vat = money_field(_("VAT"))
    total = money_field(_("total"))
    total_in_words = models.CharField(_("total in words"), max_length=500, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="einvoices/%Y/%m/", blank=True)
    xml = models.FileField(_("XML"), upload_to="einvoices/%Y/%m/", blank=True)
    original = models.ForeignKey(
        "self",
        verbose_name=_("original invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction_kind = models.CharField(
        _("correction"), max_length=12, choices=CorrectionKind.choices, blank=True, default=""
    )
    correction_reason = models.TextField(_("reason"), blank=True)
    order_return = models.ForeignKey(
        "orders.Return",
        verbose_name=_("return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    auto_issued = models.BooleanField(_("issued automatically"), default=False)
    agreement_name = models.CharField(_("agreement"), max_length=200, blank=True)
    agreement_date = models.DateField(_("agreement date"), null=True, blank=True)
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

    class Meta:
        verbose_name = _("e-invoice")
        verbose_name_plural = _("e-invoices")
        permissions = [("issue_einvoice", _("Can issue and correct e-invoices"))]
        constraints = [
            choices_check("state", InvoiceState, "invoicing_einvoice_state_valid"),
            choices_check("kind", InvoiceKind, "invoicing_einvoice_kind_valid"),
            choices_check("correction_kind", CorrectionKind, "invoicing_einvoice_correction_valid"),
            models.CheckConstraint(
                condition=Q(correction_kind="", original__isnull=True)
                | (~Q(correction_kind="") & Q(original__isnull=False)),
                name="invoicing_einvoice_correction_has_original",
            ),
            # One invoice per order; changes go through adjustments and replacements (and a
            # double click on "Issue" cannot make two). A cancelled one leaves room for another.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(correction_kind="") & ~Q(state="cancelled"),
                name="invoicing_einvoice_one_per_order",
            ),
            # A return proposes its decrease adjustment once.
            models.UniqueConstraint(
                fields=["order_return"],
                condition=Q(order_return__isnull=False),
                name="invoicing_einvoice_one_per_return",
            ),
        ]
        indexes = [
            models.Index(fields=["order", "created_at"], name="invoicing_einvoice_order_idx"),
            models.Index(fields=["state", "created_at"], name="invoicing_einvoice_state_idx"),
            models.Index(fields=["created_at", "id"], name="invoicing_einvoice_created_idx"),
        ]

    def __str__(self) -> str:
        return self.number or str(self.key)

    @property
    def short_number(self) -> str:
        """The number as printed beside the symbol: without the series S-Invoice writes before
        it (its invoiceNo "C26TAA12" is number 12 of series C26TAA)."""
        if self.series and self.number.startswith(self.series):
            return self.number[len(self.series) :]
        return self.number


class LineKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    DISCOUNT = "discount", _("Discount")
    FEE = "fee", _("Fee")
    NOTE = "note", _("Note")


class VatRate(models.TextChoices):
    ZERO = "0", "0%"
    FIVE = "5", "5%"
    EIGHT = "8", "8%"
    TEN = "10", "10%"
    NOT_SUBJECT = "kct", _("Not subject to VAT")
    NOT_DECLARED = "kkknt", _("Not declared")
    OTHER = "khac", _("Other rate (KHAC)")


class EInvoiceLine(models.Model):
    invoice = models.ForeignKey(EInvoice, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    name = models.CharField(_("name"), max_length=500)
    code = models.CharField(_("code"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, default=0)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=4, default=0)
    discount = money_field(_("discount"))
    amount = money_field(_("amount"))
    vat_rate = models.CharField(_("VAT rate"), max_length=6, choices=VatRate.choices)
    vat_amount = money_field(_("VAT"))
    other_percent = models.DecimalField(
        _("other rate (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("e-invoice line")
        verbose_name_plural = _("e-invoice lines")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "number"], name="invoicing_line_unique"),
            choices_check("kind", LineKind, "invoicing_line_kind_valid"),
            choices_check("vat_rate", VatRate, "invoicing_line_vat_rate_valid"),
            models.CheckConstraint(  # a percentage only with the other rate (KHAC)
                condition=Q(vat_rate="khac", other_percent__gt=0)
                | (~Q(vat_rate="khac") & Q(other_percent=0)),
                name="invoicing_line_other_percent_with_khac",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Attempt(models.Model):
    """One call to the provider for an invoice: what was asked, what came back."""

    invoice = models.ForeignKey(EInvoice, on_delete=models.CASCADE, related_name="attempts")
    action = models.CharField(_("action"), max_length=20)  # issue, find, file, code
    request = models.JSONField(_("sent"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    response = models.JSONField(_("received"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(_("outcome"), max_length=20)  # ok, error, timeout
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("provider call")
        verbose_name_plural = _("provider calls")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.outcome}"


class SendChannel(models.TextChoices):
    EMAIL = "email", _("E-mail with the PDF")
    PROVIDER = "provider", _("The provider's e-mail")
    LINK = "link", _("Link for the chat")


class Sending(models.Model):
    """The invoice sent (or a link given) to the buyer: how, to whom, when, by whom."""

    invoice = models.ForeignKey(EInvoice, on_delete=models.CASCADE, related_name="sendings")
    channel = models.CharField(
        pgettext_lazy("einvoice sending", "how"), max_length=10, choices=SendChannel.choices
    )
    recipient = models.CharField(
        pgettext_lazy("einvoice sending", "to"), max_length=300, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=10, default="ok")  # ok, error
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(pgettext_lazy("einvoice sending", "sent"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("einvoice sending", "by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invoice sent to the buyer")
        verbose_name_plural = _("invoices sent to the buyer")
        constraints = [
            choices_check("channel", SendChannel, "invoicing_sending_channel_valid"),
        ]
        indexes = [models.Index(fields=["invoice", "sent_at"], name="invoicing_sending_inv_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient}"
