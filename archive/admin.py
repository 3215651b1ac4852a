"""The editors' admin: annotate articles, correct their metadata, review sources and rejected inputs.

The review queue is two filtered lists: articles missing a source or a date, each with the values the
cleaners saw and a button to accept one (?missing=either), and the sources ingestion created, to
confirm or merge into a known outlet (?needs_review__exact=1).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Annotation, Article, Rejection, Source, Tag, record_index_changes

ORIGINAL_PREVIEW_CHARS = 20_000
# What an editor may correct on an article; the body and the original stay as received.
EDITOR_ARTICLE_FIELDS = (
    "title",
    "source",
    "published_on",
    "published_at",
    "date_precision",
    "dateline",
    "author",
    "section",
    "agency",
)


class AnnotationStatusFilter(admin.SimpleListFilter):
    title = _("annotation")
    parameter_name = "annotated"

    def lookups(self, request, model_admin):
        return [("no", _("not annotated")), *Annotation.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(annotations__isnull=True)
        if self.value() in Annotation.Status.values:
            return queryset.filter(annotations__status=self.value()).distinct()
        return queryset


class MissingFilter(admin.SimpleListFilter):
    """The review queue: articles ingestion could not attribute or date with enough evidence."""

    title = _("review queue")
    parameter_name = "missing"
    conditions = {
        "either": Q(source=None) | Q(published_on=None),
        "source": Q(source=None),
        "date": Q(published_on=None),
    }

    def lookups(self, request, model_admin):
        return [("either", _("no source or no date")), ("source", _("no source")), ("date", _("no date"))]

    def queryset(self, request, queryset):
        condition = self.conditions.get(self.value())
        return queryset.filter(condition) if condition else queryset


CANDIDATE_ORIGINS = {**dict(Article.Origin.choices), **dict(Article.DateOrigin.choices)}
# The fields each queue shows candidates for: a missing field's, or all of them.
QUEUE_FIELDS = {"either": ("source", "published"), "source": ("source",), "date": ("published",)}
EVIDENCE_CHARS = 160


def candidate_buttons(article: Article, fields, may_accept: bool):
    """The values seen for these fields, each with where it was read and, for an editor who may change
    the article, a button that accepts it. The buttons submit the changelist's own form (which carries
    the CSRF token) to the accept view, since forms cannot nest."""
    rows = []
    url = reverse("admin:archive_article_accept", args=[article.pk])
    for index, candidate in enumerate(article.candidates):
        if not isinstance(candidate, dict) or candidate.get("field") not in fields:
            continue
        button = (
            format_html(
                '<button type="submit" class="button accept-candidate" formaction="{}" name="candidate"'
                ' value="{}">{}</button>',
                url,
                index,
                _("accept"),
            )
            if may_accept
            else ""
        )
        rows.append(
            (
                candidate.get("field", ""),
                candidate.get("value", ""),
                CANDIDATE_ORIGINS.get(candidate.get("origin", ""), candidate.get("origin", "")),
                str(candidate.get("evidence", ""))[:EVIDENCE_CHARS],
                button,
            )
        )
    if not rows:
        return "—"
    return format_html(
        '<ul class="candidates">{}</ul>',
        format_html_join(
            "",
            '<li><span class="muted">{}:</span> <bdi>{}</bdi> <span class="muted">({})</span>'
            ' <q dir="auto">{}</q> {}</li>',
            rows,
        ),
    )


class AnnotationInline(admin.StackedInline):
    model = Annotation
    extra = 0
    fields = ("kind", "status", "text", "quote", "tags", "is_public", "editor", "created_at", "updated_at")
    readonly_fields = ("editor", "created_at", "updated_at")
    filter_horizontal = ("tags",)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("archive.delete_annotation")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "published_on", "agency", "annotation_count")
    list_filter = (MissingFilter, AnnotationStatusFilter, "annotations__tags", "source", "date_origin")
    list_select_related = ("source",)
    date_hierarchy = "published_on"
    search_fields = ("title",)
    autocomplete_fields = ("source",)
    inlines = (AnnotationInline,)
    readonly_fields = (
        "url",
        "body",
        "date_origin",
        "provenance",
        "language",
        "story_group",
        "ingested_at",
        "original_name",
        "original_content_type",
        "original_encoding",
        "original_sha256",
        "original_text",
    )
    fieldsets = (
        (None, {"fields": ("title", "source", "url", "body")}),
        (_("Date"), {"fields": ("published_on", "published_at", "date_precision", "date_origin")}),
        (_("Where the metadata came from"), {"fields": ("provenance",)}),
        (_("Byline"), {"fields": ("dateline", "author", "section", "agency", "language", "story_group")}),
        (
            _("Original as received"),
            {
                "classes": ("collapse",),
                "fields": (
                    "original_name",
                    "original_content_type",
                    "original_encoding",
                    "original_sha256",
                    "ingested_at",
                    "original_text",
                ),
            },
        ),
    )

    class Media:
        # The Content-Security-Policy allows no style attributes, so the original's box is styled here.
        css = {"all": ["archive/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_annotations=Count("annotations"))

    @admin.display(description=_("annotations"), ordering="num_annotations")
    def annotation_count(self, obj):
        return obj.num_annotations

    def get_list_display(self, request):
        fields = QUEUE_FIELDS.get(request.GET.get(MissingFilter.parameter_name, ""))
        if not fields:
            return self.list_display

        @admin.display(description=_("candidates seen"))
        def candidates(obj):
            return candidate_buttons(obj, fields, self.has_change_permission(request, obj))

        return (*self.list_display, candidates)

    @admin.display(description=_("evidence"))
    def provenance(self, obj):
        """Where title, source and date came from, and every value the cleaners saw (read-only)."""
        origins = format_html_join(
            "",
            "<li>{}: {}</li>",
            [
                (_("title"), obj.get_title_origin_display() or "—"),
                (_("source"), obj.get_source_origin_display() or "—"),
                (_("date"), obj.get_date_origin_display() or "—"),
            ],
        )
        fields = ("title", "source", "published")
        return format_html("<ul>{}</ul>{}", origins, candidate_buttons(obj, fields, may_accept=False))

    def get_urls(self):
        accept = self.admin_site.admin_view(self.accept_view)
        return [path("<path:object_id>/accept/", accept, name="archive_article_accept"), *super().get_urls()]

    def accept_view(self, request, object_id):
        """Accepts one of the candidate values of an article (POST, from the review queue)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        try:
            index = int(request.POST.get("candidate", ""))
            if index < 0:
                raise IndexError(index)
            candidate = article.candidates[index]
            may_create = request.user.has_perm("archive.add_source")
            article.accept_candidate(candidate["field"], candidate["value"], may_create_source=may_create)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
        except (ValueError, IndexError, KeyError, TypeError):
            self.message_user(request, _("That candidate is no longer there."), messages.ERROR)
        else:
            self.log_change(request, article, [{"changed": {"fields": [candidate["field"]]}}])
            self.message_user(
                request,
                _("Accepted for “%(article)s”: %(value)s")
                % {"article": article, "value": candidate["value"]},
            )
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:archive_article_changelist") + "?missing=either"
        return HttpResponseRedirect(back)

    @admin.display(description=_("original"))
    def original_text(self, obj):
        text = bytes(obj.original).decode(obj.original_encoding or "utf-8", errors="replace")
        more = len(text) > ORIGINAL_PREVIEW_CHARS
        return format_html(
            '<pre dir="auto" class="original-text">{}{}</pre>',
            text[:ORIGINAL_PREVIEW_CHARS],
            "\n…" if more else "",
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if not request.user.is_superuser:
            editable = set(EDITOR_ARTICLE_FIELDS)
            fields += [
                f.name
                for f in Article._meta.fields
                if f.name not in editable and f.name not in fields and f.editable and f.name != "id"
            ]
        return fields

    def has_add_permission(self, request):
        return False  # articles come in through ingestion, which keeps the original

    def save_model(self, request, obj, form, change):
        if {"published_on", "published_at"} & set(form.changed_data):
            obj.date_origin = Article.DateOrigin.EDITOR
            obj.date_precision = (
                Article.DatePrecision.TIME
                if obj.published_at
                else (Article.DatePrecision.DAY if obj.published_on else "")
            )
            if obj.published_at and not obj.published_on:
                obj.published_on = obj.published_at.date()
        if "source" in form.changed_data:
            obj.source_origin = Article.Origin.EDITOR
        if "title" in form.changed_data:
            obj.title_origin = Article.Origin.EDITOR
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for annotation in formset.save(commit=False):
            if annotation.editor_id is None:
                annotation.editor = request.user
            annotation.save()
        for annotation in formset.deleted_objects:
            annotation.delete()
        formset.save_m2m()


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "article", "kind", "status", "is_public", "editor", "updated_at")
    list_filter = ("kind", "status", "is_public", "tags")
    search_fields = ("text", "quote", "article__title")
    autocomplete_fields = ("article",)
    filter_horizontal = ("tags",)
    readonly_fields = ("editor", "created_at", "updated_at")
    list_select_related = ("article", "editor")

    def save_model(self, request, obj, form, change):
        if obj.editor_id is None:
            obj.editor = request.user
        super().save_model(request, obj, form, change)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        Source.objects.public(), label=_("merge into"), help_text=_("A reviewed source or a known outlet.")
    )


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domain", "country", "needs_review", "article_count")
    list_filter = ("needs_review", "country", "language")
    search_fields = ("name", "aliases", "domain")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("confirm_sources", "merge_sources")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_articles=Count("articles"))

    @admin.display(description=_("articles"), ordering="num_articles")
    def article_count(self, obj):
        return obj.num_articles

    def has_merge_permission(self, request):
        """Merging moves articles and deletes the merged source: it takes changing both."""
        return self.has_change_permission(request) and request.user.has_perm("archive.change_article")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "needs_review" in form.changed_data:
            # A source shown publicly, or hidden again: its articles' documents change.
            record_index_changes(obj.articles.values_list("pk", flat=True))

    @admin.action(description=_("Confirm the selected sources (shown publicly)"), permissions=["change"])
    def confirm_sources(self, request, queryset):
        confirmed = 0
        for source in queryset.filter(needs_review=True):
            source.confirm()
            self.log_change(request, source, [{"changed": {"fields": ["needs_review"]}}])
            confirmed += 1
        self.message_user(
            request, ngettext("%d source confirmed.", "%d sources confirmed.", confirmed) % confirmed
        )

    @admin.action(description=_("Merge the selected sources into a known outlet"), permissions=["merge"])
    def merge_sources(self, request, queryset):
        """Asks for the target, then moves every article of the selected sources to it."""
        form = MergeForm(request.POST if "target" in request.POST else None)
        if form.is_valid():
            target = form.cleaned_data["target"]
            merged = [source for source in queryset if source.pk != target.pk]
            with transaction.atomic():
                moved = sum(source.merge_into(target) for source in merged)
                self.log_change(request, target, "Merged: " + ", ".join(s.name for s in merged))
            self.message_user(
                request,
                _("Merged %(sources)s into %(target)s; %(n)d articles moved.")
                % {"sources": ", ".join(s.name for s in merged), "target": target.name, "n": moved},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge sources"),
            "opts": self.model._meta,
            "sources": queryset.annotate(n=Count("articles")),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/archive/source/merge.html", context)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Rejection)
class RejectionAdmin(admin.ModelAdmin):
    list_display = ("origin", "reason", "created_at")
    search_fields = ("origin", "reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
