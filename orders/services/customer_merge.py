"""Merging duplicate customers into one, all or nothing: orders, phones, addresses, e-mails,
tags and notes move to the target; the duplicates stay as empty rows pointing at it. Lock order
as everywhere (orders.services.customers): order rows first, then customer rows by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import CustomerError
from orders.models import (
    Customer,
    CustomerAddress,
    CustomerInvoiceDetails,
    CustomerPhone,
    EventKind,
    Order,
    OrderEvent,
    Tag,
)
from orders.services.customers import (
    casefold_unique,
    customer_search_refresh,
    customer_totals_refresh,
)
from orders.services.sales_rollup import customer_sales_refresh
from orders.signals import customer_merged


def customer_merge(
    *, target_id: int, duplicate_ids: Sequence[int], user_id: int | None = None
) -> Customer:
    """Merge duplicates into `target_id`, all or nothing.

    Moves the duplicates' orders (each gets an "edited" event), phones (numbers the target
    already has are dropped), addresses (the target keeps its default), e-mails, tags and
    notes; fills the target's company and tax code (and default invoice details) when it has
    none. The duplicates stay as empty rows pointing at the target (`merged_into`), so links
    from elsewhere still resolve;
    `customer_merged` is sent inside the merge's transaction for the apps above to re-point
    their rows (an error there rolls the whole merge back).
    Totals are recomputed.
    """
    dup_ids = sorted(set(duplicate_ids))
    if not dup_ids:
        raise CustomerError(_("Choose the duplicates to merge."))
    if target_id in dup_ids:
        raise CustomerError(_("A customer cannot be merged into itself."))
    now = timezone.now()
    with transaction.atomic():
        moved, target, duplicates = _lock(target_id, dup_ids)
        _move_orders(moved, target, dup_ids, user_id=user_id, now=now)
        _move_phones(target, dup_ids)
        _move_addresses(target, dup_ids)
        _merge_details(target, duplicates)
        _empty_duplicates(target, duplicates, dup_ids)
        customer_search_refresh(target)
        customer_totals_refresh(customer_id=target.pk)
        customer_sales_refresh(customer_ids=dup_ids)  # their orders left: their rows go
        # Inside the transaction: the apps above re-point their rows in it, so the merge and
        # their moves commit together, and a receiver's failure undoes the whole merge.
        customer_merged.send(sender=Customer, target_id=target_id, merged_ids=dup_ids)
    target.refresh_from_db()
    return target


def _lock(
    target_id: int, dup_ids: list[int]
) -> tuple[list[tuple[int, int]], Customer, list[Customer]]:
    """Lock the duplicates' orders, then the customers in id order (the lock order of the
    order services); return the (order id, old customer id) pairs, the target and the
    duplicates."""
    moved = list(
        Order.objects.select_for_update()
        .filter(customer_id__in=dup_ids)
        .order_by("pk")
        .values_list("pk", "customer_id")
    )
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[target_id, *dup_ids])
        .order_by("pk")
    }
    if target_id not in locked or len(locked) != len(dup_ids) + 1:
        raise CustomerError(_("This customer does not exist."))
    target = locked[target_id]
    duplicates = [locked[pk] for pk in dup_ids]
    for customer in (target, *duplicates):
        if customer.merged_into_id is not None:
            raise CustomerError(
                _("%(name)s was merged into another customer; use that one.")
                % {"name": customer.name}
            )
    return moved, target, duplicates


def _move_orders(
    moved: list[tuple[int, int]],
    target: Customer,
    dup_ids: list[int],
    *,
    user_id: int | None,
    now: datetime,
) -> None:
    """The duplicates' orders go to the target, each with an "edited" event."""
    target_id = target.pk
    Order.objects.filter(customer_id__in=dup_ids).update(customer=target, updated_at=now)
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=order_id,
            kind=EventKind.EDITED,
            data={"customer": [old_customer, target_id], "merged": True},
            user_id=user_id,
            created_at=now,
        )
        for order_id, old_customer in moved
    )


def _move_phones(target: Customer, dup_ids: list[int]) -> None:
    """Numbers the target lacks move to it (one of each); it keeps (or gets) a primary."""
    target_phones = set(
        CustomerPhone.objects.filter(customer=target).values_list("e164", flat=True)
    )
    CustomerPhone.objects.filter(customer_id__in=dup_ids, e164__in=target_phones).delete()
    seen: set[str] = set()
    for phone in CustomerPhone.objects.filter(customer_id__in=dup_ids).order_by(
        "-is_primary", "pk"
    ):
        if phone.e164 in seen:  # two duplicates sharing a number: keep one
            phone.delete()
            continue
        seen.add(phone.e164)
    CustomerPhone.objects.filter(customer_id__in=dup_ids).update(customer=target, is_primary=False)
    if not CustomerPhone.objects.filter(customer=target, is_primary=True).exists():
        first = CustomerPhone.objects.filter(customer=target).order_by("pk").first()
        if first is not None:
            CustomerPhone.objects.filter(pk=first.pk).update(is_primary=True)


def _move_addresses(target: Customer, dup_ids: list[int]) -> None:
    """Addresses move to the target, which keeps (or gets) a default."""
    CustomerAddress.objects.filter(customer_id__in=dup_ids).update(
        customer=target, is_default=False
    )
    if not CustomerAddress.objects.filter(customer=target, is_default=True).exists():
        first_address = CustomerAddress.objects.filter(customer=target).order_by("pk").first()
        if first_address is not None:
            CustomerAddress.objects.filter(pk=first_address.pk).update(is_default=True)


def _merge_details(target: Customer, duplicates: list[Customer]) -> None:
    """E-mails, company, tax code, notes and tags of the duplicates join the target's; the
    target keeps its default invoice details, or takes a duplicate's."""
    target.emails = casefold_unique([*target.emails, *(e for d in duplicates for e in d.emails)])
    target.company = target.company or next((d.company for d in duplicates if d.company), "")
    target.tax_code = target.tax_code or next((d.tax_code for d in duplicates if d.tax_code), "")
    notes = [target.notes, *(d.notes for d in duplicates)]
    target.notes = "\n\n".join(n for n in notes if n)
    target.save(update_fields=["emails", "company", "tax_code", "notes", "updated_at"])
    tag_ids = set(
        Tag.objects.filter(customers__in=[target, *duplicates]).values_list("pk", flat=True)
    )
    target.tags.set(sorted(tag_ids))
    # Default invoice details: the target's, else the first duplicate's that has them.
    if not CustomerInvoiceDetails.objects.filter(customer=target).exists():
        first = (
            CustomerInvoiceDetails.objects.filter(customer_id__in=[d.pk for d in duplicates])
            .order_by("customer_id")
            .first()
        )
        if first is not None:
            CustomerInvoiceDetails.objects.filter(pk=first.pk).update(customer=target)


def _empty_duplicates(target: Customer, duplicates: list[Customer], dup_ids: list[int]) -> None:
    """The duplicates (and customers merged into them) point at the target, with no figures."""
    Customer.objects.filter(merged_into_id__in=dup_ids).update(merged_into=target)
    Customer.objects.filter(pk__in=dup_ids).update(
        merged_into=target, orders_count=0, revenue=Decimal(0), search_text=""
    )
    for duplicate in duplicates:
        duplicate.tags.clear()
