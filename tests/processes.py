"""manage.py commands run as the processes they are in production, for crash and concurrency tests."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def manage(data_dir: Path, *args, env: dict | None = None, **options) -> subprocess.Popen:
    """A manage.py command in a process of its own on the archive in data_dir, its output captured;
    `env` adds to the test's environment (a DATABASE_URL), `options` go to Popen."""
    environment = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **(env or {})}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), *map(str, args)],
        cwd=REPO,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )
