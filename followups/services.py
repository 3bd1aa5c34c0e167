"""Every write of the follow-ups app: contacts, schedules, finishing (new contact requests:
followups.services_requests).

Each function is one transaction that locks the thread row, changes it, appends its
ContactNote (the history: who, when, what) and copies the state and next contact time onto the
subject (order or contact request) for its list's marker. Errors are FollowUpError with a
translated sentence; nothing changes then.

Who may change a thread (move it, finish it, reassign it, record a contact that moves or
finishes it): the person it is assigned to, anyone when it is assigned to no one (acting on it
makes them responsible where a default assignee is set), and users holding
`followups.act_on_all_followups` (owner, manager). `may_act_on` is the same rule for the pages,
which hide what a user may not do; a job acting without a user (user_id None) may act on all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import markers
from common.db import prepared_cursor
from followups.models import (
    ContactMethod,
    ContactNote,
    ContactRequest,
    FollowUp,
    NoteKind,
    Outcome,
)
from orders.models import Customer, CustomerPhone, Order
from orders.services.followup_summary import order_followup_summary_set

SubjectKind = Literal["order", "customer", "contact_request"]
# A contact can be logged a little ahead of the server clock (phones, tablets), not more.
CLOCK_SKEW = timedelta(minutes=10)


ACT_ON_ALL = "followups.act_on_all_followups"


class FollowUpError(Exception):
    """A follow-up rule was broken; str() is a sentence for the user, in their language."""


class FollowUpNotYours(FollowUpError):
    """The follow-up is assigned to someone else and the user may not act on others'."""


def may_act_on(*, assignee_id: int | None, user: Any) -> bool:
    """True if `user` may move, finish or reassign a follow-up assigned to `assignee_id`."""
    return assignee_id is None or assignee_id == user.pk or bool(user.has_perm(ACT_ON_ALL))


def _check_may_act(thread: FollowUp, *, user_id: int | None) -> None:
    if user_id is None or thread.assignee_id in (None, user_id):
        return
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not may_act_on(assignee_id=thread.assignee_id, user=user):
        raise FollowUpNotYours(
            _("Only the person responsible for this follow-up or a manager may change it.")
        )


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: int

    @property
    def field(self) -> str:
        return {"order": "order_id", "customer": "customer_id"}.get(self.kind, "contact_request_id")


def subject_of(followup: FollowUp) -> Subject:
    if followup.order_id:
        return Subject("order", followup.order_id)
    if followup.customer_id:
        return Subject("customer", followup.customer_id)
    return Subject("contact_request", followup.contact_request_id)  # type: ignore[arg-type]


def _check_subject(subject: Subject) -> None:
    querysets = {
        "order": Order.objects.all(),
        "customer": Customer.objects.all(),
        "contact_request": ContactRequest.objects.all(),
    }
    queryset = querysets.get(subject.kind)
    if queryset is None or not queryset.filter(pk=subject.id).exists():
        raise FollowUpError(_("This order, customer or request no longer exists."))


def _thread(subject: Subject, *, now: datetime) -> tuple[FollowUp, bool]:
    """The subject's thread, locked; created (open) when there is none yet."""
    lookup = {subject.field: subject.id}
    thread = FollowUp.objects.select_for_update().filter(**lookup).first()
    if thread is not None:
        return thread, False
    _check_subject(subject)
    try:
        with transaction.atomic():
            thread = FollowUp.objects.create(
                **lookup, state=markers.STATE_OPEN, created_at=now, updated_at=now
            )
        return thread, True
    except IntegrityError:
        # Someone else opened it at the same moment: use theirs.
        return FollowUp.objects.select_for_update().get(**lookup), False


def _locked(followup_id: int) -> FollowUp:
    thread = FollowUp.objects.select_for_update().filter(pk=followup_id).first()
    if thread is None:
        raise FollowUpError(_("This follow-up no longer exists."))
    return thread


def _mirror(thread: FollowUp) -> None:
    """Copy state and next contact time onto the subject the lists read."""
    if thread.order_id:
        order_followup_summary_set(
            order_id=thread.order_id, state=thread.state, next_contact_at=thread.next_contact_at
        )
    elif thread.contact_request_id:
        ContactRequest.objects.filter(pk=thread.contact_request_id).update(
            followup_state=thread.state, next_contact_at=thread.next_contact_at
        )


def _save(thread: FollowUp, now: datetime) -> None:
    thread.updated_at = now
    thread.save()
    _mirror(thread)


def _note(
    thread: FollowUp, kind: str, *, user_id: int | None, now: datetime, **fields: Any
) -> None:
    ContactNote.objects.create(
        followup=thread, kind=kind, user_id=user_id, created_at=now, **fields
    )


def _reopen(thread: FollowUp, *, user_id: int | None, now: datetime) -> None:
    """A finished thread opens again (a new contact is planned), with a history row."""
    if thread.state == markers.STATE_FINISHED:
        thread.state, thread.outcome, thread.finished_at = markers.STATE_OPEN, "", None
        _note(thread, NoteKind.REOPENED, user_id=user_id, now=now)


