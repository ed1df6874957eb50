"""Alert rules: volume spike, negative surge and keyword; once per window; every channel."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from listening.models import Alert, MentionHourly, Notification
from listening.services.alerts import alert_webhook_deliver, alerts_evaluate
from listening.services.ingest import ALL_MENTIONS
from tests.listening.factories import AlertRuleFactory, MentionFactory

NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
HOUR = NOW.replace(minute=0)


def hourly(org, hour, count, sentiment="neutral", query_id=ALL_MENTIONS):
    MentionHourly.objects.create(org=org, hour=hour, query_id=query_id, sentiment=sentiment, count=count)


def mentions(org, count, *, sentiment="neutral", at=NOW, **fields):
    return [
        MentionFactory(org=org, published_at=at - timedelta(minutes=i % 20), sentiment=sentiment, **fields)
        for i in range(count)
    ]


@pytest.mark.django_db
def test_a_volume_spike_fires_once_per_hour_and_notifies_members(org, editor, viewer):
    rule = AlertRuleFactory(org=org, kind="volume_spike", threshold=3, min_mentions=5, baseline_days=7)
    # Baseline: one mention an hour for the previous week; this hour: 12.
    for hours_ago in range(1, 7 * 24 + 1):
        hourly(org, HOUR - timedelta(hours=hours_ago), 1)
    hourly(org, HOUR, 12)
    new = mentions(org, 12)
    fired = alerts_evaluate(org_id=org.pk, new_mention_ids=[m.pk for m in new], now=NOW)
    assert [a.rule for a in fired] == [rule]
    alert = Alert.objects.get()
    assert alert.window_start == HOUR
    assert alert.details["mentions"] == 12
    assert "12" in alert.summary
    assert set(Notification.objects.filter(alert=alert).values_list("user", flat=True)) == {editor.pk, viewer.pk}
    # New mentions in the same hour do not fire the rule again.
    more = mentions(org, 5)
    MentionHourly.objects.filter(org=org, hour=HOUR).update(count=17)
    assert alerts_evaluate(org_id=org.pk, new_mention_ids=[m.pk for m in more], now=NOW) == []
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_a_normal_hour_does_not_fire(org):
    AlertRuleFactory(org=org, kind="volume_spike", threshold=3, min_mentions=5, baseline_days=1)
    for hours_ago in range(1, 25):
        hourly(org, HOUR - timedelta(hours=hours_ago), 4)
    hourly(org, HOUR, 6)
    new = mentions(org, 6)  # 6 against a baseline of 4 an hour: not 3 times
    assert alerts_evaluate(org_id=org.pk, new_mention_ids=[m.pk for m in new], now=NOW) == []


@pytest.mark.django_db
def test_a_negative_surge_fires_on_the_share_of_negative_mentions(org):
    query_rule = AlertRuleFactory(org=org, kind="negative_surge", threshold=0.5, min_mentions=4)
    new = mentions(org, 4, sentiment="negative") + mentions(org, 2)
    hourly(org, HOUR, 4, "negative")
    hourly(org, HOUR, 2, "neutral")
    fired = alerts_evaluate(org_id=org.pk, new_mention_ids=[m.pk for m in new], now=NOW)
    assert [a.rule for a in fired] == [query_rule]
    assert fired[0].details == {"mentions": 6, "negative": 4}


@pytest.mark.django_db
def test_too_few_mentions_are_not_a_crisis(org):
    AlertRuleFactory(org=org, kind="negative_surge", threshold=0.5, min_mentions=5)
    new = mentions(org, 2, sentiment="negative")
    hourly(org, HOUR, 2, "negative")
    assert alerts_evaluate(org_id=org.pk, new_mention_ids=[m.pk for m in new], now=NOW) == []


@pytest.mark.django_db
def test_a_keyword_rule_fires_on_matching_mentions_and_emails(org):
    AlertRuleFactory(
        org=org, kind="keyword", keyword="cerrada OR cerrado", email_to="direccion@example.org, a@example.org"
    )
    new = [
        MentionFactory(org=org, published_at=NOW, text="La biblioteca estará CERRADA el lunes"),
        MentionFactory(org=org, published_at=NOW, text="Qué bien el club de lectura"),
    ]
    fired = alerts_evaluate(org_id=org.pk, new_mention_ids=[m.pk for m in new], now=NOW)
    assert len(fired) == 1
    assert fired[0].details["mention_ids"] == [new[0].pk]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["direccion@example.org", "a@example.org"]
    assert "cerrada" in mail.outbox[0].body.lower()
    assert Alert.objects.get().email_sent_at is not None


@pytest.mark.django_db
def test_the_webhook_is_signed_and_a_failure_is_recorded_for_retry(httpserver, org):
    rule = AlertRuleFactory(
        org=org, kind="keyword", keyword="wifi", webhook_url=httpserver.url_for("/hook"), webhook_secret="s3"
    )
    alert = Alert.objects.create(org=org, rule=rule, window_start=HOUR, summary="wifi", details={"mention_ids": [1]})
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("down", status=503)
    assert alert_webhook_deliver(alert=alert) is False
    alert.refresh_from_db()
    assert (alert.webhook_status, alert.webhook_attempts, alert.webhook_last_error) == ("failed", 1, "HTTP 503")

    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    assert alert_webhook_deliver(alert=alert) is True
    alert.refresh_from_db()
    assert (alert.webhook_status, alert.webhook_attempts) == ("delivered", 2)
    request = httpserver.log[-1][0]
    body = request.get_data()
    assert request.headers["X-MESM-Signature"] == "sha256=" + hmac.new(b"s3", body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert payload["event"] == "alert.fired"
    assert payload["rule"]["name"] == rule.name
    assert payload["organization"] == org.slug
