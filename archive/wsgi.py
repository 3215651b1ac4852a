"""WSGI entry point for gunicorn: the application, its search engine, and this process's background
index applier.

gunicorn loads this module in each worker before the worker takes requests, so the engine is opened
and warmed here (archive.search.engine): no search waits for it. Saves, deletes and annotations
record their index changes in the database; each serving process applies them in a background
thread, so an editor never waits for the index (archive.search.indexing).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

from django.template.loader import get_template  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from archive.search.indexing import open_search_engine, start_background_applier  # noqa: E402


def warm_up() -> None:
    """What the first requests would pay otherwise: every view imported (the charts import
    matplotlib), the search page's template compiled, and the search engine opened and warmed."""
    get_resolver().url_patterns  # noqa: B018 (the URLconf is imported when first read)
    get_template("archive/search.html")
    open_search_engine()


warm_up()
start_background_applier()
