"""Follow-ups: who to contact, when, what was said, and how it ended.

A FollowUp is the thread of contacts about one subject: an order, a customer, or a contact
request (a customer asking to be called back, without an order yet). It exists from the first
recorded contact; until then the subject shows the blue "new" marker. While open it has a next
contact time and a staff member responsible; finishing it records the outcome. Every step
(contact, reschedule, reassignment, finish, reopen) is a ContactNote row: the history.

The order and the contact request carry a copy of the thread's state and next contact time
(`followup_state`, `next_contact_at`), written by followups.services in the same transaction,
so their lists compute and filter the marker in one query (common.markers).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import markers
from common.db import choices_check


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    ZALO = "zalo", _("Zalo")
    FACEBOOK = "facebook", _("Facebook")
    LINE = "line", _("LINE")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")


class Outcome(models.TextChoices):
    SOLD = "sold", _("Sold")
    NOT_INTERESTED = "not_interested", _("Not interested")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    OPEN = markers.STATE_OPEN, pgettext_lazy("follow-up state", "Open")
    FINISHED = markers.STATE_FINISHED, _("Finished")


class NoteKind(models.TextChoices):
    CONTACT = "contact", pgettext_lazy("follow-up note kind", "Contact")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    ASSIGNED = "assigned", _("Reassigned")
    FINISHED = "finished", _("Finished")
    REOPENED = "reopened", _("Reopened")


class RequestSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    ASSISTANT = "assistant", _("AI assistant")
    STAFF = "staff", _("Staff")


class ContactRequest(models.Model):
    """Someone asked to be contacted (website form, AI assistant, or noted by staff).

    `customer` is the matching customer (found by phone when the request arrives, or created
    when staff turn it into an order); `order` is the order it turned into.
    """

    Source = RequestSource

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=16)  # E.164
    email = models.EmailField(_("e-mail"), blank=True)
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=RequestSource.choices)
    website = models.ForeignKey(
        "orders.Website",
        verbose_name=_("website"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    external_id = models.CharField(_("website request id"), max_length=64, blank=True)
    preferred_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_requests",
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_requests",
    )
    # fold(name, e-mail, message) + phone digits, for search.
    search_text = models.TextField(editable=False, default="")
    followup_state = models.CharField(max_length=8, blank=True, default="", editable=False)
    next_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        constraints = [
            models.UniqueConstraint(
                fields=["website", "external_id"],
                condition=~Q(external_id=""),
                name="followups_request_external_unique",
            ),
            choices_check("source", RequestSource, "followups_request_source_valid"),
            models.CheckConstraint(
                condition=Q(followup_state__in=["", markers.STATE_OPEN, markers.STATE_FINISHED]),
                name="followups_request_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], name="followups_request_created_idx"),
            models.Index(
                fields=["followup_state", "next_contact_at", "id"],
                name="followups_request_next_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class FollowUp(models.Model):
    """The contact thread of one subject (exactly one of order, customer, contact_request)."""

    State = State
    Outcome = Outcome

    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followup",
    )
    customer = models.OneToOneField(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followup",
    )
    contact_request = models.OneToOneField(
        ContactRequest,
        verbose_name=_("contact request"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followup",
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # When the assignee was last reminded of the current due date (in-app and digest).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # Without it a user may change only the follow-ups assigned to them, or to no one.
        permissions = [
            ("act_on_all_followups", _("Can move, finish and reassign anyone's follow-ups"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(order__isnull=False, customer__isnull=True, contact_request__isnull=True)
                    | Q(order__isnull=True, customer__isnull=False, contact_request__isnull=True)
                    | Q(order__isnull=True, customer__isnull=True, contact_request__isnull=False)
                ),
                name="followups_followup_one_subject",
            ),
            choices_check("state", State, "followups_followup_state_valid"),
            models.CheckConstraint(
                condition=Q(state=markers.STATE_OPEN, outcome="", finished_at__isnull=True)
                | Q(state=markers.STATE_FINISHED, finished_at__isnull=False),
                name="followups_followup_finish_consistent",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", *Outcome.values]),
                name="followups_followup_outcome_valid",
            ),
        ]
        indexes = [
            # The calendar and the reminders: open threads by date, per assignee or all.
            models.Index(fields=["state", "next_contact_at", "id"], name="followups_next_idx"),
            models.Index(
                fields=["assignee", "state", "next_contact_at"], name="followups_assignee_idx"
            ),
            models.Index(fields=["finished_at", "id"], name="followups_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.pk}"

    @property
    def subject_kind(self) -> str:
        if self.order_id:
            return "order"
        if self.customer_id:
            return "customer"
        return "contact_request"


class ContactNote(models.Model):
    """One step of a follow-up: a contact made (what was said, how), or a change to it."""

    Kind = NoteKind
    Method = ContactMethod

    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices)
    method = models.CharField(_("how"), max_length=10, choices=ContactMethod.choices, blank=True)
    note = models.TextField(_("what was said"), blank=True)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact note")
        verbose_name_plural = _("contact notes")
        indexes = [models.Index(fields=["followup", "id"], name="followups_note_thread_idx")]
        constraints = [
            choices_check("kind", NoteKind, "followups_note_kind_valid"),
            models.CheckConstraint(
                condition=Q(method__in=["", *ContactMethod.values]),
                name="followups_note_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup_id} {self.kind}"


class CalendarFeed(models.Model):
    """A user's private iCalendar feed address. The token in it is the only credential: it is
    shown once when made and stored only as its SHA-256 digest, with its first characters so
    the user can tell which address is the current one (followups.ical)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=6, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"


class DigestRun(models.Model):
    """One morning digest sent to one user on one shop-local day (so it is sent once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up digest")
        verbose_name_plural = _("follow-up digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="followups_digest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
