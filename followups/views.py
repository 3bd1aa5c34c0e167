"""The follow-up panel (shown on order, customer and contact-request pages) and the contact
request pages (list, create, detail, "create order")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from common import markers
from common.auth import require_perm
from common.forms import valid_values
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import page_number, paginate
from followups import selectors
from followups.forms import (
    MARKER_LABELS,
    AssignForm,
    ContactRequestForm,
    FinishForm,
    LogContactForm,
    RequestFilterForm,
    ScheduleForm,
)
from followups.models import RequestSource
from followups.selectors import contact_requests as request_selectors
from followups.selectors import panel as panel_selectors
from followups.services import (
    FollowUpError,
    Subject,
    followup_assign,
    followup_finish,
    followup_log_contact,
    followup_reschedule,
    followup_schedule,
    may_act_on,
)
from followups.services_requests import contact_request_create

PANEL_TEMPLATE = "followups/partials/panel.html"


# --- The panel --------------------------------------------------------------------------------


def _subject_or_404(kind: str, pk: int) -> panel_selectors.PanelSubject:
    subject = panel_selectors.panel_subject(kind=kind, pk=pk)
    if subject is None:
        raise Http404
    return subject


def panel_context(
    request: HttpRequest,
    subject: panel_selectors.PanelSubject,
    *,
    bound: dict[str, Any] | None = None,
    error: str = "",
    open_form: str = "",
) -> dict[str, Any]:
    """Everything the panel template shows. `bound`: forms carrying what was typed (after a
    refused POST), by name; the others start from their defaults."""
    today = timezone.localdate()
    data = panel_selectors.panel(subject=subject, today=today)
    thread = data.thread
    bound = bound or {}
    # Someone else's follow-up: only its assignee or a manager may change it (services).
    can_act = thread is None or may_act_on(assignee_id=thread.assignee_id, user=request.user)
    can_change = request.user.has_perm("followups.change_followup") and can_act
    users = list(selectors.staff_who_follow_up()) if can_change and thread else []
    forms = {
        "log": bound.get("log") or LogContactForm(today=today),
        "schedule": bound.get("schedule")
        or ScheduleForm(today=today, current=thread.next_contact_at if thread else None),
        "assign": bound.get("assign")
        or AssignForm(users=users, initial={"assignee": thread.assignee_id if thread else None}),
        "finish": bound.get("finish") or FinishForm(),
    }
    panel_id = f"followup-panel-{subject.kind}-{subject.pk}"
    for name, form in forms.items():
        form.auto_id = f"{panel_id}-{name}-%s"  # unique ids with several panels on a page
    return {
        "panel": data,
        "subject": subject,
        "thread": thread,
        "notes": data.notes,
        "marker": data.marker,
        "panel_id": panel_id,
        "can_log": request.user.has_perm("followups.add_followup") and can_act,
        "can_change": can_change,
        "can_act": can_act,
        "is_finished": thread is not None and thread.state == markers.STATE_FINISHED,
        "log_form": forms["log"],
        "schedule_form": forms["schedule"],
        "assign_form": forms["assign"],
        "finish_form": forms["finish"],
        "error": error,
        "open_form": open_form,
    }


def _panel_response(
    request: HttpRequest,
    subject: panel_selectors.PanelSubject,
    *,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    response = render(request, PANEL_TEMPLATE, panel_context(request, subject, **context))
    response.status_code = status
    return response


def _after_post(
    request: HttpRequest, subject: panel_selectors.PanelSubject, message: str
) -> HttpResponse:
    if not is_htmx(request):
        messages.success(request, message)
        return redirect(subject.url)
    response = _panel_response(request, subject)
    return trigger_client_event(
        response, "followup-changed", {"kind": subject.kind, "id": subject.pk}
    )


def _refused(
    request: HttpRequest,
    subject: panel_selectors.PanelSubject,
    *,
    name: str,
    form: Any,
    error: str = "",
) -> HttpResponse:
    if not is_htmx(request):
        messages.error(request, error or _("Please correct the errors below."))
        return redirect(subject.url)
    return _panel_response(
        request, subject, status=422, bound={name: form}, error=error, open_form=name
    )


@vary_on_headers("HX-Request")
@require_GET
@require_perm("followups.view_followup")
def panel(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _panel_response(request, _subject_or_404(kind, pk))


@require_POST
@require_perm("followups.add_followup", "followups.change_followup")
def panel_log(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject = _subject_or_404(kind, pk)
    form = LogContactForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return _refused(request, subject, name="log", form=form)
    try:
        followup_log_contact(
            subject=Subject(subject.kind, subject.pk),
            user_id=request.user.pk,
            **form.service_arguments(),
        )
    except FollowUpError as error:
        return _refused(request, subject, name="log", form=form, error=str(error))
    return _after_post(request, subject, _("Contact recorded."))


@require_POST
@require_perm("followups.change_followup")
def panel_schedule(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Plan the next contact: moves an open thread, starts one for a subject without any."""
    subject = _subject_or_404(kind, pk)
    form = ScheduleForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return _refused(request, subject, name="schedule", form=form)
    at = form.next_contact_at()
    assert at is not None
    thread = panel_selectors.panel_thread(kind=subject.kind, pk=subject.pk)
    try:
        if thread is None:
            followup_schedule(
                subject=Subject(subject.kind, subject.pk),
                next_contact_at=at,
                user_id=request.user.pk,
                note=form.cleaned_data.get("note", ""),
            )
        else:
            followup_reschedule(followup_id=thread.pk, next_contact_at=at, user_id=request.user.pk)
    except FollowUpError as error:
        return _refused(request, subject, name="schedule", form=form, error=str(error))
    return _after_post(request, subject, _("Next contact planned."))


