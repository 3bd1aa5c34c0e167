from tests.invoicing.conftest_sinvoice import *  # noqa: F403
