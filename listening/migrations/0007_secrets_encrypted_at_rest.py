# Webhook signing secrets and the platform login sessions kept in sources' cursors are stored
# encrypted (mesm.crypto); rows written before are encrypted here, in SQL, so nothing is lost.

import json

from django.db import migrations

import mesm.crypto


def encrypt_existing(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, webhook_secret FROM listening_alertrule WHERE webhook_secret <> ''")
        for pk, secret in cursor.fetchall():
            if not mesm.crypto.decrypt_text(secret):  # plain text from before
                cursor.execute(
                    "UPDATE listening_alertrule SET webhook_secret = %s WHERE id = %s",
                    [mesm.crypto.encrypt_text(secret), pk],
                )
        cursor.execute(
            "SELECT id, cursor -> 'session' FROM listening_source WHERE jsonb_typeof(cursor -> 'session') = 'object'"
        )
        for pk, session in cursor.fetchall():
            session = json.loads(session) if isinstance(session, str) else session
            cursor.execute(
                "UPDATE listening_source SET cursor = jsonb_set(cursor, '{session}', to_jsonb(%s::text)) WHERE id = %s",
                [mesm.crypto.encrypt_json(session), pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0006_rollup_org_key_without_fk"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alertrule",
            name="webhook_secret",
            field=mesm.crypto.EncryptedTextField(blank=True, max_length=200, verbose_name="webhook secret"),
        ),
        migrations.AlterField(
            model_name="source",
            name="cursor",
            field=mesm.crypto.SessionJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
