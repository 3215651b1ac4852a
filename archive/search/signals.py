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

    def wiring(self):
        """Each signal, the handler it calls and the model that sends it."""
        from archive.models import Annotation, Article

        return [
            (signals.post_save, self.article_saved, Article),
            (signals.post_delete, self.article_deleted, Article),
            (signals.post_save, self.annotation_changed, Annotation),
            (signals.post_delete, self.annotation_changed, Annotation),
            (signals.m2m_changed, self.annotation_changed, Annotation.tags.through),
        ]

    def setup(self):
        for signal, handler, sender in self.wiring():
            signal.connect(handler, sender=sender)

    def teardown(self):
        for signal, handler, sender in self.wiring():
            signal.disconnect(handler, sender=sender)

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
