"""The RSS/Atom connector against a real local HTTP server serving hand-written feeds."""

from datetime import UTC, datetime

import pytest
from werkzeug import Response

from listening.connectors import REGISTRY
from listening.connectors.base import MalformedPayload, TransientError
from listening.connectors.rss import SEEN_LIMIT, RssConnector, unwrap_google_redirect
from listening.http import HttpClient

RSS_2_0 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Diario de Villaverde</title>
    <link>https://diario.example/</link>
    <language>es-ES</language>
    <item>
      <title>La biblioteca estrena club de lectura &#128218; &amp; caf&#233;</title>
      <link>https://diario.example/club</link>
      <guid isPermaLink="false">diario-1001</guid>
      <description>&lt;p&gt;Primera sesi&amp;oacute;n el &lt;b&gt;jueves&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Entrada libre &#128522;&lt;/p&gt;</description>
      <author>redaccion@diario.example (Redacción)</author>
      <pubDate>Tue, 03 Jun 2025 10:00:00 +0200</pubDate>
    </item>
    <item>
      <title>Quejas por el wifi de la sala de estudio</title>
      <link>/wifi</link>
      <description>Los usuarios piden m&#225;s enchufes.</description>
      <pubDate>Wed, 04 Jun 2025 18:30:00 -0500</pubDate>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <title>Library Blog</title>
  <updated>2025-06-05T09:00:00+02:00</updated>
  <entry>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <title type="text">Local history &lt;archive&gt; goes digital</title>
    <link rel="alternate" href="https://blog.example/history"/>
    <updated>2025-06-05T09:00:00+02:00</updated>
    <author><name>Marta</name></author>
    <content type="html">&lt;p&gt;Scanned newspapers from 1900&amp;ndash;1950.&lt;/p&gt;</content>
  </entry>
</feed>
"""

GOOGLE_ALERTS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
  <id>tag:google.com,2005:reader/user/00000000000000000000/state/com.google/alerts/1111</id>
  <title>Google Alert - &quot;Biblioteca Pública&quot;</title>
  <link href="https://www.google.com/alerts/feeds/00000000000000000000/1111" rel="self"/>
  <updated>2025-06-06T07:12:41Z</updated>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:12345678901234567890</id>
    <title type="html">La &lt;b&gt;Biblioteca Pública&lt;/b&gt; amplía su horario</title>
    <link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://noticias.example/horario%3Fref%3Drss&amp;ct=ga&amp;cd=CAIyGg&amp;usg=AOvVaw1"/>
    <published>2025-06-06T07:12:41Z</published>
    <updated>2025-06-06T07:12:41Z</updated>
    <content type="html">La &lt;b&gt;Biblioteca Pública&lt;/b&gt; abrirá los domingos&amp;nbsp;...</content>
    <author><name/></author>
  </entry>
</feed>
"""


def rss_with(*items: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
        + "".join(items)
        + "</channel></rss>"
    )


def item(guid: str) -> str:
    return (
        f"<item><title>Post {guid}</title><link>https://feed.example/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid></item>'
    )


def connector(httpserver, path="/feed.xml", cursor=None):
    return RssConnector(
        kind="feed",
        target=httpserver.url_for(path),
        base_url="",
        credentials={},
        cursor=cursor or {},
        http=HttpClient(limiter=None),
    )


def poll(conn):
    return list(conn.fetch())


def test_it_is_registered_for_the_rss_platform():
    assert REGISTRY["rss"] is RssConnector


