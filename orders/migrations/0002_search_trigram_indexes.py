from django.db import migrations

# (index name, table, column): substring search that stays fast at a million rows.
INDEXES = (
    ("orders_customer_search_trgm", "orders_customer", "search_text"),
    ("orders_customerphone_digits_trgm", "orders_customerphone", "digits"),
    ("orders_order_search_trgm", "orders_order", "search_text"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, column in INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _column in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    """Trigram indexes for customer names and phones and the order search (PostgreSQL only;
    the tables are new and empty here, so a plain CREATE INDEX is instant)."""

    dependencies = [("orders", "0001_initial"), ("inventory", "0002_pg_trgm")]

    operations = [migrations.RunPython(create, drop)]
