"""Production mode passes Django's deployment checklist, and refuses to start without its secrets."""

import os
import secrets
import subprocess
import sys

from .conftest import REPO


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=environment, capture_output=True, text=True
    )


def test_production_mode_passes_check_deploy_with_no_warnings(tmp_path):
    done = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ARCHIVE_ENV="production",
        ARCHIVE_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="archive.example.org",
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_production_mode_requires_a_secret_key(tmp_path):
    done = manage("check", ARCHIVE_ENV="production", ARCHIVE_DATA_DIR=str(tmp_path))
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_local_mode_keeps_a_generated_key_in_the_data_folder(tmp_path):
    assert manage("check", ARCHIVE_DATA_DIR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_env_int_reads_a_number_and_refuses_a_malformed_or_too_small_one(monkeypatch):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from archive.settings import env_int

    monkeypatch.delenv("ARCHIVE_TEST_LIMIT", raising=False)
    assert env_int("ARCHIVE_TEST_LIMIT", 7, minimum=1) == 7
    monkeypatch.setenv("ARCHIVE_TEST_LIMIT", " 2048 ")
    assert env_int("ARCHIVE_TEST_LIMIT", 7, minimum=1) == 2048
    for value, message in (("20MB", "whole number"), ("", "whole number"), ("0", "at least 1")):
        monkeypatch.setenv("ARCHIVE_TEST_LIMIT", value)
        with pytest.raises(ImproperlyConfigured, match=f"ARCHIVE_TEST_LIMIT must be .*{message}"):
            env_int("ARCHIVE_TEST_LIMIT", 7, minimum=1)


def test_a_malformed_limit_stops_start_up_with_its_name(tmp_path):
    done = manage("check", ARCHIVE_DATA_DIR=str(tmp_path), ARCHIVE_MAX_BODY_CHARS="lots")
    assert done.returncode != 0
    assert "ARCHIVE_MAX_BODY_CHARS must be a whole number" in done.stderr
