"""Wiring between sibling apps, done here at the top layer (sibling apps never import each
other): a marketplace shop whose authorisation is about to end becomes a red follow-up for
the owner (channels_sync.signals.authorization_ending -> followups.services_tasks); a parcel
whose delivery failed becomes a red follow-up on its order (shipping.signals.delivery_failed
-> followups.services), and is finished once staff decided (redeliver, change the address,
return) or received the returned parcel (shipping.signals.delivery_action_taken); the AI
assistant's call-back requests become contact requests (assistant.ports ->
followups.services_requests); a chat reply that could not be delivered becomes a red staff task
for whoever handles the conversation, finished once staff sent it again or answered another way
(assistant.channels.undelivered signals -> followups.services_tasks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from crm.roles import OWNER

AHEAD = timedelta(days=7)  # the follow-up is due this long before the authorisation ends


def owner_id() -> int | None:
    """The first active owner (else superuser) by id: who reconnects shops."""
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    pk = users.filter(groups__name=OWNER).values_list("pk", flat=True).first()
    if pk is None:
        pk = users.filter(is_superuser=True).values_list("pk", flat=True).first()
    return int(pk) if pk is not None else None


def authorization_ending_followup(
    *, account_id: int, ends_at: datetime, now: datetime | None = None
) -> Any:
    """A red follow-up for the owner: the shop must be connected again before `ends_at`.
    Due 7 days before the end (at once when that is already past); one per shop and date."""
    from channels_sync.models import ChannelAccount
    from followups.services_tasks import staff_task_create

    now = now or timezone.now()
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    link = reverse("channels_sync:shop_detail", args=[account.pk])
    base = settings.SITE_URL
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(timezone.localtime(ends_at), "SHORT_DATE_FORMAT")
        title = _("Reconnect %(platform)s shop %(shop)s before %(day)s") % {
            "platform": account.get_platform_display(),
            "shop": account.name or account.shop_id,
            "day": day,
        }
        message = _(
            "The shop's authorisation ends on %(day)s: after that no order comes in and no "
            "stock goes out. Open Marketplaces and press “Connect again”: %(link)s"
        ) % {"day": day, "link": base + link}
    return staff_task_create(
        title=title,
        message=message,
        assignee_id=owner_id(),
        due_at=max(now, ends_at - AHEAD),
        key=f"auth-ending:{account.pk}:{timezone.localtime(ends_at).date().isoformat()}",
        now=now,
    )


def _authorization_ending(sender: Any, *, account_id: int, ends_at: datetime, **kw: Any) -> None:
    authorization_ending_followup(account_id=account_id, ends_at=ends_at)


def delivery_failed_followup(
    *, order_id: int, tracking_number: str, reason: str, now: datetime | None = None
) -> Any:
    """A failed delivery is a red follow-up on the order: due now, with the carrier's reason,
    so whoever follows the order decides (redeliver, change the address, return)."""
    from followups.services import Subject, followup_schedule

    with translation.override(settings.LANGUAGE_CODE):
        note = _("Delivery of parcel %(parcel)s failed: %(reason)s") % {
            "parcel": tracking_number,
            "reason": reason or "—",
        }
    return followup_schedule(
        subject=Subject("order", order_id),
        next_contact_at=now or timezone.now(),
        user_id=None,
        note=note,
    )


def _delivery_failed(
    sender: Any, *, order_id: int, tracking_number: str, reason: str, **kw: Any
) -> None:
    delivery_failed_followup(order_id=order_id, tracking_number=tracking_number, reason=reason)


def delivery_action_followup_finish(
    *, order_id: int, tracking_number: str, action: str, now: datetime | None = None
) -> Any:
    """The failed delivery was decided: the order's open follow-up is finished (by the system,
    whoever it is assigned to), its note saying what was done. None when none is open."""
    from common import markers
    from followups.models import FollowUp, Outcome
    from followups.services import followup_finish

    thread = FollowUp.objects.filter(order_id=order_id, state=markers.STATE_OPEN).first()
    if thread is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        texts = {
            "redeliver": _("Parcel %(parcel)s: delivery again requested."),
            "change_address": _("Parcel %(parcel)s: delivery again to a new address requested."),
            "return": _("Parcel %(parcel)s: return to the shop requested."),
            "received": _("Parcel %(parcel)s: received back."),
        }
        note = texts.get(action, texts["redeliver"]) % {"parcel": tracking_number}
    return followup_finish(
        followup_id=thread.pk, outcome=Outcome.OTHER, user_id=None, note=note, now=now
    )


def _delivery_action_taken(
    sender: Any, *, order_id: int, tracking_number: str, action: str, **kw: Any
) -> None:
    delivery_action_followup_finish(
        order_id=order_id, tracking_number=tracking_number, action=action
    )


def call_back_assignee() -> int | None:
    """settings.ASSISTANT_CALL_BACK_ASSIGNEE: "owner" (the first owner), a user id, "" nobody."""
    rule = str(settings.ASSISTANT_CALL_BACK_ASSIGNEE).strip()
    if rule == "owner":
        return owner_id()
    return int(rule) if rule.isdigit() else None


def assistant_call_back(request: Any) -> Any:
    """The assistant's call-back request (assistant.ports.CallBackRequest) as a contact request
    from the assistant, due now (red marker), assigned by ASSISTANT_CALL_BACK_ASSIGNEE."""
    from assistant.ports import CallBackCreated, PortError
    from followups.models import FollowUp, RequestSource
    from followups.services import FollowUpError, followup_assign
    from followups.services_requests import contact_request_create

    try:
        created, _new = contact_request_create(
            name=request.name,
            phone=request.phone,
            message=request.message,
            source=RequestSource.ASSISTANT,
            user_id=None,
            preferred_at=request.now,
            now=request.now,
        )
    except FollowUpError as error:
        raise PortError(str(error)) from None
    assignee = call_back_assignee()
    thread = FollowUp.objects.filter(contact_request_id=created.pk).first()
    if thread is not None and assignee is not None:
        followup_assign(followup_id=thread.pk, assignee_id=assignee, user_id=None, now=request.now)
    return CallBackCreated(request_id=created.pk, phone_e164=created.phone, assignee_id=assignee)


UNDELIVERED_KEY = "chat-undelivered:"


def undelivered_reply_followup(
    *, conversation_id: int, reason: str, now: datetime | None = None
) -> Any:
    """A red staff task, due now, for the conversation's owner (else the call-back assignee,
    else the owner of the shop): its reply did not reach the customer. One while open."""
    from assistant.channels.models import FailureReason
    from assistant.models import Conversation
    from common.db import choice_label
    from followups.services_tasks import staff_task_create

    conversation = (
        Conversation.objects.filter(pk=conversation_id).select_related("customer").first()
    )
    if conversation is None:
        return None
    link = settings.SITE_URL + reverse("assistant_channels:conversation", args=[conversation.pk])
    who = (
        conversation.customer.name
        if conversation.customer
        else conversation.display_name or conversation.external_user_id
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Chat reply not delivered to %(who)s (%(channel)s)") % {
            "who": who,
            "channel": conversation.get_channel_display(),
        }
        message = _(
            "%(reason)s. Open the conversation to send it again or answer the customer another "
            "way: %(link)s"
        ) % {"reason": choice_label(FailureReason, reason), "link": link}
    assignee = conversation.owner_id or call_back_assignee() or owner_id()
    return staff_task_create(
        title=title,
        message=message,
        assignee_id=assignee,
        due_at=now or timezone.now(),
        key=f"{UNDELIVERED_KEY}{conversation.pk}",
        now=now,
    )


def _reply_undelivered(sender: Any, *, conversation_id: int, reason: str, **kw: Any) -> None:
    undelivered_reply_followup(conversation_id=conversation_id, reason=reason)


def undelivered_reply_followup_finish(
    *, conversation_id: int, resolution: str, note: str = "", now: datetime | None = None
) -> Any:
    """The conversation's open task ends (by the system) once nothing is left undelivered."""
    from assistant.channels.models import Resolution
    from common import markers
    from common.db import choice_label
    from followups.models import FollowUp, Outcome
    from followups.services import followup_finish
    from followups.services_tasks import KEY_PREFIX

    key = (KEY_PREFIX + UNDELIVERED_KEY + str(conversation_id))[:64]
    thread = FollowUp.objects.filter(
        contact_request__external_id=key, state=markers.STATE_OPEN
    ).first()
    if thread is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        text = choice_label(Resolution, resolution) + (f": {note}" if note else "")
    return followup_finish(
        followup_id=thread.pk, outcome=Outcome.OTHER, user_id=None, note=text, now=now
    )


