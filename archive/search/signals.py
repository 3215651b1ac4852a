"""Keeps the search index in step with the database, except inside a bulk load that indexes in batches."""

import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

_state = threading.local()


@contextmanager
def deferred_indexing():
    """Within this block saves are not indexed one by one; the caller indexes the batch itself."""
    previous = getattr(_state, "deferred", False)
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = previous


def indexing_deferred() -> bool:
    return getattr(_state, "deferred", False)


class ArticleSignalProcessor(BaseSignalProcessor):
    """Reindexes an article when it or one of its annotations changes, once the transaction commits."""

    def setup(self):
        from archive.models import Annotation, Article

        signals.post_save.connect(self.article_saved, sender=Article)
        signals.post_delete.connect(self.article_deleted, sender=Article)
        signals.post_save.connect(self.annotation_changed, sender=Annotation)
        signals.post_delete.connect(self.annotation_changed, sender=Annotation)
        signals.m2m_changed.connect(self.annotation_changed, sender=Annotation.tags.through)

    def teardown(self):
        from archive.models import Annotation, Article

        signals.post_save.disconnect(self.article_saved, sender=Article)
        signals.post_delete.disconnect(self.article_deleted, sender=Article)
        signals.post_save.disconnect(self.annotation_changed, sender=Annotation)
        signals.post_delete.disconnect(self.annotation_changed, sender=Annotation)
        signals.m2m_changed.disconnect(self.annotation_changed, sender=Annotation.tags.through)

    def article_saved(self, sender, instance, **kwargs):
        if not indexing_deferred():
            transaction.on_commit(lambda: self.handle_save(sender, instance))

    def article_deleted(self, sender, instance, **kwargs):
        transaction.on_commit(lambda: self.handle_delete(sender, instance))

    def annotation_changed(self, sender, instance, **kwargs):
        from archive.models import Annotation, Article

        if isinstance(instance, Annotation):
            article_id = instance.article_id
            transaction.on_commit(lambda: self._reindex_article(Article, article_id))

    def _reindex_article(self, model, article_id):
        article = model.objects.filter(pk=article_id).first()
        if article is not None:
            self.handle_save(model, article)
