"""Existing rows under the corrected rules (data only, no schema change).

1. A completed, cancelled or returned order with no follow-up recorded reads as finished
   (common.markers.summary_state): followup_state "" -> "finished".
2. An order paid on the marketplace counts its total as received
   (orders.models.collected_amount): its payment status is recomputed.

Both run in batches of 10 000 ids, each its own short transaction (a million orders never hold
one long lock). Reversing leaves the rows as they are: the old values were wrong, and new
orders are written the new way anyway.
"""

from django.db import migrations

BATCH = 10_000

CLOSE = """
UPDATE orders_order SET followup_state = 'finished'
WHERE id >= %s AND id < %s AND followup_state = ''
  AND status IN ('completed', 'cancelled', 'returned')
"""

MARKETPLACE_PAID = """
UPDATE orders_order SET payment_status = CASE
    WHEN refunded_amount > 0 AND refunded_amount >= paid_amount AND refunded_amount >= total
      THEN 'refunded'
    WHEN refunded_amount > 0 THEN 'partially_refunded'
    ELSE 'paid' END
WHERE id >= %s AND id < %s AND payment_method = 'marketplace'
  AND payment_status IN ('unpaid', 'partially_paid', 'refunded')
"""


def forwards(apps, schema_editor):
    from django.db import transaction

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM orders_order")
        low, high = cursor.fetchone()
    start = low
    while start <= high:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(CLOSE, [start, start + BATCH])
            cursor.execute(MARKETPLACE_PAID, [start, start + BATCH])
        start += BATCH


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0009_website_request_endpoint_raw_bytes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
