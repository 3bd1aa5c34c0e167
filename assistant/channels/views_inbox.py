"""The staff inbox: every conversation live (htmx polling), one conversation with its messages,
take over / hand back, a reply that goes out through the conversation's channel; the unread
badge of the navigation; the conversations panel of the customer page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assistant.channels import inbox
from assistant.channels.forms import ChatAccountForm
from assistant.channels.models import ChatAccount
from assistant.channels.selectors import (
    conversation_messages,
    customer_conversations,
    inbox_conversations,
    inbox_unread_total,
    other_conversations,
)
from assistant.channels.services import chat_account_save
from assistant.channels.undelivered import (
    UndeliveredError,
    conversation_deliveries,
    conversation_undelivered,
    undelivered_count,
    undelivered_reasons,
    undelivered_resolve,
    undelivered_retry,
)
from assistant.models import Conversation, ConversationState
from assistant.services_staff import (
    ConversationError,
    conversation_close,
    conversation_mark_read,
    conversation_release,
    conversation_take_over,
)
from common.auth import require_perm
from common.htmx import render_partial_or_page

PERM = "assistant_channels.answer_conversations"
STATES = {ConversationState.BOT, ConversationState.STAFF, ConversationState.CLOSED}
UNDELIVERED = "undelivered"


@require_perm(PERM)
def inbox_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in STATES or state == UNDELIVERED else ""
    conversations = list(inbox_conversations(state=state))
    reasons = undelivered_reasons([c.pk for c in conversations])
    for c in conversations:
        c.undelivered_reason = reasons.get(c.pk, "")  # type: ignore[attr-defined]
    context = {
        "conversations": conversations,
        "state": state,
        "states": ConversationState.choices,
        "unread_total": inbox_unread_total(),
        "undelivered_total": undelivered_count(),
    }
    return render_partial_or_page(
        request,
        "assistant/inbox.html",
        context,
        partial="conversation-list",
        target="conversation-list",
    )


@require_perm(PERM)
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        Conversation.objects.select_related("customer", "owner"), pk=pk
    )
    conversation_mark_read(conversation_id=conversation.pk)
    deliveries = conversation_deliveries(conversation_id=conversation.pk)
    messages_list = conversation_messages(conversation_id=conversation.pk)
    for m in messages_list:
        m.delivery = deliveries.get(m.pk)  # type: ignore[attr-defined]
    context = {
        "conversation": conversation,
        "messages_list": messages_list,
        "undelivered": conversation_undelivered(conversation_id=conversation.pk),
        "other_routes": other_conversations(conversation),
        "owned_by_me": conversation.owner_id == request.user.pk,
    }
    return render_partial_or_page(
        request,
        "assistant/conversation.html",
        context,
        partial="conversation-thread",
        target="conversation-thread",
    )


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    now = timezone.now()
    user_id = request.user.pk
    assert user_id is not None  # signed in: require_perm
    try:
        if action == "take_over":
            conversation_take_over(conversation_id=pk, user_id=user_id, now=now)
        elif action == "hand_back":
            conversation_release(conversation_id=pk, user_id=user_id, now=now)
        elif action == "close":
            conversation_close(conversation_id=pk, user_id=user_id, now=now)
        elif action == "retry":
            undelivered_retry(conversation_id=pk, user_id=user_id, now=now)
        elif action == "resolve":
            note = request.POST.get("note", "")
            undelivered_resolve(conversation_id=pk, user_id=user_id, note=note, now=now)
        else:
            inbox.conversation_staff_reply(
                conversation_id=pk, user_id=user_id, text=request.POST.get("text", ""), now=now
            )
    except (ConversationError, UndeliveredError) as error:
        messages.error(request, str(error))
    except Conversation.DoesNotExist:
        return HttpResponse(status=404)
    return redirect("assistant_channels:conversation", pk=pk)


@require_POST
@require_perm(PERM)
def take_over_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "take_over")


@require_POST
@require_perm(PERM)
def hand_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "hand_back")


@require_POST
@require_perm(PERM)
def reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reply")


@require_POST
@require_perm(PERM)
def conversation_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "close")


@require_POST
@require_perm(PERM)
def undelivered_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "retry")


@require_POST
@require_perm(PERM)
def undelivered_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resolve")


@require_perm(PERM)
def unread_badge(request: HttpRequest) -> HttpResponse:
    total = inbox_unread_total()
    return HttpResponse(str(total) if total else "", content_type="text/plain; charset=utf-8")


@require_perm(PERM)
def customer_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "assistant/partials/customer_panel.html",
        {"conversations": customer_conversations(customer_id=pk)},
    )


ACCOUNTS_PERM = "assistant_channels.change_chataccount"


@require_perm(ACCOUNTS_PERM)
def account_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assistant/account_list.html",
        {"accounts": ChatAccount.objects.order_by("platform", "name", "pk")},
    )


@require_perm(ACCOUNTS_PERM)
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    account = get_object_or_404(ChatAccount, pk=pk) if pk else ChatAccount()
    form = ChatAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        chat_account_save(account=form.save(commit=False), secrets=form.secrets())
        return redirect("assistant_channels:account_list")
    return render(request, "assistant/account_form.html", {"form": form, "account": account})
