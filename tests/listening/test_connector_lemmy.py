"""The Lemmy connector against a local server answering the documented v3 wire format
(GET /api/v3/search → SearchResponse with a list of PostView objects)."""

from datetime import UTC, datetime, timedelta

import pytest

from listening.connectors.base import AuthError, MalformedPayload, RateLimited, TransientError
from listening.connectors.lemmy import LemmyConnector
from listening.http import HttpClient

SEARCH = "/api/v3/search"


def query(page=1):
    return {"q": "biblioteca", "type_": "Posts", "sort": "New", "limit": "50", "page": str(page)}


def post_view(post_id, published="2024-05-01T10:00:00.000000", **post_fields):
    """A PostView; Lemmy before 0.19 wrote timestamps without a time zone."""
    return {
        "post": {
            "id": post_id,
            "name": f"Post {post_id}",
            "url": None,
            "body": None,
            "creator_id": 7,
            "community_id": 3,
            "removed": False,
            "locked": False,
            "published": published,
            "deleted": False,
            "nsfw": False,
            "ap_id": f"https://lemmy.example/post/{post_id}",
            "local": True,
            "language_id": 0,
            **post_fields,
        },
        "creator": {
            "id": 7,
            "name": "lectora",
            "display_name": "Lectora",
            "banned": False,
            "published": "2023-01-01T00:00:00Z",
            "actor_id": "https://otra.example/u/lectora",
            "local": False,
        },
        "community": {"id": 3, "name": "libros", "title": "Libros", "actor_id": "https://lemmy.example/c/libros"},
        "creator_banned_from_community": False,
        "counts": {"post_id": post_id, "comments": 4, "score": 12, "upvotes": 13, "downvotes": 1},
        "subscribed": "NotSubscribed",
        "saved": False,
        "read": False,
        "creator_blocked": False,
        "unread_comments": 4,
    }


def response(*views):
    return {"type_": "Posts", "comments": [], "posts": list(views), "communities": [], "users": []}


@pytest.fixture
def connect(httpserver):
    clients = []

    def build(cursor=None, credentials=None):
        http = HttpClient(limiter=None)
        clients.append(http)
        return LemmyConnector(
            kind="search",
            target="biblioteca",
            base_url=httpserver.url_for("/"),
            credentials=credentials or {},
            cursor=cursor or {},
            http=http,
        )

    yield build
    for http in clients:
        http.close()


def test_a_post_view_becomes_an_item(httpserver, connect):
    httpserver.expect_request(SEARCH, query_string=query()).respond_with_json(
        response(
            post_view(
                2,
                published="2024-05-01T12:30:00+02:00",
                name="Club de lectura & café 📚",
                body="**Sala 2**, a las 18:00.\n\n[Más](https://example.org)",
                url="https://biblioteca.example/club",
            ),
            post_view(1, published="2024-05-01T09:00:00.123456"),
        )
    )

    page = next(connect().fetch())

    club, plain = page.items
    assert club.external_id == "https://lemmy.example/post/2"
    assert club.url == "https://biblioteca.example/club"
    assert club.text == "Club de lectura & café 📚\n\n**Sala 2**, a las 18:00.\n\n[Más](https://example.org)"
    # The author lives on another instance: the handle names theirs, not ours.
    assert club.author_handle == "@lectora@otra.example"
    assert club.author_name == "Lectora"
    assert club.published_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert (club.likes, club.replies, club.reposts) == (12, 4, 0)
    assert club.raw["community"]["name"] == "libros"
    # A time without a zone is UTC.
    assert plain.published_at == datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert plain.url == "https://lemmy.example/post/1"
    assert plain.text == "Post 1"
    assert page.cursor == {"since": "2024-05-01T10:30:00+00:00"}
    assert len(httpserver.log) == 1


def test_it_pages_until_it_meets_posts_already_seen(httpserver, connect):
    first = [post_view(n, published=f"2024-05-02T00:{n % 60:02d}:00") for n in range(59, 9, -1)]  # 50 posts
    httpserver.expect_request(SEARCH, query_string=query(1)).respond_with_json(response(*first))
    httpserver.expect_request(SEARCH, query_string=query(2)).respond_with_json(
        response(
            post_view(10, published="2024-05-02T00:10:00"),  # pushed onto page 2 by a newer post
            post_view(9, published="2024-05-02T00:09:00"),
            post_view(8, published="2024-05-01T10:00:00"),  # the newest post of the previous poll
            post_view(7, published="2024-05-01T09:00:00"),
        )
    )

    pages = list(connect(cursor={"since": "2024-05-01T10:00:00+00:00"}).fetch())

    assert [len(page.items) for page in pages] == [50, 1]
    assert pages[1].items[0].external_id == "https://lemmy.example/post/9"
    # "since" only moves once the older page is stored.
    assert [page.cursor for page in pages] == [
        {"since": "2024-05-01T10:00:00+00:00"},
        {"since": "2024-05-02T00:59:00+00:00"},
    ]
    assert len(httpserver.log) == 2


