from tests.shipping.conftest_ghn import *  # noqa: F403
