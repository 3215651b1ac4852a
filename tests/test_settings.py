"""Production mode passes Django's deployment checklist and refuses to start without its secrets; malformed
values are refused by name; the data folder is private; every page sends the Content-Security-Policy."""

import json
import os
import secrets
import stat
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.settings import FALSE_WORDS, TRUE_WORDS, env_flag, env_int

from .conftest import REPO
from .web.conftest import make_article

PRODUCTION = {"ARCHIVE_ENV": "production", "ALLOWED_HOSTS": "archive.example.org"}


def manage(*args, umask=None, **env):
    return run([sys.executable, "manage.py", *args], umask=umask, **env)


def run(command, umask=None, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "ARCHIVE_ENV", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        command,
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        umask=-1 if umask is None else umask,
    )


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_production_mode_passes_check_deploy_with_no_warnings(tmp_path):
    done = manage(
        "check",
        "--deploy",
        ARCHIVE_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(60),
        **PRODUCTION,
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_production_mode_requires_a_secret_key(tmp_path):
    done = manage("check", ARCHIVE_ENV="production", ARCHIVE_DATA_DIR=str(tmp_path))
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_local_mode_keeps_a_generated_key_in_the_data_folder(tmp_path):
    assert manage("check", ARCHIVE_DATA_DIR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert mode(tmp_path / "secret_key") == 0o600
    assert not list(tmp_path.glob(".secret_key.*"))  # the private draft it was linked from is gone
    assert manage("check", ARCHIVE_DATA_DIR=str(tmp_path)).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


# The data folder: password hashes, sessions and the secret key are readable by their owner only.

OPEN_DATABASE = textwrap.dedent(
    """
    import json, os, django
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    User.objects.create_user("someone", password="a-long-password-here")
    data = settings.DATA_DIR
    print(json.dumps({p: oct(os.stat(data / p).st_mode & 0o777) for p in sorted(os.listdir(data))}))
    """
)


@pytest.mark.sqlite
def test_a_fresh_data_folder_is_private_whatever_the_umask(tmp_path):
    data = tmp_path / "data"
    done = manage("migrate", "--noinput", umask=0, ARCHIVE_DATA_DIR=str(data))
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    assert mode(data / "archive.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    # While a connection is open, SQLite's -wal and -shm files hold pages of the database: private too.
    done = run(
        [sys.executable, "-c", OPEN_DATABASE],
        umask=0,
        ARCHIVE_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="archive.settings",
    )
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"archive.sqlite3", "archive.sqlite3-wal", "archive.sqlite3-shm", "secret_key"} <= set(modes)
    assert set(modes.values()) == {"0o600"}


@pytest.mark.sqlite
def test_an_older_world_readable_data_folder_is_narrowed(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("archive.sqlite3", "archive.sqlite3-wal", "secret_key"):
        (data / name).write_bytes(b"" if name != "secret_key" else secrets.token_urlsafe(50).encode())
        (data / name).chmod(0o644)
    assert manage("check", ARCHIVE_DATA_DIR=str(data)).returncode == 0
    assert mode(data) == 0o700
    assert {name: mode(data / name) for name in ("archive.sqlite3", "archive.sqlite3-wal", "secret_key")} == {
        "archive.sqlite3": 0o600,
        "archive.sqlite3-wal": 0o600,
        "secret_key": 0o600,
    }


# Malformed values stop the start, naming the variable.


@pytest.mark.parametrize(
    ("name", "value", "mode_env"),
    [
        ("DEBUG", "maybe", {}),
        ("CONN_MAX_AGE", "forever", {}),
        ("INDEX_WRITER_MB", "1GB", {}),
        ("ARCHIVE_PROXY_COUNT", "two", {}),
        ("ARCHIVE_ENV", "prod", {}),
        ("SECURE_HSTS_SECONDS", "a year", {**PRODUCTION, "SECRET_KEY": "k" * 60}),
        ("SECURE_SSL_REDIRECT", "sometimes", {**PRODUCTION, "SECRET_KEY": "k" * 60}),
    ],
)
def test_a_malformed_value_is_refused_by_name(tmp_path, name, value, mode_env):
    done = manage("check", ARCHIVE_DATA_DIR=str(tmp_path), **{**mode_env, name: value})
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {name}={value!r}" in done.stderr


def test_a_bulk_loads_writers_follow_their_settings(tmp_path):
    done = manage(
        "shell",
        "-c",
        "from archive.search.indexing import backend as b; print(b().writer_procs, b().writer_limit_mb)",
        ARCHIVE_DATA_DIR=str(tmp_path),
        INDEX_WRITER_PROCS="1",
        INDEX_WRITER_MB="256",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["1", "256"]


KNOWN_WORDS = TRUE_WORDS + FALSE_WORDS


@hypothesis_settings(max_examples=50, deadline=None)
@given(st.sampled_from(KNOWN_WORDS), st.sampled_from([str.lower, str.upper, str.title]), st.booleans())
def test_env_flag_reads_the_known_words_in_any_case(word, case, padded):
    value = f" {case(word)} " if padded else case(word)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_TEST_FLAG", value)
        assert env_flag("ARCHIVE_TEST_FLAG", default=word in FALSE_WORDS) is (word in TRUE_WORDS)


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.text(max_size=12).filter(lambda v: "\x00" not in v and v.strip().lower() not in KNOWN_WORDS))
def test_env_flag_refuses_any_other_value(value):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_TEST_FLAG", value)
        with pytest.raises(ImproperlyConfigured, match="ARCHIVE_TEST_FLAG"):
            env_flag("ARCHIVE_TEST_FLAG", default=False)


def test_env_flag_and_env_int_keep_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("ARCHIVE_TEST_VALUE", raising=False)
    assert env_flag("ARCHIVE_TEST_VALUE", True) is True
    assert env_int("ARCHIVE_TEST_VALUE", 60) == 60


@pytest.mark.parametrize(("value", "number"), [("0", 0), ("60", 60), (" 31536000 ", 31536000)])
def test_env_int_reads_whole_numbers(monkeypatch, value, number):
    monkeypatch.setenv("ARCHIVE_TEST_NUMBER", value)
    assert env_int("ARCHIVE_TEST_NUMBER", 1) == number


@pytest.mark.parametrize("value", ["", "sixty", "1.5", "60s", "-1", "1e3"])
def test_env_int_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("ARCHIVE_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="ARCHIVE_TEST_NUMBER"):
        env_int("ARCHIVE_TEST_NUMBER", 1)


# Content-Security-Policy on every HTML page; the original as received keeps its own, stricter one.

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy_of(response) -> dict[str, set[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: set(sources) for name, *sources in directives}


@pytest.fixture
def article(db):
    from archive.models import Source

    source = Source.objects.create(name="مصدر الاختبار", slug="test-source", domain="test.example")
    return make_article(source, "سوريا اليوم", "نص عن سوريا", published_on=date(2015, 9, 10))


def test_every_html_page_sends_the_content_security_policy(client, admin_client, article):
    pages = {
        client: [
            reverse("search"),
            reverse("search") + "?q=سوريا",
            reverse("article_detail", args=[article.pk]),
            reverse("source_list"),
            reverse("source_detail", args=[article.source.slug]),
            reverse("date_index"),
            reverse("date_month", kwargs={"year": "2015", "month": "09"}),
            reverse("admin:login"),
            "/no-such-page/",
        ],
        admin_client: [
            reverse("admin:index"),
            reverse("admin:archive_article_changelist"),
            reverse("admin:archive_article_change", args=[article.pk]),
        ],
    }
    for http, urls in pages.items():
        for url in urls:
            response = http.get(url)
            assert response["Content-Type"].startswith("text/html"), url
            assert policy_of(response) == POLICY, url


@pytest.mark.parametrize("name", ["article_original", "article_original_download"])
def test_the_original_keeps_its_own_sandbox_policy(client, article, name):
    response = client.get(reverse(name, args=[article.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_malformed_limit_stops_start_up_with_its_name(tmp_path):
    done = manage("check", ARCHIVE_DATA_DIR=str(tmp_path), ARCHIVE_MAX_BODY_CHARS="lots")
    assert done.returncode != 0
    assert "ARCHIVE_MAX_BODY_CHARS='lots' is not a whole number" in done.stderr


@pytest.mark.parametrize("value", ["1_000", "٥", "+5", "0x10"])
def test_env_int_takes_plain_ascii_digits_only(monkeypatch, value):
    monkeypatch.setenv("ARCHIVE_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="is not a whole number"):
        env_int("ARCHIVE_TEST_NUMBER", 1)


def test_a_failed_csrf_check_gets_the_sites_own_page_without_inline_style(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "CSRF" in page and "<style" not in page and "style=" not in page
