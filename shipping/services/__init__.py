"""Every write with a business rule in the shipping app, one module per job:

- accounts:   carrier accounts (save, connect, webhook secret) and the master data refresh;
- addresses:  our place names -> the carrier's codes (folded-name matching, staff fixes);
- parcels:    what a parcel is made of (defaults from the order, the request sent);
- shipments:  quote, create with the idempotency guard, submit again, cancel, labels;
- actions:    a failed delivery decided (redeliver, change the address, return), a parcel changed
              while the carrier allows it;
- returned:   a returned parcel received back through the orders app's return (good items
              restocked, damaged written off, COD not collected);
- labels:     many label documents as one PDF;
- callbacks:  webhooks stored raw, verified, applied idempotently and never backwards;
- carriers:   the adapter of an account.
Functions are keyword-only and typed; orders change only through orders' own services.
"""
