"""The editors' admin: roles, annotations inline, history, the original shown read-only, login throttling,
and the createeditor command."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.models import Annotation, Article, Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins here hash many passwords; the real hasher's cost belongs in production, not in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    # change_source lets editors confirm and merge the sources ingestion created (0006_source_evidence).
    assert {
        "add_annotation",
        "change_annotation",
        "change_article",
        "view_source",
        "change_source",
    } <= codenames
    assert not codenames & {"delete_article", "delete_source", "add_source"}


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


def test_original_is_styled_by_a_stylesheet_not_a_style_attribute(admin_client, article):
    page = admin_client.get(reverse("admin:archive_article_change", args=[article.pk])).content.decode()
    assert 'class="original-text"' in page and "archive/admin.css" in page
    assert "style=" not in page


# Login throttling (django-axes), through the real admin login view.

EDITOR_PASSWORD = "a-long-editor-password"
LOCKED = "الحساب مغلق"  # the start of axes' lockout message, in the site's Arabic


def admin_login(client, username, password, address="198.51.100.7", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **headers,
    )


def fail_logins(client, username, times=5, address="198.51.100.7", **headers):
    return [admin_login(client, username, f"wrong-{n}", address, **headers).status_code for n in range(times)]


def test_the_right_password_logs_in(client, editor):
    response = admin_login(client, "editor", EDITOR_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_five_wrong_passwords_lock_out_even_the_right_one(client, editor):
    assert fail_logins(client, "editor") == [200, 200, 200, 200, 429]
    response = admin_login(client, "editor", EDITOR_PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_that_username_from_that_address_only(client, editor):
    other = User.objects.create_user("other", password="another-long-password", is_staff=True)
    fail_logins(client, "editor")
    assert admin_login(client, "editor", EDITOR_PASSWORD, address="203.0.113.9").status_code == 302
    client.logout()
    response = admin_login(client, "other", "another-long-password")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(other.pk)


def test_a_successful_login_forgets_earlier_failures(client, editor):
    fail_logins(client, "editor", times=4)
    assert admin_login(client, "editor", EDITOR_PASSWORD).status_code == 302
    client.logout()
    assert fail_logins(client, "editor", times=4) == [200] * 4
    assert admin_login(client, "editor", EDITOR_PASSWORD).status_code == 302


def test_axes_reset_lifts_the_lockout(client, editor):
    fail_logins(client, "editor")
    assert admin_login(client, "editor", EDITOR_PASSWORD).status_code == 429
    call_command("axes_reset", stdout=io.StringIO())
    assert admin_login(client, "editor", EDITOR_PASSWORD).status_code == 302


@pytest.fixture
def behind_one_proxy(settings):
    """The production default: one TLS-terminating proxy, which appends the client to X-Forwarded-For."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False


