"""Orders: create, edit, the status transitions, payments and notes, one module each
(create, edit, transitions, payments; core and lines hold what they share).

Status moves (orders.transitions) are one conditional UPDATE each:
    UPDATE orders_order SET status = <target> ... WHERE id = %s AND status = <expected>
so of two users confirming (or cancelling, shipping...) the same order at the same moment,
exactly one wins; the other's UPDATE matches no row (PostgreSQL re-checks the WHERE clause on
the row the winner committed) and gets an OrderStateError. The winner's UPDATE also holds the
order row until commit, and edits lock that row before touching lines, so the lines read after
the move cannot change underneath.

Stock (inventory.services.stock, source = Source("order", id, number), one batch per action,
one ledger row per variant and warehouse):
    confirm   new -> processing        reserve every line's quantity in the order warehouse
    edit      while processing         reserve more / release the difference, per variant
                                       (also moving reservations when the warehouse changes)
    ship      processing -> shipped    deduct the reserved units (shipment from reserved)
    cancel    new|processing -> cancelled   release exactly what the lines hold reserved
    returns   see orders.services.returns
OrderLine.quantity_reserved always says what each line holds, so every release is exact and a
second cancel finds nothing to release (and is refused by its conditional UPDATE anyway).

Payment status (payment_status_for): refunded or partially refunded once anything was
refunded (refunded if everything received was given back); otherwise unpaid / partially paid /
paid by comparing what was received with the total (an order with total 0 is paid). An order
paid on the marketplace (payment method "marketplace") was paid at the platform's checkout: its
total counts as received (orders.models.collected_amount), so it is paid, never "unpaid".
"""
