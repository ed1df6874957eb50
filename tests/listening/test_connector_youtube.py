"""The YouTube connector against a real local HTTP server speaking the YouTube Data API v3."""

import json
from datetime import UTC, datetime

import pytest

from listening.connectors import REGISTRY
from listening.connectors.base import AuthError, MalformedPayload, RateLimited
from listening.connectors.youtube import YouTubeConnector, next_pacific_midnight
from listening.http import HttpClient

KEY = "AIza-test-key"


def video(video_id: str, published: str = "2025-06-03T10:00:00Z", **snippet) -> dict:
    data = {
        "publishedAt": published,
        "channelId": "UC123",
        "title": f"Video {video_id}",
        "description": "",
        "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg"}},
        "channelTitle": "Biblioteca Pública Demo",
        "liveBroadcastContent": "none",
        "publishTime": published,
    }
    data.update(snippet)
    return {
        "kind": "youtube#searchResult",
        "etag": "e",
        "id": {"kind": "youtube#video", "videoId": video_id},
        "snippet": data,
    }


def results(*items, next_page=None) -> dict:
    body = {
        "kind": "youtube#searchListResponse",
        "etag": "e",
        "regionCode": "ES",
        "pageInfo": {"totalResults": 1000, "resultsPerPage": 50},
        "items": list(items),
    }
    if next_page:
        body["nextPageToken"] = next_page
    return body


def search_params(**extra) -> dict:
    params = {"part": "snippet", "q": "biblioteca", "type": "video", "order": "date", "maxResults": "50", "key": KEY}
    params.update(extra)
    return params


def google_error(code: int, reason: str, domain: str, message: str) -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


def connector(httpserver, cursor=None, http=None, credentials=None):
    return YouTubeConnector(
        kind="search",
        target="biblioteca",
        base_url=httpserver.url_for("/youtube/v3"),
        credentials={"api_key": KEY} if credentials is None else credentials,
        cursor=cursor or {},
        http=http or HttpClient(limiter=None),
    )


def no_statistics(httpserver):
    httpserver.expect_request("/youtube/v3/videos").respond_with_json(
        {"kind": "youtube#videoListResponse", "items": []}
    )


def test_it_is_registered_for_the_youtube_platform():
    assert REGISTRY["youtube"] is YouTubeConnector


def test_it_searches_newest_videos_and_decodes_entities(httpserver):
    httpserver.expect_request("/youtube/v3/search", query_string=search_params()).respond_with_json(
        results(
            video(
                "vid1",
                "2025-06-03T10:00:00+02:00",
                title="Club de lectura: &quot;Cien a&ntilde;os&quot; &amp; caf&#233; 📚",
                description="Grabaci&oacute;n de la sesi&#243;n de junio. It&#39;s free!",
            )
        )
    )
    no_statistics(httpserver)

    [page] = list(connector(httpserver).fetch())

    [item] = page.items
    assert item.external_id == "vid1"
    assert item.url == "https://www.youtube.com/watch?v=vid1"
    assert item.text == 'Club de lectura: "Cien años" & café 📚\n\nGrabación de la sesión de junio. It\'s free!'
    assert item.author_handle == "Biblioteca Pública Demo"
    assert item.published_at == datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    assert page.cursor == {"published_after": "2025-06-03T08:00:00Z", "boundary_ids": ["vid1"]}


def test_it_enriches_counts_and_full_descriptions_with_one_videos_call_per_page(httpserver):
    httpserver.expect_request("/youtube/v3/search").respond_with_json(results(video("vid1"), video("vid2")))
    httpserver.expect_request(
        "/youtube/v3/videos", query_string={"part": "snippet,statistics", "id": "vid1,vid2", "key": KEY}
    ).respond_with_json(
        {
            "kind": "youtube#videoListResponse",
            "items": [
                {
                    "kind": "youtube#video",
                    "id": "vid1",
                    "snippet": {
                        "title": "Video vid1",
                        "description": "Full text, not cut…",
                        "defaultAudioLanguage": "es-419",
                    },
                    "statistics": {"viewCount": "100", "likeCount": "7", "favoriteCount": "0", "commentCount": "2"},
                }
            ],
        }
    )

    [page] = list(connector(httpserver).fetch())

    first, second = page.items
    assert (first.likes, first.replies, first.language) == (7, 2, "es")
    assert first.text == "Video vid1\n\nFull text, not cut…"
    assert (second.likes, second.replies, second.language) == (0, 0, None)


