"""The review queue: articles with no source or date and the values seen for them, accepted in a click;
sources ingestion created, confirmed or merged into a known outlet; who may do what."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from archive.models import Article, IndexChange, Source
from archive.search import indexing
from archive.search.service import SearchRequest, run_search

from .web.conftest import make_article

pytestmark = pytest.mark.django_db

QUEUE = "/admin/archive/article/?missing=either"
SOURCES_QUEUE = "/admin/archive/source/?needs_review__exact=1"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def viewer(db):
    """Staff who may look at articles and sources but change nothing."""
    user = User.objects.create_user("viewer", password="a-long-viewer-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_article", "view_source"]))
    return user


@pytest.fixture
def known(db):
    return Source.objects.create(name="سيريانيوز", slug="syria-news", domain="syria-news.com")


@pytest.fixture
def orphan(db):
    """An article ingestion could not attribute or date, with what the cleaners saw."""
    return make_article(
        None,
        "قصف على أطراف حلب",
        "قالت مصادر محلية إن القصف استهدف أطراف حلب الشرقية صباح اليوم.",
        candidates=[
            {"field": "source", "value": "سيريانيوز", "origin": "text", "evidence": "سيريانيوز - خاص"},
            {
                "field": "published",
                "value": "2016-02-03",
                "origin": "text",
                "evidence": "الأربعاء 3 شباط 2016",
            },
            {"field": "title", "value": "عنوان آخر", "origin": "html", "evidence": "<title>"},
        ],
    )


def test_the_queue_lists_articles_missing_a_source_or_a_date_with_their_candidates(
    client, editor, known, orphan
):
    dated = make_article(known, "خبر مؤرخ", "نص الخبر المؤرخ.", date(2016, 1, 1))
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    assert orphan.title in page and dated.title not in page
    assert "سيريانيوز - خاص" in page and "2016-02-03" in page
    accept = reverse("admin:archive_article_accept", args=[orphan.pk])
    assert page.count(f'formaction="{accept}"') == 2  # the source and the date; the title is not missing


def test_accepting_a_source_candidate_files_the_article_under_it_and_reindexes(
    client, editor, known, orphan, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    assert run_search(SearchRequest(sources=["unknown"])).count == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:archive_article_accept", args=[orphan.pk]), {"candidate": "0"}, HTTP_REFERER=QUEUE
        )
    assert response.status_code == 302 and response["Location"] == QUEUE
    orphan.refresh_from_db()
    assert orphan.source == known and orphan.source_origin == "editor"
    assert not IndexChange.objects.exists()
    assert run_search(SearchRequest(sources=["syria-news"])).count == 1
    assert run_search(SearchRequest(sources=["unknown"])).count == 0


def test_accepting_a_date_candidate_sets_the_day_as_the_editors(client, editor, orphan):
    client.force_login(editor)
    client.post(reverse("admin:archive_article_accept", args=[orphan.pk]), {"candidate": "1"})
    orphan.refresh_from_db()
    assert orphan.published_on == date(2016, 2, 3)
    assert (orphan.date_origin, orphan.date_precision) == ("editor", "day")
    assert IndexChange.objects.filter(article_id=orphan.pk).exists()  # recorded in the save's transaction


def test_an_unseen_or_missing_candidate_changes_nothing(client, editor, orphan):
    client.force_login(editor)
    for candidate in ("7", "x", ""):
        client.post(reverse("admin:archive_article_accept", args=[orphan.pk]), {"candidate": candidate})
    orphan.refresh_from_db()
    assert orphan.source is None and orphan.published_on is None
    assert client.get(reverse("admin:archive_article_accept", args=[orphan.pk])).status_code == 405


def test_a_source_candidate_nobody_knows_becomes_a_source_the_editor_vouches_for(orphan):
    orphan.candidates = [{"field": "source", "value": "العربية", "origin": "text", "evidence": ""}]
    orphan.accept_candidate("source", "العربية")
    source = Source.objects.get(name="العربية")  # from the outlet table, not flagged
    assert orphan.source == source and not source.needs_review and source.domain == "alarabiya.net"
    assert source.country == "الإمارات"


def test_a_source_nobody_knows_is_added_only_by_a_role_that_may_add_sources(client, editor, orphan):
    orphan.candidates = [{"field": "source", "value": "نشرة حي الميدان", "origin": "text", "evidence": ""}]
    orphan.save()
    url = reverse("admin:archive_article_accept", args=[orphan.pk])
    client.force_login(editor)
    page = client.post(url, {"candidate": "0"}, follow=True).content.decode()
    assert "an administrator can add it" in page
    orphan.refresh_from_db()
    assert orphan.source is None and not Source.objects.filter(name="نشرة حي الميدان").exists()
    admin = User.objects.create_superuser("root", password="a-long-admin-password")
    client.force_login(admin)
    client.post(url, {"candidate": "0"})
    orphan.refresh_from_db()
    assert orphan.source.name == "نشرة حي الميدان" and not orphan.source.needs_review


def test_accepting_a_flagged_source_confirms_it(orphan):
    flagged = Source.objects.create(name="سيريا نيوز الجديد", domain="syrianews.example", needs_review=True)
    orphan.candidates = [{"field": "source", "value": "سيريا نيوز الجديد", "origin": "html", "evidence": ""}]
    orphan.accept_candidate("source", "سيريا نيوز الجديد")
    flagged.refresh_from_db()
    assert orphan.source == flagged and not flagged.needs_review


def test_an_accept_address_that_names_no_article_is_a_404(client, editor, orphan):
    client.force_login(editor)
    for object_id in ("abc", "999999"):
        response = client.post(f"/admin/archive/article/{object_id}/accept/", {"candidate": "0"})
        assert response.status_code == 404, object_id
    client.post(reverse("admin:archive_article_accept", args=[orphan.pk]), {"candidate": "-1"})
    orphan.refresh_from_db()
    assert orphan.source is None


def test_the_migration_records_the_articles_of_flagged_sources_for_the_index():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("archive.migrations.0006_source_evidence")
    flagged = Source.objects.create(name="تعليقات", domain="comments.example", needs_review=True)
    table = Source.objects.create(name="alarabia", domain="alarabiya.net", needs_review=True)
    under_review = make_article(flagged, "خبر", "نص الخبر الأول هنا.")
    trusted = make_article(table, "خبر آخر", "نص الخبر الثاني هنا.")
    IndexChange.objects.all().delete()
    migration.trust_table_outlets(apps, None)
    table.refresh_from_db()
    assert not table.needs_review
    assert set(IndexChange.objects.values_list("article_id", flat=True)) == {under_review.pk}
    assert trusted.pk != under_review.pk


def test_merging_a_flagged_source_moves_its_articles_keeps_its_name_and_reindexes(
    client, editor, known, django_capture_on_commit_callbacks
):
    guess = Source.objects.create(name="سيريا نيوز الجديد", domain="syrianews.example", needs_review=True)
    moved = make_article(guess, "خبر عن ريف دمشق", "تقدمت القوات في ريف دمشق الغربي صباح اليوم.")
    assert run_search(SearchRequest(q="ريف دمشق")).hits[0].source_slug == "unknown"
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SOURCES_QUEUE,
            {"action": "merge_sources", "_selected_action": [guess.pk], "target": known.pk},
        )
    assert response.status_code == 302
    moved.refresh_from_db()
    known.refresh_from_db()
    assert moved.source == known
    assert {"سيريا نيوز الجديد", "syrianews.example"} <= set(known.aliases)
    assert not Source.objects.filter(pk=guess.pk).exists()
    assert not IndexChange.objects.exists()
    hit = run_search(SearchRequest(q="ريف دمشق", sources=["syria-news"])).hits[0]
    assert hit.id == moved.pk and hit.source_name == "سيريانيوز"


def test_the_merge_action_first_asks_for_the_target(client, editor, known):
    guess = Source.objects.create(name="تعليقات", needs_review=True)
    client.force_login(editor)
    page = client.post(SOURCES_QUEUE, {"action": "merge_sources", "_selected_action": [guess.pk]})
    assert page.status_code == 200
    assert "تعليقات" in page.content.decode() and 'name="target"' in page.content.decode()
    assert Source.objects.filter(pk=guess.pk).exists()


def test_the_source_queue_counts_articles_and_confirming_makes_a_source_public(
    client, editor, django_capture_on_commit_callbacks
):
    guess = Source.objects.create(name="منفذ جديد", slug="new-outlet", needs_review=True)
    make_article(guess, "خبر أول", "نص الخبر الأول عن المعبر الحدودي.")
    client.force_login(editor)
    page = client.get(SOURCES_QUEUE).content.decode()
    assert "منفذ جديد" in page and 'class="field-article_count">1<' in page
    assert client.get("/sources/new-outlet/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SOURCES_QUEUE, {"action": "confirm_sources", "_selected_action": [guess.pk]})
    guess.refresh_from_db()
    assert not guess.needs_review
    assert client.get("/sources/new-outlet/").status_code == 200
    assert run_search(SearchRequest(sources=["new-outlet"])).count == 1


def test_an_editor_never_deletes_an_article(client, editor, orphan):
    client.force_login(editor)
    assert client.get(reverse("admin:archive_article_delete", args=[orphan.pk])).status_code == 403
    client.post(QUEUE, {"action": "delete_selected", "_selected_action": [orphan.pk], "post": "yes"})
    assert Article.objects.filter(pk=orphan.pk).exists()


def test_staff_without_change_permissions_can_neither_merge_nor_accept(client, viewer, known, orphan):
    guess = Source.objects.create(name="تعليقات", needs_review=True)
    make_article(guess, "خبر", "نص خبر قصير عن الطقس.")
    client.force_login(viewer)
    assert "merge_sources" not in client.get(SOURCES_QUEUE).content.decode()
    client.post(
        SOURCES_QUEUE, {"action": "merge_sources", "_selected_action": [guess.pk], "target": known.pk}
    )
    assert Source.objects.filter(pk=guess.pk).exists() and guess.articles.count() == 1
    page = client.get(QUEUE).content.decode()
    assert orphan.title in page and "accept-candidate" not in page
    response = client.post(reverse("admin:archive_article_accept", args=[orphan.pk]), {"candidate": "0"})
    assert response.status_code == 403
    orphan.refresh_from_db()
    assert orphan.source is None


def test_the_change_page_says_where_the_metadata_came_from(admin_client, known):
    article = make_article(
        known,
        "عنوان",
        "نص.",
        date(2016, 1, 1),
        title_origin="html",
        source_origin="url",
        candidates=[{"field": "title", "value": "عنوان بديل", "origin": "text", "evidence": "السطر الأول"}],
    )
    page = admin_client.get(reverse("admin:archive_article_change", args=[article.pk])).content.decode()
    assert "Where the metadata came from" in page
    assert "title: HTML metadata" in page and "عنوان بديل" in page and "السطر الأول" in page
    assert "accept-candidate" not in page  # read-only here


def test_an_editors_source_change_is_marked_as_the_editors(client, editor, known, orphan):
    client.force_login(editor)
    form = {
        "title": orphan.title,
        "source": known.pk,
        "published_on": "",
        "published_at_0": "",
        "published_at_1": "",
        "date_precision": "",
        "dateline": "",
        "author": "",
        "section": "",
        "agency": "",
        "annotations-TOTAL_FORMS": "0",
        "annotations-INITIAL_FORMS": "0",
        "annotations-MIN_NUM_FORMS": "0",
        "annotations-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:archive_article_change", args=[orphan.pk]), form)
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert orphan.source == known and orphan.source_origin == "editor"


def test_merging_a_source_into_itself_is_refused(known):
    with pytest.raises(ValueError):
        known.merge_into(known)


def test_no_source_takes_the_unknown_slug(db):
    assert Source.objects.create(name="unknown").slug != "unknown"
    assert Source.objects.create(name="x", slug="unknown").slug != "unknown"


def test_index_changes_wait_for_the_writer_when_the_merge_is_not_applied(known):
    guess = Source.objects.create(name="منفذ", needs_review=True)
    article = make_article(guess, "خبر", "نص خبر عن الحدود.")
    guess.merge_into(known)
    assert IndexChange.objects.filter(article_id=article.pk).exists()
    indexing.apply_pending(wait=False)
    assert run_search(SearchRequest(sources=[known.slug])).count == 1