def test_it_reads_rss_2_0_with_entities_emoji_and_utc_dates(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(RSS_2_0, content_type="application/rss+xml")

    [page] = poll(connector(httpserver))

    first, second = page.items
    assert first.external_id == "diario-1001"
    assert first.url == "https://diario.example/club"
    assert (
        first.text == "La biblioteca estrena club de lectura 📚 & café\n\nPrimera sesión el jueves.\n\nEntrada libre 😊"
    )
    assert first.author_handle == "redaccion@diario.example (Redacción)"
    assert first.published_at == datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    assert first.language == "es"
    # No guid: the link is the id, resolved against the feed's own address.
    assert second.external_id == second.url == httpserver.url_for("/wifi")
    assert second.published_at == datetime(2025, 6, 4, 23, 30, tzinfo=UTC)
    assert second.author_handle == "Diario de Villaverde"
    assert page.skipped == []


def test_it_reads_atom_entries_with_their_language(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(ATOM, content_type="application/atom+xml")

    [page] = poll(connector(httpserver))

    [entry] = page.items
    assert entry.external_id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert entry.url == "https://blog.example/history"
    # type="text" titles keep their angle brackets; HTML content loses its tags.
    assert entry.text == "Local history <archive> goes digital\n\nScanned newspapers from 1900–1950."
    assert entry.author_handle == "Marta"
    assert entry.published_at == datetime(2025, 6, 5, 7, 0, tzinfo=UTC)
    assert entry.language == "en"


def test_it_unwraps_google_alerts_redirect_links(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(GOOGLE_ALERTS, content_type="application/atom+xml")

    [page] = poll(connector(httpserver))

    [alert] = page.items
    assert alert.url == "https://noticias.example/horario?ref=rss"
    assert alert.external_id == "tag:google.com,2013:googlealerts/feed:12345678901234567890"
    assert alert.text == "La Biblioteca Pública amplía su horario\n\nLa Biblioteca Pública abrirá los domingos ..."
    assert alert.author_handle == 'Google Alert - "Biblioteca Pública"'
    assert alert.published_at == datetime(2025, 6, 6, 7, 12, 41, tzinfo=UTC)


def test_unwrap_google_redirect_leaves_other_links_alone():
    assert (
        unwrap_google_redirect("https://example.org/url?url=https://x.example")
        == "https://example.org/url?url=https://x.example"
    )
    assert unwrap_google_redirect("https://www.google.com/url?q=https://x.example/a&sa=U") == "https://x.example/a"


def test_it_hashes_title_and_date_when_an_entry_has_neither_id_nor_link(httpserver):
    feed = rss_with(
        "<item><title>Sin enlace</title><pubDate>Tue, 03 Jun 2025 10:00:00 GMT</pubDate></item>",
        "<item><title>Sin enlace</title><pubDate>Tue, 03 Jun 2025 10:00:00 GMT</pubDate></item>",
        "<item><description></description></item>",
    )
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")

    [page] = poll(connector(httpserver))

    [entry] = page.items  # the identical twin is the same entry, the empty one is skipped
    assert entry.external_id.startswith("sha256:")
    assert entry.url == ""
    assert page.skipped == ["Entry 3 was left out because it has no title, text or link."]


def test_it_sends_if_none_match_and_accepts_304(httpserver):
    httpserver.expect_oneshot_request("/feed.xml").respond_with_data(
        RSS_2_0,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Thu, 05 Jun 2025 10:00:00 GMT"},
    )
    [first] = poll(connector(httpserver))
    assert first.cursor["etag"] == '"v1"'
    assert first.cursor["modified"] == "Thu, 05 Jun 2025 10:00:00 GMT"

    httpserver.expect_oneshot_request(
        "/feed.xml", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Thu, 05 Jun 2025 10:00:00 GMT"}
    ).respond_with_response(Response(status=304))
    [second] = poll(connector(httpserver, cursor=first.cursor))

    assert second.items == []
    assert second.cursor == first.cursor
    httpserver.check_assertions()


def test_it_skips_items_already_seen_on_the_second_poll(httpserver):
    httpserver.expect_oneshot_request("/feed.xml").respond_with_data(rss_with(item("b"), item("a")))
    [first] = poll(connector(httpserver))
    assert [i.external_id for i in first.items] == ["b", "a"]

    # The server ignores conditional requests: the seen list alone keeps a and b out.
    httpserver.expect_oneshot_request("/feed.xml").respond_with_data(rss_with(item("c"), item("b"), item("a")))
    [second] = poll(connector(httpserver, cursor=first.cursor))

    assert [i.external_id for i in second.items] == ["c"]
    assert second.cursor["seen"] == ["c", "b", "a"]
    assert second.cursor["etag"] is None


def test_the_seen_list_is_bounded_but_keeps_everything_in_the_feed(httpserver):
    old = [f"old-{n}" for n in range(SEEN_LIMIT)]
    httpserver.expect_request("/feed.xml").respond_with_data(rss_with(item("new"), item("old-499")))

    [page] = poll(connector(httpserver, cursor={"seen": old}))

    assert [i.external_id for i in page.items] == ["new"]
    assert len(page.cursor["seen"]) == SEEN_LIMIT
    assert page.cursor["seen"][-2:] == ["new", "old-499"]
    assert "old-0" not in page.cursor["seen"]


def test_a_truncated_feed_with_no_entries_raises_malformed_payload(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(RSS_2_0[:120], content_type="application/rss+xml")

    with pytest.raises(MalformedPayload) as error:
        poll(connector(httpserver))

    assert error.value.message.startswith("The feed is not valid RSS or Atom: the XML breaks off or is broken at line ")


def test_a_truncated_feed_keeps_the_entries_it_could_read(httpserver):
    cut = RSS_2_0.index("<title>Quejas") + 20
    httpserver.expect_request("/feed.xml").respond_with_data(RSS_2_0[:cut], content_type="application/rss+xml")

    [page] = poll(connector(httpserver))

    assert [i.external_id for i in page.items][0] == "diario-1001"
    assert page.skipped[0].startswith(
        "The feed is not well-formed: the XML breaks off or is broken at line 16, column 26"
    )


def test_a_web_page_is_not_a_feed(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        "<html><body><p>Hola</p></body></html>", content_type="text/html"
    )

    with pytest.raises(MalformedPayload) as error:
        poll(connector(httpserver))

    assert error.value.message == (
        "The feed is not valid RSS or Atom: the address sent a web page or another document, not a feed."
    )


def test_a_feed_served_as_text_html_is_read_without_a_note(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(rss_with(item("x")), content_type="text/html")

    [page] = poll(connector(httpserver))

    assert [i.external_id for i in page.items] == ["x"]
    assert page.skipped == []


def test_an_empty_but_valid_feed_is_an_empty_page(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(rss_with(), content_type="application/rss+xml")

    [page] = poll(connector(httpserver))

    assert page.items == [] and page.skipped == []


def test_a_server_error_is_transient(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("oops", status=503)

    with pytest.raises(TransientError):
        poll(connector(httpserver))


def test_the_base_url_is_the_feed_when_the_target_is_empty(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(rss_with(item("x")))
    conn = RssConnector(
        kind="feed",
        target="",
        base_url=httpserver.url_for("/feed.xml"),
        credentials={},
        cursor={},
        http=HttpClient(limiter=None),
    )

    [page] = poll(conn)

    assert [i.external_id for i in page.items] == ["x"]
