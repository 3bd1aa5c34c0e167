"""Settings are read from the environment; each case loads them in a fresh interpreter."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "db_name": str(s.DATABASES["default"]["NAME"]),
    "broker": s.CELERY_BROKER_URL,
    "result_backend": s.CELERY_RESULT_BACKEND,
    "cache": s.CACHES["default"]["BACKEND"],
    "secret_key": s.SECRET_KEY,
    "debug": s.DEBUG,
    "time_zone": s.TIME_ZONE,
    "language": s.LANGUAGE_CODE,
    "languages": [code for code, _ in s.LANGUAGES],
    "currency": s.SHOP_CURRENCY,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "acks_late": s.CELERY_TASK_ACKS_LATE,
    "prefetch": s.CELERY_WORKER_PREFETCH_MULTIPLIER,
    "serializer": s.CELERY_TASK_SERIALIZER,
    "time_limit": s.CELERY_TASK_TIME_LIMIT,
    "beat": sorted(s.CELERY_BEAT_SCHEDULE),
}))
"""

PASSED_THROUGH = ("PATH", "HOME", "LANG", "SYSTEMROOT")


def load(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH}
    clean.update(
        DJANGO_SETTINGS_MODULE="crm.settings",
        VAR_DIR=str(tmp_path / "var"),
        CRM_ENV_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(tmp_path: Path, **env: str) -> dict:
    result = load(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_need_nothing_but_python(tmp_path):
    s = settings_of(tmp_path, DEBUG="true")
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["db_name"] == str(tmp_path / "var" / "crm.sqlite3")
    assert s["broker"] == "filesystem://"
    assert s["result_backend"] == f"file://{tmp_path / 'var' / 'celery-results'}"
    assert s["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert s["time_zone"] == "Asia/Ho_Chi_Minh"
    assert s["language"] == "vi"
    assert s["languages"] == ["vi", "th", "en"]
    assert s["currency"] == "VND"
    assert s["allowed_hosts"] == ["127.0.0.1", "localhost"]
    assert s["ssl_redirect"] is False
    assert (s["acks_late"], s["prefetch"], s["serializer"]) == (True, 1, "json")
    assert s["time_limit"] == 600
    assert "crm-beat-tick" in s["beat"]


def test_development_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = settings_of(tmp_path, DEBUG="true")["secret_key"]
    second = settings_of(tmp_path, DEBUG="true")["secret_key"]
    key_file = tmp_path / "var" / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_requires_a_secret_key(tmp_path):
    result = load(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_settings_from_the_environment(tmp_path):
    s = settings_of(
        tmp_path,
        DEBUG="false",
        SECRET_KEY="k" * 60,
        DATABASE_URL="postgres://shop:pw@db.internal:5432/crm",
        REDIS_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="crm.example.vn,www.crm.example.vn",
        TIME_ZONE="Asia/Bangkok",
        LANGUAGE_CODE="th",
        SHOP_CURRENCY="thb",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["db_name"] == "crm"
    assert s["broker"] == s["result_backend"] == "redis://cache.internal:6379/0"
    assert s["cache"] == "common.cache.ResilientRedisCache"
    assert s["secret_key"] == "k" * 60
    assert s["debug"] is False
    assert s["allowed_hosts"] == ["crm.example.vn", "www.crm.example.vn"]
    assert (s["time_zone"], s["language"], s["currency"]) == ("Asia/Bangkok", "th", "THB")
    assert s["ssl_redirect"] is True


def test_unknown_currency_and_language_are_refused(tmp_path):
    bad_currency = load(tmp_path, DEBUG="true", SHOP_CURRENCY="USD")
    assert bad_currency.returncode != 0
    assert "SHOP_CURRENCY must be VND or THB" in bad_currency.stderr
    bad_language = load(tmp_path, DEBUG="true", LANGUAGE_CODE="fr")
    assert bad_language.returncode != 0
    assert "LANGUAGE_CODE must be one of vi, th, en" in bad_language.stderr


def test_env_example_documents_every_setting_read():
    """Every variable the settings read appears in .env.example (and so in the README)."""
    import re

    source = (ROOT / "crm" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\("([A-Z_]+)"', source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert read - documented == set()
    assert {name for name in read if f"`{name}`" not in readme} == set()
