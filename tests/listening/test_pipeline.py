"""The listening pipeline: dispatch → poll → ingest (mentions, cursor, rollups) → alerts.

Outside platforms are a real local HTTP server (pytest-httpserver) answering RSS; the worker is
a real Celery worker over the real Redis.
"""

import hashlib
import hmac
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from listening.connectors.base import FetchedItem
from listening.models import Alert, HashtagDaily, Mention, MentionDaily, MentionHourly, Notification, Source
from listening.services.ingest import ALL_MENTIONS, compile_org_queries, mentions_ingest
from listening.services.poll import limiter_prefix, redis_client, source_poll, sources_claim_due
from mesm.celery import app
from tests import factories
from tests.listening.factories import AlertRuleFactory, QueryFactory, SourceFactory


def rss(items):
    entries = "".join(
        f"""<item><title>{title}</title><link>https://news.example/{guid}</link><guid>https://news.example/{guid}</guid>
        <description>{body}</description><pubDate>{date}</pubDate></item>"""
        for guid, title, body, date in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Noticias</title>
    <link>https://news.example/</link><description>d</description><language>es</language>{entries}</channel></rss>"""


def recent(minutes):
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%a, %d %b %Y %H:%M:%S +0000")


FEED = [
    ("n1", "La biblioteca amplía su horario", "La biblioteca abrirá los sábados. #BibliotecaNorte", recent(30)),
    ("n2", "Concierto en el parque", "Nada que ver con libros", recent(20)),
    ("n3", "La biblioteca cerrada por obras", "Los vecinos se quejan: la biblioteca estará cerrada", recent(10)),
]


@pytest.fixture
def feed_source(httpserver, org):
    httpserver.expect_request("/feed.xml").respond_with_data(rss(FEED), content_type="application/rss+xml")
    query = QueryFactory(org=org, name="Biblioteca", expression="biblioteca")
    source = SourceFactory(org=org, target=httpserver.url_for("/feed.xml"))
    source.queries.set([query])
    return source


@pytest.mark.django_db
def test_a_poll_keeps_matching_items_once_with_rollups_and_cursor(feed_source, org):
    result = source_poll(source=feed_source)
    assert result.status == "ok", result.error
    texts = sorted(Mention.objects.filter(org=org).values_list("external_id", flat=True))
    assert texts == ["https://news.example/n1", "https://news.example/n3"]  # n2 does not mention the library
    mention = Mention.objects.get(external_id="https://news.example/n1")
    assert mention.language == "es"
    assert mention.query_ids == [feed_source.queries.get().pk]
    assert mention.text.startswith("La biblioteca amplía su horario")
    feed_source.refresh_from_db()
    assert feed_source.status == "ok"
    assert feed_source.mentions_count == 2
    assert feed_source.last_success_at is not None
    assert feed_source.next_poll_at > timezone.now() + timedelta(minutes=14)
    assert set(feed_source.cursor["seen"]) >= {f"https://news.example/n{i}" for i in (1, 2, 3)}
    totals = MentionDaily.objects.filter(org=org, query_id=ALL_MENTIONS)
    assert sum(totals.values_list("count", flat=True)) == 2
    query_id = feed_source.queries.get().pk
    assert sum(MentionHourly.objects.filter(org=org, query_id=query_id).values_list("count", flat=True)) == 2
    assert HashtagDaily.objects.get(org=org).tag == "bibliotecanorte"

    # Polling again stores nothing new and counts nothing twice.
    second = source_poll(source=feed_source)
    assert second.status == "ok"
    assert Mention.objects.filter(org=org).count() == 2
    assert sum(totals.values_list("count", flat=True)) == 2


@pytest.mark.django_db
def test_a_repeated_page_refreshes_counts_without_duplicating(org):
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="biblioteca")
    queries = compile_org_queries(org.pk)

    def item(likes):
        return FetchedItem(
            external_id="https://m.example/1", url="https://m.example/1", text="Hola biblioteca",
            author_handle="@a@m.example", published_at=datetime.now(UTC), likes=likes, language="es",
        )  # fmt: skip

    first = mentions_ingest(source=source, items=[item(1), item(1)], queries=queries, keep_query_ids=None, cursor={})
    again = mentions_ingest(source=source, items=[item(7)], queries=queries, keep_query_ids=None, cursor={"x": 1})
    assert (len(first.inserted_ids), first.updated) == (1, 0)
    assert (len(again.inserted_ids), again.updated) == (0, 1)
    assert Mention.objects.get().likes == 7
    assert sum(MentionDaily.objects.filter(query_id=ALL_MENTIONS).values_list("count", flat=True)) == 1
    source.refresh_from_db()
    assert source.cursor == {"x": 1}
    assert source.mentions_count == 1