def _reply_undelivered_resolved(
    sender: Any, *, conversation_id: int, resolution: str, note: str = "", **kw: Any
) -> None:
    undelivered_reply_followup_finish(
        conversation_id=conversation_id, resolution=resolution, note=note
    )


ESTIMATE_BOX_CM = 20  # the parcel of a fee estimate before any order exists: a 20 cm cube


def assistant_expected_delivery(order_id: int) -> Any:
    """When the carrier expects to deliver the order's parcel (its latest shipment still on the
    way), for the assistant's order-status answer; None without such an estimate."""
    from shipping.models import Shipment, ShipmentState

    on_the_way = {
        ShipmentState.CREATED,
        ShipmentState.PICKING,
        ShipmentState.PICKED_UP,
        ShipmentState.IN_TRANSIT,
        ShipmentState.DELIVERING,
        ShipmentState.DELIVERY_FAILED,
        ShipmentState.WAITING_ACTION,
    }
    shipment = (
        Shipment.objects.filter(order_id=order_id, state__in=on_the_way)
        .exclude(expected_delivery=None)
        .order_by("-created_at", "-pk")
        .first()
    )
    return shipment.expected_delivery if shipment is not None else None


def assistant_shipping_quote(query: Any) -> Any:
    """A carrier's live fee for the assistant (assistant.ports.ShippingQuery): the first active
    carrier account quotes the route from its pickup address to the customer's province, ward
    (and district); the cheapest service wins. None (the shop's flat rule applies) when there
    is no account or the carrier cannot quote the route."""
    from assistant.ports import CarrierQuote
    from common.external import ExternalError
    from shipping.adapters.base import Endpoint
    from shipping.errors import ShippingError
    from shipping.selectors import active_accounts
    from shipping.services.addresses import address_resolve
    from shipping.services.carriers import adapter_for
    from shipping.services.parcels import ParcelSpec, parcel_request, request_data, sender_endpoint

    accounts = active_accounts()
    if not accounts:
        return None
    account = accounts[0]
    adapter = adapter_for(account)
    try:
        sender = sender_endpoint(account=account, adapter=adapter)
        codes = address_resolve(
            carrier=account.carrier,
            adapter=adapter,
            province=query.province,
            district=query.district,
            ward=query.ward,
        )
        # A quote needs the receiver's places only; name, phone and street are the sender's.
        receiver = Endpoint(
            sender.name,
            sender.phone,
            sender.address,
            codes.province_code,
            codes.district_code,
            codes.ward_code,
        )
        spec = ParcelSpec(
            service_code="",
            weight_g=query.weight_grams,
            length_cm=ESTIMATE_BOX_CM,
            width_cm=ESTIMATE_BOX_CM,
            height_cm=ESTIMATE_BOX_CM,
            cod_amount=query.goods_value,
            insurance_value=query.goods_value,
            payer="shop",
            viewing="allow_viewing",
        )
        data = request_data(sender=sender, receiver=receiver, items=[])
        request = parcel_request(reference="QUOTE", data=data, spec=spec, account=account)
        options = adapter.services(request=request)
    except (ShippingError, ExternalError):
        return None
    fees = sorted((o.fee, o.code, o.name) for o in options if o.fee is not None)
    if not fees:
        return None
    fee, _code, name = fees[0]
    return CarrierQuote(carrier=account.name, service=name, fee=fee)


def connect() -> None:
    from assistant.channels.undelivered import reply_undelivered, reply_undelivered_resolved
    from assistant.ports import (
        register_call_back,
        register_delivery_estimate,
        register_shipping_quote,
    )
    from channels_sync.signals import authorization_ending
    from shipping.signals import delivery_action_taken, delivery_failed

    register_call_back(assistant_call_back)
    register_shipping_quote(assistant_shipping_quote)
    register_delivery_estimate(assistant_expected_delivery)

    authorization_ending.connect(_authorization_ending, dispatch_uid="crm.authorization_ending")
    delivery_failed.connect(_delivery_failed, dispatch_uid="crm.delivery_failed")
    delivery_action_taken.connect(_delivery_action_taken, dispatch_uid="crm.delivery_action_taken")
    reply_undelivered.connect(_reply_undelivered, dispatch_uid="crm.reply_undelivered")
    reply_undelivered_resolved.connect(
        _reply_undelivered_resolved, dispatch_uid="crm.reply_undelivered_resolved"
    )
