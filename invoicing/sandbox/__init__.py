"""Local servers that speak each e-invoice provider's documented protocol (tests and the
offline demo). They import nothing of Django; a sandbox may use the pure tax-code check digits
of common.taxcodes."""
