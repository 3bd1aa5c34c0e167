from django.db import migrations

INDEX = "inventory_variant_product_sku"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON inventory_variant (product_id, sku)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    """(product, SKU) index on variants, PostgreSQL only; a no-op on SQLite.

    The stock overview looks up the first SKU among a category's variants with it: an
    index-only scan instead of reading every variant row (inventory.selectors.stock).
    Built concurrently, so the variant table stays writable while it is built.
    """

    atomic = False

    dependencies = [("inventory", "0004_search_trigram_index")]

    operations = [migrations.RunPython(create, drop)]
