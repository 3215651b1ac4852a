"""manage.py detect_agencies [--dry-run] — read wire credits again in stored articles and reindex them.

Articles ingested before agencies were read (or with an older table) get their agency from their stored
author and body; an author field that was only a credit ("لندن - رويترز") moves to the agency and the
dateline. Changes are recorded in the index outbox in the transaction that stores them, then applied.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models import Article, IndexChange
from archive.search import indexing
from archive.search.signals import deferred_indexing
from archive.search.writers import LockError
from archive.text.metadata import wire_credit

FIELDS = ("agency", "author", "dateline")


def redetected(article: Article) -> bool:
    """Sets the article's agency, author and dateline from its credits; whether any of them changed.

    An agency already stored is kept when no credit is found (an editor may have set it)."""
    credit = wire_credit(article.author, article.dateline, article.body.splitlines(), article.agency)
    values = (credit.agency or article.agency, credit.author, credit.dateline)
    before = tuple(getattr(article, name) for name in FIELDS)
    for name, value, limit in zip(FIELDS, values, (100, 200, 200), strict=True):
        setattr(article, name, value[:limit])
    return tuple(getattr(article, name) for name in FIELDS) != before


class Command(BaseCommand):
    help = "Detect wire agencies again in stored articles (author field, body's opening and close)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; store nothing.")
        parser.add_argument("-b", "--batch-size", type=int, default=indexing.BATCH_SIZE)

    def handle(self, dry_run, batch_size, **options):
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        changed = 0
        with deferred_indexing():
            for batch in indexing.chunks(ids, batch_size):
                articles = Article.objects.filter(pk__in=batch).only("pk", "body", *FIELDS)
                updated = [article for article in articles if redetected(article)]
                changed += len(updated)
                if updated and not dry_run:
                    with transaction.atomic():
                        Article.objects.bulk_update(updated, FIELDS)
                        IndexChange.record(article.pk for article in updated)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"articles: {len(ids)}, {verb}: {changed}")
        agencies = Counter(Article.objects.exclude(agency="").values_list("agency", flat=True))
        if not dry_run:
            for name, count in agencies.most_common():
                self.stdout.write(f"  {name}: {count}")
            self.reindex()

    def reindex(self):
        try:
            with indexing.bulk_load():
                indexing.apply_pending(wait=True)
        except LockError as error:
            self.stdout.write(f"the index is locked ({error}); the changes stay recorded for its next writer")
        pending = indexing.pending_changes()
        self.stdout.write("index: up to date" if not pending else f"index: {pending} changes waiting")
