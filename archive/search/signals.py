"""Records every change the search index must follow, in the transaction that makes it, then applies it.

A save, a delete or an annotation writes an IndexChange row beside the change itself, so a crash can
lose neither. Once the transaction commits the change is applied at once if the index is free; if
another process holds the index's lock (an ingest), the row waits for that process or for the
server's background applier (archive.search.indexing), and the editor never waits.
"""

import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

_state = threading.local()


@contextmanager
def deferred_indexing():
    """Within this block changes are still recorded, but the caller applies them itself (a bulk load)."""
    previous = getattr(_state, "deferred", False)
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = previous


def indexing_deferred() -> bool:
    return getattr(_state, "deferred", False)


class ArticleSignalProcessor(BaseSignalProcessor):
    """Records a change of an article, of its annotations or of its source's name for the index."""

    def wiring(self):
        """Each signal, the handler it calls and the model that sends it."""
        from archive.models import Annotation, Article, Source, Tag

        return [
            (signals.post_save, self.article_changed, Article),
            (signals.post_delete, self.article_changed, Article),
            (signals.pre_save, self.annotation_moving, Annotation),
            (signals.post_save, self.annotation_changed, Annotation),
            (signals.post_delete, self.annotation_changed, Annotation),
            (signals.m2m_changed, self.annotation_changed, Annotation.tags.through),
            (signals.pre_save, self.source_saving, Source),
            (signals.post_save, self.source_saved, Source),
            (signals.post_save, self.tag_changed, Tag),
            (signals.pre_delete, self.tag_changed, Tag),
        ]

    def setup(self):
        for signal, handler, sender in self.wiring():
            signal.connect(handler, sender=sender)

    def teardown(self):
        for signal, handler, sender in self.wiring():
            signal.disconnect(handler, sender=sender)

    def article_changed(self, sender, instance, **kwargs):
        self.record([instance.pk])

    def annotation_changed(self, sender, instance, **kwargs):
        from archive.models import Annotation

        if isinstance(instance, Annotation):
            self.record([instance.article_id])

    def annotation_moving(self, sender, instance, **kwargs):
        """An annotation moved to another article leaves its tags and status on the first one's
        document: that article is recorded too."""
        from archive.models import Annotation

        if instance.pk:
            before = Annotation.objects.filter(pk=instance.pk).values_list("article_id", flat=True).first()
            if before is not None and before != instance.article_id:
                self.record([before], apply=False)  # applied with the save's own change, after it

    def tag_changed(self, sender, instance, **kwargs):
        """A tag renamed or deleted (its links go by cascade, which sends no m2m signal)."""
        from archive.models import Annotation

        if instance.pk:
            self.record(Annotation.objects.filter(tags=instance).values_list("article_id", flat=True))

    def source_saving(self, sender, instance, **kwargs):
        """Remembers the name the index holds, to tell whether the save renames the outlet."""
        from archive.models import Source

        names = Source.objects.filter(pk=instance.pk).values_list("name", "slug")
        instance._indexed_names = names.first() if instance.pk else None

    def source_saved(self, sender, instance, created, **kwargs):
        old = getattr(instance, "_indexed_names", None)
        if old is not None and old != (instance.name, instance.slug):
            self.record(instance.articles.values_list("pk", flat=True))

    def record(self, article_ids, apply: bool = True) -> None:
        from archive.models import IndexChange

        from .indexing import apply_pending_now

        article_ids = list(article_ids)
        if not article_ids:
            return
        IndexChange.record(article_ids)
        if apply and not indexing_deferred():
            transaction.on_commit(apply_pending_now)
