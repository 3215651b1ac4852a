"""WSGI entry point for gunicorn: the application, and this process's background index applier.

Saves, deletes and annotations record their index changes in the database; each serving process
applies them in a background thread, so an editor never waits for the index (archive.search.indexing).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

from archive.search.indexing import start_background_applier  # noqa: E402 (needs the app loaded)

start_background_applier()
