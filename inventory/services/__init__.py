"""Every write with a business rule in the inventory app; see the modules for each area."""
