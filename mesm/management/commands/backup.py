from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mesm.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a compressed dump of the whole database (pg_dump, custom format)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="where to write the dump (default: var/backups/mesm-<UTC date and time>.dump)",
        )

    def handle(self, *args, path=None, **options):
        if not path:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            path = Path(settings.BASE_DIR) / "var" / "backups" / f"mesm-{stamp}.dump"
        try:
            written = backup(Path(path))
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
        size_mb = written.stat().st_size / 1_000_000
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written} ({size_mb:.1f} MB)"))
