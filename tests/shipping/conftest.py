from tests.shipping.conftest_actions import *  # noqa: F403
from tests.shipping.conftest_ghn import *  # noqa: F403
from tests.shipping.conftest_ship import *  # noqa: F403
from tests.shipping.conftest_viettel_post import *  # noqa: F403
