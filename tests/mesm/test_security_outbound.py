"""No SSRF: webhooks and feed URLs never reach private, loopback or link-local addresses unless
ALLOW_PRIVATE_OUTBOUND is on. The test server listens on 127.0.0.1, so these tests switch the
allowance off (it is on in development and tests by default) to prove the refusal."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from listening.connectors.base import ConnectorError
from listening.http import HttpClient
from listening.models import Alert, Source
from listening.services.alerts import alert_webhook_deliver
from listening.services.poll import source_poll
from mesm.security import check_outbound_url
from tests.listening.factories import AlertRuleFactory, SourceFactory

HOUR = datetime(2026, 5, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://192.168.1.10/feed.xml",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
@override_settings(ALLOW_PRIVATE_OUTBOUND=False)
def test_it_refuses_private_and_local_targets(url):
    with pytest.raises(ValidationError):
        check_outbound_url(url)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "gopher://x", "http://"])
@override_settings(ALLOW_PRIVATE_OUTBOUND=True)
def test_it_refuses_other_schemes_even_when_private_targets_are_allowed(url):
    with pytest.raises(ValidationError):
        check_outbound_url(url)


@override_settings(ALLOW_PRIVATE_OUTBOUND=False)
def test_it_accepts_a_public_address():
    check_outbound_url("https://8.8.8.8/feed.xml")  # a literal public IP: no DNS needed


@pytest.fixture(autouse=True)
def english():
    """Messages read in English unless the code speaks the organisation's language on purpose."""
    with translation.override("en"):
        yield


def _refused(text: str) -> bool:
    """The refusal, in the organisation's language (alerts and polling speak it) or in English."""
    return "private or local address" in text or "dirección privada o local" in text


@pytest.mark.django_db
@override_settings(ALLOW_PRIVATE_OUTBOUND=False)
def test_it_does_not_deliver_a_webhook_to_a_private_address(httpserver, org):
    rule = AlertRuleFactory(org=org, webhook_url=httpserver.url_for("/hook"), webhook_secret="s3")
    alert = Alert.objects.create(org=org, rule=rule, window_start=HOUR, summary="x")
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    assert alert_webhook_deliver(alert=alert) is False
    alert.refresh_from_db()
    assert alert.webhook_status == "failed"
    assert _refused(alert.webhook_last_error)
    assert httpserver.log == []


@pytest.mark.django_db
@override_settings(ALLOW_PRIVATE_OUTBOUND=True)
def test_it_signs_the_webhook_with_hmac_sha256_when_allowed(httpserver, org):
    rule = AlertRuleFactory(org=org, webhook_url=httpserver.url_for("/hook"), webhook_secret="clave")
    alert = Alert.objects.create(org=org, rule=rule, window_start=HOUR, summary="x")
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    assert alert_webhook_deliver(alert=alert) is True
    request = httpserver.log[-1][0]
    expected = "sha256=" + hmac.new(b"clave", request.get_data(), hashlib.sha256).hexdigest()
    assert request.headers["X-MESM-Signature"] == expected


@pytest.mark.django_db
@override_settings(ALLOW_PRIVATE_OUTBOUND=True)
def test_it_does_not_follow_a_webhook_redirect(httpserver, org):
    rule = AlertRuleFactory(org=org, webhook_url=httpserver.url_for("/hook"))
    alert = Alert.objects.create(org=org, rule=rule, window_start=HOUR, summary="x")
    httpserver.expect_request("/hook").respond_with_data("", status=302, headers={"Location": "/elsewhere"})
    httpserver.expect_request("/elsewhere").respond_with_data("ok")
    assert alert_webhook_deliver(alert=alert) is False
    assert [entry[0].path for entry in httpserver.log] == ["/hook"]


@override_settings(ALLOW_PRIVATE_OUTBOUND=False)
def test_the_connector_client_refuses_a_private_feed(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("<rss/>")
    client = HttpClient()
    with pytest.raises(ConnectorError, match="private or local address"):
        client.get(httpserver.url_for("/feed.xml"))
    client.close()
    assert httpserver.log == []


@pytest.mark.django_db
@override_settings(ALLOW_PRIVATE_OUTBOUND=False)
def test_polling_a_feed_on_a_private_address_records_the_refusal(httpserver, org):
    httpserver.expect_request("/feed.xml").respond_with_data("<rss/>")
    source = SourceFactory(org=org, target=httpserver.url_for("/feed.xml"))
    source_poll(source=source)
    source.refresh_from_db()
    assert source.status != Source._meta.get_field("status").default
    assert _refused(source.last_error)
    assert httpserver.log == []