@pytest.mark.django_db
def test_a_refused_credential_is_reported_in_plain_words(httpserver, org):
    httpserver.expect_request("/private.xml").respond_with_data("no", status=401)
    source = SourceFactory(org=org, target=httpserver.url_for("/private.xml"))
    result = source_poll(source=source)
    source.refresh_from_db()
    assert result.status == source.status == "error"
    assert "credentials" in source.last_error or "credenciales" in source.last_error
    assert source.consecutive_failures == 1
    assert source.next_poll_at > timezone.now()


@pytest.mark.django_db
def test_a_rate_limited_source_waits_and_blocks_its_host_for_every_worker(httpserver, org):
    httpserver.expect_request("/busy.xml").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    source = SourceFactory(org=org, target=httpserver.url_for("/busy.xml"))
    before = timezone.now()
    result = source_poll(source=source)
    source.refresh_from_db()
    assert result.status == source.status == "rate_limited"
    assert before + timedelta(seconds=115) <= source.next_poll_at <= before + timedelta(seconds=130)
    host = httpserver.url_for("/").split("//")[1].rstrip("/")
    assert redis_client().get(f"{limiter_prefix()}:blocked:{host}") is not None
    # Another source on the same host does not send a request before the allowed time.
    other = SourceFactory(org=org, target=httpserver.url_for("/other.xml"))
    requests_before = len(httpserver.log)
    assert source_poll(source=other).status == "rate_limited"
    assert len(httpserver.log) == requests_before


@pytest.mark.django_db
def test_a_broken_feed_does_not_stop_the_others(httpserver, org):
    httpserver.expect_request("/broken.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><chann', status=200
    )
    httpserver.expect_request("/good.xml").respond_with_data(rss(FEED[:1]), content_type="application/rss+xml")
    broken = SourceFactory(org=org, target=httpserver.url_for("/broken.xml"))
    good = SourceFactory(org=org, target=httpserver.url_for("/good.xml"))
    source_poll(source=broken)
    source_poll(source=good)
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.status == "error" and broken.last_error
    assert good.status == "ok" and good.mentions_count == 1


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_claim_the_same_source():
    org = factories.OrganizationFactory()
    for _ in range(40):
        SourceFactory(org=org, next_poll_at=timezone.now() - timedelta(minutes=1))
    claims = []

    def claim():
        claims.append(sources_claim_due())
        connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [source_id for claim in claims for source_id in claim]
    assert len(everything) == len(set(everything)) == 40
    assert sources_claim_due() == []  # leased until their interval passes


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_pipeline_end_to_end_with_a_worker(httpserver):
    org = factories.OrganizationFactory(slug="e2e")
    member = factories.MembershipFactory(org=org, role="editor").user
    httpserver.expect_request("/feed.xml").respond_with_data(rss(FEED), content_type="application/rss+xml")
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    query = QueryFactory(org=org, expression="biblioteca")
    source = SourceFactory(org=org, target=httpserver.url_for("/feed.xml"), next_poll_at=timezone.now())
    source.queries.set([query])
    AlertRuleFactory(
        org=org, kind="keyword", keyword="cerrada", webhook_url=httpserver.url_for("/hook"), webhook_secret="k"
    )

    from listening.tasks import dispatch_due_sources

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        dispatch_due_sources.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            alert = Alert.objects.filter(org=org).first()
            if alert and alert.webhook_status == "delivered":
                break
            time.sleep(0.2)

    assert sorted(Mention.objects.filter(org=org).values_list("external_id", flat=True)) == [
        "https://news.example/n1",
        "https://news.example/n3",
    ]
    source.refresh_from_db()
    assert source.status == "ok"
    alert = Alert.objects.get(org=org)
    assert "cerrada" in alert.summary
    assert Notification.objects.filter(user=member, alert=alert).exists()
    assert alert.webhook_status == "delivered"
    hook = next(request for request, _ in httpserver.log if request.path == "/hook")
    expected = "sha256=" + hmac.new(b"k", hook.get_data(), hashlib.sha256).hexdigest()
    assert hook.headers["X-MESM-Signature"] == expected
    assert Source.objects.get(pk=source.pk).mentions_count == 2
