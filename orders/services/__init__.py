"""Every write with a business rule in the orders app.

- amounts:   order money (line totals, order discount allocation, VAT, totals), pure functions;
- customers: customers, phones, addresses, lifetime totals;
- customer_merge: merging duplicate customers;
- orders:    a package, one module per job: create, edit (and notes), transitions (confirm,
             ship, complete, cancel), payments; core and lines hold what they share;
- returns:   returns, refunds and exchanges.
Functions are keyword-only and typed, run in one transaction each, change stock only through
inventory.services.stock, write an OrderEvent for every change of an order, and send their
signals after commit.
"""
