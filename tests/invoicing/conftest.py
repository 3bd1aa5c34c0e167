from tests.invoicing.conftest_app import *  # noqa: F403
from tests.invoicing.conftest_misa import *  # noqa: F403
from tests.invoicing.conftest_sinvoice import *  # noqa: F403
from tests.invoicing.drivers import *  # noqa: F403
