"""Forms of the customer pages: list filters, the customer form (with its phones and an
optional first address) and the address form.

The forms parse what staff type and point at the field at fault; the rules themselves (phone
and tax code validity, address forms) are the validators' and services', which the views call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms.utils import ErrorDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.forms import search_field, valid_values
from orders.errors import CustomerError, InvalidPhoneNumber, InvalidTaxCode
from orders.models import AddressScheme, Country, Customer, CustomerAddress
from orders.selectors.customers_pages import (
    SORT_NEWEST,
    SORT_ORDERS,
    SORT_REVENUE,
    phone_display,
    tag_choices,
)
from orders.services.customers import MAX_PHONES, AddressInput, CustomerInput
from orders.validators import Phone, phone_normalize, shop_country, tax_code_normalize

_LIST_SEPARATORS = re.compile(r"[,;\n]+")
_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")
SPARE_PHONE_ROWS = 2
MIN_PHONE_ROWS = 3


def split_list(text: str, *, emails: bool = False) -> list[str]:
    """ "VIP, Sỉ ;wholesale" -> ["VIP", "Sỉ", "wholesale"]; e-mails may also be separated by
    spaces or new lines."""
    parts = (_EMAIL_SEPARATORS if emails else _LIST_SEPARATORS).split(text or "")
    return [" ".join(p.split()) for p in parts if p.strip()]


# --- List -------------------------------------------------------------------------------------

SORT_CHOICES = [
    (SORT_NEWEST, _("Newest first")),
    (SORT_REVENUE, _("Highest revenue")),
    (SORT_ORDERS, _("Most orders")),
]


class CustomerFilterForm(forms.Form):
    q = search_field(
        _("Name, company, phone, tax code or e-mail"), label=_("Search customers"), max_length=200
    )
    tag = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.TypedChoiceField)
        tag_field.choices = [("", _("All tags")), *tag_choices()]
        tag_field.widget.attrs["aria-label"] = _("Tag")
        self.fields["sort"].widget.attrs["aria-label"] = _("Sort")

    def filters(self) -> dict[str, Any]:
        """q, tag_id and sort for the selector; invalid values are ignored."""
        data = valid_values(self)
        return {
            "q": data.get("q") or "",
            "tag_id": data.get("tag"),
            "sort": data.get("sort") or SORT_NEWEST,
        }


# --- Customer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneRow:
    """One phone input as the form shows it."""

    index: int
    value: str
    normalised: str  # "+84 912 345 678" once read, else ""
    error: str
    is_primary: bool


class PhoneListWidget(forms.Widget):
    """Several inputs named "phones"; rendered by the page template (see PhoneRow)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else data.get(name, [])
        return [str(v) for v in (values if isinstance(values, list) else [values])]


class PhoneListField(forms.Field):
    widget = PhoneListWidget

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(v).strip() for v in value]


def _country_choices() -> list[tuple[str, Any]]:
    return list(Country.choices)


