from django.dispatch import Signal

# Sent after the transaction that changed stock commits, with
#   changes: list[tuple[int, int]]  -- (variant_id, warehouse_id) pairs whose stock changed.
# The marketplace sync listens to push available quantities.
stock_changed = Signal()
