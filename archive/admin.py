"""The editors' admin: annotate articles, correct their metadata, review sources and rejected inputs."""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Annotation, Article, Rejection, Source, Tag

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
    list_filter = (AnnotationStatusFilter, "annotations__tags", "source", "date_origin")
    list_select_related = ("source",)
    date_hierarchy = "published_on"
    search_fields = ("title",)
    autocomplete_fields = ("source",)
    inlines = (AnnotationInline,)
    readonly_fields = (
        "url",
        "body",
        "date_origin",
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


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domain", "country", "needs_review", "article_count")
    list_filter = ("needs_review", "country", "language")
    search_fields = ("name", "aliases", "domain")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_articles=Count("articles"))

    @admin.display(description=_("articles"), ordering="num_articles")
    def article_count(self, obj):
        return obj.num_articles


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
