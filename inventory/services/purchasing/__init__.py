"""Purchase orders, goods receipts and drafting orders from reorder suggestions.

  amounts   line and order amounts (the money rule)
  orders    the purchase order and its status pipeline: draft, edit, confirm, cancel, close
  receipts  goods receipts, into stock, with the moving-average cost
  drafts    drafts made for a need: reorder suggestions and sales-order shortages

The names callers use are re-exported here: `from inventory.services.purchasing import ...`.
"""

from inventory.services.purchasing.amounts import (
    MAX_AMOUNT,
    MAX_VAT_RATE,
    LineAmounts,
    PurchaseTotals,
    purchase_line_amounts,
    purchase_totals,
)
from inventory.services.purchasing.drafts import (
    purchase_drafts_shrink,
    reorder_create_drafts,
    variant_set_preferred_supplier,
)
from inventory.services.purchasing.orders import (
    PO_ACTIONS,
    PurchaseLineInput,
    PurchaseOrderInput,
    purchase_order_actions,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_confirm,
    purchase_order_create,
    purchase_order_update,
)
from inventory.services.purchasing.receipts import (
    OverReceipt,
    ReceiptLineInput,
    goods_receipt_post,
    moving_average_cost,
)

__all__ = [
    "MAX_AMOUNT",
    "MAX_VAT_RATE",
    "PO_ACTIONS",
    "LineAmounts",
    "OverReceipt",
    "PurchaseLineInput",
    "PurchaseOrderInput",
    "PurchaseTotals",
    "ReceiptLineInput",
    "goods_receipt_post",
    "moving_average_cost",
    "purchase_drafts_shrink",
    "purchase_line_amounts",
    "purchase_order_actions",
    "purchase_order_cancel",
    "purchase_order_close",
    "purchase_order_confirm",
    "purchase_order_create",
    "purchase_order_update",
    "purchase_totals",
    "reorder_create_drafts",
    "variant_set_preferred_supplier",
]
