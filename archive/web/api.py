"""The JSON API: the same search as the pages, and one article with its public annotations.

Its shape is a contract with outside tools, so it is built in one place (SearchPage.as_json) and
changed only by adding keys.
"""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archive.models import Article, Source
from archive.search.service import run_search

from .forms import SearchForm
from .views import get_article


def json_response(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return json_response(form.errors_json(), status=400)
    return json_response(run_search(form.search_request()).as_json())


@require_GET
def article(request, pk):
    try:
        article = get_article(pk)
    except Http404:
        return json_response(
            {"errors": {"id": [{"message": _("لا توجد مقالة بهذا الرقم."), "code": "not_found"}]}}, status=404
        )
    return json_response(article_json(article, request))


def source_json(source: Source | None) -> dict | None:
    """An outlet as the API names it; null when unknown or not yet reviewed."""
    return {"name": source.name, "slug": source.slug} if source else None


def article_json(article: Article, request) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "paragraphs": article.paragraphs,
        "source": source_json(article.public_source),
        "published": article.published.isoformat() if article.published else None,
        "date_precision": article.date_precision or None,
        "date_origin": article.date_origin or None,
        "dateline": article.dateline,
        "author": article.author,
        "section": article.section,
        "agency": article.agency,
        "url": article.url or None,
        "permalink": request.build_absolute_uri(article.get_absolute_url()),
        "original_sha256": article.original_sha256,
        "story_group": article.story_group_id,
        "copies": [
            {
                "id": copy.pk,
                "title": copy.title,
                "source": source_json(copy.public_source),
                "published": copy.published.isoformat() if copy.published else None,
            }
            for copy in article.other_copies()
        ],
        "annotations": [
            {
                "kind": note.kind,
                "status": note.status,
                "text": note.text,
                "quote": note.quote,
                "tags": [tag.name for tag in note.tags.all()],
                "created": note.created_at.isoformat(),
                "updated": note.updated_at.isoformat(),
            }
            for note in article.public_annotations()
        ],
    }
