"""manage.py check_index [--repair] — report (and fix) differences between the database and the index."""

from django.core.management.base import BaseCommand

from archive.search import indexing


class Command(BaseCommand):
    help = "Compare the search index with the database: missing, outdated and stale documents."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Index what is missing or outdated, remove what no longer exists.",
        )

    def handle(self, repair, **options):
        difference = indexing.compare()
        self.stdout.write(f"missing from the index: {len(difference.missing)}")
        self.stdout.write(f"outdated in the index: {len(difference.outdated)}")
        self.stdout.write(f"in the index but not in the database: {len(difference.stale)}")
        if difference.clean:
            self.stdout.write("The index matches the database.")
            return
        if not repair:
            self.stdout.write("Run with --repair to fix.")
            raise SystemExit(1)
        indexing.repair(difference)
        after = indexing.compare()
        self.stdout.write("Repaired." if after.clean else "Some differences remain after repair.")
        if not after.clean:
            raise SystemExit(1)
