from django.core.management.base import BaseCommand, CommandError

from listening.models import Source
from listening.services.poll import source_poll, sources_claim_due
from mesm.models import Organization


class Command(BaseCommand):
    help = "Poll due sources (or the given ones). --sync polls in this process instead of queueing for a worker."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organisation (slug)")
        parser.add_argument(
            "--source", type=int, action="append", help="this source id (repeatable); polled even if not due"
        )
        parser.add_argument("--sync", action="store_true", help="poll here, without a Celery worker")

    def handle(self, *args, org=None, source=None, sync=False, **options):
        from listening import tasks

        org_id = None
        if org:
            org_obj = Organization.objects.filter(slug=org).first()
            if org_obj is None:
                raise CommandError(f"There is no organisation “{org}”.")
            org_id = org_obj.pk
        if source:
            sources = Source.objects.filter(pk__in=source)
        else:
            sources = Source.objects.filter(pk__in=sources_claim_due(limit=10_000, org_id=org_id))
        if org:
            sources = sources.filter(org__slug=org)
        sources = list(sources.select_related("org"))
        if source and len(sources) != len(set(source)):
            raise CommandError("Some of those sources do not exist (or are not in that organisation).")
        for src in sources:
            if sync:
                result = source_poll(source=src)
                self.stdout.write(
                    f"{src.pk} {src.name}: {result.status} — {len(result.inserted_ids)} new, {result.updated} updated"
                    + (f" — {result.error}" if result.error else "")
                )
            else:
                tasks.poll_source.delay(src.pk)
                self.stdout.write(f"{src.pk} {src.name}: queued")
        if not sources:
            self.stdout.write("No sources due.")
