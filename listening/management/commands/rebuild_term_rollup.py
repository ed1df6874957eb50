from django.core.management.base import BaseCommand, CommandError

from listening.services.ingest import term_rollup_rebuild
from mesm.models import Organization


class Command(BaseCommand):
    help = (
        "Recount the daily term rollup (trends) from the stored mentions of one organisation or of all, "
        "in batches. Safe to run while workers ingest: that organisation's ingest waits for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organisation (slug); all when left out")
        parser.add_argument("--batch", type=int, default=1000, help="mentions per transaction (default 1000)")

    def handle(self, *args, org=None, batch=1000, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        orgs = Organization.objects.order_by("pk")
        if org:
            orgs = orgs.filter(slug=org)
            if not orgs.exists():
                raise CommandError(f"There is no organisation “{org}”.")
        for organization in orgs:
            count = term_rollup_rebuild(org_id=organization.pk, batch=batch)
            self.stdout.write(f"{organization.slug}: terms recounted from {count} mentions")
