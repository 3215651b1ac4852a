"""manage.py detect_agencies: credits read again in stored articles, and the index follows."""

from io import StringIO

from django.core.management import call_command

from archive.models import Article, IndexChange
from archive.search.service import SearchRequest, run_search

from .web.conftest import make_article, source  # noqa: F401  (the fixture)

BODY = "قال مسؤولون إن المحادثات بين الجانبين ستستأنف الأسبوع المقبل في العاصمة بعد توقف دام شهرين."


def agency_facet() -> dict[str, int]:
    facets = run_search(SearchRequest(q="المحادثات")).facets
    return {entry["value"]: entry["count"] for entry in facets["agency"]}


def test_stored_articles_get_their_agency_and_are_reindexed(source):  # noqa: F811
    credited = make_article(source, "خبر أول", f"{BODY}\n{BODY}", author="لندن - رويترز")
    closing = make_article(source, "خبر ثان", f"{BODY}\n{BODY} (أ ف ب)", author="أحمد علي")
    mention = make_article(source, "خبر ثالث", f"قالت مصادر لرويترز {BODY}\n{BODY}", author="سالم سعيد")
    edited = make_article(source, "خبر رابع", f"{BODY}\n{BODY}", agency="Reuters")
    kept = make_article(source, "خبر خامس", f"{BODY}\n{BODY}", agency="نقلا عن الجزيرة")
    assert "رويترز" not in agency_facet()

    out = StringIO()
    call_command("detect_agencies", stdout=out)

    rows = {a.pk: (a.agency, a.author, a.dateline) for a in Article.objects.all()}
    assert rows[credited.pk] == ("رويترز", "", "لندن")
    assert rows[closing.pk] == ("فرانس برس", "أحمد علي", "")
    assert rows[mention.pk] == ("", "سالم سعيد", "")
    assert rows[edited.pk] == ("رويترز", "", "")  # an agency of the table, by its canonical name
    assert rows[kept.pk] == ("نقلا عن الجزيرة", "", "")  # nothing detected: what an editor set stays
    assert "changed: 3" in out.getvalue() and "index: up to date" in out.getvalue()
    assert not IndexChange.objects.exists()
    facet = agency_facet()
    assert (facet["رويترز"], facet["فرانس برس"], facet["نقلا عن الجزيرة"]) == (2, 1, 1)


def test_a_dry_run_changes_nothing(source):  # noqa: F811
    make_article(source, "خبر", f"{BODY}\n{BODY}", author="القاهرة - د ب أ")
    pending = IndexChange.objects.count()
    out = StringIO()
    call_command("detect_agencies", "--dry-run", stdout=out)
    assert "would change: 1" in out.getvalue()
    assert Article.objects.get().agency == ""
    assert IndexChange.objects.count() == pending
