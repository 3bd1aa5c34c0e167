"""Signals for the apps above orders (shipping, invoicing, followups, channels_sync).

All but `customer_merged` are sent after the transaction that caused them commits
(transaction.on_commit), with keyword arguments only; receivers connect in their
AppConfig.ready().
"""

from django.dispatch import Signal

# An order moved from one status to another.
#   order_id: int, from_status: str, to_status: str
order_status_changed = Signal()

# Goods came back on an order (invoicing adjusts the invoice, channels may be told).
#   return_id: int, order_id: int, refund_amount: Decimal, exchange_order_id: int | None
order_returned = Signal()

# Duplicate customers were merged into one: re-point whatever refers to the duplicates.
# Sent INSIDE the merge's transaction (not after commit): receivers write in it, so their rows
# move with the merge or not at all; a receiver that raises rolls the whole merge back.
#   target_id: int, merged_ids: list[int]
customer_merged = Signal()

# A new order was created (manually, through the API, from a channel or as an exchange).
#   order_id: int, customer_id: int, created_at: datetime (the order's, as created)
order_created = Signal()
