"""Transfers between warehouses: draft -> sent -> received, or cancelled.

Stock moves twice: `transfer_send` takes the units out of the source (transfer_out movements),
`transfer_receive` puts them into the destination (transfer_in movements). In between the units
are in transit and counted in neither warehouse.

Cancelling a sent transfer returns the units to the source with transfer_in movements at the
source (reason "Returned: transfer cancelled"), so the source's ledger shows the units leaving
and coming back and still sums to its on_hand. Cancelling a draft moves no stock.

Every status change is one conditional UPDATE (`... WHERE status = <expected>`) in the same
transaction as its stock movements: a double click or two users acting at once move the stock
once, the other gets DocumentStateError. A refused stock change rolls the status back too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import DocumentStateError, InventoryError
from inventory.models import Transfer, TransferLine, Variant, Warehouse
from inventory.services.sequences import sequence_next
from inventory.services.stock import Source, StockChange, stock_apply

SOURCE_TYPE = "transfer"
MAX_QUANTITY = 1_000_000


class TransferInvalid(InventoryError):
    """The transfer's warehouses or lines break a rule (same warehouse twice, no lines...)."""


@dataclass(frozen=True)
class TransferLineInput:
    variant_id: int
    quantity: int


def _merged_lines(lines: Sequence[TransferLineInput]) -> list[TransferLineInput]:
    """One line per variant (quantities of repeated variants added), in first-seen order."""
    totals: dict[int, int] = {}
    for line in lines:
        q = line.quantity
        if not isinstance(q, int) or isinstance(q, bool) or q <= 0 or q > MAX_QUANTITY:
            raise TransferInvalid(
                _("Each quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}
            )
        totals[line.variant_id] = totals.get(line.variant_id, 0) + q
    if not totals:
        raise TransferInvalid(_("Add at least one product to the transfer."))
    if any(q > MAX_QUANTITY for q in totals.values()):
        raise TransferInvalid(
            _("Each quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}
        )
    known = set(Variant.objects.filter(pk__in=totals).values_list("pk", flat=True))
    if known != set(totals):
        raise TransferInvalid(_("A product on the transfer no longer exists."))
    return [TransferLineInput(variant_id=v, quantity=q) for v, q in totals.items()]


def _check_warehouses(*, source_id: int, destination_id: int) -> None:
    if source_id == destination_id:
        raise TransferInvalid(_("Choose two different warehouses."))
    active = set(
        Warehouse.objects.filter(pk__in=[source_id, destination_id], is_active=True).values_list(
            "pk", flat=True
        )
    )
    if active != {source_id, destination_id}:
        raise TransferInvalid(_("Both warehouses must exist and be active."))


def _write_lines(transfer_id: int, lines: Sequence[TransferLineInput]) -> None:
    TransferLine.objects.bulk_create(
        TransferLine(transfer_id=transfer_id, variant_id=line.variant_id, quantity=line.quantity)
        for line in lines
    )


def transfer_create(
    *,
    source_id: int,
    destination_id: int,
    lines: Sequence[TransferLineInput],
    notes: str = "",
    user_id: int | None = None,
) -> Transfer:
    """A draft transfer; repeated variants are merged into one line."""
    _check_warehouses(source_id=source_id, destination_id=destination_id)
    merged = _merged_lines(lines)
    with transaction.atomic():
        transfer = Transfer.objects.create(
            number=sequence_next(prefix="TR"),
            source_id=source_id,
            destination_id=destination_id,
            notes=notes.strip(),
            created_by_id=user_id,
        )
        _write_lines(transfer.pk, merged)
    return transfer


def transfer_update(
    *,
    transfer_id: int,
    source_id: int,
    destination_id: int,
    lines: Sequence[TransferLineInput],
    notes: str = "",
) -> Transfer:
    """Replace a draft's warehouses, notes and lines. Only drafts can be edited."""
    _check_warehouses(source_id=source_id, destination_id=destination_id)
    merged = _merged_lines(lines)
    with transaction.atomic():
        # The conditional UPDATE locks the row until commit, so a concurrent send waits and
        # then sends the new lines.
        updated = Transfer.objects.filter(pk=transfer_id, status=Transfer.Status.DRAFT).update(
            source_id=source_id, destination_id=destination_id, notes=notes.strip()
        )
        if not updated:
            raise _state_error(transfer_id, _("Only a draft transfer can be edited."))
        TransferLine.objects.filter(transfer_id=transfer_id).delete()
        _write_lines(transfer_id, merged)
    return Transfer.objects.get(pk=transfer_id)


def _state_error(transfer_id: int, reason: str) -> Exception:
    found = Transfer.objects.filter(pk=transfer_id).values_list("number", "status").first()
    if found is None:
        return Transfer.DoesNotExist(f"transfer {transfer_id} does not exist")
    number, status = found
    return DocumentStateError(
        _("Transfer %(number)s is “%(status)s”. %(reason)s")
        % {"number": number, "status": Transfer.Status(status).label, "reason": reason}
    )


def _move_status(
    transfer_id: int, *, expected: str, to: str, refusal: str, **fields: object
) -> Transfer:
    updated = Transfer.objects.filter(pk=transfer_id, status=expected).update(status=to, **fields)
    if not updated:
        raise _state_error(transfer_id, refusal)
    return Transfer.objects.select_related("source", "destination").get(pk=transfer_id)


def _lines(transfer: Transfer) -> list[TransferLine]:
    return list(transfer.lines.order_by("pk"))


def _source(transfer: Transfer) -> Source:
    return Source(SOURCE_TYPE, str(transfer.pk), transfer.number)


def transfer_send(
    *, transfer_id: int, user_id: int | None = None, now: datetime | None = None
) -> Transfer:
    """Take every line out of the source warehouse, all or nothing; the units are in transit.

    Raises InsufficientStock (naming the SKU and warehouse) when the source lacks available
    units for any line; then nothing changes and the transfer stays a draft.
    """
    now = now or timezone.now()
    with transaction.atomic():
        transfer = _move_status(
            transfer_id,
            expected=Transfer.Status.DRAFT,
            to=Transfer.Status.SENT,
            refusal=_("Only a draft transfer can be sent."),
            sent_at=now,
        )
        lines = _lines(transfer)
        if not lines:
            raise TransferInvalid(_("Add at least one product to the transfer."))
        # "To HN01", worded in the reader's language when shown (models.MOVEMENT_REASONS).
        to = (("warehouse", transfer.destination.code),)
        stock_apply(
            changes=[
                dataclasses.replace(
                    StockChange.transfer_out(line.variant_id, transfer.source_id, line.quantity),
                    reason_code="transfer_to",
                    reason_args=to,
                )
                for line in lines
            ],
            user_id=user_id,
            source=_source(transfer),
            now=now,
        )
    return transfer


def transfer_receive(
    *, transfer_id: int, user_id: int | None = None, now: datetime | None = None
) -> Transfer:
    """Put every line of a sent transfer into the destination warehouse."""
    now = now or timezone.now()
    with transaction.atomic():
        transfer = _move_status(
            transfer_id,
            expected=Transfer.Status.SENT,
            to=Transfer.Status.RECEIVED,
            refusal=_("Only a sent transfer can be received."),
            received_at=now,
        )
        came_from = (("warehouse", transfer.source.code),)
        stock_apply(
            changes=[
                dataclasses.replace(
                    StockChange.receive(
                        line.variant_id,
                        transfer.destination_id,
                        line.quantity,
                        kind="transfer_in",
                    ),
                    reason_code="transfer_from",
                    reason_args=came_from,
                )
                for line in _lines(transfer)
            ],
            user_id=user_id,
            source=_source(transfer),
            now=now,
        )
    return transfer


def transfer_cancel(
    *, transfer_id: int, user_id: int | None = None, now: datetime | None = None
) -> Transfer:
    """Cancel a draft (no stock moves) or a sent transfer (the units go back to the source)."""
    now = now or timezone.now()
    current = Transfer.objects.filter(pk=transfer_id).values_list("status", flat=True).first()
    if current is None:
        raise Transfer.DoesNotExist(f"transfer {transfer_id} does not exist")
    if current not in (Transfer.Status.DRAFT, Transfer.Status.SENT):
        raise _state_error(transfer_id, _("Only a draft or sent transfer can be cancelled."))
    with transaction.atomic():
        # Conditional on the status read above: if someone sent or received it meanwhile,
        # nothing happens and the user is told to look again.
        transfer = _move_status(
            transfer_id,
            expected=current,
            to=Transfer.Status.CANCELLED,
            refusal=_("It was changed by someone else; nothing was cancelled."),
        )
        if current == Transfer.Status.SENT:
            stock_apply(
                changes=[
                    dataclasses.replace(
                        StockChange.receive(
                            line.variant_id, transfer.source_id, line.quantity, kind="transfer_in"
                        ),
                        reason_code="transfer_cancelled",
                    )
                    for line in _lines(transfer)
                ],
                user_id=user_id,
                source=_source(transfer),
                now=now,
            )
    return transfer
