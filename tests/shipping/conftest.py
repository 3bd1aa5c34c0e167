from tests.shipping.conftest_ship import *  # noqa: F403
