"""Local servers speaking the carriers' documented protocols (tests and the offline demo)."""
