"""The Mastodon connector against a local server answering the documented wire format
(docs.joinmastodon.org: timelines/tag, accounts/lookup, accounts/:id/statuses, v2/search,
pagination through the Link header, X-RateLimit-* headers)."""

from datetime import UTC, datetime

import pytest

from listening.connectors.base import AuthError, ConnectorError, MalformedPayload, RateLimited, TransientError
from listening.connectors.mastodon import MastodonConnector
from listening.connectors.text import html_to_text, parse_datetime_utc, to_int, to_int_or_none
from listening.http import HttpClient

TAG_PATH = "/api/v1/timelines/tag/biblioteca"


def account(acct="biblio", **extra):
    return {
        "id": "1",
        "username": acct.split("@")[0],
        "acct": acct,
        "display_name": "Biblioteca Norte",
        "url": f"https://example.org/@{acct}",
        "followers_count": 1200,
        "following_count": 300,
        "statuses_count": 4000,
        **extra,
    }


def status(status_id, **extra):
    """A Status entity as the API documents it (ids are strings, dates ISO 8601)."""
    return {
        "id": status_id,
        "created_at": "2024-05-01T10:00:00.000Z",
        "in_reply_to_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "es",
        "uri": f"https://example.org/users/biblio/statuses/{status_id}",
        "url": f"https://example.org/@biblio/{status_id}",
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
        "content": f"<p>Post {status_id}</p>",
        "reblog": None,
        "account": account(),
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "biblioteca", "url": "https://example.org/tags/biblioteca"}],
        "emojis": [],
        **extra,
    }


class RecordingHttp(HttpClient):
    """The real client, remembering what the connector asked the limiter to block."""

    def __init__(self):
        super().__init__(limiter=None)
        self.blocked = []

    def block(self, url, until):
        self.blocked.append((url, until))


@pytest.fixture
def http():
    client = RecordingHttp()
    yield client
    client.close()


@pytest.fixture
def connect(httpserver, http):
    def build(kind="hashtag", target="#biblioteca", cursor=None, credentials=None):
        return MastodonConnector(
            kind=kind,
            target=target,
            base_url=httpserver.url_for("/"),
            credentials=credentials or {},
            cursor=cursor or {},
            http=http,
        )

    return build


def link(httpserver, path, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"<{httpserver.url_for(path)}?{query}>"


def test_the_first_poll_takes_only_the_newest_page(httpserver, connect):
    older = link(httpserver, TAG_PATH, limit=40, max_id="101")
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40"}).respond_with_json(
        [status("103"), status("102"), status("101")],
        headers={"Link": f'{older}; rel="next", {link(httpserver, TAG_PATH, limit=40, min_id="103")}; rel="prev"'},
    )

    pages = list(connect().fetch())

    assert len(pages) == 1
    assert [item.external_id for item in pages[0].items] == [
        "https://example.org/users/biblio/statuses/103",
        "https://example.org/users/biblio/statuses/102",
        "https://example.org/users/biblio/statuses/101",
    ]
    assert pages[0].cursor == {"min_id": "103"}
    assert len(httpserver.log) == 1


def test_it_follows_the_link_header_for_newer_posts(httpserver, connect):
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "100"}).respond_with_json(
        [status("102"), status("101")],
        headers={"Link": f'{link(httpserver, TAG_PATH, limit=40, min_id="102")}; rel="prev"'},
    )
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "102"}).respond_with_json(
        [status("1000"), status("999")],
        headers={"Link": f'{link(httpserver, TAG_PATH, limit=40, min_id="1000")}; rel="prev"'},
    )
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "1000"}).respond_with_json([])

    pages = list(connect(cursor={"min_id": "100"}).fetch())

    # "1000" is newer than "999" although it sorts before it as text.
    assert [page.cursor for page in pages] == [{"min_id": "102"}, {"min_id": "1000"}, {"min_id": "1000"}]
    assert [len(page.items) for page in pages] == [2, 2, 0]
    assert len(httpserver.log) == 3


