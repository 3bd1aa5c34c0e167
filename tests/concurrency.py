"""Start callables at the same moment in real threads (each with its own database connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from django.db import connections

Label = str | Callable[[BaseException], str]


def run_concurrently(
    targets: Sequence[Callable[[], object]], expected: Mapping[type[BaseException], Label]
) -> list[str]:
    """Outcomes in target order: "ok", the label of an expected exception, or "error: ..."."""
    barrier = threading.Barrier(len(targets))
    outcomes = [""] * len(targets)

    def worker(index: int, target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            target()
            outcomes[index] = "ok"
        except tuple(expected) as error:
            label = next(v for k, v in expected.items() if isinstance(error, k))
            outcomes[index] = label(error) if callable(label) else label
        except Exception as error:  # anything else is a bug: report it
            outcomes[index] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
