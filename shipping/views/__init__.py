"""The shipping pages: carrier accounts, the order's Shipping panel, the shipments list,
labels, and the carriers' webhooks."""
