"""Webhook secrets and platform login sessions are stored encrypted; the code reads plain values."""

import importlib

import pytest
from django.db import connection

from listening.models import AlertRule, Source
from tests.listening.factories import AlertRuleFactory, SourceFactory

pytestmark = pytest.mark.django_db

SESSION = {"accessJwt": "access-token-AAA", "refreshJwt": "refresh-token-RRR", "did": "did:plc:x", "handle": "b.test"}


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_a_webhook_secret_is_stored_encrypted_and_read_back_plain(org):
    rule = AlertRuleFactory(org=org, webhook_url="https://hooks.example.org/x", webhook_secret="s3cret-value")
    stored = _raw("SELECT webhook_secret FROM listening_alertrule WHERE id = %s", [rule.pk])
    assert "s3cret-value" not in stored and stored.startswith("gAAAAA")
    assert AlertRule.objects.get(pk=rule.pk).webhook_secret == "s3cret-value"
    AlertRule.objects.filter(pk=rule.pk).update(webhook_secret="")
    assert _raw("SELECT webhook_secret FROM listening_alertrule WHERE id = %s", [rule.pk]) == ""


def test_a_login_session_in_a_cursor_is_stored_encrypted_by_save_and_by_update(org):
    source = SourceFactory(org=org, cursor={"since": "2026-11-01T00:00:00Z", "session": SESSION})
    raw = _raw("SELECT cursor::text FROM listening_source WHERE id = %s", [source.pk])
    assert "refresh-token-RRR" not in raw and "access-token-AAA" not in raw
    assert "2026-11-01T00:00:00Z" in raw  # the rest of the cursor stays readable JSON
    assert Source.objects.get(pk=source.pk).cursor == {"since": "2026-11-01T00:00:00Z", "session": SESSION}

    renewed = {**SESSION, "refreshJwt": "refresh-token-NEW"}
    Source.objects.filter(pk=source.pk).update(cursor={"since": "2026-11-02T00:00:00Z", "session": renewed})
    raw = _raw("SELECT cursor::text FROM listening_source WHERE id = %s", [source.pk])
    assert "refresh-token-NEW" not in raw
    assert Source.objects.get(pk=source.pk).cursor["session"] == renewed


def test_the_migration_encrypts_rows_written_in_plain_text_before_it(org):
    rule = AlertRuleFactory(org=org, webhook_url="https://hooks.example.org/x")
    source = SourceFactory(org=org)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE listening_alertrule SET webhook_secret = 'legacy-secret' WHERE id = %s", [rule.pk])
        cursor.execute(
            "UPDATE listening_source SET cursor = %s::jsonb WHERE id = %s",
            ['{"since": "x", "session": {"refreshJwt": "legacy-refresh"}}', source.pk],
        )
    migration = importlib.import_module("listening.migrations.0007_secrets_encrypted_at_rest")
    migration.encrypt_existing(None, connection.schema_editor())
    assert "legacy-secret" not in _raw("SELECT webhook_secret FROM listening_alertrule WHERE id = %s", [rule.pk])
    assert "legacy-refresh" not in _raw("SELECT cursor::text FROM listening_source WHERE id = %s", [source.pk])
    assert AlertRule.objects.get(pk=rule.pk).webhook_secret == "legacy-secret"
    assert Source.objects.get(pk=source.pk).cursor == {"since": "x", "session": {"refreshJwt": "legacy-refresh"}}
