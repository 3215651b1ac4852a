"""Fixtures shared by the test modules: a throwaway search index, and the seed archive loaded into it."""

import io
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "fixtures" / "seeds"
SHARED = REPO.parent / "shared"


DATABASE_MARKERS = {"sqlite": "django.db.backends.sqlite3", "postgres": "django.db.backends.postgresql"}


def pytest_runtest_setup(item):
    """A test marked sqlite or postgres runs only on that database (CI runs the suite on both)."""
    wanted = [DATABASE_MARKERS[m.name] for m in item.iter_markers() if m.name in DATABASE_MARKERS]
    if wanted and item.config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if engine not in wanted:
            pytest.skip(f"needs {' or '.join(wanted)}, the database is {engine}")


def reset_haystack():
    """Forget the backends haystack opened, in every thread (the live server's too)."""
    from haystack import connections

    connections.thread_local = threading.local()


@pytest.fixture(autouse=True)
def search_index(request, tmp_path_factory):
    """Every test gets its own empty Whoosh index in a temporary folder (pure tests need no Django)."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield None
        return
    from haystack import connections

    settings = request.getfixturevalue("settings")
    path = tmp_path_factory.mktemp("index") / "whoosh_index"  # apart from the files a test ingests
    settings.HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "archive.search.backend.ArabicWhooshEngine",
            "PATH": str(path),
            "INCLUDE_SPELLING": True,
        }
    }
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    # Tests serve static files from the source folders, without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    reset_haystack()
    yield path
    reset_haystack()


@pytest.fixture
def seed_archive(db):
    """The demo archive: the sample sources and the five seed pages, ingested and indexed."""
    from django.core.management import call_command

    call_command("loadsamples", stdout=io.StringIO())


@pytest.fixture
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared data sits beside the checkout in CI")
    return SHARED
