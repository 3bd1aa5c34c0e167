"""The docker compose deployment is secure by default: HTTPS settings stay on, secrets are required,
and the app is reachable only through the TLS proxy in front."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
APP_SERVICES = ("web", "worker", "worker-marketplace", "beat")
SECRETS = ("SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS")
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
)


def environment(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in COMPOSE["services"][service]["environment"].items()}


def test_the_app_runs_with_debug_off_and_the_https_settings_left_on():
    for service in APP_SERVICES:
        env = environment(service)
        assert env["DEBUG"] == "false", service
        # Not set at all: with DEBUG off the app turns every one of them on.
        assert [name for name in HTTPS_SETTINGS if name in env] == [], service
    assert re.search(r"(?i)(SECURE|COOKIE)[A-Z_]*:\s*\S*false", COMPOSE_TEXT) is None


def test_secrets_are_required_and_never_defaulted():
    references = re.findall(r"\$\{([A-Z_]+)([^}]*)\}", COMPOSE_TEXT)
    for name, modifier in references:
        if name in SECRETS:
            assert modifier.startswith(":?"), f"${{{name}{modifier}}} must be required"
    assert {name for name, _modifier in references} >= set(SECRETS)
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in COMPOSE_TEXT
    assert environment("db")["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    for service in APP_SERVICES:
        env = environment(service)
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), service
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"], service


def test_the_web_port_is_published_on_the_loopback_only_for_the_tls_proxy():
    assert COMPOSE["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
    env = environment("web")
    # The proxy says which requests came over HTTPS and who the client is (login throttle).
    assert env["BEHIND_HTTPS_PROXY"] == "${BEHIND_HTTPS_PROXY:-true}"
    assert env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    for service, spec in COMPOSE["services"].items():
        if service != "web":
            assert "ports" not in spec, service


def test_env_example_names_every_required_secret_and_keeps_debug_off():
    example = (ROOT / ".env.example").read_text()
    for name in SECRETS:
        assert re.search(rf"^# {name}=", example, re.MULTILINE), name
    assert re.search(r"^DEBUG=true", example, re.MULTILINE) is None
