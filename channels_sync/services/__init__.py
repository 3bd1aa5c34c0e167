"""Marketplace sync services, one module per job:

accounts   apps and shops: connect (authorisation redirect and callback), tokens refreshed
           under a per-account lock, "reconnect needed", the adapter for an account
pull       orders in by update time (cursor + overlap) and the nightly audit of every id
webhooks   push messages: verify, store raw, process in a worker
apply      a stored order payload -> our order (idempotent, status by status_map, stock
           reserved or flagged oversold, quarantine with a reason, re-apply)
listings   the shop's items and models, matched to our variants by seller SKU
stock      available quantities out to the platforms (coalesced, push rules, batches)
runs       SyncRun bookkeeping shared by all of the above
"""
