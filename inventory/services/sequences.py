from __future__ import annotations

from django.db import connection, transaction

from inventory.models import DocumentSequence


def sequence_next(*, prefix: str, width: int = 6) -> str:
    """The next document number for `prefix` ("PO" -> "PO000001"), gap-free per committed use."""
    with transaction.atomic():
        DocumentSequence.objects.get_or_create(prefix=prefix)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE inventory_documentsequence SET last_value = last_value + 1 "
                "WHERE prefix = %s RETURNING last_value",
                [prefix],
            )
            (value,) = cursor.fetchone()
    return f"{prefix}{value:0{width}d}"


def sequence_lock(*, prefix: str) -> None:
    """Lock the numbering row of `prefix` until the caller's transaction ends: work that must
    run one at a time and numbers documents with that prefix (drafting purchase orders from the
    reorder page or a sales order's shortage) takes it first."""
    DocumentSequence.objects.get_or_create(prefix=prefix)
    DocumentSequence.objects.select_for_update().get(prefix=prefix)
