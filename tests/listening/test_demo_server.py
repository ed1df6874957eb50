"""The demo platform server answers in each platform's format, and the real connectors can read it."""

import threading
from datetime import UTC, datetime, timedelta

import feedparser
import httpx
import pytest

from listening.connectors.rss import RssConnector
from listening.demo_server import HISTORY, INITIAL_POSTS, Catalogue, make_server
from listening.http import HttpClient

MASTODON_STATUS_FIELDS = {
    "id",
    "uri",
    "url",
    "created_at",
    "content",
    "language",
    "account",
    "favourites_count",
    "reblogs_count",
    "replies_count",
    "reblog",
}


@pytest.fixture
def demo():
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    server.base_url = f"http://{host}:{port}"
    yield server
    server.shutdown()
    server.server_close()


def later(server, minutes):
    """Pretend the server started ``minutes`` earlier, so the posts it adds over time are out."""
    server.catalogue.start -= timedelta(minutes=minutes)
    server.catalogue._cache.clear()


def test_the_catalogue_is_deterministic_and_grows_every_two_minutes():
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    first, second = Catalogue(start), Catalogue(start)

    assert [first.post(i)["text"] for i in range(70)] == [second.post(i)["text"] for i in range(70)]
    assert first.count(start) == INITIAL_POSTS
    assert first.count(start + timedelta(minutes=5)) == INITIAL_POSTS + 2
    initial = [first.post(i)["created"] for i in range(INITIAL_POSTS)]
    assert all(start - HISTORY <= moment < start for moment in initial)
    assert initial == sorted(initial)
    assert first.post(INITIAL_POSTS)["created"] == start + timedelta(minutes=2)
    languages = {first.post(i)["language"] for i in range(INITIAL_POSTS)}
    assert languages == {"es", "en"}


