"""The Bluesky connector against a local XRPC server answering the documented wire format
(app.bsky.feed.searchPosts, com.atproto.server.createSession / refreshSession,
app.bsky.actor.getProfile, RateLimit-* headers with the reset in epoch seconds)."""

from datetime import UTC, datetime

import pytest
from werkzeug import Response

from listening.connectors.base import AuthError, MalformedPayload, RateLimited, TransientError
from listening.connectors.bluesky import BlueskyConnector, get_profile_counts
from listening.http import HttpClient

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
CREDENTIALS = {"identifier": "biblio.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
DID = "did:plc:biblio123"


def session_body(access, refresh):
    return {"accessJwt": access, "refreshJwt": refresh, "handle": "biblio.bsky.social", "did": DID, "active": True}


def post(rkey, indexed_at="2024-05-01T10:00:00.000Z", text=None, **extra):
    """An app.bsky.feed.defs#postView."""
    return {
        "uri": f"at://did:plc:autora/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}",
        "author": {
            "did": "did:plc:autora",
            "handle": "autora.bsky.social",
            "displayName": "Autora",
            "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:autora/x@jpeg",
            "labels": [],
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text if text is not None else f"Post {rkey}",
            "createdAt": indexed_at,
            "langs": ["es"],
        },
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 3,
        "quoteCount": 1,
        "indexedAt": indexed_at,
        "labels": [],
        **extra,
    }


class RecordingHttp(HttpClient):
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
    def build(cursor=None, credentials=CREDENTIALS, target="biblioteca"):
        return BlueskyConnector(
            kind="search",
            target=target,
            base_url=httpserver.url_for("/"),
            credentials=credentials,
            cursor=cursor or {},
            http=http,
        )

    return build


def calls(httpserver, path):
    return sum(1 for request, _ in httpserver.log if request.path == path)


def logged_in(access="access-1"):
    return {"session": {"accessJwt": access, "refreshJwt": "refresh-1", "did": DID, "handle": "biblio.bsky.social"}}


def test_it_logs_in_searches_and_keeps_the_session_in_the_cursor(httpserver, connect):
    httpserver.expect_request(
        CREATE, method="POST", json={"identifier": "biblio.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    ).respond_with_json(session_body("access-1", "refresh-1"))
    httpserver.expect_request(
        SEARCH,
        query_string={"q": "biblioteca", "limit": "100", "sort": "latest"},
        headers={"Authorization": "Bearer access-1"},
    ).respond_with_json(
        {
            "cursor": "next-page",
            "hitsTotal": 500,
            "posts": [post("3kb2"), post("3kb1", indexed_at="2024-05-01T09:00:00Z")],
        }
    )

    pages = list(connect().fetch())

    assert len(pages) == 1  # the first poll only reads the newest page
    assert pages[0].cursor == {
        "session": {"accessJwt": "access-1", "refreshJwt": "refresh-1", "did": DID, "handle": "biblio.bsky.social"},
        "since": "2024-05-01T10:00:00Z",
    }
    assert [item.external_id for item in pages[0].items] == [
        "at://did:plc:autora/app.bsky.feed.post/3kb2",
        "at://did:plc:autora/app.bsky.feed.post/3kb1",
    ]


def test_a_post_becomes_an_item(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json(
        {
            "posts": [
                post(
                    "3kx",
                    record={
                        "$type": "app.bsky.feed.post",
                        "text": "Club de lectura &amp; café 📚\nSala 2",
                        "createdAt": "2024-05-01T12:30:00.000+02:00",
                        "langs": ["es", "en"],
                    },
                    indexedAt="2024-05-01T10:30:01.123Z",
                    likeCount=10,
                    repostCount=4,
                    quoteCount=2,
                    replyCount=5,
                )
            ]
        }
    )

    (item,) = next(connect(cursor=logged_in()).fetch()).items

    assert item.url == "https://bsky.app/profile/autora.bsky.social/post/3kx"
    # Bluesky text is plain text already: an "&amp;" a person typed stays as typed.
    assert item.text == "Club de lectura &amp; café 📚\nSala 2"
    assert item.author_handle == "@autora.bsky.social"
    assert item.author_name == "Autora"
    assert item.published_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert item.language == "es"
    assert (item.likes, item.reposts, item.replies) == (10, 6, 5)
    assert item.raw["cid"] == "bafyrei3kx"


def test_missing_optional_fields_are_tolerated(httpserver, connect):
    bare = {
        "uri": "at://did:plc:anon/app.bsky.feed.post/3aa",
        "author": {"did": "did:plc:anon", "handle": "handle.invalid"},
        "record": {"createdAt": "2024-05-01T10:00:00Z"},
    }
    httpserver.expect_request(SEARCH).respond_with_json({"posts": [bare]})

    page = next(connect(cursor=logged_in()).fetch())

    (item,) = page.items
    assert page.skipped == []
    assert item.text == ""
    assert item.author_name == ""
    assert item.language is None
    assert (item.likes, item.reposts, item.replies) == (0, 0, 0)
    # A handle that no longer resolves cannot open a profile; the DID can.
    assert item.url == "https://bsky.app/profile/did:plc:anon/post/3aa"
    assert page.cursor["since"] == "2024-05-01T10:00:00Z"


def test_wrongly_typed_fields_skip_the_item_with_a_reason(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json(
        {
            "posts": [
                42,
                post("1", uri=None),
                post("2", author="autora"),
                post("3", record=["text"]),
                post("4", record={"text": 7, "createdAt": "2024-05-01T10:00:00Z"}),
                post("5", likeCount="lots"),
            ]
        }
    )

    page = next(connect(cursor=logged_in()).fetch())

    assert [item.external_id for item in page.items] == ["at://did:plc:autora/app.bsky.feed.post/5"]
    assert page.skipped == [
        "Skipped an entry that is not a post.",
        "Skipped a post without an id.",
        "Skipped post at://did:plc:autora/app.bsky.feed.post/2: its author could not be read.",
        "Skipped post at://did:plc:autora/app.bsky.feed.post/3: its content could not be read.",
        "Skipped post at://did:plc:autora/app.bsky.feed.post/4: its text is not text.",
    ]


def test_it_follows_the_cursor_until_it_meets_posts_already_seen(httpserver, connect):
    base = {"q": "biblioteca", "limit": "100", "sort": "latest", "since": "2024-05-01T08:00:00Z"}
    httpserver.expect_request(SEARCH, query_string=base).respond_with_json(
        {"cursor": "c2", "posts": [post("n3", "2024-05-01T11:00:00Z"), post("n2", "2024-05-01T10:00:00Z")]}
    )
    httpserver.expect_request(SEARCH, query_string={**base, "cursor": "c2"}).respond_with_json(
        {
            "cursor": "c3",
            "posts": [
                post("n2", "2024-05-01T10:00:00Z"),  # shifted onto this page by a newer post
                post("n1", "2024-05-01T09:00:00Z"),
                post("old", "2024-05-01T08:00:00Z"),  # the newest post of the previous poll
            ],
        }
    )

    pages = list(connect(cursor={**logged_in(), "since": "2024-05-01T08:00:00Z"}).fetch())

    assert [[item.external_id.rsplit("/", 1)[-1] for item in page.items] for page in pages] == [["n3", "n2"], ["n1"]]
    # The first page may not move "since": the older page had not been stored yet.
    assert [page.cursor["since"] for page in pages] == ["2024-05-01T08:00:00Z", "2024-05-01T11:00:00Z"]
    assert calls(httpserver, SEARCH) == 2


def test_it_refreshes_an_expired_session_instead_of_logging_in_again(httpserver, connect):
    httpserver.expect_request(CREATE, method="POST").respond_with_json(session_body("access-1", "refresh-1"))
    httpserver.expect_request(REFRESH, method="POST", headers={"Authorization": "Bearer refresh-1"}).respond_with_json(
        session_body("access-2", "refresh-2")
    )
    searches = {"old": 0}

    def search(request):
        # access-1 works for the first poll and has expired by the second one.
        token = request.headers.get("Authorization")
        if token == "Bearer access-1":
            searches["old"] += 1
            if searches["old"] > 1:
                return Response(
                    '{"error": "ExpiredToken", "message": "Token has expired"}', 400, content_type="application/json"
                )
        body = '{"posts": [{"uri": "at://did:plc:a/app.bsky.feed.post/1", "author": {"handle": "a.bsky.social"}, "record": {"text": "hola", "createdAt": "2024-05-01T10:00:00Z"}, "indexedAt": "2024-05-01T10:00:00Z"}]}'
        return Response(body, 200, content_type="application/json")

    httpserver.expect_request(SEARCH).respond_with_handler(search)

    first = list(connect().fetch())
    second = list(connect(cursor=first[-1].cursor).fetch())

    assert calls(httpserver, CREATE) == 1
    assert calls(httpserver, REFRESH) == 1
    assert second[-1].cursor["session"]["accessJwt"] == "access-2"
    assert second[-1].cursor["session"]["refreshJwt"] == "refresh-2"


def test_it_logs_in_again_when_the_refresh_token_is_refused(httpserver, connect):
    httpserver.expect_request(SEARCH, headers={"Authorization": "Bearer stale"}).respond_with_json(
        {"error": "ExpiredToken", "message": "Token has expired"}, status=400
    )
    httpserver.expect_request(REFRESH, method="POST").respond_with_json(
        {"error": "ExpiredToken", "message": "Token has expired"}, status=400
    )
    httpserver.expect_request(CREATE, method="POST").respond_with_json(session_body("fresh", "fresh-refresh"))
    httpserver.expect_request(SEARCH, headers={"Authorization": "Bearer fresh"}).respond_with_json({"posts": []})

    page = next(connect(cursor=logged_in("stale")).fetch())

    assert page.cursor["session"]["accessJwt"] == "fresh"
    assert calls(httpserver, REFRESH) == 1
    assert calls(httpserver, CREATE) == 1


def test_a_search_without_credentials_or_session_is_refused(connect):
    with pytest.raises(AuthError, match="app password"):
        list(connect(credentials={}).fetch())


def test_a_wrong_app_password_is_an_auth_error(httpserver, connect):
    httpserver.expect_request(CREATE, method="POST").respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, status=401
    )

    with pytest.raises(AuthError, match="identifier and app password"):
        list(connect().fetch())


def test_a_forbidden_search_is_an_auth_error(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json({"error": "Forbidden", "message": "no"}, status=403)

    with pytest.raises(AuthError):
        list(connect(cursor=logged_in()).fetch())


def test_429_waits_until_ratelimit_reset(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json(
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        status=429,
        headers={
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": "1893456300",
            "RateLimit-Policy": "3000;w=300",
        },
    )

    with pytest.raises(RateLimited) as raised:
        list(connect(cursor=logged_in()).fetch())

    assert raised.value.retry_at == datetime(2030, 1, 1, 0, 5, tzinfo=UTC)


def test_a_spent_window_blocks_the_host_until_the_reset(httpserver, connect, http):
    httpserver.expect_request(SEARCH).respond_with_json(
        {"posts": []}, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "1893456300"}
    )

    list(connect(cursor=logged_in()).fetch())

    assert http.blocked == [(httpserver.url_for(SEARCH), datetime(2030, 1, 1, 0, 5, tzinfo=UTC))]


def test_a_server_error_is_transient(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json({"error": "InternalServerError"}, status=500)

    with pytest.raises(TransientError):
        list(connect(cursor=logged_in()).fetch())


def test_truncated_json_is_a_malformed_payload(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_data('{"posts": [{"uri": "at://', content_type="application/json")

    with pytest.raises(MalformedPayload, match="not valid JSON"):
        list(connect(cursor=logged_in()).fetch())


def test_results_without_a_posts_list_are_a_malformed_payload(httpserver, connect):
    httpserver.expect_request(SEARCH).respond_with_json({"posts": {"uri": "at://x"}})

    with pytest.raises(MalformedPayload, match="list of posts"):
        list(connect(cursor=logged_in()).fetch())


def test_profile_counts(httpserver, http):
    httpserver.expect_request(
        "/xrpc/app.bsky.actor.getProfile",
        query_string={"actor": "biblio.bsky.social"},
        headers={"Authorization": "Bearer access-1"},
    ).respond_with_json(
        {
            "did": DID,
            "handle": "biblio.bsky.social",
            "displayName": "Biblioteca Norte",
            "followersCount": 1520,
            "followsCount": 210,
            "postsCount": 988,
        }
    )

    counts = get_profile_counts(http, httpserver.url_for("/"), "@biblio.bsky.social", session=logged_in()["session"])

    assert counts == {"followers": 1520, "follows": 210, "posts": 988}
