from django.core.management.base import BaseCommand, CommandError

from listening.services.ingest import day_rollups_rebuild
from mesm.models import Organization


class Command(BaseCommand):
    help = (
        "Recount the day-keyed rollups (daily mentions, hashtags, authors, terms) from the stored "
        "mentions of one organisation or of all, in each organisation's time zone. Safe to run while "
        "workers ingest: that organisation's ingest waits for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organisation (slug); all when left out")
        parser.add_argument("--batch", type=int, default=1000, help="mentions read at a time (default 1000)")

    def handle(self, *args, org=None, batch=1000, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        orgs = Organization.objects.order_by("pk")
        if org:
            orgs = orgs.filter(slug=org)
            if not orgs.exists():
                raise CommandError(f"There is no organisation “{org}”.")
        for organization in orgs:
            count = day_rollups_rebuild(org_id=organization.pk, batch=batch)
            self.stdout.write(f"{organization.slug}: rollups recounted from {count} mentions ({organization.timezone})")