def test_a_failed_enrichment_keeps_the_page(httpserver):
    httpserver.expect_request("/youtube/v3/search").respond_with_json(results(video("vid1")))
    httpserver.expect_request("/youtube/v3/videos").respond_with_data("boom", status=500)

    [page] = list(connector(httpserver).fetch())

    assert [i.external_id for i in page.items] == ["vid1"]


def test_it_follows_page_tokens_and_asks_only_for_newer_videos_next_time(httpserver):
    httpserver.expect_request("/youtube/v3/search", query_string=search_params()).respond_with_json(
        results(video("vid3", "2025-06-03T12:00:00Z"), video("vid2", "2025-06-03T11:00:00Z"), next_page="CDIQAA")
    )
    httpserver.expect_request("/youtube/v3/search", query_string=search_params(pageToken="CDIQAA")).respond_with_json(
        results(video("vid2", "2025-06-03T11:00:00Z"), video("vid1", "2025-06-03T10:00:00Z"))
    )
    no_statistics(httpserver)

    first, second = list(connector(httpserver).fetch())

    assert [i.external_id for i in first.items] == ["vid3", "vid2"]
    assert [i.external_id for i in second.items] == ["vid1"]  # vid2 again on page 2: dropped
    assert first.cursor == {}  # the bookmark moves only when the walk is complete
    assert second.cursor == {"published_after": "2025-06-03T12:00:00Z", "boundary_ids": ["vid3"]}

    httpserver.clear()
    # publishedAfter includes its own instant, so vid3 comes back and is recognised.
    httpserver.expect_request(
        "/youtube/v3/search", query_string=search_params(publishedAfter="2025-06-03T12:00:00Z")
    ).respond_with_json(results(video("vid4", "2025-06-03T12:00:00Z"), video("vid3", "2025-06-03T12:00:00Z")))
    no_statistics(httpserver)

    [third] = list(connector(httpserver, cursor=second.cursor).fetch())

    assert [i.external_id for i in third.items] == ["vid4"]
    assert third.cursor == {"published_after": "2025-06-03T12:00:00Z", "boundary_ids": ["vid3", "vid4"]}


def test_it_stops_after_max_pages(httpserver):
    for page in range(5):
        params = search_params(pageToken=f"p{page}") if page else search_params()
        httpserver.expect_request("/youtube/v3/search", query_string=params).respond_with_json(
            results(video(f"v{page}", f"2025-06-0{5 - page}T10:00:00Z"), next_page=f"p{page + 1}")
        )
    no_statistics(httpserver)

    pages = list(connector(httpserver).fetch())

    assert len(pages) == YouTubeConnector.max_pages
    assert pages[-1].cursor["published_after"] == "2025-06-05T10:00:00Z"


def test_channels_and_playlists_are_skipped_without_a_note(httpserver):
    channel = {"kind": "youtube#searchResult", "id": {"kind": "youtube#channel", "channelId": "UC1"}, "snippet": {}}
    playlist = {"kind": "youtube#searchResult", "id": {"kind": "youtube#playlist", "playlistId": "PL1"}, "snippet": {}}
    httpserver.expect_request("/youtube/v3/search").respond_with_json(results(channel, video("vid1"), playlist))
    no_statistics(httpserver)

    [page] = list(connector(httpserver).fetch())

    assert [i.external_id for i in page.items] == ["vid1"]
    assert page.skipped == []


