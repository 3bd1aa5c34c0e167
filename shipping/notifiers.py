"""Telling the customer how their parcel is doing: a pluggable notifier.

A notifier has one method, `notify(shipment, event)`, and returns whether it told the customer.
`event` is one of EVENTS (the parcel's state it reached). Which notifiers run is the setting
SHIPPING_NOTIFIERS (dotted paths; default the e-mail one), so SMS or Zalo is one more class.

`shipment_notify` is what the shipping app calls after the commit that moved a parcel: it
claims the (parcel, event) notice first (a unique row), so a replayed or repeated event never
tells the customer twice, then hands it to every notifier.
"""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orders.models import Customer, Order
from shipping.adapters.base import ParcelState
from shipping.models import Shipment, ShipmentNotice

log = logging.getLogger(__name__)

EVENTS = frozenset(
    {
        ParcelState.PICKED_UP.value,
        ParcelState.DELIVERING.value,
        ParcelState.DELIVERED.value,
        ParcelState.DELIVERY_FAILED.value,
    }
)
DEFAULT_NOTIFIERS = ("shipping.notifiers.EmailNotifier",)
# The customer's language from the country we ship to, where it says.
COUNTRY_LANGUAGES = {"VN": "vi", "TH": "th"}


class Notifier:
    """One way of telling the customer (e-mail, SMS, Zalo...)."""

    channel = ""

    def notify(self, shipment: Shipment, event: str) -> bool:
        raise NotImplementedError


def customer_language(order: Order) -> str:
    language = COUNTRY_LANGUAGES.get(order.ship_country or "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class EmailNotifier(Notifier):
    """An e-mail to the customer's first address, in their language; none without an address."""

    channel = "email"

    def notify(self, shipment: Shipment, event: str) -> bool:
        order = Order.objects.get(pk=shipment.order_id)
        customer = Customer.objects.filter(pk=order.customer_id).first()
        emails = [e for e in (customer.emails if customer else []) if isinstance(e, str) and e]
        if not emails:
            return False
        context = {"order": order, "shipment": shipment, "event": event}
        with translation.override(customer_language(order)):
            subject = _("Your order %(number)s: %(status)s") % {
                "number": order.number,
                "status": Shipment.State(event).label,
            }
            body = render_to_string("shipping/email/parcel_progress.txt", context)
        EmailMessage(subject=subject, body=body, to=[emails[0]]).send()
        return True


@cache
def notifiers() -> tuple[Notifier, ...]:
    paths = getattr(settings, "SHIPPING_NOTIFIERS", DEFAULT_NOTIFIERS)
    return tuple(import_string(path)() for path in paths)


def shipment_notify(*, shipment_id: int, event: str) -> bool:
    """Tell the customer once that the parcel reached `event`; whether anyone was told."""
    if event not in EVENTS:
        return False
    try:
        with transaction.atomic():
            notice = ShipmentNotice.objects.create(shipment_id=shipment_id, event=event)
    except IntegrityError:
        return False  # already told (or being told) of this event
    shipment = Shipment.objects.get(pk=shipment_id)
    told = []
    for notifier in notifiers():
        try:
            if notifier.notify(shipment, event):
                told.append(notifier.channel)
        except Exception:  # one channel down must not stop the others
            log.exception("notifier %s failed for shipment %s", notifier.channel, shipment_id)
    if told:
        ShipmentNotice.objects.filter(pk=notice.pk).update(
            channel=",".join(told)[:16], sent_at=timezone.now()
        )
    return bool(told)
