"""Pages of the marketplace sync (all need channels_sync.manage_marketplaces) and the public
webhook endpoint: marketplaces (apps, shops, connect, run now, pause), shop (settings, runs
with live progress, listings), payloads (quarantine, re-apply, oversold), webhooks."""
