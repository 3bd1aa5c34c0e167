"""Migration operations shared by the orders migrations."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexQuietly(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (the orders table is big and live: writes go on
    while the index builds); a plain CREATE INDEX elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )
