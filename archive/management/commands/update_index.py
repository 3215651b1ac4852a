"""manage.py update_index — index every article in batches, with a progress bar, and drop stale entries.

Replaces haystack's command of the same name (archive is listed before haystack), which prints no
progress; haystack's rebuild_index calls this one after clearing the index.
"""

import sys
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from archive.models import Article
from archive.search import indexing


class Command(BaseCommand):
    help = "Index all articles (or those ingested in the last --age hours); --remove drops stale ones."

    def add_arguments(self, parser):
        parser.add_argument("--age", type=int, help="Only articles ingested in the last AGE hours.")
        parser.add_argument(
            "--remove", action="store_true", help="Also remove documents of deleted articles."
        )
        parser.add_argument("-b", "--batch-size", dest="batchsize", type=int, default=indexing.BATCH_SIZE)
        # Accepted for compatibility with haystack's rebuild_index, which passes them along.
        parser.add_argument("-t", "--max-retries", dest="max_retries", type=int, default=0)
        parser.add_argument("-u", "--using", action="append", default=[])
        parser.add_argument("-k", "--workers", type=int, default=0)
        parser.add_argument("--commit", dest="commit", action="store_true", default=True)
        parser.add_argument("-s", "--start", dest="start_date")
        parser.add_argument("-e", "--end", dest="end_date")
        parser.add_argument("app_label", nargs="*")

    def handle(self, age, remove, batchsize, **options):
        articles = Article.objects.order_by("pk")
        if age:
            articles = articles.filter(ingested_at__gte=timezone.now() - timedelta(hours=age))
        ids = list(articles.values_list("pk", flat=True))
        with tqdm(
            total=len(ids),
            desc="indexing",
            unit=" articles",
            file=sys.stderr,
            mininterval=0.2 if sys.stderr.isatty() else 5.0,
        ) as bar:
            with indexing.BulkIndexer() as indexer:
                for batch in indexing.chunks(ids, batchsize or indexing.BATCH_SIZE):
                    indexer.add(batch)
                    bar.update(len(batch))
        self.stdout.write(f"indexed: {len(ids)}")
        if remove:
            stale = indexing.compare().stale
            for doc_id in stale:
                indexing.backend().remove(doc_id)
            self.stdout.write(f"removed: {len(stale)}")
