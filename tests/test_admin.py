"""The editors' admin: roles, annotations inline, history, and the original shown read-only."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.urls import reverse

from archive.models import Annotation, Article, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    source = Source.objects.create(name="صوت الإمارات", slug="emiratesvoice", domain="emiratesvoice.com")
    return Article.objects.create(
        source=source,
        title="عنوان",
        body="فقرة أولى\nفقرة ثانية",
        original=b"raw <b>page</b>",
        original_content_type="text/plain",
        original_encoding="utf-8",
        original_sha256="a" * 64,
    )


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def inline_form(article, **annotation):
    data = {
        "title": article.title,
        "source": article.source_id,
        "published_on": "",
        "published_at_0": "",
        "published_at_1": "",
        "date_precision": "",
        "dateline": "",
        "author": "",
        "section": "",
        "agency": "",
        "annotations-TOTAL_FORMS": "1",
        "annotations-INITIAL_FORMS": "0",
        "annotations-MIN_NUM_FORMS": "0",
        "annotations-MAX_NUM_FORMS": "1000",
        "annotations-0-kind": "verification",
        "annotations-0-status": "disputed",
        "annotations-0-text": "الرقم غير مؤكد",
        "annotations-0-quote": "",
        "annotations-0-is_public": "on",
        "_continue": "1",
    }
    data.update(annotation)
    return data


def test_editors_group_has_the_editing_permissions_only():
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_annotation", "change_annotation", "change_article", "view_source"} <= codenames
    assert not codenames & {"delete_article", "delete_source", "add_source", "change_source"}


def test_editor_annotates_an_article_and_sees_it_in_the_history(client, editor, article):
    client.force_login(editor)
    url = reverse("admin:archive_article_change", args=[article.pk])
    response = client.post(url, inline_form(article))
    assert response.status_code == 302, response.content.decode()[:2000]
    annotation = Annotation.objects.get(article=article)
    assert annotation.editor == editor and annotation.status == "disputed"
    history = client.get(reverse("admin:archive_article_history", args=[article.pk])).content.decode()
    assert "Annotation" in history or "annotation" in history
    assert LogEntry.objects.filter(object_id=str(article.pk), user=editor).exists()


def test_editor_cannot_delete_an_article(client, editor, article):
    client.force_login(editor)
    response = client.post(reverse("admin:archive_article_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_editor_cannot_bulk_delete_articles(client, editor, article):
    client.force_login(editor)
    response = client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert Article.objects.filter(pk=article.pk).exists()
    assert response.status_code in (200, 302, 403)


def test_editor_cannot_delete_a_source(client, editor, article):
    client.force_login(editor)
    response = client.post(reverse("admin:archive_source_delete", args=[article.source_id]), {"post": "yes"})
    assert response.status_code == 403
    assert Source.objects.filter(pk=article.source_id).exists()


def test_editor_corrects_the_date_and_it_is_marked_as_the_editors(client, editor, article):
    client.force_login(editor)
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = inline_form(article, **{"annotations-TOTAL_FORMS": "0", "published_on": "2015-10-15"})
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert str(article.published_on) == "2015-10-15"
    assert article.date_origin == "editor" and article.date_precision == "day"


def test_editor_cannot_rewrite_the_body(client, editor, article):
    client.force_login(editor)
    url = reverse("admin:archive_article_change", args=[article.pk])
    client.post(url, inline_form(article, body="نص مزور", **{"annotations-TOTAL_FORMS": "0"}))
    article.refresh_from_db()
    assert article.body == "فقرة أولى\nفقرة ثانية"


def test_original_is_shown_escaped_and_read_only(admin_client, article):
    page = admin_client.get(reverse("admin:archive_article_change", args=[article.pk])).content.decode()
    assert "raw &lt;b&gt;page&lt;/b&gt;" in page
    assert 'name="original' not in page


def test_articles_are_filtered_by_annotation_status(admin_client, article):
    Annotation.objects.create(article=article, text="x", status="false")
    url = reverse("admin:archive_article_changelist")
    assert article.title in admin_client.get(url, {"annotated": "false"}).content.decode()
    assert article.title not in admin_client.get(url, {"annotated": "no"}).content.decode()
