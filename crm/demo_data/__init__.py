"""The demo shop that `manage.py loaddemo` loads, one module per part, each through the services
(stock, ledger and history follow) and each skipped when its part is there already:
  staff      the five demo accounts and three warehouses;
  catalogue  categories, brands, products with variants and opening stock; suppliers and
             purchase orders (one half received);
  sales      customers and orders in every status over the last ten days;
  contacts   follow-ups in the four marker states and contact requests.
"""