def test_it_stops_after_max_pages(httpserver, connect, monkeypatch):
    monkeypatch.setattr(MastodonConnector, "max_pages", 1)
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "100"}).respond_with_json(
        [status("101")], headers={"Link": f'{link(httpserver, TAG_PATH, limit=40, min_id="101")}; rel="prev"'}
    )

    pages = list(connect(cursor={"min_id": "100"}).fetch())

    assert [page.cursor for page in pages] == [{"min_id": "101"}]
    assert len(httpserver.log) == 1


def test_duplicates_across_pages_are_kept_once(httpserver, connect):
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "100"}).respond_with_json(
        [status("102"), status("101")],
        headers={"Link": f'{link(httpserver, TAG_PATH, limit=40, min_id="102")}; rel="prev"'},
    )
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "102"}).respond_with_json(
        [status("103"), status("102")]
    )
    # Without a Link header the connector asks for what is newer than the newest id it saw.
    httpserver.expect_request(TAG_PATH, query_string={"limit": "40", "min_id": "103"}).respond_with_json([])

    pages = list(connect(cursor={"min_id": "100"}).fetch())

    ids = [item.external_id.rsplit("/", 1)[-1] for page in pages for item in page.items]
    assert ids == ["102", "101", "103"]


def test_a_status_becomes_plain_text_with_its_author_and_counts(httpserver, connect):
    httpserver.expect_request(TAG_PATH).respond_with_json(
        [
            status(
                "200",
                content='<p>Club de lectura &amp; caf&eacute; &quot;hoy&quot; 📚<br>Sala 2</p><p><a href="https://example.org/tags/biblioteca" class="mention hashtag">#<span>biblioteca</span></a></p>',
                spoiler_text="Spoiler: final del libro",
                created_at="2024-05-01T12:30:00.000+02:00",
                account=account("lectora@otra.example", display_name="Lectora ✨", followers_count=42),
                language="es",
                favourites_count=7,
                reblogs_count=4,
                replies_count=2,
            ),
            status("199"),
        ]
    )

    remote, local = next(connect().fetch()).items

    assert remote.text == 'Spoiler: final del libro\n\nClub de lectura & café "hoy" 📚\nSala 2\n\n#biblioteca'
    assert remote.author_handle == "@lectora@otra.example"
    assert remote.author_name == "Lectora ✨"
    assert remote.author_followers == 42
    assert remote.published_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert remote.url == "https://example.org/@biblio/200"
    assert (remote.likes, remote.reposts, remote.replies) == (7, 4, 2)
    assert remote.language == "es"
    assert remote.raw["id"] == "200"
    # Local accounts come as "biblio"; the handle names the server so it is unique.
    assert local.author_handle == "@biblio@localhost"


def test_missing_optional_fields_are_tolerated(httpserver, connect):
    bare = status("300", account={"id": "9", "acct": "anon"})
    for key in ("url", "language", "spoiler_text", "favourites_count", "reblogs_count", "replies_count"):
        del bare[key]
    bare["content"] = None
    httpserver.expect_request(TAG_PATH).respond_with_json([bare])

    page = next(connect().fetch())

    (item,) = page.items
    assert page.skipped == []
    assert item.url == item.external_id
    assert item.text == ""
    assert item.language is None
    assert item.author_name == ""
    assert item.author_followers is None
    assert (item.likes, item.reposts, item.replies) == (0, 0, 0)


def test_wrongly_typed_fields_skip_the_item_with_a_reason(httpserver, connect):
    no_id = status("1")
    del no_id["id"]
    httpserver.expect_request(TAG_PATH).respond_with_json(
        [
            "not a status",
            no_id,
            status("2", uri=None),
            status("3", content=["<p>list</p>"]),
            status("4", account="biblio"),
            status("5", created_at="yesterday"),
            status("6", reblog="not a status"),
            status("7", favourites_count="many"),  # a count we cannot read is 0, not a lost post
        ]
    )

    page = next(connect().fetch())

    assert [item.external_id.rsplit("/", 1)[-1] for item in page.items] == ["7"]
    assert page.items[0].likes == 0
    assert page.skipped == [
        "Skipped an entry that is not a post.",
        "Skipped a post without an id.",
        "Skipped post 2: it has no address (uri).",
        "Skipped post 3: its text is not text.",
        "Skipped post 4: its author could not be read.",
        "Skipped post 5: its date could not be read.",
        "Skipped boost 6: the boosted post could not be read.",
    ]
    assert page.cursor == {"min_id": "7"}


