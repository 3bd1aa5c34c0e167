"""Compile locale/*/LC_MESSAGES/django.po to .mo with Babel, so no gettext install is needed.

CI also runs Django's `compilemessages` (GNU msgfmt) as a check on the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def main() -> int:
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
