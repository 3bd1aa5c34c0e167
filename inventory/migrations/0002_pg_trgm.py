from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Trigram search (names, phone digits, SKUs) on PostgreSQL; a no-op on SQLite."""

    dependencies = [("inventory", "0001_initial")]

    operations = [TrigramExtension()]