def _thread_or_refuse(
    request: HttpRequest, subject: panel_selectors.PanelSubject, name: str, form: Any
) -> tuple[Any, HttpResponse | None]:
    thread = panel_selectors.panel_thread(kind=subject.kind, pk=subject.pk)
    if thread is None:
        return None, _refused(
            request,
            subject,
            name=name,
            form=form,
            error=_("Record a contact or plan one first."),
        )
    return thread, None


@require_POST
@require_perm("followups.change_followup")
def panel_assign(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject = _subject_or_404(kind, pk)
    users = list(selectors.staff_who_follow_up())
    form = AssignForm(request.POST, users=users)
    if not form.is_valid():
        return _refused(request, subject, name="assign", form=form)
    thread, refused = _thread_or_refuse(request, subject, "assign", form)
    if refused is not None:
        return refused
    try:
        followup_assign(
            followup_id=thread.pk,
            assignee_id=form.cleaned_data["assignee"],
            user_id=request.user.pk,
        )
    except FollowUpError as error:
        return _refused(request, subject, name="assign", form=form, error=str(error))
    return _after_post(request, subject, _("Responsible person changed."))


@require_POST
@require_perm("followups.change_followup")
def panel_finish(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject = _subject_or_404(kind, pk)
    form = FinishForm(request.POST)
    if not form.is_valid():
        return _refused(request, subject, name="finish", form=form)
    thread, refused = _thread_or_refuse(request, subject, "finish", form)
    if refused is not None:
        return refused
    try:
        followup_finish(
            followup_id=thread.pk,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data.get("note", ""),
            user_id=request.user.pk,
        )
    except FollowUpError as error:
        return _refused(request, subject, name="finish", form=form, error=str(error))
    return _after_post(request, subject, _("Follow-up finished."))


# --- Contact requests -------------------------------------------------------------------------


@require_GET
@require_perm("followups.view_contactrequest")
def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET or None)
    filters = valid_values(form)
    today = timezone.localdate()
    requests = request_selectors.request_list(
        today=today,
        q=filters.get("q", ""),
        marker=filters.get("marker", ""),
        source=filters.get("source", ""),
        sort=filters.get("sort") or request_selectors.SORT_WORK,
    )
    page = paginate(requests, page=page_number(request.GET.get("page")), per_page=50)
    context = {"form": form, "page": page, "marker_labels": MARKER_LABELS}
    return render_partial_or_page(
        request, "followups/request_list.html", context, partial="request-table"
    )


@require_http_methods(["GET", "POST"])
@require_perm("followups.add_contactrequest")
def request_create(request: HttpRequest) -> HttpResponse:
    form = ContactRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact_request, _created = contact_request_create(
                name=data["name"],
                phone=data["phone"],
                email=data.get("email", ""),
                message=data.get("message", ""),
                preferred_at=form.preferred_at(),
                source=RequestSource.STAFF,
                user_id=request.user.pk,
            )
        except FollowUpError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Contact request from %(name)s saved.") % {"name": contact_request.name}
            )
            return redirect("followups:request_detail", contact_request.pk)
    return render(request, "followups/request_form.html", {"form": form})


@require_GET
@require_perm("followups.view_contactrequest")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact_request = request_selectors.request_detail(pk=pk)
    if contact_request is None:
        raise Http404
    context: dict[str, Any] = {"contact_request": contact_request}
    if request.user.has_perm("followups.view_followup"):
        subject = panel_selectors.PanelSubject(
            "contact_request",
            contact_request.pk,
            contact_request.name,
            "",
            reverse("followups:request_detail", args=[contact_request.pk]),
        )
        context.update(panel_context(request, subject))
    return render(request, "followups/request_detail.html", context)


@require_POST
@require_perm("followups.change_contactrequest", "orders.add_order")
def request_order(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Create order": the order page for the request's customer, or with the requester typed
    in as a new customer, created only when the order is saved (in the order's transaction);
    the saved order then links the request (contact_requests_link_order)."""
    contact_request = request_selectors.request_detail(pk=pk)
    if contact_request is None:
        messages.error(request, _("This request no longer exists."))
        return redirect("followups:request_list")
    customer = request_selectors.request_customer(request=contact_request)
    if customer is not None:
        query = {"customer": str(customer.pk)}
    else:
        query = {
            "new_name": contact_request.name,
            "new_phone": contact_request.phone,
            "new_email": contact_request.email,
        }
    return redirect(reverse("orders:order_create") + "?" + urlencode(query))
