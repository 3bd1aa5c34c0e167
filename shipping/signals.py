"""Signals the shipping app sends for the apps beside it (wired in crm/wiring.py; shipping
never imports them).

delivery_failed(shipment_id, order_id, reason, tracking_number)
    after the commit that recorded a failed delivery (or a parcel put on hold): the order
    needs a decision (redeliver, change the address, return) - a red follow-up on it.

delivery_action_taken(shipment_id, order_id, action, tracking_number)
    after the commit of the staff's decision on a failed delivery (action: "redeliver",
    "change_address", "return") or of a returned parcel received back ("received"): the red
    follow-up is finished.
"""

from django.dispatch import Signal

delivery_failed = Signal()
delivery_action_taken = Signal()
