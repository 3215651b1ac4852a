"""An Atom feed of a search, newest first, so a journalist can follow a query in a feed reader."""

import re
from datetime import date, datetime, time

from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from archive.search.service import run_search

from .forms import SearchForm
from .state import search_params

FEED_ITEMS = 50
# What XML 1.0 cannot hold: C0 controls but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return NOT_XML.sub("", text)


class XMLSafeGenerator(SimplerXMLGenerator):
    """Drops what XML 1.0 cannot hold from every text and attribute, instead of failing on it."""

    def characters(self, content):
        super().characters(xml_safe(content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: xml_safe(value) for key, value in (attrs or {}).items()})


class XMLSafeAtomFeed(Atom1Feed):
    """An Atom feed that a stored title or a query holding a control character cannot break."""

    def write(self, outfile, encoding):
        handler = XMLSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class SearchFeed(Feed):
    feed_type = XMLSafeAtomFeed

    def __call__(self, request, *args, **kwargs):
        form = SearchForm(request.GET)
        if not form.is_valid():
            return JsonResponse(form.errors_json(), status=400)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        # Validated again here rather than kept on self: one Feed instance serves every request.
        form = SearchForm(request.GET)
        form.full_clean()
        page = run_search(
            form.search_request(sort="newest", page=1),
            per_page=FEED_ITEMS,
            with_facets=False,
            with_suggestion=False,
        )
        return {"q": form.cleaned_data["q"].strip(), "page": page, "params": search_params(request.GET)}

    def title(self, obj):
        archive = _("أرشيف تغطية النزاعات")
        return f"{archive}: {obj['q']}" if obj["q"] else archive

    def subtitle(self, obj):
        return _("أحدث المقالات المطابقة للبحث")

    def link(self, obj):
        query = obj["params"].urlencode()
        return reverse("search") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        query = obj["params"].urlencode()
        return reverse("search_feed") + (f"?{query}" if query else "")

    def items(self, obj):
        return obj["page"].hits

    def item_title(self, hit):
        return hit.title

    def item_description(self, hit):
        return hit.snippet  # already escaped, matches in <mark>

    def item_link(self, hit):
        return reverse("article_detail", args=[hit.id])

    def item_author_name(self, hit):
        return hit.source_name or _("مصدر غير معروف")

    def item_pubdate(self, hit):
        return published_datetime(hit.published)

    def item_updateddate(self, hit):
        return published_datetime(hit.published)


def published_datetime(iso: str):
    """Atom needs a moment: a day-precision date is taken as its midnight in the site's time zone."""
    if not iso:
        return None
    if "T" in iso:
        moment = datetime.fromisoformat(iso)
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return timezone.make_aware(datetime.combine(date.fromisoformat(iso), time()))
