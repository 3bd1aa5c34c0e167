import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
application = get_wsgi_application()
# Import every view now (the URLconf pulls in WeasyPrint, openpyxl, the adapters...) rather than
# on a worker's first request: a marketplace push must be answered within its budget (Shopee 3 s,
# Lazada 0.5 s) even by a freshly started worker.
get_resolver().url_patterns  # noqa: B018
