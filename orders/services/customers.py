"""Customers: create and edit, phones (E.164), e-mails, tags, addresses, lifetime totals (merging
duplicates: orders.services.customer_merge).

Lifetime totals are defined once, here (CUSTOMER_ORDER, CUSTOMER_SALE, customer_net_revenue:
the customer list and page read them, the top customers report counts with them);
`customer_totals_refresh` recomputes them from the orders under a row lock on the customer and
is called by every service that changes what they count (creation, cancellation, shipment,
a change of customer, refunds, returns, merges), inside that service's transaction. Lock
order everywhere: order rows first, then customer rows (by id), so a merge and a completion
for the same customer cannot deadlock. Order creation locks the customer first, as it reads
it (the new order is no one else's to lock), and recounts with `customer_totals_recount`:
one UPDATE, the lock being held already.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import insert_together
from common.text import fold
from orders.errors import CustomerError
from orders.models import (
    AddressScheme,
    Customer,
    CustomerAddress,
    CustomerPhone,
    Tag,
)

# The lifetime totals live in their own module; their names stay importable from here.
from orders.services.customer_totals import CUSTOMER_ORDER as CUSTOMER_ORDER
from orders.services.customer_totals import CUSTOMER_SALE as CUSTOMER_SALE
from orders.services.customer_totals import (
    customer_net_revenue as customer_net_revenue,
)
from orders.services.customer_totals import (
    customer_totals_recount as customer_totals_recount,
)
from orders.services.customer_totals import (
    customer_totals_refresh as customer_totals_refresh,
)
from orders.validators import Phone, phone_normalize, shop_country, tax_code_normalize

MAX_PHONES = 10
MAX_EMAILS = 10
MAX_TAGS = 30
_POSTCODE = {"VN": re.compile(r"^\d{5,6}$"), "TH": re.compile(r"^\d{5}$")}


# --- Addresses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressInput:
    """A delivery address as typed or received.

    `scheme` may be left blank: Thailand -> th; Vietnam -> vn_3level when a district is given,
    else vn_2level (the 2025 province / ward form). `ward` is the Thai subdistrict (tambon).
    """

    recipient_name: str
    street: str
    province: str
    ward: str
    district: str = ""
    postcode: str = ""
    recipient_phone: str = ""
    country: str = ""  # "" -> the shop's country
    scheme: str = ""


@dataclass(frozen=True)
class CleanAddress:
    recipient_name: str
    recipient_phone: str  # E.164 or ""
    country: str
    scheme: str
    province: str
    district: str
    ward: str
    postcode: str
    street: str


def address_saved(address: CustomerAddress) -> CleanAddress:
    """A customer's saved address (clean since it was saved)."""
    return CleanAddress(**{f.name: getattr(address, f.name) for f in fields(CleanAddress)})


def address_as_input(address: CleanAddress) -> AddressInput:
    """A clean address to hand to a service again (which cleans what it is given)."""
    return AddressInput(**asdict(address))