def test_a_short_page_is_the_last_one(httpserver, connect):
    httpserver.expect_request(SEARCH, query_string=query(1)).respond_with_json(
        response(post_view(5, published="2024-06-01T10:00:00Z"))
    )

    pages = list(connect(cursor={"since": "2024-05-01T10:00:00+00:00"}).fetch())

    assert [page.cursor for page in pages] == [{"since": "2024-06-01T10:00:00+00:00"}]
    assert len(httpserver.log) == 1


def test_an_empty_search_keeps_the_cursor(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json(response())

    pages = list(connect(cursor={"since": "2024-05-01T10:00:00+00:00"}).fetch())

    assert [(page.items, page.cursor) for page in pages] == [([], {"since": "2024-05-01T10:00:00+00:00"})]


def test_missing_optional_fields_are_tolerated(httpserver, connect):
    bare = post_view(1)
    del bare["counts"]
    del bare["post"]["url"]
    del bare["post"]["body"]
    bare["creator"] = {"name": "anon"}
    httpserver.expect_request(SEARCH).respond_with_json(response(bare))

    page = next(connect().fetch())

    (item,) = page.items
    assert page.skipped == []
    assert item.author_handle == "@anon@localhost"
    assert item.author_name == ""
    assert (item.likes, item.replies) == (0, 0)
    assert item.language is None


def test_wrongly_typed_fields_skip_the_item_with_a_reason(httpserver, connect):
    no_id = post_view(2)
    del no_id["post"]["ap_id"]
    httpserver.expect_request(SEARCH).respond_with_json(
        response(
            "post",
            no_id,
            post_view(3, name=["Post"]),
            post_view(4, body={"md": "x"}),
            {**post_view(5), "creator": "lectora"},
            post_view(6, published=1714557600.5),
            post_view(7, deleted=True),
            {**post_view(8), "counts": {"score": "twelve", "comments": None}},
        )
    )

    page = next(connect().fetch())

    assert [item.external_id for item in page.items] == ["https://lemmy.example/post/6", "https://lemmy.example/post/8"]
    assert page.items[1].likes == 0
    assert page.skipped == [
        "Skipped an entry that is not a post.",
        "Skipped a post without an id.",
        "Skipped post https://lemmy.example/post/3: its text is not text.",
        "Skipped post https://lemmy.example/post/4: its text is not text.",
        "Skipped post https://lemmy.example/post/5: its author could not be read.",
        "Skipped post https://lemmy.example/post/7: it was deleted or removed.",
    ]


def test_an_unreadable_date_skips_the_item(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json(response(post_view(1, published="ayer")))

    page = next(connect().fetch())

    assert page.items == []
    assert page.skipped == ["Skipped post https://lemmy.example/post/1: its date could not be read."]


def test_429_waits_for_retry_after(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json(
        {"error": "rate_limit_error"}, status=429, headers={"Retry-After": "120"}
    )
    before = datetime.now(UTC)

    with pytest.raises(RateLimited) as raised:
        list(connect().fetch())

    assert before + timedelta(seconds=119) <= raised.value.retry_at <= datetime.now(UTC) + timedelta(seconds=121)


def test_an_old_lemmy_reports_rate_limits_as_400(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json({"error": "rate_limit_error"}, status=400)
    before = datetime.now(UTC)

    with pytest.raises(RateLimited) as raised:
        list(connect().fetch())

    assert before + timedelta(seconds=59) <= raised.value.retry_at <= datetime.now(UTC) + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("status", "body"),
    [(401, {"error": "not_logged_in"}), (403, {"error": "site_ban"}), (400, {"error": "not_logged_in"})],
)
def test_refused_access_is_an_auth_error(httpserver, connect, status, body):
    httpserver.expect_request(SEARCH).respond_with_json(body, status=status)

    with pytest.raises(AuthError):
        list(connect().fetch())


def test_a_token_is_sent_when_configured(httpserver, connect):
    httpserver.expect_request(SEARCH, headers={"Authorization": "Bearer lemmy-jwt"}).respond_with_json(response())

    assert len(list(connect(credentials={"jwt": "lemmy-jwt"}).fetch())) == 1


def test_a_server_error_is_transient(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_data("<html>502 Bad Gateway</html>", status=502)

    with pytest.raises(TransientError):
        list(connect().fetch())


def test_truncated_json_is_a_malformed_payload(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_data(
        '{"type_": "Posts", "posts": [{"post": {', content_type="application/json"
    )

    with pytest.raises(MalformedPayload, match="not valid JSON"):
        list(connect().fetch())


def test_a_response_without_posts_is_a_malformed_payload(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json([{"post": {}}])

    with pytest.raises(MalformedPayload, match="list of posts"):
        list(connect().fetch())
