"""Who may see what the shop pays for its goods.

Cost price, profit and margin, and everything valued at cost (purchase prices, goods receipt
values, stock count variance values, the cost columns of reports and exports), are shown only
to users holding `inventory.view_costs` (owner, manager and accountant by default, see
crm/roles.py). Selectors and exports take `with_costs` and leave those figures out at the
source; views decide it with `can_see_costs(request.user)`.
"""

from __future__ import annotations

from typing import Any

VIEW_COSTS = "inventory.view_costs"


def can_see_costs(user: Any) -> bool:
    """True if the user may see cost prices, profit, margins and values at cost."""
    return bool(user.is_active and user.has_perm(VIEW_COSTS))
