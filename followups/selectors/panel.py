"""The follow-up panel on an order, a customer or a contact request: thread, history, marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common import markers
from followups.models import ContactNote, ContactRequest, FollowUp
from followups.selectors import (
    SubjectKind,
    subject_url,
)
from orders.models import Customer, Order
from orders.transitions import CLOSED_STATUSES

# How many history rows the panel shows (a thread rarely has more; the rest stay in the DB).
PANEL_NOTES = 100


@dataclass(frozen=True)
class PanelSubject:
    kind: SubjectKind
    pk: int
    name: str  # the customer's (or requester's) name
    reference: str  # order number, "" otherwise
    url: str
    closed: bool = False  # a completed, cancelled or returned order (common.markers)


@dataclass
class Panel:
    subject: PanelSubject
    thread: FollowUp | None
    notes: list[ContactNote]
    marker: str


def panel_subject(*, kind: str, pk: int) -> PanelSubject | None:
    """The subject of a panel, or None when it does not exist. One query."""
    if kind == "order":
        order = (
            Order.objects.filter(pk=pk)
            .select_related("customer")
            .only("pk", "number", "status", "customer__name")
            .first()
        )
        if order is None:
            return None
        return PanelSubject(
            "order",
            order.pk,
            order.customer.name,
            order.number,
            subject_url("order", pk),
            closed=order.status in CLOSED_STATUSES,
        )
    if kind == "customer":
        customer = Customer.objects.filter(pk=pk).only("pk", "name").first()
        if customer is None:
            return None
        return PanelSubject("customer", pk, customer.name, "", subject_url("customer", pk))
    if kind == "contact_request":
        request = ContactRequest.objects.filter(pk=pk).only("pk", "name").first()
        if request is None:
            return None
        return PanelSubject(
            "contact_request", pk, request.name, "", subject_url("contact_request", pk)
        )
    return None


def panel_thread(*, kind: str, pk: int) -> FollowUp | None:
    field_name = {"order": "order_id", "customer": "customer_id"}.get(kind, "contact_request_id")
    return (
        FollowUp.objects.filter(**{field_name: pk})
        .select_related("assignee")
        .order_by("pk")
        .first()
    )


def panel_notes(*, thread: FollowUp | None) -> list[ContactNote]:
    if thread is None:
        return []
    return list(
        ContactNote.objects.filter(followup=thread)
        .select_related("user", "assignee")
        .order_by("-created_at", "-id")[:PANEL_NOTES]
    )


def panel(*, subject: PanelSubject, today: date) -> Panel:
    """Thread, history (newest first) and marker of one subject: two queries."""
    thread = panel_thread(kind=subject.kind, pk=subject.pk)
    notes = panel_notes(thread=thread)
    marker = markers.marker_for(
        state=thread.state if thread is not None else markers.STATE_NONE,
        next_contact_at=thread.next_contact_at if thread is not None else None,
        today=today,
        closed=subject.closed,
    )
    return Panel(subject=subject, thread=thread, notes=notes, marker=marker)