def test_an_account_is_looked_up_and_a_boost_maps_to_the_boosted_status(httpserver, connect):
    httpserver.expect_request("/api/v1/accounts/lookup", query_string={"acct": "biblio"}).respond_with_json(
        account("biblio", id="42")
    )
    boosted = status(
        "500",
        uri="https://otra.example/users/autora/statuses/77",
        url="https://otra.example/@autora/77",
        content="<p>Nuevo libro de poemas</p>",
        account=account("autora@otra.example", display_name="Autora", followers_count=9),
        favourites_count=50,
    )
    boost = status("501", content="", uri="https://example.org/users/biblio/statuses/501/activity", reblog=boosted)
    httpserver.expect_request("/api/v1/accounts/42/statuses", query_string={"limit": "40"}).respond_with_json(
        [boost, status("499")]
    )

    page = next(connect(kind="account", target="@biblio@localhost").fetch())

    shared, own = page.items
    assert shared.external_id == "https://otra.example/users/autora/statuses/77"
    assert shared.url == "https://otra.example/@autora/77"
    assert shared.text == "Nuevo libro de poemas"
    assert shared.author_handle == "@autora@otra.example"
    assert shared.author_followers == 9
    assert shared.likes == 50
    assert own.author_handle == "@biblio@localhost"
    # The cursor follows the account's own timeline ids (the boost's, not the boosted post's).
    assert page.cursor == {"account_id": "42", "acct": "biblio", "server": "localhost", "min_id": "501"}


def test_a_known_account_id_is_reused_from_the_cursor(httpserver, connect):
    httpserver.expect_request(
        "/api/v1/accounts/42/statuses", query_string={"limit": "40", "min_id": "5"}
    ).respond_with_json([status("6")])
    httpserver.expect_request(
        "/api/v1/accounts/42/statuses", query_string={"limit": "40", "min_id": "6"}
    ).respond_with_json([])
    cursor = {"account_id": "42", "acct": "biblio", "server": "localhost", "min_id": "5"}

    pages = list(connect(kind="account", target="biblio", cursor=cursor).fetch())

    assert pages[-1].cursor == {**cursor, "min_id": "6"}
    assert all(request.path != "/api/v1/accounts/lookup" for request, _ in httpserver.log)


def test_an_unknown_account_is_reported(httpserver, connect):
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_json({"error": "Record not found"}, status=404)

    with pytest.raises(ConnectorError, match="does not exist"):
        list(connect(kind="account", target="@nadie").fetch())


def test_search_needs_an_access_token(connect):
    with pytest.raises(AuthError, match="access token"):
        list(connect(kind="search", target="biblioteca pública").fetch())


def test_search_sends_the_token_and_moves_the_cursor_after_the_last_page(httpserver, connect):
    headers = {"Authorization": "Bearer secret-token"}
    full_page = [status(str(300 - n)) for n in range(40)]
    httpserver.expect_request(
        "/api/v2/search",
        query_string={"q": "biblioteca pública", "type": "statuses", "limit": "40", "min_id": "100"},
        headers=headers,
    ).respond_with_json({"accounts": [], "statuses": full_page, "hashtags": []})
    httpserver.expect_request(
        "/api/v2/search",
        query_string={"q": "biblioteca pública", "type": "statuses", "limit": "40", "min_id": "100", "offset": "40"},
        headers=headers,
    ).respond_with_json({"accounts": [], "statuses": [status("150")], "hashtags": []})

    pages = list(
        connect(
            kind="search",
            target="biblioteca pública",
            cursor={"min_id": "100"},
            credentials={"access_token": "secret-token"},
        ).fetch()
    )

    assert [len(page.items) for page in pages] == [40, 1]
    # Until the older page is stored, the cursor must not claim it was seen.
    assert [page.cursor for page in pages] == [{"min_id": "100"}, {"min_id": "300"}]


