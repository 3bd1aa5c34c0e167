"""The staff inbox: the list with unread counts and the navigation badge, a conversation
(opening it marks it read), take over / hand back, a reply sent through the channel."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from assistant.channels.models import Delivery, DeliveryStatus
from assistant.models import Author, Conversation, ConversationState, Message
from assistant.services_staff import ConversationError, conversation_take_over

pytestmark = pytest.mark.django_db


def test_the_list_shows_unread_counts_and_the_badge_their_total(client, login_as, conversation):
    login_as("sales")
    page = client.get(reverse("assistant_channels:inbox"))
    assert page.status_code == 200
    assert f'data-testid="unread-{conversation.pk}">2<' in page.content.decode()
    badge = client.get(reverse("assistant_channels:unread_badge"))
    assert badge.content.decode() == "2"


def test_warehouse_staff_cannot_open_the_inbox(client, login_as, conversation):
    login_as("warehouse")
    assert client.get(reverse("assistant_channels:inbox")).status_code == 403


def test_opening_a_conversation_marks_it_read(client, login_as, conversation):
    login_as("sales")
    page = client.get(reverse("assistant_channels:conversation", args=[conversation.pk]))
    assert "Áo này còn size M không?" in page.content.decode()
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    assert client.get(reverse("assistant_channels:unread_badge")).content.decode() == ""


def test_take_over_then_hand_back(client, login_as, conversation):
    user = login_as("sales")
    client.post(reverse("assistant_channels:take_over", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert (conversation.state, conversation.owner_id) == (ConversationState.STAFF, user.pk)
    client.post(reverse("assistant_channels:hand_back", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert (conversation.state, conversation.owner_id, conversation.hand_over_reason) == (
        ConversationState.BOT,
        None,
        "",
    )


def test_someone_elses_conversation_cannot_be_taken(make_user, conversation):
    first, second = make_user("sales"), make_user("sales")
    conversation_take_over(conversation_id=conversation.pk, user_id=first.pk, now=timezone.now())
    with pytest.raises(ConversationError, match="Someone else has already taken over"):
        conversation_take_over(
            conversation_id=conversation.pk, user_id=second.pk, now=timezone.now()
        )
    conversation.refresh_from_db()
    assert conversation.owner_id == first.pk


def test_a_reply_goes_out_through_the_customers_page(
    client, login_as, conversation, chat_sandbox, run_jobs
):
    user = login_as("sales")
    with run_jobs():
        response = client.post(
            reverse("assistant_channels:reply", args=[conversation.pk]), {"text": "Dạ còn ạ"}
        )
    assert response.status_code == 302
    reply = Message.objects.get(author=Author.STAFF)
    assert (reply.text, reply.staff_id) == ("Dạ còn ạ", user.pk)
    conversation.refresh_from_db()
    assert (conversation.state, conversation.owner_id) == (ConversationState.STAFF, user.pk)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.recipient, delivery.message_id) == (
        DeliveryStatus.SENT,
        "psid-1",
        reply.pk,
    )
    assert [(s.platform, s.recipient, s.text) for s in chat_sandbox.sent] == [
        ("messenger", "psid-1", "Dạ còn ạ")
    ]


def test_an_empty_reply_changes_nothing(client, login_as, conversation):
    login_as("sales")
    client.post(reverse("assistant_channels:reply", args=[conversation.pk]), {"text": "  "})
    assert Message.objects.count() == 1
    assert Delivery.objects.count() == 0
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.BOT


def test_the_customer_page_lists_the_customers_conversations(client, login_as, conversation):
    from tests.orders.factories import CustomerFactory

    login_as("sales")
    customer = CustomerFactory(name="Lê Thu")
    Conversation.objects.filter(pk=conversation.pk).update(customer=customer)
    page = client.get(reverse("orders:customer_detail", args=[customer.pk]))
    panel_url = reverse("assistant_channels:customer_panel", args=[customer.pk])
    assert f'hx-get="{panel_url}"' in page.content.decode()
    panel = client.get(panel_url).content.decode()
    conversation_url = reverse("assistant_channels:conversation", args=[conversation.pk])
    assert f'href="{conversation_url}">Facebook Messenger</a>' in panel
    other = CustomerFactory(name="Khác")
    empty = client.get(reverse("assistant_channels:customer_panel", args=[other.pk]))
    assert "No chat conversations with this customer." in empty.content.decode()


def test_a_reply_to_a_conversation_someone_else_owns_changes_nothing(
    client, login_as, make_user, conversation
):
    other = make_user("sales")
    conversation_take_over(conversation_id=conversation.pk, user_id=other.pk, now=timezone.now())
    login_as("sales")
    response = client.post(
        reverse("assistant_channels:reply", args=[conversation.pk]), {"text": "Dạ"}, follow=True
    )
    assert "Someone else has already taken over this conversation." in response.content.decode()
    assert (Message.objects.count(), Delivery.objects.count()) == (1, 0)
    conversation.refresh_from_db()
    assert conversation.owner_id == other.pk


def test_close_then_the_next_message_reopens_it_for_the_assistant(client, login_as, conversation):
    login_as("sales")
    client.post(reverse("assistant_channels:close", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert (conversation.state, conversation.unread_count) == (ConversationState.CLOSED, 0)


def test_a_manager_adds_a_channel_and_its_secrets_are_kept_when_left_empty(
    client, login_as, encryption_keys
):
    from assistant.channels.models import ChatAccount

    login_as("manager")
    form = {
        "platform": "line",
        "name": "LINE shop",
        "external_id": "U1234",
        "app_id": "",
        "api_base_url": "",
        "allowed_origins": "",
        "active": "on",
        "secret": "chan-secret",
        "access_token": "chan-token",
        "verify_token": "",
    }
    response = client.post(reverse("assistant_channels:account_create"), form)
    assert response.status_code == 302
    account = ChatAccount.objects.get()
    assert (account.secret, account.access_token, account.api_base_url) == (
        "chan-secret",
        "chan-token",
        "https://api.line.me",
    )
    edit = client.get(reverse("assistant_channels:account_edit", args=[account.pk]))
    assert "chan-secret" not in edit.content.decode()
    client.post(
        reverse("assistant_channels:account_edit", args=[account.pk]),
        {**form, "name": "LINE Bangkok", "secret": "", "access_token": ""},
    )
    account.refresh_from_db()
    assert (account.name, account.secret, account.access_token) == (
        "LINE Bangkok",
        "chan-secret",
        "chan-token",
    )
    listing = client.get(reverse("assistant_channels:account_list")).content.decode()
    assert "/assistant/webhooks/line/</code>" in listing


def test_sales_staff_cannot_configure_channels(client, login_as):
    login_as("sales")
    assert client.get(reverse("assistant_channels:account_list")).status_code == 403
