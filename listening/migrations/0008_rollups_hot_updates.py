# Ingest bumps ``count`` on thousands of rollup rows per page. An UPDATE that changes no indexed
# column and finds room on its page is a HOT update: no new index entries, and the old version is
# pruned in place. So: ``count`` leaves the daily rollup's covering index, and the rollup tables
# keep 30 % of every page free (fillfactor 70) for those new versions. Measured in docs/performance.md.
# Pages written before this migration stay full until rewritten (``VACUUM FULL`` on the five
# tables, see docs/operations.md); new pages follow the fillfactor at once.
#
# And two indexes fewer for every new mention: the one on org alone (each mention index starts
# with org) and the one on assignee (replaced by a partial one, as new mentions have none).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ROLLUP_TABLES = (
    "listening_mentiondaily",
    "listening_mentionhourly",
    "listening_hashtagdaily",
    "listening_authordaily",
    "listening_termdaily",
)
ROLLUP_FILLFACTOR = 70
# The indexes Django created for two foreign keys (names as in migration 0001).
FOREIGN_KEY_INDEXES = {
    "listening_mention_org_id_5c327ff6": "org_id",
    "listening_mention_assignee_id_8c6325e5": "assignee_id",
}


class Migration(migrations.Migration):
    atomic = False  # indexes built and dropped CONCURRENTLY, without blocking ingest

    dependencies = [
        ("listening", "0007_secrets_encrypted_at_rest"),
        ("mesm", "0002_audit_log_and_two_factor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="mentiondaily", name="mention_daily_query_idx"),
        migrations.AddIndex(
            model_name="mentiondaily",
            index=models.Index(fields=["org", "query_id", "day"], name="mention_daily_query_idx"),
        ),
        migrations.RunSQL(
            [f"ALTER TABLE {table} SET (fillfactor = {ROLLUP_FILLFACTOR})" for table in ROLLUP_TABLES],
            [f"ALTER TABLE {table} RESET (fillfactor)" for table in ROLLUP_TABLES],
        ),
        # IF NOT EXISTS, so that running migrate again after an interruption finishes the job.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="mention",
                    index=models.Index(
                        condition=models.Q(("assignee__isnull", False)),
                        fields=["assignee"],
                        name="mention_assignee_fk_idx",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS mention_assignee_fk_idx ON listening_mention "
                    "(assignee_id) WHERE assignee_id IS NOT NULL",
                    "DROP INDEX CONCURRENTLY IF EXISTS mention_assignee_fk_idx",
                )
            ],
        ),
        # Only the indexes change, so the foreign keys are not dropped and re-validated (Django's
        # AlterField would): the database side is two DROP INDEX CONCURRENTLY.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mention",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_mentions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="org",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="mesm.organization",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON listening_mention ({column})",
                )
                for name, column in FOREIGN_KEY_INDEXES.items()
            ],
        ),
    ]
