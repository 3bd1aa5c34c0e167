"""The sandboxes' fixtures of the shipping and invoicing tests, for the demo's tests
(test_demo_carriers.py)."""

from tests.invoicing.conftest_misa import misa_sandbox
from tests.invoicing.conftest_sinvoice import sinvoice_sandbox
from tests.shipping.conftest_ghn import ghn_sandbox
from tests.shipping.conftest_viettel_post import vtp_sandbox

__all__ = ["ghn_sandbox", "misa_sandbox", "sinvoice_sandbox", "vtp_sandbox"]
