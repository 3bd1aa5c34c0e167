from tests.shipping.conftest_viettel_post import *  # noqa: F403
