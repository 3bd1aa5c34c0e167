"""Reads of the follow-ups app, shaped for its pages, one module per page: panel, contact_requests,
calendar, reminders (and the iCalendar feed), outcomes. This module holds what they share. Each
decides its joins and runs a fixed number of queries (templates never query); lists have an
explicit order with a unique tiebreaker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp

SubjectKind = Literal["order", "customer", "contact_request"]
KINDS: tuple[SubjectKind, ...] = ("order", "customer", "contact_request")


def local_at(day: date, at: time) -> datetime:
    """`day` at the shop-local time `at`, aware."""
    return timezone.make_aware(datetime.combine(day, at))


def default_next_contact(today: date) -> datetime:
    """The form's default for the next contact: tomorrow 09:00 shop-local."""
    return local_at(today + timedelta(days=1), time(9, 0))


def staff_who_follow_up() -> QuerySet[Any]:
    """Active users who may hold a follow-up (their role has change_followup), by name."""
    user_model = get_user_model()
    perm = Q(
        groups__permissions__codename="change_followup",
        groups__permissions__content_type__app_label="followups",
    ) | Q(
        user_permissions__codename="change_followup",
        user_permissions__content_type__app_label="followups",
    )
    ids = user_model.objects.filter(perm).values("pk")
    return (
        user_model.objects.filter(Q(pk__in=ids) | Q(is_superuser=True), is_active=True)
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username", "pk")
    )


def user_label(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


SUBJECT_URL_NAMES: dict[str, str] = {
    "order": "orders:order_detail",
    "customer": "orders:customer_detail",
    "contact_request": "followups:request_detail",
}
_ID_MARK = 987654321  # stands for the id in a URL reversed once for many ids


def subject_url(kind: str, pk: int) -> str:
    return reverse(SUBJECT_URL_NAMES[kind], args=[pk])


def id_url(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for many ids at the price of one reverse: the URL pattern
    (one integer argument) is reversed once with a stand-in id, then only the id changes."""
    head, _mark, tail = reverse(name, args=[_ID_MARK]).rpartition(str(_ID_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"


def subject_urls() -> Callable[[str, int], str]:
    """`subject_url` for the many subjects of one page (each kind's URL reversed once)."""
    makers = {kind: id_url(name) for kind, name in SUBJECT_URL_NAMES.items()}
    return lambda kind, pk: makers[kind](pk)


def subject_fields(thread: FollowUp) -> tuple[SubjectKind, int, str, str]:
    """(kind, pk, name, order number) of a thread loaded with its subject."""
    if thread.order_id:
        order = thread.order
        assert order is not None
        return "order", order.pk, order.customer.name, order.number
    if thread.customer_id:
        customer = thread.customer
        assert customer is not None
        return "customer", customer.pk, customer.name, ""
    request = thread.contact_request
    assert request is not None
    return "contact_request", request.pk, request.name, ""
