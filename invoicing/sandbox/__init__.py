"""Local servers speaking the e-invoice providers' documented protocols (tests, offline demo)."""
