from tests.invoicing.conftest_misa import *  # noqa: F403