def test_the_rss_feed_is_rss_2_0_with_etag_and_304(demo):
    url = f"{demo.base_url}/rss/noticias.xml"
    response = httpx.get(url)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "rss20" and not feed.bozo
    assert len(feed.entries) == INITIAL_POSTS // 5
    assert feed.feed.language == "es-ES"
    assert any("Biblioteca Pública Demo" in entry.title for entry in feed.entries)
    assert all(entry.id.startswith("noticias-villaverde-") and entry.published_parsed for entry in feed.entries)

    unchanged = httpx.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    by_date = httpx.get(url, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert by_date.status_code == 304


def test_the_rss_connector_reads_the_demo_feed_and_then_gets_304(demo):
    def poll(cursor):
        conn = RssConnector(
            kind="feed",
            target=f"{demo.base_url}/rss/noticias.xml",
            base_url="",
            credentials={},
            cursor=cursor,
            http=HttpClient(limiter=None),
        )
        [page] = conn.fetch()
        return page

    first = poll({})
    assert len(first.items) == INITIAL_POSTS // 5
    assert all(item.published_at and item.text and item.language == "es" for item in first.items)
    assert first.skipped == []

    assert poll(first.cursor).items == []  # 304

    later(demo, 10)  # five more posts: one of them is news
    third = poll(first.cursor)
    assert len(third.items) == 1


def test_the_mastodon_tag_timeline_pages_with_link_headers(demo):
    url = f"{demo.base_url}/mastodon/api/v1/timelines/tag/BibliotecaDemo"
    response = httpx.get(url, params={"limit": 10})

    statuses = response.json()
    assert len(statuses) == 10
    assert statuses[0].keys() >= MASTODON_STATUS_FIELDS
    assert {"id", "acct", "display_name", "followers_count", "url"} <= statuses[0]["account"].keys()
    assert statuses[0]["reblog"] is None
    ids = [int(s["id"]) for s in statuses]
    assert ids == sorted(ids, reverse=True)
    assert "#<span>BibliotecaDemo</span>" in statuses[0]["content"]

    older = httpx.get(response.links["next"]["url"]).json()
    assert int(older[0]["id"]) < ids[-1]
    assert httpx.get(response.links["prev"]["url"]).json() == []  # nothing newer yet
    everything = httpx.get(url, params={"limit": 40}).json()
    assert len(everything) == INITIAL_POSTS * 2 // 5
    # Some texts carry "&" or quotes, which Mastodon's HTML content writes as entities.
    assert any("&amp;" in s["content"] or "&quot;" in s["content"] for s in everything)

    # min_id: the posts right after it, oldest first, returned newest first.
    after = httpx.get(url, params={"limit": 3, "min_id": everything[-1]["id"]}).json()
    assert [s["id"] for s in after] == [s["id"] for s in everything[-4:-1]]


def test_the_mastodon_connector_reads_the_demo_timeline(demo):
    mastodon = pytest.importorskip("listening.connectors.mastodon")

    def poll(cursor):
        conn = mastodon.MastodonConnector(
            kind="hashtag",
            target="#BibliotecaDemo",
            base_url=f"{demo.base_url}/mastodon",
            credentials={},
            cursor=cursor,
            http=HttpClient(limiter=None),
        )
        return list(conn.fetch())

    [first] = poll({})
    assert len(first.items) == INITIAL_POSTS * 2 // 5
    assert first.skipped == []
    assert all(item.author_handle.startswith("@") and item.published_at for item in first.items)

    later(demo, 10)  # indices 60–64: two of them are Mastodon posts
    pages = poll(first.cursor)
    assert sum(len(page.items) for page in pages) == 2


def test_bluesky_sessions_and_search_posts(demo):
    xrpc = f"{demo.base_url}/bluesky/xrpc"
    session = httpx.post(
        f"{xrpc}/com.atproto.server.createSession", json={"identifier": "bibliotecademo", "password": "abcd-efgh"}
    ).json()
    assert {"did", "handle", "accessJwt", "refreshJwt"} <= session.keys()
    assert session["handle"] == "bibliotecademo.bsky.social"
    refreshed = httpx.post(
        f"{xrpc}/com.atproto.server.refreshSession", headers={"Authorization": f"Bearer {session['refreshJwt']}"}
    )
    assert refreshed.status_code == 200 and refreshed.json()["accessJwt"] != session["accessJwt"]
    assert httpx.post(f"{xrpc}/com.atproto.server.createSession", json={"identifier": "x"}).status_code == 400

    search = f"{xrpc}/app.bsky.feed.searchPosts"
    assert httpx.get(search, params={"q": "biblioteca"}).status_code == 401
    auth = {"Authorization": f"Bearer {session['accessJwt']}"}
    first = httpx.get(search, params={"q": "biblioteca", "limit": 20, "sort": "latest"}, headers=auth).json()
    post = first["posts"][0]
    assert {"uri", "cid", "author", "record", "indexedAt", "likeCount", "repostCount", "replyCount"} <= post.keys()
    assert post["uri"].startswith("at://did:plc:") and "/app.bsky.feed.post/" in post["uri"]
    assert {"did", "handle", "displayName"} <= post["author"].keys()
    assert {"text", "createdAt", "langs"} <= post["record"].keys()
    rest = httpx.get(search, params={"q": "biblioteca", "limit": 20, "cursor": first["cursor"]}, headers=auth).json()
    assert len(first["posts"]) + len(rest["posts"]) == INITIAL_POSTS * 2 // 5
    assert "cursor" not in rest
    uris = [p["uri"] for p in first["posts"] + rest["posts"]]
    assert len(set(uris)) == len(uris)
    since = first["posts"][2]["record"]["createdAt"]
    assert len(httpx.get(search, params={"q": "x", "since": since}, headers=auth).json()["posts"]) == 3


def test_the_bluesky_connector_reads_the_demo_search(demo):
    bluesky = pytest.importorskip("listening.connectors.bluesky")
    conn = bluesky.BlueskyConnector(
        kind="search",
        target="Biblioteca Pública Demo",
        base_url=f"{demo.base_url}/bluesky",
        credentials={"identifier": "bibliotecademo.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        cursor={},
        http=HttpClient(limiter=None),
    )

    pages = list(conn.fetch())

    assert sum(len(page.items) for page in pages) == INITIAL_POSTS * 2 // 5
    assert all(not page.skipped for page in pages)
