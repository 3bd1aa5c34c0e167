"""Marketplace buyers as our customers, and the platform's delivery address in our form.

A platform buyer (ChannelBuyer: shop + the platform's buyer id) is recorded under one Customer,
found again on their next order. A new buyer becomes a customer named after their platform
username (else the recipient), through orders.services.customers.customer_create like any
customer: a name is all that service requires, so no rule is relaxed for marketplace buyers.
Platforms mask phone numbers ("84*****678"): a masked or invalid number is left out rather than
stored wrong; a valid one is kept. An address our form refuses (a missing ward, a country we do
not deliver to) is not forced into it: the order keeps the platform's text in its notes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from channels_sync.adapters.base import Address
from channels_sync.models import ChannelAccount, ChannelBuyer
from orders.errors import CustomerError
from orders.models import Customer
from orders.services.customers import (
    AddressInput,
    CustomerInput,
    address_clean,
    customer_create,
)
from orders.validators import phone_normalize

MAX_MERGE_HOPS = 20  # customer_merge chains are short; this only guards against a loop


def platform_phone(raw: str, *, region: str) -> str:
    """The phone as E.164 when the platform gave a real number; "" when masked or invalid."""
    text = (raw or "").strip()
    if not text or "*" in text:
        return ""
    tries = [text]
    if text.isdigit():  # Shopee sends "84912345678": the country code without "+"
        tries.append(f"+{text}")
    for candidate in tries:
        try:
            return phone_normalize(candidate, region=region or None).e164
        except CustomerError:
            continue
    return ""


def shipping_input(address: Address | None, *, region: str) -> AddressInput | None:
    """The platform's address as our AddressInput, or None when our address form refuses it."""
    if address is None:
        return None
    country = (address.region or region or "").upper()
    data = AddressInput(
        recipient_name=address.name,
        recipient_phone=platform_phone(address.phone, region=country),
        street=address.full_address,
        province=address.province,
        district=address.district,
        ward=address.ward,
        postcode=address.postcode,
        country=country,
    )
    try:
        address_clean(data)
    except CustomerError:
        return None
    return data


def _live(customer: Customer) -> Customer:
    """The customer a merged duplicate was merged into (customer_merge keeps the loser)."""
    for _hop in range(MAX_MERGE_HOPS):
        if customer.merged_into_id is None:
            return customer
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def buyers_known(*, account: ChannelAccount, buyer_ids: Iterable[str]) -> dict[str, Customer]:
    """The customers of the shop's known buyers among `buyer_ids` (merged ones followed to the
    customer they were merged into), in one query; what `buyer_customer(known=...)` takes."""
    wanted = sorted({b.strip()[:64] for b in buyer_ids if b.strip()})
    if not wanted:
        return {}
    found = ChannelBuyer.objects.filter(account=account, buyer_id__in=wanted).select_related(
        "customer"
    )
    return {buyer.buyer_id: _followed(buyer) for buyer in found}


def _followed(buyer: ChannelBuyer) -> Customer:
    live = _live(buyer.customer)
    if live.pk != buyer.customer_id:
        ChannelBuyer.objects.filter(pk=buyer.pk).update(customer=live)
    return live


def buyer_customer(
    *,
    account: ChannelAccount,
    buyer_id: str,
    username: str,
    recipient: str,
    phone: str,
    shipping: AddressInput | None,
    known: dict[str, Customer] | None = None,
) -> Customer:
    """The customer the platform buyer's orders are recorded under (created on first order).

    `known`: the batch's buyers from `buyers_known` (a buyer missing there is new; one created
    here is added to it), else the buyer is looked up here.

    Two workers applying two orders of one new buyer at once: the second insert of the
    ChannelBuyer row waits for the first, fails on the unique (account, buyer_id) and reads
    the first one's customer (its own new customer rolls back with the savepoint).
    """
    buyer_id = buyer_id.strip()[:64]
    batch = known is not None
    if known is None and buyer_id:
        known = buyers_known(account=account, buyer_ids=[buyer_id])
    if buyer_id and known is not None and buyer_id in known:
        return known[buyer_id]
    name = username.strip() or recipient.strip() or f"{account.get_platform_display()} {buyer_id}"
    if not buyer_id:
        return _new_customer(account, name=name, phone=phone, shipping=shipping, username=username)
    if batch and known is not None:
        # In a batch the order's savepoint is enough: a buyer another worker made meanwhile
        # raises IntegrityError to the batch, which applies that order on its own afterwards.
        customer = _new_customer(
            account, name=name, phone=phone, shipping=shipping, username=username
        )
        ChannelBuyer.objects.create(
            account=account, buyer_id=buyer_id, username=username[:200], customer=customer
        )
        known[buyer_id] = customer
        return customer
    try:
        with transaction.atomic():
            customer = _new_customer(
                account, name=name, phone=phone, shipping=shipping, username=username
            )
            ChannelBuyer.objects.create(
                account=account, buyer_id=buyer_id, username=username[:200], customer=customer
            )
    except IntegrityError:
        other = ChannelBuyer.objects.select_related("customer").get(
            account=account, buyer_id=buyer_id
        )
        customer = _live(other.customer)
    if known is not None:
        known[buyer_id] = customer
    return customer


def _new_customer(
    account: ChannelAccount,
    *,
    name: str,
    phone: str,
    shipping: AddressInput | None,
    username: str,
) -> Customer:
    note = f"{account.get_platform_display()}: {username}".strip() if username else ""
    return customer_create(
        data=CustomerInput(
            name=name,
            phones=[phone] if phone else [],
            notes=note,
            country=shipping.country if shipping is not None else "",
        ),
        addresses=[shipping] if shipping is not None else [],
    )
