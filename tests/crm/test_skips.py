"""What may be skipped: tests/conftest.py skips a test whose requirement is missing, fails the
run instead under CRM_NO_SKIPS=1, and lets only the postgres and Redis tests skip on a run
declared on `make run`'s defaults (CRM_EMBEDDED_RUN=1: SQLite, no Redis). Each case runs pytest
on a small test file with a copy of the conftest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = """
import pytest

@pytest.mark.needs("pdftotext")
def test_reads_a_pdf():
    pass

@pytest.mark.needs("redis")
def test_talks_to_redis():
    pass

@pytest.mark.postgres(why="real concurrent transactions")
def test_races():
    pass

def test_plain():
    pass
"""


def run_pytest(tmp_path: Path, **env: str) -> tuple[int, str]:
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "bin").mkdir(exist_ok=True)  # a PATH without pdftotext
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CRM_NO_SKIPS", "CRM_EMBEDDED_RUN"}
    }
    environ.update(PATH=str(tmp_path / "bin"), VAR_DIR=str(tmp_path / "var"), **env)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs"),
            *("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)),
            str(tmp_path / "test_sample.py"),
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_missing_requirements_are_skipped_with_the_reason(tmp_path):
    code, output = run_pytest(tmp_path)
    assert code == 0, output
    assert "1 passed, 3 skipped" in output
    assert "pdftotext is missing (apt-get install -y poppler-utils)" in output
    assert "needs REDIS_URL (a real Redis)" in output
    assert "needs PostgreSQL (real concurrent transactions)" in output


def test_a_declared_embedded_run_skips_only_the_postgres_and_redis_tests(tmp_path):
    code, output = run_pytest(tmp_path, CRM_NO_SKIPS="1", CRM_EMBEDDED_RUN="1")
    # pdftotext is missing: that is not what the declaration allows.
    assert code == pytest.ExitCode.USAGE_ERROR, output
    assert "test_reads_a_pdf cannot run: pdftotext is missing" in output

    (tmp_path / "bin" / "pdftotext").symlink_to("/bin/true")
    code, output = run_pytest(tmp_path, CRM_NO_SKIPS="1", CRM_EMBEDDED_RUN="1")
    assert code == 0, output
    assert "2 passed, 2 skipped" in output
    assert "needs REDIS_URL (a real Redis)" in output
    assert "needs PostgreSQL (real concurrent transactions)" in output


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x", "the database is postgresql"),
        ("REDIS_URL", "redis://127.0.0.1:9/0", "REDIS_URL is redis://127.0.0.1:9/0"),
    ],
)
def test_a_declared_embedded_run_refuses_postgres_and_redis(tmp_path, variable, value, message):
    code, output = run_pytest(tmp_path, CRM_EMBEDDED_RUN="1", **{variable: value})
    assert code == pytest.ExitCode.USAGE_ERROR, output
    assert "CRM_EMBEDDED_RUN=1 but " in output
    assert message in output
