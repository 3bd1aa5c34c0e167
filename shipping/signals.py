"""Signals the shipping app sends for the apps beside it (wired in crm/wiring.py; shipping
never imports them).

delivery_failed(shipment_id, order_id, reason, tracking_number)
    after the commit that recorded a failed delivery (or a parcel put on hold): the order
    needs a decision (redeliver, change the address, return) - a red follow-up on it.
"""

from django.dispatch import Signal

delivery_failed = Signal()