def test_wrongly_typed_fields_skip_the_result(httpserver):
    httpserver.expect_request("/youtube/v3/search").respond_with_json(
        results(
            video("ok"),
            video("bad-date", publishedAt="last week"),
            video("bad-title", title=None),
            {"kind": "youtube#searchResult", "id": {"kind": "youtube#video"}, "snippet": {}},
            "garbage",
        )
    )
    no_statistics(httpserver)

    [page] = list(connector(httpserver).fetch())

    assert [i.external_id for i in page.items] == ["ok"]
    assert page.skipped == [
        "Result 2 was left out: its date cannot be read.",
        "Result 3 was left out: it has no title or description.",
        "Result 4 was left out: it has no video id.",
        "Result 5 was left out: it is not a search result.",
    ]


class RecordingHttp(HttpClient):
    def __init__(self):
        super().__init__(limiter=None)
        self.blocked = []

    def block(self, url, until):
        self.blocked.append((url, until))


@pytest.mark.parametrize("reason", ["quotaExceeded", "dailyLimitExceeded"])
def test_quota_exceeded_raises_rate_limited_until_the_next_pacific_midnight(httpserver, reason):
    message = "The request cannot be completed because you have exceeded your quota."
    httpserver.expect_request("/youtube/v3/search").respond_with_json(
        google_error(403, reason, "youtube.quota", message), status=403
    )
    http = RecordingHttp()

    with pytest.raises(RateLimited) as error:
        list(connector(httpserver, http=http).fetch())

    assert error.value.retry_at == next_pacific_midnight()
    assert error.value.message == "The YouTube daily quota is used up; polling resumes after it resets."
    assert http.blocked == [(httpserver.url_for("/youtube/v3/search"), error.value.retry_at)]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Summer: PDT is UTC-7, so midnight there is 07:00 UTC.
        (datetime(2025, 6, 3, 6, 59, tzinfo=UTC), datetime(2025, 6, 3, 7, 0, tzinfo=UTC)),
        (datetime(2025, 6, 3, 7, 0, tzinfo=UTC), datetime(2025, 6, 4, 7, 0, tzinfo=UTC)),
        # Winter: PST is UTC-8.
        (datetime(2025, 1, 15, 20, 0, tzinfo=UTC), datetime(2025, 1, 16, 8, 0, tzinfo=UTC)),
        # The night the clocks go back (2 November 2025) still resets at local midnight.
        (datetime(2025, 11, 2, 12, 0, tzinfo=UTC), datetime(2025, 11, 3, 8, 0, tzinfo=UTC)),
    ],
)
def test_next_pacific_midnight(now, expected):
    assert next_pacific_midnight(now) == expected


def test_key_invalid_raises_auth_error(httpserver):
    httpserver.expect_request("/youtube/v3/search").respond_with_json(
        google_error(400, "keyInvalid", "usageLimits", "API key not valid. Please pass a valid API key."), status=400
    )

    with pytest.raises(AuthError) as error:
        list(connector(httpserver).fetch())

    assert "API key" in error.value.message


def test_forbidden_raises_auth_error(httpserver):
    httpserver.expect_request("/youtube/v3/search").respond_with_json(
        google_error(403, "forbidden", "global", "The request is not properly authorized."), status=403
    )

    with pytest.raises(AuthError):
        list(connector(httpserver).fetch())


def test_a_missing_api_key_is_an_auth_error_without_any_request(httpserver):
    with pytest.raises(AuthError):
        list(connector(httpserver, credentials={}).fetch())
    assert httpserver.log == []


def test_truncated_json_raises_malformed_payload(httpserver):
    text = json.dumps(results(video("vid1"), video("vid2")))
    httpserver.expect_request("/youtube/v3/search").respond_with_data(text[:-40], content_type="application/json")

    with pytest.raises(MalformedPayload):
        list(connector(httpserver).fetch())


def test_a_body_without_items_raises_malformed_payload(httpserver):
    httpserver.expect_request("/youtube/v3/search").respond_with_json(
        {"kind": "youtube#searchListResponse", "items": {}}
    )

    with pytest.raises(MalformedPayload):
        list(connector(httpserver).fetch())
