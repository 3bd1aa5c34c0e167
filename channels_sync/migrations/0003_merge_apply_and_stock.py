# Joins the two 0002 migrations of the parallel branches h-apply and h-stock (no operations).
# h-pages has 0003_manage_marketplaces_permission with the same two parents: when both land,
# keep that one and drop this file.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channels_sync", "0002_payload_reason_params_return_requested"),
        ("channels_sync", "0002_stock_push_queue_manual_links_push_prices"),
    ]

    operations = []
