"""The Reddit connector against a real local HTTP server speaking Reddit's OAuth and listing formats."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from listening.connectors import REGISTRY
from listening.connectors.base import AuthError, ConnectorError, MalformedPayload, RateLimited
from listening.connectors.reddit import RedditConnector, parse_target
from listening.http import HttpClient

CREDENTIALS = {"client_id": "app-id", "client_secret": "app-secret", "user_agent": "python:mesm-test:0.1 (by /u/mesm)"}
BASIC = "Basic " + base64.b64encode(b"app-id:app-secret").decode()
TOKEN = {"access_token": "token-1", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
NOW = int(time.time())


def post(name: str, minutes_ago: int = 0, **fields) -> dict:
    data = {
        "name": name,
        "id": name.removeprefix("t3_"),
        "subreddit": "libraries",
        "title": f"Post {name}",
        "selftext": "",
        "author": "bookworm",
        "permalink": f"/r/libraries/comments/{name.removeprefix('t3_')}/post/",
        "url": f"https://www.reddit.com/r/libraries/comments/{name.removeprefix('t3_')}/post/",
        "created_utc": float(NOW - minutes_ago * 60),
        "score": 1,
        "num_comments": 0,
        "over_18": False,
    }
    data.update(fields)
    return {"kind": "t3", "data": data}


def listing(*children, after=None) -> dict:
    return {
        "kind": "Listing",
        "data": {"after": after, "dist": len(children), "children": list(children), "before": None},
    }


def search_params(**extra) -> dict:
    params = {"q": "biblioteca", "sort": "new", "type": "link", "limit": "100", "raw_json": "1"}
    params.update(extra)
    return params


def connector(httpserver, target="biblioteca", cursor=None, http=None, credentials=CREDENTIALS):
    return RedditConnector(
        kind="search",
        target=target,
        base_url=httpserver.url_for(""),
        credentials=credentials,
        cursor=cursor or {},
        http=http or HttpClient(limiter=None),
    )


def expect_token(httpserver):
    httpserver.expect_request(
        "/api/v1/access_token", method="POST", headers={"Authorization": BASIC}, data="grant_type=client_credentials"
    ).respond_with_json(TOKEN)


def cached_token() -> dict:
    return {"token": "token-1", "token_expires": NOW + 3600}


def test_it_is_registered_for_the_reddit_platform():
    assert REGISTRY["reddit"] is RedditConnector


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("biblioteca pública", (None, "biblioteca pública")),
        ("r/libraries: wifi", ("libraries", "wifi")),
        ("/r/Libraries:wifi ruido", ("Libraries", "wifi ruido")),
        ("r/libraries", ("libraries", "")),
        ("r/x: too short a name", (None, "r/x: too short a name")),
    ],
)
def test_it_reads_the_subreddit_from_the_target(target, expected):
    assert parse_target(target) == expected


def test_it_requests_an_app_only_token_then_searches_with_raw_json(httpserver):
    expect_token(httpserver)
    body = post(
        "t3_abc",
        minutes_ago=5,
        title="Wifi & ruido en la biblioteca 😤",
        selftext="La sala de estudio <no> tiene wifi desde el lunes.",
        score=12,
        num_comments=3,
    )
    httpserver.expect_request(
        "/search", method="GET", query_string=search_params(), headers={"Authorization": "bearer token-1"}
    ).respond_with_json(listing(body))

    [page] = list(connector(httpserver).fetch())

    [item] = page.items
    assert item.external_id == "t3_abc"
    assert item.url == "https://www.reddit.com/r/libraries/comments/abc/post/"
    assert item.text == "Wifi & ruido en la biblioteca 😤\n\nLa sala de estudio <no> tiene wifi desde el lunes."
    assert item.author_handle == "u/bookworm"
    assert item.published_at == datetime.fromtimestamp(NOW - 300, UTC)
    assert (item.likes, item.replies) == (12, 3)
    assert page.cursor["newest"] == "t3_abc"
    assert page.cursor["newest_created"] == NOW - 300
    assert page.cursor["token"] == "token-1"
    assert page.cursor["token_expires"] >= NOW + 86400 - 5
    token_request, search_request = (request for request, _ in httpserver.log)
    assert token_request.headers["User-Agent"] == CREDENTIALS["user_agent"]
    assert search_request.headers["User-Agent"] == CREDENTIALS["user_agent"]
    assert search_request.args["raw_json"] == "1"


def test_it_follows_after_and_drops_duplicates_across_pages(httpserver):
    expect_token(httpserver)
    httpserver.expect_request("/search", query_string=search_params()).respond_with_json(
        listing(post("t3_c", 1), post("t3_b", 2), after="t3_b")
    )
    # A post arrived between the two requests, pushing t3_b onto the second page as well.
    httpserver.expect_request("/search", query_string=search_params(after="t3_b")).respond_with_json(
        listing(post("t3_b", 2), post("t3_a", 3), after=None)
    )

    first, second = list(connector(httpserver).fetch())

    assert [i.external_id for i in first.items] == ["t3_c", "t3_b"]
    assert [i.external_id for i in second.items] == ["t3_a"]
    # The bookmark moves only once the walk is complete, so a failure on page 2 leaves no gap.
    assert "newest" not in first.cursor
    assert second.cursor["newest"] == "t3_c"


def test_it_stops_at_the_newest_post_of_the_previous_poll(httpserver):
    httpserver.expect_request("/search", query_string=search_params()).respond_with_json(
        listing(post("t3_new", 1), post("t3_old", 10), post("t3_older", 20), after="t3_older")
    )
    cursor = {"newest": "t3_old", "newest_created": NOW - 600, **cached_token()}

    pages = list(connector(httpserver, cursor=cursor).fetch())

    assert len(pages) == 1  # no second request, no token request: the cached token is still good
    assert [i.external_id for i in pages[0].items] == ["t3_new"]
    assert pages[0].cursor["newest"] == "t3_new"
    assert len(httpserver.log) == 1


def test_an_unchanged_search_keeps_the_bookmark(httpserver):
    httpserver.expect_request("/search", query_string=search_params()).respond_with_json(listing(post("t3_old", 10)))
    cursor = {"newest": "t3_old", "newest_created": NOW - 600, **cached_token()}

    [page] = list(connector(httpserver, cursor=cursor).fetch())

    assert page.items == []
    assert page.cursor == cursor


def test_it_searches_one_subreddit_with_restrict_sr(httpserver):
    expect_token(httpserver)
    httpserver.expect_request(
        "/r/libraries/search", query_string=search_params(q="wifi", restrict_sr="1")
    ).respond_with_json(listing(post("t3_x")))

    [page] = list(connector(httpserver, target="r/libraries: wifi").fetch())

    assert [i.external_id for i in page.items] == ["t3_x"]


def test_a_subreddit_alone_reads_its_new_posts(httpserver):
    httpserver.expect_request("/r/libraries/new", query_string={"limit": "100", "raw_json": "1"}).respond_with_json(
        listing(post("t3_x"))
    )

    [page] = list(connector(httpserver, target="r/libraries", cursor=cached_token()).fetch())

    assert [i.external_id for i in page.items] == ["t3_x"]


def test_it_renews_the_token_once_after_a_401(httpserver):
    httpserver.expect_oneshot_request("/search", headers={"Authorization": "bearer stale"}).respond_with_json(
        {"message": "Unauthorized", "error": 401}, status=401
    )
    expect_token(httpserver)
    httpserver.expect_request("/search", headers={"Authorization": "bearer token-1"}).respond_with_json(
        listing(post("t3_x"))
    )

    [page] = list(connector(httpserver, cursor={"token": "stale", "token_expires": NOW + 3600}).fetch())

    assert [i.external_id for i in page.items] == ["t3_x"]
    assert page.cursor["token"] == "token-1"


def test_wrong_app_credentials_raise_auth_error(httpserver):
    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_json(
        {"message": "Unauthorized", "error": 401}, status=401
    )

    with pytest.raises(AuthError):
        list(connector(httpserver).fetch())


def test_a_token_answer_without_a_token_is_an_auth_error(httpserver):
    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_json({"error": "invalid_grant"})

    with pytest.raises(AuthError):
        list(connector(httpserver).fetch())


def test_missing_credentials_are_an_auth_error_without_any_request(httpserver):
    with pytest.raises(AuthError):
        list(connector(httpserver, credentials={}).fetch())
    assert httpserver.log == []


def test_a_403_on_a_subreddit_says_it_may_be_private(httpserver):
    httpserver.expect_request("/r/secret/search").respond_with_json({"message": "Forbidden", "error": 403}, status=403)

    with pytest.raises(ConnectorError) as error:
        list(connector(httpserver, target="r/secret: x", cursor=cached_token()).fetch())

    assert not isinstance(error.value, AuthError)
    assert "private" in error.value.message


def test_a_403_on_a_site_wide_search_is_an_auth_error(httpserver):
    httpserver.expect_request("/search").respond_with_json({"message": "Forbidden", "error": 403}, status=403)

    with pytest.raises(AuthError):
        list(connector(httpserver, cursor=cached_token()).fetch())


def test_429_with_reddit_headers_raises_rate_limited_until_the_reset(httpserver):
    httpserver.expect_request("/search").respond_with_data(
        "Too Many Requests",
        status=429,
        headers={"X-Ratelimit-Used": "100", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "420"},
    )

    with pytest.raises(RateLimited) as error:
        list(connector(httpserver, cursor=cached_token()).fetch())

    expected = datetime.now(UTC) + timedelta(seconds=420)
    assert abs((error.value.retry_at - expected).total_seconds()) < 5


class RecordingHttp(HttpClient):
    def __init__(self):
        super().__init__(limiter=None)
        self.blocked = []

    def block(self, url, until):
        self.blocked.append((url, until))


def test_no_requests_left_blocks_the_host_and_stops_after_the_page(httpserver):
    httpserver.expect_request("/search", query_string=search_params()).respond_with_json(
        listing(post("t3_b", 1), after="t3_b"),
        headers={"X-Ratelimit-Used": "99", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "60"},
    )
    http = RecordingHttp()
    fetch = connector(httpserver, cursor=cached_token(), http=http).fetch()

    page = next(fetch)
    with pytest.raises(RateLimited) as error:
        next(fetch)

    assert [i.external_id for i in page.items] == ["t3_b"]
    [(url, until)] = http.blocked
    assert url.endswith("/search")
    assert error.value.retry_at == until
    assert len(httpserver.log) == 1  # the second page was not requested


def test_truncated_json_raises_malformed_payload(httpserver):
    text = json.dumps(listing(post("t3_a"), post("t3_b")))
    httpserver.expect_request("/search").respond_with_data(text[: len(text) // 2], content_type="application/json")

    with pytest.raises(MalformedPayload):
        list(connector(httpserver, cursor=cached_token()).fetch())


def test_a_body_that_is_not_a_listing_raises_malformed_payload(httpserver):
    httpserver.expect_request("/search").respond_with_json({"kind": "Listing", "data": {"children": "none"}})

    with pytest.raises(MalformedPayload):
        list(connector(httpserver, cursor=cached_token()).fetch())


def test_wrongly_typed_fields_skip_the_post(httpserver):
    httpserver.expect_request("/search").respond_with_json(
        listing(
            post("t3_ok", 1, score="7", num_comments=None, author=None),
            post("t3_date", 2, created_utc="yesterday"),
            post("t3_title", 3, title=["not", "text"]),
            {"kind": "t5", "data": {"name": "t5_2qh1i", "display_name": "libraries"}},
            "garbage",
        )
    )

    [page] = list(connector(httpserver, cursor=cached_token()).fetch())

    [item] = page.items
    assert (item.external_id, item.likes, item.replies, item.author_handle) == ("t3_ok", 7, 0, "u/[deleted]")
    assert page.skipped == [
        "Post 2 was left out: its date cannot be read.",
        "Post 3 was left out: it has no title.",
        "Result 4 was left out: it is not a post.",
        "Result 5 was left out: it is not a post.",
    ]
