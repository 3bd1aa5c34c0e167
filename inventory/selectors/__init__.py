"""Reads shaped for the inventory pages and reports, one module per area."""
