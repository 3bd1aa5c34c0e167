"""Formats of the vi UI: the shared day/month/year set."""

from crm.formats.shared import *  # noqa: F403
