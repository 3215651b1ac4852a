"""The WSGI module gunicorn loads in each worker: a worker is warm before its first request."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import sys
import archive.wsgi
from django.urls.resolvers import get_resolver
from archive.search.indexing import backend
engine = backend().engine
print("engine open:", engine._view is not None)
print("views imported:", "archive.web.charts" in sys.modules and bool(get_resolver().url_patterns))
"""


def test_loading_the_wsgi_module_opens_the_engine_and_imports_the_views(tmp_path):
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "archive.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "engine open: True" in done.stdout
    assert "views imported: True" in done.stdout