def _assign_default(thread: FollowUp, *, assignee_id: int | None, user_id: int | None) -> None:
    """The named assignee, else whoever already has it, else the person acting."""
    if assignee_id is not None:
        thread.assignee_id = assignee_id
    elif thread.assignee_id is None:
        thread.assignee_id = user_id


def _check_next(next_contact_at: datetime | None) -> None:
    if next_contact_at is not None and timezone.is_naive(next_contact_at):
        raise ValueError("next_contact_at must be aware")


def followup_log_contact(
    *,
    subject: Subject,
    method: str,
    note: str,
    user_id: int | None,
    next_contact_at: datetime | None = None,
    outcome: str = "",
    assignee_id: int | None = None,
    contacted_at: datetime | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Record a contact made (how, what was said) and what comes next: either the next contact
    time (the thread stays or becomes open) or an outcome (the thread is finished). A contact on
    a finished thread reopens it when a next contact is given."""
    now = now or timezone.now()
    contacted_at = contacted_at or now
    note = note.strip()
    _check_contact(method, note, contacted_at, next_contact_at, outcome, now=now)
    with transaction.atomic():
        thread, _created = _thread(subject, now=now)
        _check_may_act(thread, user_id=user_id)
        if next_contact_at is not None:
            _reopen(thread, user_id=user_id, now=now)
        _assign_default(thread, assignee_id=assignee_id, user_id=user_id)
        _note(
            thread,
            NoteKind.CONTACT,
            user_id=user_id,
            now=now,
            method=method,
            note=note,
            contacted_at=contacted_at,
            next_contact_at=next_contact_at,
            assignee_id=thread.assignee_id,
            outcome=outcome,
        )
        if outcome:
            thread.state, thread.outcome, thread.finished_at = (
                markers.STATE_FINISHED,
                outcome,
                now,
            )
        else:
            _plan_next(thread, next_contact_at)
        _save(thread, now)
    return thread


def _check_contact(
    method: str,
    note: str,
    contacted_at: datetime,
    next_contact_at: datetime | None,
    outcome: str,
    *,
    now: datetime,
) -> None:
    """A contact to record: how, what was said (stripped), not in the future, and what comes
    next: a next contact time or an outcome, exactly one of them."""
    _check_next(next_contact_at)
    if method not in ContactMethod.values:
        raise FollowUpError(_("Choose how the customer was contacted."))
    if not note:
        raise FollowUpError(_("Write down what was said."))
    if contacted_at > now + CLOCK_SKEW:
        raise FollowUpError(_("A contact cannot be recorded in the future."))
    if outcome and outcome not in Outcome.values:
        raise FollowUpError(_("Choose the outcome."))
    if outcome and next_contact_at is not None:
        raise FollowUpError(
            _("Either plan the next contact or finish the follow-up with an outcome, not both.")
        )
    if not outcome and next_contact_at is None:
        raise FollowUpError(_("Plan the next contact, or finish the follow-up with an outcome."))


def _plan_next(thread: FollowUp, next_contact_at: datetime | None) -> None:
    """The thread's next contact; its reminder is due again for the new time."""
    thread.next_contact_at = next_contact_at
    thread.reminded_at = None


def followup_schedule(
    *,
    subject: Subject,
    next_contact_at: datetime,
    user_id: int | None,
    assignee_id: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """Plan a contact without having made one (a first call-back, a promised visit)."""
    now = now or timezone.now()
    _check_next(next_contact_at)
    with transaction.atomic():
        thread, _created = _thread(subject, now=now)
        _check_may_act(thread, user_id=user_id)
        _reopen(thread, user_id=user_id, now=now)
        _plan_next(thread, next_contact_at)
        _assign_default(thread, assignee_id=assignee_id, user_id=user_id)
        _note(
            thread,
            NoteKind.RESCHEDULED,
            user_id=user_id,
            now=now,
            note=note.strip(),
            next_contact_at=next_contact_at,
            assignee_id=thread.assignee_id,
        )
        _save(thread, now)
    return thread


def followup_reschedule(
    *, followup_id: int, next_contact_at: datetime, user_id: int | None, now: datetime | None = None
) -> FollowUp:
    """Move the next contact (the calendar's drag or date field). Finished threads refuse."""
    now = now or timezone.now()
    _check_next(next_contact_at)
    with transaction.atomic():
        thread = _locked(followup_id)
        _check_may_act(thread, user_id=user_id)
        if thread.state == markers.STATE_FINISHED:
            raise FollowUpError(_("This follow-up is finished; record a new contact to reopen it."))
        if thread.next_contact_at == next_contact_at:
            return thread
        _plan_next(thread, next_contact_at)
        _note(
            thread,
            NoteKind.RESCHEDULED,
            user_id=user_id,
            now=now,
            next_contact_at=next_contact_at,
            assignee_id=thread.assignee_id,
        )
        _save(thread, now)
    return thread


def followup_assign(
    *, followup_id: int, assignee_id: int | None, user_id: int | None, now: datetime | None = None
) -> FollowUp:
    now = now or timezone.now()
    with transaction.atomic():
        thread = _locked(followup_id)
        _check_may_act(thread, user_id=user_id)
        if thread.assignee_id == assignee_id:
            return thread
        thread.assignee_id = assignee_id
        thread.reminded_at = None
        _note(thread, NoteKind.ASSIGNED, user_id=user_id, now=now, assignee_id=assignee_id)
        _save(thread, now)
    return thread


def followup_finish(
    *,
    followup_id: int,
    outcome: str,
    user_id: int | None,
    note: str = "",
    now: datetime | None = None,
) -> FollowUp:
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise FollowUpError(_("Choose the outcome."))
    with transaction.atomic():
        thread = _locked(followup_id)
        _check_may_act(thread, user_id=user_id)
        if thread.state == markers.STATE_FINISHED:
            raise FollowUpError(_("This follow-up is already finished."))
        thread.state, thread.outcome, thread.finished_at = markers.STATE_FINISHED, outcome, now
        _note(
            thread, NoteKind.FINISHED, user_id=user_id, now=now, note=note.strip(), outcome=outcome
        )
        _save(thread, now)
    return thread


# --- Contact requests -------------------------------------------------------------------------


# Whether any request waits for an order of the customer (see contact_requests_link_order),
# written out once: compiling the ORM's OR and subquery cost more than running it, on every
# order. Only our own table names go into the text; the values are parameters. A prepared
# statement (common.db.prepared_cursor): parsed and planned once per connection.
_ANY_WAITING = (
    f"SELECT 1 FROM {ContactRequest._meta.db_table} r "  # noqa: S608
    "WHERE (r.customer_id = %s OR (r.customer_id IS NULL AND r.phone IN "
    f"(SELECT p.e164 FROM {CustomerPhone._meta.db_table} p WHERE p.customer_id = %s))) "
    "AND r.order_id IS NULL AND r.created_at <= %s AND r.created_at >= %s LIMIT 1"
)


def contact_requests_link_order(
    *,
    order_id: int,
    customer_id: int | None = None,
    created_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """An order was placed: the customer's requests not yet turned into an order (received
    before it, within 30 days) now point to it, and their open follow-ups end as sold.
    Returns how many requests were linked. Run after the order's commit; `customer_id` and
    `created_at` are the order's (read from it when not given)."""
    now = now or timezone.now()
    if customer_id is None or created_at is None:
        order = Order.objects.filter(pk=order_id).values("customer_id", "created_at").first()
        if order is None:
            return 0
        customer_id, created_at = order["customer_id"], order["created_at"]
    since = created_at - timedelta(days=30)
    # Most orders follow no request: one read, and no transaction, settles them.
    with prepared_cursor(connection) as cursor:
        cursor.execute(_ANY_WAITING, [customer_id, customer_id, created_at, since])
        if cursor.fetchone() is None:
            return 0
    phones = CustomerPhone.objects.filter(customer_id=customer_id).values("e164")
    waiting = ContactRequest.objects.filter(
        # The customer's requests, and those from their phone that no customer had
        # yet (the customer was created with this order, "Create order" on a request).
        Q(customer_id=customer_id) | Q(customer__isnull=True, phone__in=phones),
        order__isnull=True,
        created_at__lte=created_at,
        created_at__gte=since,
    )
    with transaction.atomic():
        requests = list(waiting.select_for_update().order_by("pk"))
        for request in requests:
            request.order_id, request.customer_id = order_id, customer_id
            request.save(update_fields=["order", "customer"])
            thread, _created = _thread(Subject("contact_request", request.pk), now=now)
            if thread.state != markers.STATE_FINISHED:
                thread.state, thread.outcome, thread.finished_at = (
                    markers.STATE_FINISHED,
                    Outcome.SOLD,
                    now,
                )
                # No note text: the history shows the outcome and the linked order.
                _note(thread, NoteKind.FINISHED, user_id=None, now=now, outcome=Outcome.SOLD)
                _save(thread, now)
    return len(requests)


def followups_customers_merged(*, target_id: int, merged_ids: list[int]) -> None:
    """Duplicates were merged into `target_id`: their contact requests point to the target, and
    a duplicate's customer follow-up moves to the target (its notes join the target's thread
    when the target has one; the target's schedule is kept)."""
    now = timezone.now()
    with transaction.atomic():
        ContactRequest.objects.filter(customer_id__in=merged_ids).update(customer_id=target_id)
        target = FollowUp.objects.select_for_update().filter(customer_id=target_id).first()
        for thread in FollowUp.objects.select_for_update().filter(customer_id__in=merged_ids):
            if target is None:
                thread.customer_id = target_id
                thread.updated_at = now
                thread.save(update_fields=["customer", "updated_at"])
                target = thread
            else:
                ContactNote.objects.filter(followup=thread).update(followup=target)
                thread.delete()
