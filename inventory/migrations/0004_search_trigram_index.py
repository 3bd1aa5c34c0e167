from django.db import migrations

INDEX = "inventory_variant_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON inventory_variant "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    """Substring search on SKU, barcode, product name and options (PostgreSQL only)."""

    dependencies = [("inventory", "0003_catalogue_stock_purchasing")]

    operations = [migrations.RunPython(create, drop)]