@pytest.mark.parametrize("status_code", [401, 403])
def test_refused_credentials_raise_auth_error(httpserver, connect, status_code):
    httpserver.expect_request(TAG_PATH).respond_with_json({"error": "The access token is invalid"}, status=status_code)

    with pytest.raises(AuthError):
        list(connect().fetch())


def test_429_waits_until_x_ratelimit_reset(httpserver, connect):
    httpserver.expect_request(TAG_PATH).respond_with_json(
        {"error": "Too many requests"},
        status=429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2030-01-01T00:05:00.000Z",
        },
    )

    with pytest.raises(RateLimited) as raised:
        list(connect().fetch())

    assert raised.value.retry_at == datetime(2030, 1, 1, 0, 5, tzinfo=UTC)


def test_a_spent_quota_blocks_the_host_until_the_reset(httpserver, connect, http):
    httpserver.expect_request(TAG_PATH).respond_with_json(
        [status("1")],
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2030-01-01T02:05:00+02:00",
        },
    )

    page = next(connect().fetch())

    assert len(page.items) == 1
    assert http.blocked == [(httpserver.url_for(TAG_PATH), datetime(2030, 1, 1, 0, 5, tzinfo=UTC))]


def test_a_server_error_is_transient(httpserver, connect):
    httpserver.expect_request(TAG_PATH).respond_with_data("Bad gateway", status=502)

    with pytest.raises(TransientError):
        list(connect().fetch())


def test_truncated_json_is_a_malformed_payload(httpserver, connect):
    httpserver.expect_request(TAG_PATH).respond_with_data(
        '[{"id": "1", "uri": "https://example.org/1", "content": "<p>cut', content_type="application/json"
    )

    with pytest.raises(MalformedPayload, match="not valid JSON"):
        list(connect().fetch())


def test_a_page_that_is_not_a_list_is_a_malformed_payload(httpserver, connect):
    httpserver.expect_request(TAG_PATH).respond_with_json({"statuses": []})

    with pytest.raises(MalformedPayload, match="list of posts"):
        list(connect().fetch())


# --- The shared text helpers (listening/connectors/text.py), mostly fed Mastodon HTML ---------------


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>Hola &amp; adi&oacute;s &#x1F4DA;</p><p>Segundo</p>", "Hola & adiós 📚\n\nSegundo"),
        ("<p>línea 1<br>línea 2<br/>línea 3</p>", "línea 1\nlínea 2\nlínea 3"),
        ("<p>un salto\nen el código</p>", "un salto en el código"),  # a newline in HTML is a space
        ("texto plano\ncon saltos &amp; más", "texto plano\ncon saltos & más"),
        ("<ul>\n<li>uno</li>\n<li>dos</li>\n</ul><p>fin</p>", "uno\ndos\n\nfin"),
        (
            '<span class="invisible">https://</span><span class="ellipsis">example.org/lar</span><span class="invisible">go</span>',
            "https://example.org/largo",
        ),
        ("<script>alert(1)</script><style>p {}</style>visible", "visible"),
        ("<p>sin cerrar", "sin cerrar"),
        ("a < b > c", "a < b > c"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(fragment, text):
    assert html_to_text(fragment) == text


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2024-05-01T12:30:00+02:00", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:00.000Z", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:00.123456789", datetime(2024, 5, 1, 10, 30, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T05:30:00-0500", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("Wed, 01 May 2024 12:30:00 +0200", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        (1714559400, datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_datetime_utc(value, moment):
    parsed = parse_datetime_utc(value)
    assert parsed == moment
    if parsed is not None:
        assert parsed.utcoffset().total_seconds() == 0


def test_int_parsing_is_forgiving():
    assert [to_int_or_none(v) for v in (7, "12", " 1,234 ", "3.0", 2.9, None, "many", True, [1])] == [
        7,
        12,
        1234,
        3,
        2,
        None,
        None,
        None,
        None,
    ]
    assert to_int("many") == 0
    assert to_int(None, default=-1) == -1
