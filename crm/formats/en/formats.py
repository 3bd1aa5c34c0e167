"""Formats of the en UI: the shared day/month/year set."""

from crm.formats.shared import *  # noqa: F403
