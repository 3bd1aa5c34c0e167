"""The published demo login, shared by `loaddemo` and `make run` (no Django imports here)."""

DEMO_PASSWORD = "demo-shop-2026"  # printed for local demo data only
DEMO_ROLES = ("owner", "manager", "sales", "warehouse", "accountant")
