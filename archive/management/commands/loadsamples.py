"""manage.py loadsamples — the demo sources and the five seed pages, ingested and indexed (repeatable)."""

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.models import Source

FIXTURES = settings.BASE_DIR / "fixtures"


class Command(BaseCommand):
    help = "Load the sample sources and seed articles; running it again adds nothing."

    def handle(self, **options):
        added = 0
        with open(FIXTURES / "sources.json", encoding="utf-8") as fixture:
            for record in serializers.deserialize("json", fixture):
                source = record.object
                if not Source.objects.filter(slug=source.slug).exists():
                    source.pk = None
                    source.save()
                    added += 1
        self.stdout.write(f"sample sources added: {added}")
        try:
            call_command("ingest", str(FIXTURES / "seeds"), stdout=self.stdout)
        except SystemExit as stop:
            if stop.code:
                self.stderr.write("Some sample pages were rejected; see the summary above.")
                raise
