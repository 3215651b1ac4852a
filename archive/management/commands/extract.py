"""manage.py extract FILE — print the cleaned article(s) as JSON, without touching the database."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archive.ingest.extract import extract
from archive.ingest.items import Rejection
from archive.ingest.readers import read_paths
from archive.models import Source
from archive.text.article import NotAnArticle


class Command(BaseCommand):
    help = "Print the cleaned article of FILE as JSON (one object per line for WARC and JSON Lines)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--manifest", type=Path)

    def handle(self, file, manifest, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file or directory")
        known = known_source_names()
        failed = False
        for item in read_paths([file], manifest=manifest):
            if isinstance(item, Rejection):
                self.stderr.write(f"{item.origin}: {item.reason}")
                failed = True
                continue
            try:
                article = extract(item, known_sources=known)
            except NotAnArticle as error:
                self.stderr.write(f"{item.origin}: {error}")
                failed = True
                continue
            self.stdout.write(json.dumps(article.as_json(), ensure_ascii=False))
        if failed:
            raise SystemExit(1)


def known_source_names() -> list[str]:
    """Outlet names and aliases from the database, when there is one; extraction works without."""
    try:
        return [name for source in Source.objects.all() for name in source.names()]
    except DatabaseError:
        return []
