"""The contact-request list and detail."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)

from common import markers
from followups.models import ContactRequest
from orders.models import Customer
from orders.selectors import customers_with_phone, search_words

SORT_WORK = "work"
SORT_NEWEST = "newest"


def request_list(
    *, today: date, q: str = "", marker: str = "", source: str = "", sort: str = SORT_WORK
) -> QuerySet[ContactRequest]:
    """Contact requests with their marker computed by the database.

    The default order is the day's work: red (due, oldest promise first), then blue (new,
    newest first: someone is waiting for a first call), then green (next contact soonest
    first), then grey (newest first). `sort="newest"` lists by arrival only.
    """
    qs = ContactRequest.objects.annotate(marker=markers.marker_expression(today=today))
    if marker:
        qs = qs.filter(markers.marker_q(marker, today=today))
    if source:
        qs = qs.filter(source=source)
    for word in search_words(q):
        qs = qs.filter(search_text__contains=word)
    qs = qs.select_related("customer", "order").only(
        "pk",
        "name",
        "phone",
        "email",
        "message",
        "source",
        "preferred_at",
        "followup_state",
        "next_contact_at",
        "created_at",
        "customer__id",
        "customer__name",
        "order__id",
        "order__number",
    )
    if sort == SORT_NEWEST:
        return qs.order_by("-created_at", "-id")
    rank = Case(
        *(
            When(markers.marker_q(code, today=today), then=Value(position))
            for position, code in enumerate(markers.MARKERS)
        ),
        output_field=IntegerField(),
    )
    planned = Case(
        When(followup_state=markers.STATE_OPEN, then=F("next_contact_at")),
        default=None,
    )
    return qs.alias(rank=rank, planned=planned).order_by(
        "rank", F("planned").asc(nulls_last=True), "-created_at", "-id"
    )


def request_detail(*, pk: int) -> ContactRequest | None:
    return (
        ContactRequest.objects.filter(pk=pk)
        .select_related("customer", "order", "website", "created_by")
        .first()
    )


def request_customer(*, request: ContactRequest) -> Customer | None:
    """The customer a request would sell to: its own (followed through merges), else the
    first live customer with its phone; None when the order must add a new one."""
    customer_id = request.customer_id
    while customer_id is not None:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None or customer.merged_into_id is None:
            return customer
        customer_id = customer.merged_into_id
    matches = customers_with_phone(phone=request.phone)
    return matches[0] if matches else None
