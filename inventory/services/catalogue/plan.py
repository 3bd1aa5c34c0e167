"""The variant plan: which rows the product editor shows after the options change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from common.text import fold
from inventory.services.catalogue.variants import options_pad, options_trim, variant_matrix


@dataclass(frozen=True)
class PlanRow:
    """One row of the variant editor.

    kind: "existing" (a variant matching a combination), "new" (a combination the option change
    introduced: created unless unticked), "missing" (a combination that was already possible but
    has no variant: offered, not ticked), "orphan" (a variant whose values are no longer offered:
    it keeps its values and must be disabled, or deleted when it has no history).
    """

    options: tuple[str, ...]
    variant_id: int | None
    kind: str


def option_value_renames(
    old: Sequence[str], new: Sequence[str], *, same_option: bool = True
) -> dict[str, str]:
    """Spelling fixes made in place: same list length, and at that position the old value is
    gone, the new one is new and both read the same without accents and case ("Do, Xanh" ->
    "Đỏ, Xanh" renames Do to Đỏ). Anything else ("Xanh" -> "Đen") is a different value: its
    variants are kept as they are, never relabelled."""
    if not same_option or len(old) != len(new):
        return {}
    old_set, new_set = set(old), set(new)
    return {
        before: after
        for before, after in zip(old, new, strict=True)
        if before != after
        and before not in new_set
        and after not in old_set
        and fold(before) == fold(after)
    }


def variant_plan(
    *,
    old_options: Sequence[tuple[str, Sequence[str]]],
    new_options: Sequence[tuple[str, Sequence[str], int | None]],
    existing: Sequence[tuple[int, Sequence[str]]],
) -> list[PlanRow]:
    """Rows for the editor when the options change from `old_options` to `new_options`.

    new_options carry the position (1-3) of the old option each one edits, or None for an added
    option. Existing variants follow renamed values; a variant gets the first value of an added
    option; when a removed option makes two variants equal, the older one keeps the combination.
    Variants are never dropped: those left without a combination come last as "orphan" rows.
    """
    # Per new option: (index of the old value it follows, value renames, value for added options)
    mapping: list[tuple[int | None, dict[str, str], str]] = []
    for name, values, source in new_options:
        if source is not None and 1 <= source <= len(old_options):
            old_name, old_values = old_options[source - 1]
            renames = option_value_renames(
                old_values, values, same_option=old_name.casefold() == name.casefold()
            )
            mapping.append((source - 1, renames, ""))
        else:
            mapping.append((None, {}, values[0] if values else ""))

    def remap(values: Sequence[str]) -> tuple[str, ...]:
        padded = options_pad(values)
        return tuple(
            fill if index is None else renames.get(padded[index], padded[index])
            for index, renames, fill in mapping
        )

    matrix = variant_matrix([(n, v) for n, v, _s in new_options])
    in_matrix = set(matrix)
    taken: dict[tuple[str, ...], int] = {}
    orphans: list[tuple[int, tuple[str, ...]]] = []
    for variant_id, values in sorted(existing, key=lambda item: item[0]):
        target = remap(values)
        if target in in_matrix and target not in taken:
            taken[target] = variant_id
        else:
            orphans.append((variant_id, options_trim(values)))
    before = (
        {remap(combo) for combo in variant_matrix(old_options)}
        if old_options or existing
        else set()
    )
    rows = []
    for combo in matrix:
        if combo in taken:
            rows.append(PlanRow(combo, taken[combo], "existing"))
        elif combo in before:
            rows.append(PlanRow(combo, None, "missing"))
        else:
            rows.append(PlanRow(combo, None, "new"))
    rows.extend(PlanRow(values, variant_id, "orphan") for variant_id, values in orphans)
    return rows