def test_behind_a_proxy_each_client_address_is_locked_apart(client, editor, behind_one_proxy):
    proxy = "10.0.0.2"
    fail_logins(client, "editor", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    locked = admin_login(client, "editor", EDITOR_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    other = admin_login(client, "editor", EDITOR_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert other.status_code == 302


def test_behind_a_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(client, editor, behind_one_proxy):
    proxy = "10.0.0.2"
    for n in range(5):
        admin_login(client, "editor", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
    forged = admin_login(
        client, "editor", EDITOR_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7"
    )
    assert forged.status_code == 429
    # A client that comes through a proxy of its own is still told apart by the address ours saw.
    relayed = admin_login(
        client, "editor", EDITOR_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.9"
    )
    assert relayed.status_code == 302


def test_without_a_proxy_forwarded_for_is_ignored(client, editor):
    for n in range(5):
        admin_login(client, "editor", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert (
        admin_login(client, "editor", EDITOR_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    )


# createeditor: never touches a superuser, replaces a password only when asked, needs no terminal.


def createeditor(*args, **options):
    out = io.StringIO()
    call_command("createeditor", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO())


def test_createeditor_creates_an_editor_from_a_password_in_the_environment(monkeypatch, no_terminal):
    monkeypatch.setenv("EDITOR_PASSWORD", "a-new-editor-password")
    assert "Created editor alice" in createeditor("alice", "--password-from-env", "EDITOR_PASSWORD")
    alice = User.objects.get(username="alice")
    assert alice.is_staff and not alice.is_superuser
    assert alice.check_password("a-new-editor-password")
    assert alice.groups.filter(name="Editors").exists()


def test_createeditor_keeps_the_older_password_env_spelling(monkeypatch, no_terminal):
    monkeypatch.setenv("EDITOR_PASSWORD", "a-new-editor-password")
    createeditor("alice", "--password-env", "EDITOR_PASSWORD")
    assert User.objects.get(username="alice").check_password("a-new-editor-password")


def test_createeditor_refuses_a_superuser(monkeypatch, no_terminal):
    User.objects.create_superuser("chief", "chief@example.org", "the-chiefs-own-password")
    monkeypatch.setenv("EDITOR_PASSWORD", "a-new-editor-password")
    for args in ([], ["--password-from-env", "EDITOR_PASSWORD", "--reset-password"]):
        with pytest.raises(CommandError, match="chief is a superuser"):
            createeditor("chief", *args)
    chief = User.objects.get(username="chief")
    assert chief.is_superuser and chief.check_password("the-chiefs-own-password")
    assert not chief.groups.exists()


def test_createeditor_makes_an_existing_account_an_editor_and_keeps_its_password(no_terminal):
    User.objects.create_user("bob", password="bobs-own-long-password")
    assert "password unchanged" in createeditor("bob")
    bob = User.objects.get(username="bob")
    assert bob.is_staff and bob.groups.filter(name="Editors").exists()
    assert bob.check_password("bobs-own-long-password")


def test_createeditor_will_not_replace_a_password_without_reset_password(monkeypatch, no_terminal):
    User.objects.create_user("bob", password="bobs-own-long-password")
    monkeypatch.setenv("EDITOR_PASSWORD", "a-new-editor-password")
    with pytest.raises(CommandError, match="--reset-password"):
        createeditor("bob", "--password-from-env", "EDITOR_PASSWORD")
    bob = User.objects.get(username="bob")
    assert bob.check_password("bobs-own-long-password") and not bob.is_staff


def test_createeditor_replaces_a_password_with_reset_password(monkeypatch, no_terminal):
    User.objects.create_user("bob", password="bobs-own-long-password", is_staff=True)
    monkeypatch.setenv("EDITOR_PASSWORD", "a-new-editor-password")
    out = createeditor("bob", "--password-from-env", "EDITOR_PASSWORD", "--reset-password")
    assert "password replaced" in out
    assert User.objects.get(username="bob").check_password("a-new-editor-password")


def test_createeditor_without_a_terminal_or_a_password_variable_fails_clearly(no_terminal):
    with pytest.raises(CommandError, match="--password-from-env"):
        createeditor("alice")
    assert not User.objects.filter(username="alice").exists()


def test_createeditor_with_an_unset_password_variable_fails_clearly(monkeypatch, no_terminal):
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="EDITOR_PASSWORD is empty or unset"):
        createeditor("alice", "--password-from-env", "EDITOR_PASSWORD")
    assert not User.objects.filter(username="alice").exists()


def test_createeditor_refuses_a_weak_password(monkeypatch, no_terminal):
    monkeypatch.setenv("EDITOR_PASSWORD", "12345")
    with pytest.raises(CommandError):
        createeditor("alice", "--password-from-env", "EDITOR_PASSWORD")
    assert not User.objects.filter(username="alice").exists()


def test_saves_and_deletes_while_another_process_writes_the_index(
    client, admin_client, editor, article, django_capture_on_commit_callbacks
):
    """The index lock is held elsewhere (an ingest): the editor is answered at once, and the index
    catches up once the lock frees."""
    from whoosh.index import open_dir

    from archive.models import IndexChange
    from archive.search import indexing
    from archive.search.service import SearchRequest, run_search

    doomed = Article.objects.create(
        source=article.source,
        title="مقال سيحذف",
        body="نص عن بانياس",
        original=b"x",
        original_content_type="text/plain",
        original_sha256="b" * 64,
    )
    indexing.index_articles([article.pk, doomed.pk])
    assert run_search(SearchRequest(q="بانياس")).count == 1
    holder = open_dir(indexing.backend().path).writer()
    try:
        client.force_login(editor)
        url = reverse("admin:archive_article_change", args=[article.pk])
        delete_url = reverse("admin:archive_article_delete", args=[doomed.pk])
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert client.post(url, inline_form(article)).status_code == 302
            assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
        assert callbacks  # the after-commit applies ran, and gave way to the lock's holder
        assert Annotation.objects.filter(article=article, status="disputed").exists()
        assert IndexChange.objects.exists()
        assert run_search(SearchRequest(status=["disputed"])).count == 0
    finally:
        holder.cancel()
    indexing.apply_pending(wait=False)
    assert run_search(SearchRequest(status=["disputed"])).count == 1
    assert run_search(SearchRequest(q="بانياس")).count == 0
    assert indexing.compare().clean