class CustomerForm(forms.Form):
    """A customer as staff type it. Phones are read in `country` (a Thai buyer of a Vietnamese
    shop: choose Thailand, or type the number with +66); the one marked primary goes first."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        help_text=_("Local phone numbers and the tax code are read as this country's."),
    )
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        required=False,
        help_text=_(
            "Vietnam: 10 digits, 10 digits-3 digits for a branch, or a 12-digit personal number. "
            "Thailand: 13 digits."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    phones = PhoneListField(label=_("Phones"), required=False)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        max_length=1000,
        help_text=_("Separate several with commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate with commas; tags that do not exist yet are created."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "tag-names"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        if customer is not None and "initial" not in kwargs:
            kwargs["initial"] = customer_initial(customer)
        super().__init__(*args, **kwargs)
        self.fields["country"].initial = self.initial.get("country") or shop_country()
        self.customer = customer
        self._phones: list[Phone | None] = []
        self._phone_errors: dict[int, str] = {}

    # phones -----------------------------------------------------------------------------------

    def _raw_phones(self) -> tuple[list[str], int]:
        """(the phone inputs' values, the index marked primary)."""
        if self.is_bound:
            values = self.fields["phones"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("phones")
            )
            primary = self.data.get(self.add_prefix("primary_phone"), "0")
        else:
            values = list(self.initial.get("phones", []))
            primary = "0"
        try:
            index = int(primary)
        except (TypeError, ValueError):
            index = 0
        return values[:MAX_PHONES], index

    def phone_rows(self) -> list[PhoneRow]:
        values, primary = self._raw_phones()
        filled = [i for i, v in enumerate(values) if v.strip()]
        last = filled[-1] + 1 if filled else 0
        count = min(max(last + SPARE_PHONE_ROWS, MIN_PHONE_ROWS), MAX_PHONES)
        if primary not in filled:
            primary = filled[0] if filled else 0
        rows = []
        for index in range(count):
            value = values[index] if index < len(values) else ""
            phone = self._phones[index] if index < len(self._phones) else None
            rows.append(
                PhoneRow(
                    index=index,
                    value=value,
                    normalised=phone_display(phone.e164) if phone else "",
                    error=self._phone_errors.get(index, ""),
                    is_primary=index == primary,
                )
            )
        return rows

    def clean_phones(self) -> list[str]:
        values, primary = self._raw_phones()
        filled = [i for i, v in enumerate(values) if v.strip()]
        if primary in filled:  # the primary number first: the service reads it so
            filled.remove(primary)
            filled.insert(0, primary)
        return [values[i].strip() for i in filled]

    def clean_emails(self) -> list[str]:
        emails = split_list(self.cleaned_data.get("emails", ""), emails=True)
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    gettext("%(email)s is not an e-mail address.") % {"email": email}
                ) from None
        return emails

    def clean_tags(self) -> list[str]:
        return split_list(self.cleaned_data.get("tags", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country = data.get("country") or shop_country()
        values, _primary = self._raw_phones()
        self._phones = []
        for index, value in enumerate(values):
            phone: Phone | None = None
            if value.strip():
                try:
                    phone = phone_normalize(value, region=country)
                except InvalidPhoneNumber as error:
                    self._phone_errors[index] = str(error)
            self._phones.append(phone)
        if self._phone_errors:
            self.add_error("phones", gettext("Correct the phone numbers marked below."))
        if data.get("tax_code"):
            try:
                data["tax_code"] = tax_code_normalize(data["tax_code"], country=country)
            except InvalidTaxCode as error:
                self.add_error("tax_code", str(error))
        return data

    def to_input(self) -> CustomerInput:
        data = self.cleaned_data
        return CustomerInput(
            name=data["name"],
            phones=data["phones"],
            emails=data["emails"],
            company=data.get("company", ""),
            tax_code=data.get("tax_code", ""),
            tags=data["tags"],
            notes=data.get("notes", ""),
            country=data["country"],
        )

    def add_domain_error(self, error: CustomerError) -> None:
        """Show a service's refusal next to the field it concerns."""
        field = None
        if isinstance(error, InvalidTaxCode):
            field = "tax_code"
        elif isinstance(error, InvalidPhoneNumber):
            field = "phones"
        self.add_error(field, str(error))


def phone_for_input(e164: str, country: str) -> str:
    """A stored number as it is typed back: national format when it is of `country` (where
    the form reads local numbers), else international."""
    if not e164:
        return ""
    home = {"VN": "+84", "TH": "+66"}.get(country, "")
    return phone_display(e164, international=not (home and e164.startswith(home)))


def customer_initial(customer: Customer) -> dict[str, Any]:
    """The form's values for an existing customer (its phones prefetched, primary first)."""
    phones = list(customer.phones.all())
    regions = {p.e164[:3] for p in phones}
    country = "TH" if regions == {"+66"} else ("VN" if regions == {"+84"} else shop_country())
    return {
        "name": customer.name,
        "company": customer.company,
        "country": country,
        "tax_code": customer.tax_code,
        "phones": [phone_for_input(p.e164, country) for p in phones],
        "emails": ", ".join(customer.emails),
        "tags": ", ".join(t.name for t in customer.tags.all()),
        "notes": customer.notes,
    }


# --- Address ----------------------------------------------------------------------------------

COUNTRY_OF_SCHEME = {
    AddressScheme.VN_3LEVEL: "VN",
    AddressScheme.VN_2LEVEL: "VN",
    AddressScheme.TH: "TH",
}


def default_scheme() -> str:
    """The 2025 two-level form in Vietnam, the Thai form in Thailand."""
    return AddressScheme.TH if shop_country() == "TH" else AddressScheme.VN_2LEVEL


class AddressForm(forms.Form):
    """An address in one of the three forms (AddressScheme). The page hides the district for
    vn_2level and the postcode in Vietnam; what is hidden is not saved."""

    scheme = forms.ChoiceField(label=_("Address form"), choices=AddressScheme.choices)
    recipient_name = forms.CharField(label=_("Recipient"), max_length=200)
    recipient_phone = forms.CharField(
        label=_("Recipient phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    street = forms.CharField(label=_("Street address"), max_length=255)
    ward = forms.CharField(label=_("Ward / subdistrict"), max_length=100)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    province = forms.CharField(label=_("Province"), max_length=100)
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    make_default = forms.BooleanField(label=_("Default address"), required=False)

    def __init__(self, *args: Any, optional: bool = False, **kwargs: Any) -> None:
        """`optional`: the first address on the new-customer form, which may stay empty."""
        super().__init__(*args, **kwargs)
        self.optional = optional
        self.fields["scheme"].initial = self.initial.get("scheme") or default_scheme()
        if optional:
            for name in ("recipient_name", "street", "ward", "province"):
                self.fields[name].required = False
            del self.fields["make_default"]
        else:
            self.fields["scheme"].widget.attrs["autofocus"] = True
        for name in ("recipient_name", "street", "ward", "district", "province"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")

    def is_filled(self) -> bool:
        """Whether anything of the address itself was typed (the recipient alone is not)."""
        if not self.is_bound:
            return False
        return any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("street", "ward", "district", "province", "postcode")
        )

    def full_clean(self) -> None:
        if self.optional and self.is_bound and not self.is_filled():
            # Nothing typed: valid and empty (the scheme select always has a value).
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        if self.optional:
            for name in ("street", "ward", "province"):
                self.fields[name].required = True
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scheme = data.get("scheme")
        if scheme == AddressScheme.VN_2LEVEL:
            data["district"] = ""
        elif scheme and not data.get("district"):
            self.add_error("district", gettext("Choose the district."))
        if scheme in (AddressScheme.VN_2LEVEL, AddressScheme.VN_3LEVEL):
            data["postcode"] = ""
        elif scheme == AddressScheme.TH and not data.get("postcode"):
            self.add_error("postcode", gettext("Enter the postcode."))
        return data

    def to_input(self, *, default_name: str = "", default_phone: str = "") -> AddressInput | None:
        """The address typed, or None when the optional form was left empty."""
        data = self.cleaned_data
        if not data:
            return None
        scheme = data["scheme"]
        return AddressInput(
            recipient_name=data.get("recipient_name") or default_name,
            recipient_phone=data.get("recipient_phone") or default_phone,
            street=data["street"],
            province=data["province"],
            ward=data["ward"],
            district=data.get("district", ""),
            postcode=data.get("postcode", ""),
            country=COUNTRY_OF_SCHEME[scheme],
            scheme=scheme,
        )


def address_initial(address: CustomerAddress) -> dict[str, Any]:
    return {
        "scheme": address.scheme,
        "recipient_name": address.recipient_name,
        "recipient_phone": phone_for_input(address.recipient_phone, address.country),
        "street": address.street,
        "ward": address.ward,
        "district": address.district,
        "province": address.province,
        "postcode": address.postcode,
        "make_default": address.is_default,
    }
