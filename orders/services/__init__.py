"""Every write with a business rule in the orders app.

- amounts:   order money (line totals, order discount allocation, VAT, totals), pure functions;
- customers: customers, phones, addresses, duplicates merge, lifetime totals;
- orders:    create, edit, the status transitions (confirm, ship, complete, cancel), payments,
             notes;
- returns:   returns, refunds and exchanges.
Functions are keyword-only and typed, run in one transaction each, change stock only through
inventory.services.stock, write an OrderEvent for every change of an order, and send their
signals after commit.
"""
