"""Inventory pages, one module per area."""
