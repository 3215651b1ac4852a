"""manage.py ingest PATH... — store raw pages, WARC files and JSON Lines exports as articles."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.pipeline import Pipeline, progress_bar
from archive.ingest.readers import load_manifest


class Command(BaseCommand):
    help = "Ingest files or directories (walked recursively): plain-text pages, HTML, WARC, JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--manifest", type=Path, help="CSV or JSON giving url, source, published per file."
        )
        parser.add_argument("--source", default="", help="The outlet of every input, overriding any guess.")
        parser.add_argument("--no-index", action="store_true", help="Store only; index later (update_index).")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Articles handed to the index at a time."
        )

    def handle(self, paths, manifest, source, no_index, batch_size, **options):
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or directory")
        if manifest:
            try:
                load_manifest(manifest)
            except (OSError, ValueError) as error:
                raise CommandError(f"{manifest}: {error}") from error
        pipeline = Pipeline(
            source=source,
            manifest=manifest,
            index=not no_index,
            batch_size=batch_size,
            progress=lambda items: progress_bar(items, desc="ingesting"),
        )
        summary = pipeline.run(paths)
        for line in summary.lines():
            self.stdout.write(line)
        if summary.rejected or summary.index_behind:
            raise SystemExit(1)
