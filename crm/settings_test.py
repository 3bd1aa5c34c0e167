"""Test settings: the normal settings, read from the same environment, with test speed-ups.

DATABASE_URL and REDIS_URL are honoured when set (CI points them at the local PostgreSQL and
Redis); otherwise the embedded defaults (SQLite file, filesystem broker) are used.
"""

import os
import tempfile
import uuid

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("VAR_DIR", os.path.join(tempfile.gettempdir(), "crm-test-var"))
os.environ.setdefault("CRM_ENV_FILE", os.devnull)
# Assertions read English; tests of the other languages ask for them explicitly.
os.environ.setdefault("LANGUAGE_CODE", "en")

from crm.settings import *  # noqa: F403
from crm.settings import CACHES, STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test session gets its own cache namespace, so parallel runs on one Redis do not mix.
CACHES["default"]["KEY_PREFIX"] = f"crm-test-{uuid.uuid4().hex[:8]}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
