"""DATABASE_URL is read as SQLite or PostgreSQL only; anything else stops the start, naming the variable and
never showing the password."""

import pytest

from .test_settings import manage


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "DATABASE_URL='' is not a database URL"),
        ("localhost/archive", "DATABASE_URL='localhost/archive' is not a database URL"),
        ("mysql://user:s3cret@db/archive", "DATABASE_URL='mysql://…@db/archive' is not a supported database"),
        ("postgres://user:s3cret@db", "DATABASE_URL='postgres://…@db' names no database"),
    ],
)
def test_a_malformed_database_url_is_refused_by_name(tmp_path, value, message):
    done = manage("check", ARCHIVE_DATA_DIR=str(tmp_path), DATABASE_URL=value)
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {message}" in done.stderr
    assert "s3cret" not in done.stderr


def test_a_postgres_url_is_read_into_the_database_settings(tmp_path):
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['PORT'])"
    )
    done = manage(
        "shell",
        "-c",
        code,
        ARCHIVE_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@db.internal:5433/archive",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.postgresql",
        "archive",
        "5433",
    ]
