"""Where an article's title and source came from and the candidates seen; a source may stay unknown.

Editors may now change sources (to confirm or merge those ingestion created), sources ingestion
flagged that the outlet table knows are no longer awaiting review, and the articles of those still
awaiting it are recorded for the index, which now files them under "unknown".
"""

import django.db.models.deletion
from django.db import migrations, models

from archive.countries import arabic_country_name
from archive.text import outlets


def grant_source_review(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    change_source = Permission.objects.filter(content_type__app_label="archive", codename="change_source")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*change_source)


def revoke_source_review(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    change_source = Permission.objects.filter(content_type__app_label="archive", codename="change_source")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*change_source)


def trust_table_outlets(apps, schema_editor):
    Source = apps.get_model("archive", "Source")
    for source in Source.objects.filter(needs_review=True):
        names = [source.name, *source.aliases]
        outlet = (source.domain and outlets.by_domain(source.domain)) or next(
            (found for name in names if (found := outlets.by_name(name))), None
        )
        if outlet is not None:
            source.needs_review = False
            source.country = source.country or arabic_country_name(outlet.country)
            source.save(update_fields=["needs_review", "country"])
    # The articles of the sources still awaiting review are now filed under "unknown": their documents
    # must be rewritten, which the index outbox does (archive.models.IndexChange).
    Article = apps.get_model("archive", "Article")
    IndexChange = apps.get_model("archive", "IndexChange")
    flagged = Article.objects.filter(source__needs_review=True).values_list("pk", flat=True)
    IndexChange.objects.bulk_create([IndexChange(article_id=pk) for pk in flagged.iterator()], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_index_change"),
        ("archive", "0002_editors_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="candidates",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="candidates seen"),
        ),
        migrations.AddField(
            model_name="article",
            name="source_origin",
            field=models.CharField(
                blank=True,
                choices=[
                    ("manifest", "manifest"),
                    ("url", "URL"),
                    ("html", "HTML metadata"),
                    ("text", "page text"),
                    ("editor", "editor"),
                ],
                max_length=10,
                verbose_name="source from",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="title_origin",
            field=models.CharField(
                blank=True,
                choices=[
                    ("manifest", "manifest"),
                    ("url", "URL"),
                    ("html", "HTML metadata"),
                    ("text", "page text"),
                    ("editor", "editor"),
                ],
                max_length=10,
                verbose_name="title from",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="source",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when ingestion found no trustworthy evidence of the outlet.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="archive.source",
                verbose_name="source",
            ),
        ),
        migrations.RunPython(grant_source_review, revoke_source_review),
        migrations.RunPython(trust_table_outlets, migrations.RunPython.noop),
    ]