def _text(value: str, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def address_clean(data: AddressInput) -> CleanAddress:
    """Check an address against its form and normalise it; raise CustomerError."""
    country = (data.country or shop_country()).upper()
    if country not in ("VN", "TH"):
        raise CustomerError(_("Addresses in Vietnam and Thailand only."))
    district = _text(data.district, 100)
    scheme = data.scheme or (
        AddressScheme.TH
        if country == "TH"
        else (AddressScheme.VN_3LEVEL if district else AddressScheme.VN_2LEVEL)
    )
    valid = {"VN": (AddressScheme.VN_3LEVEL, AddressScheme.VN_2LEVEL), "TH": (AddressScheme.TH,)}
    if scheme not in valid[country]:
        raise CustomerError(_("This address form does not exist in that country."))
    clean = CleanAddress(
        recipient_name=_text(data.recipient_name, 200),
        recipient_phone=(
            phone_normalize(data.recipient_phone, region=country).e164
            if (data.recipient_phone or "").strip()
            else ""
        ),
        country=country,
        scheme=scheme,
        province=_text(data.province, 100),
        district=district,
        ward=_text(data.ward, 100),
        postcode=(data.postcode or "").strip(),
        street=_text(data.street, 255),
    )
    if not clean.recipient_name:
        raise CustomerError(_("Enter the recipient's name."))
    if not clean.street:
        raise CustomerError(_("Enter the street address."))
    if not clean.province:
        raise CustomerError(_("Choose the province."))
    if scheme != AddressScheme.VN_2LEVEL and not clean.district:
        raise CustomerError(_("Choose the district."))
    if not clean.ward:
        raise CustomerError(
            _("Choose the subdistrict.") if country == "TH" else _("Choose the ward or commune.")
        )
    if country == "TH" and not clean.postcode:
        raise CustomerError(_("Enter the postcode."))
    if clean.postcode and not _POSTCODE[country].match(clean.postcode):
        raise CustomerError(
            _("%(postcode)s is not a postcode of this country.") % {"postcode": clean.postcode}
        )
    return clean


# --- Customers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerInput:
    """What staff edit on a customer. The first phone is the primary one.

    `country` is where local phone numbers and the tax code are read from (default: the
    shop's country).
    """

    name: str
    phones: Sequence[str] = ()
    emails: Sequence[str] = ()
    company: str = ""
    tax_code: str = ""
    tags: Sequence[str] = ()
    notes: str = ""
    country: str = ""


@dataclass(frozen=True)
class _CleanCustomer:
    name: str
    company: str
    tax_code: str
    notes: str
    phones: list[Phone] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def casefold_unique(values: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


def _clean_customer(data: CustomerInput) -> _CleanCustomer:
    name = _text(data.name, 200)
    if not name:
        raise CustomerError(_("Enter the customer's name."))
    country = (data.country or shop_country()).upper()
    phones: list[Phone] = []
    for raw in data.phones:
        if not (raw or "").strip():
            continue
        phone = phone_normalize(raw, region=country)
        if phone.e164 not in {p.e164 for p in phones}:
            phones.append(phone)
    if len(phones) > MAX_PHONES:
        raise CustomerError(_("At most %(count)d phone numbers.") % {"count": MAX_PHONES})
    emails = casefold_unique([e.strip().lower() for e in data.emails if (e or "").strip()])
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            raise CustomerError(
                _("%(email)s is not an e-mail address.") % {"email": email}
            ) from None
    if len(emails) > MAX_EMAILS:
        raise CustomerError(_("At most %(count)d e-mail addresses.") % {"count": MAX_EMAILS})
    tags = casefold_unique([_text(tag, 60) for tag in data.tags if _text(tag, 60)])
    if len(tags) > MAX_TAGS:
        raise CustomerError(_("At most %(count)d tags.") % {"count": MAX_TAGS})
    return _CleanCustomer(
        name=name,
        company=_text(data.company, 200),
        tax_code=tax_code_normalize(data.tax_code, country=country),
        notes=(data.notes or "").strip(),
        phones=phones,
        emails=emails,
        tags=tags,
    )


@functools.lru_cache(maxsize=4096)
def phone_from_e164(e164: str) -> Phone:
    """The Phone of a number already stored in E.164 (no validity check: it passed one).
    Kept per process (a Phone never changes): every order's search text parses its phones."""
    number = phonenumbers.parse(e164, None)
    return Phone(
        e164=e164,
        digits=phonenumbers.national_significant_number(number),
        region=phonenumbers.region_code_for_number(number) or "",
    )


def customer_search_text(
    *, name: str, company: str, tax_code: str, emails: Sequence[str], phones: Sequence[str]
) -> str:
    """What customer search matches: folded words, then each phone's local and E.164 digits."""
    words = fold(" ".join(p for p in (name, company, tax_code, *emails) if p))
    digits = " ".join(phone_from_e164(e164).search_digits for e164 in phones)
    return f"{words} {digits}".strip()


def customer_search_refresh(customer: Customer) -> None:
    phones = list(
        CustomerPhone.objects.filter(customer=customer)
        .order_by("-is_primary", "pk")
        .values_list("e164", flat=True)
    )
    customer.search_text = customer_search_text(
        name=customer.name,
        company=customer.company,
        tax_code=customer.tax_code,
        emails=customer.emails,
        phones=phones,
    )
    Customer.objects.filter(pk=customer.pk).update(search_text=customer.search_text)


def _tags_for(names: Sequence[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:  # created at the same moment by someone else
                tag = Tag.objects.get(name__iexact=name)
        tags.append(tag)
    return tags


def _set_phones(customer: Customer, phones: Sequence[Phone], now: datetime) -> None:
    wanted = [p.e164 for p in phones]
    CustomerPhone.objects.filter(customer=customer).exclude(e164__in=wanted).delete()
    CustomerPhone.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    kept = set(CustomerPhone.objects.filter(customer=customer).values_list("e164", flat=True))
    for position, phone in enumerate(phones):
        if phone.e164 in kept:
            if position == 0:
                CustomerPhone.objects.filter(customer=customer, e164=phone.e164).update(
                    is_primary=True
                )
        else:
            CustomerPhone.objects.create(
                customer=customer,
                e164=phone.e164,
                digits=phone.digits,
                is_primary=position == 0,
                created_at=now,
            )


def customer_get_live(*, customer_id: int, lock: bool = False) -> Customer:
    qs = Customer.objects.select_for_update() if lock else Customer.objects.all()
    customer = qs.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerError(_("This customer does not exist."))
    if customer.merged_into_id is not None:
        raise CustomerError(
            _("%(name)s was merged into another customer; use that one.") % {"name": customer.name}
        )
    return customer


def _new_rows(
    customer: Customer, phones: Sequence[Phone], addresses: Sequence[CleanAddress], now: datetime
) -> tuple[list[CustomerPhone], list[CustomerAddress]]:
    """A new customer's phone and address rows (the first of each is primary / default)."""
    phone_rows = [
        CustomerPhone(
            customer=customer,
            e164=phone.e164,
            digits=phone.digits,
            is_primary=position == 0,
            created_at=now,
        )
        for position, phone in enumerate(phones)
    ]
    address_rows = [
        CustomerAddress(
            customer=customer, is_default=position == 0, created_at=now, **asdict(address)
        )
        for position, address in enumerate(addresses)
    ]
    return phone_rows, address_rows


def customer_create(
    *,
    data: CustomerInput,
    addresses: Sequence[AddressInput] = (),
    now: datetime | None = None,
    customer_id: int | None = None,
) -> Customer:
    """A new customer with phones, e-mails, tags and addresses (the first is the default).

    A phone already used by another customer is allowed (marketplace buyers often are the same
    person under two names): customer_find_duplicates shows them, customer_merge joins them.
    `customer_id`: its id, drawn by the caller from the table's sequence (PostgreSQL): the
    customer, its phones and addresses then go in one statement (common.db.insert_together).
    """
    now = now or timezone.now()
    clean = _clean_customer(data)
    clean_addresses = [address_clean(a) for a in addresses]
    # A new customer has no rows yet: its search text is known before the INSERT, and its
    # phones and addresses are one INSERT each. No savepoint of its own: nothing here is
    # caught, and a failure dooms the caller's transaction (or its savepoint) anyway.
    with transaction.atomic(savepoint=False):
        customer = Customer(
            id=customer_id,
            name=clean.name,
            company=clean.company,
            tax_code=clean.tax_code,
            notes=clean.notes,
            emails=clean.emails,
            search_text=customer_search_text(
                name=clean.name,
                company=clean.company,
                tax_code=clean.tax_code,
                emails=clean.emails,
                phones=[p.e164 for p in clean.phones],
            ),
            created_at=now,
        )
        if customer_id is None:
            customer.save(force_insert=True)
        phones, addresses_rows = _new_rows(customer, clean.phones, clean_addresses, now)
        if customer_id is None:
            CustomerPhone.objects.bulk_create(phones)
            CustomerAddress.objects.bulk_create(addresses_rows)
        else:
            insert_together([[customer], phones, addresses_rows], connection)
        if clean.tags:
            customer.tags.set(_tags_for(clean.tags))
    return customer


def customer_update(*, customer_id: int, data: CustomerInput) -> Customer:
    """Replace the customer's name, company, tax code, phones, e-mails, tags and notes."""
    clean = _clean_customer(data)
    with transaction.atomic():
        customer = customer_get_live(customer_id=customer_id, lock=True)
        customer.name = clean.name
        customer.company = clean.company
        customer.tax_code = clean.tax_code
        customer.notes = clean.notes
        customer.emails = clean.emails
        customer.save(
            update_fields=["name", "company", "tax_code", "notes", "emails", "updated_at"]
        )
        _set_phones(customer, clean.phones, timezone.now())
        customer.tags.set(_tags_for(clean.tags))
        customer_search_refresh(customer)
    return customer


def customer_address_save(
    *,
    customer_id: int,
    data: AddressInput,
    address_id: int | None = None,
    make_default: bool = False,
) -> CustomerAddress:
    """Add an address (address_id None) or change one; the customer's first address is the
    default, and `make_default` moves the default to this one."""
    clean = address_clean(data)
    with transaction.atomic():
        customer = customer_get_live(customer_id=customer_id, lock=True)
        has_default = CustomerAddress.objects.filter(customer=customer, is_default=True)
        if address_id is None:
            address = CustomerAddress(customer=customer)
        else:
            found = CustomerAddress.objects.filter(customer=customer, pk=address_id).first()
            if found is None:
                raise CustomerError(_("This address does not belong to the customer."))
            address = found
        for name, value in asdict(clean).items():
            setattr(address, name, value)
        becomes_default = make_default or not has_default.exclude(pk=address.pk).exists()
        if becomes_default:
            has_default.exclude(pk=address.pk).update(is_default=False)
        address.is_default = becomes_default or address.is_default
        address.save()
    return address


def customer_address_delete(*, customer_id: int, address_id: int) -> None:
    """Remove an address (orders keep their own copy); the oldest other one becomes default."""
    with transaction.atomic():
        customer = customer_get_live(customer_id=customer_id, lock=True)
        deleted, _count = CustomerAddress.objects.filter(customer=customer, pk=address_id).delete()
        if not deleted:
            raise CustomerError(_("This address does not belong to the customer."))
        if not CustomerAddress.objects.filter(customer=customer, is_default=True).exists():
            first = CustomerAddress.objects.filter(customer=customer).order_by("pk").first()
            if first is not None:
                CustomerAddress.objects.filter(pk=first.pk).update(is_default=True)
