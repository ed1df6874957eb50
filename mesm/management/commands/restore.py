from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mesm.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a dump made by `manage.py backup`. By default into the configured database, "
        "which must be empty (createdb); --clean replaces what the dump contains."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the dump file")
        parser.add_argument("--database-name", help="restore into this database instead of the configured one")
        parser.add_argument(
            "--clean", action="store_true", help="drop the objects the dump contains before restoring them"
        )

    def handle(self, *args, path, database_name=None, clean=False, **options):
        try:
            restore(Path(path), dbname=database_name, clean=clean)
        except BackupError as error:
            raise CommandError(f"Restore failed (nothing was changed): {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))
