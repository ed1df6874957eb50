"""Trusted feeds polled against a local HTTP server speaking RSS 2.0 and Atom, and the reader."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from werkzeug import Response

from learning import tasks
from learning.models import FeedItem, FeedItemRead, TrustedFeed
from learning.services.feeds import feed_poll, feeds_claim_due
from listening.http import HttpClient
from tests.learning.work_factories import FeedItemFactory, TrustedFeedFactory

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Bibliotecas y redes</title>
    <link>https://blog.example/</link>
    <language>es</language>
    {items}
  </channel>
</rss>
"""

ITEM = """<item>
  <title>{title}</title>
  <link>https://blog.example/{slug}</link>
  <guid>https://blog.example/{slug}</guid>
  <description>&lt;p&gt;{summary}&lt;/p&gt;</description>
  <pubDate>{date}</pubDate>
</item>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <title>Library Marketing Blog</title>
  <updated>2026-10-05T09:00:00+02:00</updated>
  <entry>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <title type="text">Short videos bring teenagers in</title>
    <link rel="alternate" href="https://marketing.example/videos"/>
    <updated>2026-10-05T09:00:00+02:00</updated>
    <author><name>Sam</name></author>
    <content type="html">&lt;p&gt;One-minute book tips by librarians.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def _rss(*entries):
    return RSS.format(items="".join(ITEM.format(**entry) for entry in entries))


HILOS = {
    "title": "Hilos de historia local",
    "slug": "hilos",
    "summary": "Una biblioteca publica fotos antiguas cada viernes.",
    "date": "Fri, 02 Oct 2026 10:00:00 +0200",
}
DIRECTO = {
    "title": "Club de lectura en directo",
    "slug": "directo",
    "summary": "Emiten el club en YouTube.",
    "date": "Sat, 03 Oct 2026 10:00:00 +0200",
}


def _feed(org, httpserver, path="/feed.xml"):
    return TrustedFeedFactory(org=org, url=httpserver.url_for(path))


def test_it_reads_an_rss_feed_into_the_reader_once(org, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        _rss(HILOS), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    feed = _feed(org, httpserver)
    result = feed_poll(feed=feed, http=HttpClient())
    assert (result.status, result.new_items) == ("ok", 1)
    item = FeedItem.objects.get()
    assert item.org == org and item.feed == feed
    assert item.title == "Hilos de historia local"
    assert item.summary == "Una biblioteca publica fotos antiguas cada viernes."
    assert item.url == "https://blog.example/hilos"
    assert item.published_at.isoformat() == "2026-10-02T08:00:00+00:00"
    feed.refresh_from_db()
    assert feed.status == "ok" and feed.last_error == "" and feed.cursor["etag"] == '"v1"'
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=50)

    # The feed now has one more entry: only that one is new.
    httpserver.clear()
    httpserver.expect_request("/feed.xml").respond_with_data(_rss(DIRECTO, HILOS), content_type="application/rss+xml")
    result = feed_poll(feed=feed, http=HttpClient())
    assert result.new_items == 1
    assert sorted(FeedItem.objects.values_list("title", flat=True)) == [
        "Club de lectura en directo",
        "Hilos de historia local",
    ]


def test_it_sends_the_etag_back_and_a_304_stores_nothing(org, httpserver):
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_response(
        Response(status=304)
    )
    feed = _feed(org, httpserver)
    feed.cursor = {"etag": '"v1"', "seen": []}
    feed.save()
    result = feed_poll(feed=feed, http=HttpClient())
    assert (result.status, result.new_items) == ("ok", 0)
    assert not FeedItem.objects.exists()


def test_it_reads_an_atom_feed(org, httpserver):
    httpserver.expect_request("/atom.xml").respond_with_data(ATOM, content_type="application/atom+xml")
    feed = _feed(org, httpserver, "/atom.xml")
    feed_poll(feed=feed, http=HttpClient())
    item = FeedItem.objects.get()
    assert (item.title, item.summary, item.author) == (
        "Short videos bring teenagers in",
        "One-minute book tips by librarians.",
        "Sam",
    )
    assert item.url == "https://marketing.example/videos"


def test_a_broken_feed_records_a_plain_error_and_stores_nothing(org, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        "<html><body>Not a feed</body></html>", content_type="text/html"
    )
    feed = _feed(org, httpserver)
    result = feed_poll(feed=feed, http=HttpClient())
    assert result.status == "error"
    feed.refresh_from_db()
    assert feed.status == "error"
    assert "no es RSS ni Atom válido" in feed.last_error  # in the organisation's language
    assert feed.consecutive_failures == 1
    assert not FeedItem.objects.exists()


def test_a_server_error_is_recorded_and_retried_later(org, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("oops", status=503)
    feed = _feed(org, httpserver)
    feed_poll(feed=feed, http=HttpClient())
    feed.refresh_from_db()
    assert feed.status == "error"
    assert "HTTP 503" in feed.last_error
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=50)


def test_the_task_reads_a_due_feed_through_the_shared_http_client(org, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(_rss(HILOS), content_type="application/rss+xml")
    feed = _feed(org, httpserver)
    tasks.poll_feed(feed.pk)
    assert FeedItem.objects.filter(feed=feed).count() == 1
    tasks.poll_feed(999999)  # deleted since it was queued: nothing happens


def test_the_dispatcher_claims_only_due_enabled_feeds_once(org, django_capture_on_commit_callbacks):
    due = TrustedFeedFactory(org=org, next_poll_at=timezone.now() - timedelta(minutes=1))
    TrustedFeedFactory(org=org, next_poll_at=timezone.now() + timedelta(hours=1))
    TrustedFeedFactory(org=org, enabled=False, next_poll_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.dispatch_due_feeds() == 1
    assert len(callbacks) == 1
    due.refresh_from_db()
    assert due.next_poll_at > timezone.now()
    assert feeds_claim_due() == []


# --- the reader -------------------------------------------------------------------------------


def test_read_state_is_per_member(client_for, org, editor, viewer):
    item = FeedItemFactory(feed=TrustedFeedFactory(org=org), title="Hilos de historia local")
    other = FeedItemFactory(feed=item.feed, title="Otro artículo")
    client = client_for(editor)
    response = client.post(reverse("learning-item-read", args=[org.slug, item.pk]), {"read": "1"})
    assert response.status_code == 302
    assert FeedItemRead.objects.filter(item=item, user=editor).exists()
    html = client.get(reverse("learning-reader", args=[org.slug])).content.decode()
    assert "Otro artículo" in html and "Hilos de historia local" not in html  # unread only by default
    html = client.get(reverse("learning-reader", args=[org.slug]) + "?show=all").content.decode()
    assert "Hilos de historia local" in html
    client.force_login(viewer)
    html = client.get(reverse("learning-reader", args=[org.slug])).content.decode()
    assert "Hilos de historia local" in html and "Otro artículo" in html
    # A viewer may mark items read for themselves, and unread again.
    client.post(reverse("learning-item-read", args=[org.slug, other.pk]), {"read": "1"})
    client.post(reverse("learning-item-read", args=[org.slug, other.pk]), {"read": "0"})
    assert not FeedItemRead.objects.filter(user=viewer).exists()


def test_marking_read_with_htmx_returns_the_item_only(client_for, org, viewer):
    item = FeedItemFactory(feed=TrustedFeedFactory(org=org), title="Hilos")
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("learning-item-read", args=[org.slug, item.pk]), {"read": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith("<li") and "is-read" in html and "Mark as unread" in html
    assert "<html" not in html


def test_mark_all_read_and_the_empty_reader(client_for, org, viewer):
    feed = TrustedFeedFactory(org=org)
    FeedItemFactory.create_batch(3, feed=feed)
    FeedItemFactory(feed=TrustedFeedFactory(org=org))
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    client.post(reverse("learning-reader-mark-all", args=[org.slug]), {"feed": feed.pk})
    assert FeedItemRead.objects.filter(user=viewer).count() == 3
    client.post(reverse("learning-reader-mark-all", args=[org.slug]))
    assert FeedItemRead.objects.filter(user=viewer).count() == 4
    html = client.get(reverse("learning-reader", args=[org.slug])).content.decode()
    assert "You have read everything" in html


def test_the_reader_pages_with_a_keyset(client_for, org, viewer):
    feed = TrustedFeedFactory(org=org)
    FeedItemFactory.create_batch(35, feed=feed)
    client = client_for(viewer)
    response = client.get(reverse("learning-reader", args=[org.slug]))
    assert response.context["next_url"]
    first = {item.pk for item in response.context["items"]}
    assert len(first) == 30
    response = client.get(
        reverse("learning-reader", args=[org.slug]) + response.context["next_url"], HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    second = {int(pk) for pk in re.findall(r'id="item-(\d+)"', html)}
    assert len(second) == 5 and not first & second
    assert "<html" not in html


def test_only_editors_manage_feeds(client_for, org, editor, viewer):
    client = client_for(viewer)
    data = {
        "name": "Blog",
        "url": "https://blog.example/feed/",
        "category": "peer",
        "interval_minutes": "60",
        "enabled": "on",
    }
    assert client.post(reverse("learning-feed-create", args=[org.slug]), data).status_code == 403
    assert not TrustedFeed.objects.exists()
    client.force_login(editor)
    response = client.post(reverse("learning-feed-create", args=[org.slug]), data)
    assert response.status_code == 302
    feed = TrustedFeed.objects.get()
    assert feed.org == org and feed.next_poll_at <= timezone.now()
    response = client.post(reverse("learning-feed-create", args=[org.slug]), data)
    assert response.status_code == 400
    assert TrustedFeed.objects.count() == 1
    response = client.post(
        reverse("learning-feed-create", args=[org.slug]), {**data, "url": "blog", "interval_minutes": "1"}
    )
    assert response.status_code == 400
