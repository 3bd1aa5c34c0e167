from django.db import migrations

# The expression must stay the one orders.selectors.order_search builds (WORDS_SQL of
# search_text), or PostgreSQL does not use the index.
CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_order_search_words ON orders_order "
    "USING gin ((array_to_tsvector(array_remove(regexp_split_to_array("
    "search_text, '[\\s!-/:-@\\[-`{-~]+'), ''))))"
)
DROP = "DROP INDEX CONCURRENTLY IF EXISTS orders_order_search_words"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """A GIN index on the words of Order.search_text, so that a search for a word of one or two
    letters ("Vũ Ngọc Vy") is an index lookup (PostgreSQL only; built concurrently: the orders
    table is big and live)."""

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("orders", "0015_customer_sales_total")]

    operations = [migrations.RunPython(create, drop)]
