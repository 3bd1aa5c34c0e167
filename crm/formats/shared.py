"""The one date/time format of the staff UI (see crm/formats/__init__.py)."""

DATE_FORMAT = "d/m/Y"  # 07/12/2026
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"  # 00:48 (24 h)
DATETIME_FORMAT = "d/m/Y H:i"  # 07/12/2026 00:48
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "d/m"  # 07/12 (calendar week headers)

# What a date field reads; the first is how a date is written back into a field.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 07/12/2026
    "%d/%m/%y",  # 07/12/26
    "%d-%m-%Y",  # 07-12-2026
    "%d.%m.%Y",  # 07.12.2026
    "%Y-%m-%d",  # 2026-12-07 (ISO: links and query strings)
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]
