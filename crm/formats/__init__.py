"""Date and time formats of the staff UI, one set per language (FORMAT_MODULE_PATH).

A shop in Viet Nam or Thailand writes day/month/year whatever the UI language, so vi, th and
en share one set (crm/formats/shared.py): 07/12/2026 and 07/12/2026 00:48 on every page, PDF
and message; dd/mm/yyyy typed into every date field (ISO 2026-12-07 is accepted too, for
links already out there). Settings missing here fall back to Django's own locale files
(month names, number separators).
"""
