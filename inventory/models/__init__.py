"""The inventory models, one module per part of the domain:

  warehouses  the places stock is kept
  catalogue   categories, brands, products (options, images) and variants, the SKUs
  suppliers   who the shop buys from
  stock       stock levels and the ledger of movements
  purchasing  purchase orders and goods receipts
  transfers   stock sent between warehouses
  counts      stocktakes
  documents   the shop's details printed on documents, and document numbering

Everything is re-exported here, so `from inventory.models import Variant` is the way to import.
Prices are stored with 2 decimals (fields.money_field) and rounded to the shop currency's
precision by services.
"""

from inventory.models.catalogue import (
    Brand,
    Category,
    Product,
    ProductImage,
    ProductOption,
    Variant,
    VatCategory,
    vat_category_check,
)
from inventory.models.counts import StockCount, StockCountLine
from inventory.models.documents import DocumentSequence, ShopProfile
from inventory.models.fields import MONEY, money_field
from inventory.models.purchasing import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
)
from inventory.models.stock import (
    MOVEMENT_REASONS,
    MovementKind,
    StockLevel,
    StockMovement,
    available_units,
)
from inventory.models.suppliers import Supplier
from inventory.models.transfers import Transfer, TransferLine
from inventory.models.warehouses import Warehouse

__all__ = [
    "MONEY",
    "MOVEMENT_REASONS",
    "Brand",
    "Category",
    "DocumentSequence",
    "GoodsReceipt",
    "GoodsReceiptLine",
    "MovementKind",
    "Product",
    "ProductImage",
    "ProductOption",
    "PurchaseOrder",
    "PurchaseOrderEvent",
    "PurchaseOrderLine",
    "ShopProfile",
    "StockCount",
    "StockCountLine",
    "StockLevel",
    "StockMovement",
    "Supplier",
    "Transfer",
    "TransferLine",
    "Variant",
    "VatCategory",
    "Warehouse",
    "available_units",
    "money_field",
    "vat_category_check",
]
