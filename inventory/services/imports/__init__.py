"""Catalogue import and export as CSV or Excel: one row per variant.

parse: the uploaded file and its cells; plan: the dry run; apply: the changes in one
transaction; export: the catalogue as a file.

Import runs in two steps. `catalogue_import_plan` validates every row and works out what would
change without writing anything (the dry run); `catalogue_import_apply` plans again inside one
transaction, refuses if anything is wrong, and applies everything or nothing. Variants are matched
by SKU (case-insensitive); stock columns ("stock:HCM01") give the on-hand quantity wanted, and
the difference is written to the ledger as a manual adjustment.

Blank cells: a blank number, flag or stock cell keeps the current value (new rows get the
default); a blank text cell (barcode, category, brand, supplier, description) clears it. A column
missing from the file leaves that field alone. Unknown categories and brands are created; an
unknown supplier is an error (suppliers carry more than a name).
"""
