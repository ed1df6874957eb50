"""YouTube video search through the YouTube Data API v3 with an API key (``credentials["api_key"]``).

Quota matters more than anything here: a ``search.list`` call costs 100 of the 10,000 daily
units, a ``videos.list`` call 1. So a poll asks only for videos published since the newest one it
has seen (``publishedAfter``), fetches at most ``max_pages`` pages, and spends one ``videos.list``
call per page to get the counts and the full description (search results cut it short).

``publishedAfter`` includes the boundary instant, so the ids published at exactly that time are
remembered and skipped. The bookmark only moves on the poll's last page: a poll that fails halfway
is walked again from the top next time rather than leaving a gap.

Cursor: ``{"published_after": "2025-06-03T10:00:00Z", "boundary_ids": [video ids published then]}``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from listening.connectors import register
from listening.connectors.base import (
    AuthError,
    ConfigurationError,
    Connector,
    ConnectorError,
    FetchedItem,
    MalformedPayload,
    Page,
    RateLimited,
)
from listening.connectors.text import parse_datetime_utc, to_int
from listening.http import check_response

PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
SHORT_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
KEY_REASONS = frozenset({"keyInvalid", "keyExpired", "forbidden", "accessNotConfigured", "ipRefererBlocked"})


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    """YouTube quotas reset at midnight Pacific Time (PST or PDT, whichever is in force)."""
    now = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0, 0), tzinfo=PACIFIC)
    return midnight.astimezone(UTC)


def _error_reasons(response) -> set[str]:
    """Reasons from Google's error body ``{"error": {"errors": [{"reason": ...}]}}``."""
    try:
        body = response.json()
    except ValueError:
        return set()
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("errors") if isinstance(error, dict) else None
    if not isinstance(details, list):
        return set()
    return {
        detail["reason"] for detail in details if isinstance(detail, dict) and isinstance(detail.get("reason"), str)
    }


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register
class YouTubeConnector(Connector):
    platform = "youtube"
    kinds = ("search",)
    default_base_url = "https://www.googleapis.com/youtube/v3"
    # Each page costs 101 of the 10,000 daily units (search 100 + videos 1): three pages at most.
    max_pages = 3

    def fetch(self) -> Iterator[Page]:
        if not self.target:
            raise ConfigurationError(_("Give the words to search YouTube for."))
        if not self.credentials.get("api_key"):
            raise AuthError(_("The YouTube source needs an API key."))

        params = {
            "part": "snippet",
            "q": self.target,
            "type": "video",
            "order": "date",
            "maxResults": "50",
            "key": self.credentials["api_key"],
        }
        published_after = parse_datetime_utc(self.cursor.get("published_after"))
        if published_after is not None:
            params["publishedAfter"] = _rfc3339(published_after)
        boundary_ids = set(self.cursor.get("boundary_ids") or [])

        newest: datetime | None = None
        newest_ids: list[str] = []
        ids_this_poll: set[str] = set()
        page_token = None
        for page_number in range(1, self.max_pages + 1):
            body = self._get("/search", dict(params, pageToken=page_token) if page_token else params)
            results = body.get("items")
            page_token = body.get("nextPageToken")
            if not isinstance(results, list) or not isinstance(page_token, str | None):
                raise MalformedPayload(_("YouTube sent something that is not a list of search results."))

            items, skipped = [], []
            for position, result in enumerate(results, start=1):
                result_id = result.get("id") if isinstance(result, dict) else None
                if isinstance(result_id, dict) and result_id.get("kind") not in (None, "youtube#video"):
                    continue  # a channel or playlist: expected in search results, not a problem
                item, reason = self._item(result)
                if item is None:
                    skipped.append(
                        _("Result %(position)s was left out: %(reason)s.") % {"position": position, "reason": reason}
                    )
                    continue
                if item.external_id in ids_this_poll or item.external_id in boundary_ids:
                    continue  # already stored: a page shift or the publishedAfter boundary
                ids_this_poll.add(item.external_id)
                if newest is None or item.published_at > newest:
                    newest, newest_ids = item.published_at, [item.external_id]
                elif item.published_at == newest:
                    newest_ids.append(item.external_id)
                items.append(item)
            self._enrich(items)

            finished = not page_token or page_number == self.max_pages
            cursor = dict(self.cursor)
            if finished and newest is not None:
                if published_after is not None and newest == published_after:
                    newest_ids = sorted(boundary_ids | set(newest_ids))
                cursor = {"published_after": _rfc3339(newest), "boundary_ids": newest_ids}
            yield Page(items=items, cursor=cursor, skipped=skipped)
            if finished:
                return

    # --- requests ---------------------------------------------------------------------------

    def _get(self, path: str, params: dict) -> dict:
        url = f"{self.base_url}{path}"
        response = self.http.get(url, params=params)
        if response.status_code >= 400:
            self._raise_for_error(url, response)
        check_response(response)
        try:
            body = response.json()
        except ValueError as error:
            raise MalformedPayload(
                _("%(platform)s sent a page that is not valid JSON; it may have been cut off.")
                % {"platform": "YouTube"}
            ) from error
        if not isinstance(body, dict):
            raise MalformedPayload(_("YouTube sent something that is not a list of search results."))
        return body

    def _raise_for_error(self, url: str, response) -> None:
        reasons = _error_reasons(response)
        if reasons & QUOTA_REASONS:
            retry_at = next_pacific_midnight()
            self.http.block(url, retry_at)
            raise RateLimited(retry_at, _("The YouTube daily quota is used up; polling resumes after it resets."))
        if reasons & SHORT_LIMIT_REASONS:
            raise RateLimited(datetime.now(UTC) + timedelta(minutes=5))
        if "accessNotConfigured" in reasons:
            raise AuthError(_("The YouTube Data API is not enabled for this API key’s Google Cloud project."))
        if reasons & KEY_REASONS or response.status_code in (401, 403):
            raise AuthError(_("YouTube refused the API key: it is wrong, expired or restricted."))

    def _enrich(self, items: list[FetchedItem]) -> None:
        """Counts, full description and language from ``videos.list`` (1 unit for up to 50 ids).

        Optional: if it fails the items keep the search snippet and zero counts rather than
        losing a page that cost 100 units."""
        if not items:
            return
        try:
            body = self._get(
                "/videos",
                {
                    "part": "snippet,statistics",
                    "id": ",".join(item.external_id for item in items),
                    "key": self.credentials["api_key"],
                },
            )
        except ConnectorError:
            return
        videos = body.get("items")
        if not isinstance(videos, list):
            return
        by_id = {video.get("id"): video for video in videos if isinstance(video, dict)}
        for item in items:
            video = by_id.get(item.external_id)
            if not video:
                continue
            statistics = video.get("statistics") if isinstance(video.get("statistics"), dict) else {}
            item.likes = to_int(statistics.get("likeCount"))
            item.replies = to_int(statistics.get("commentCount"))
            snippet = video.get("snippet") if isinstance(video.get("snippet"), dict) else {}
            description = snippet.get("description")
            title = snippet.get("title")
            if isinstance(description, str) and isinstance(title, str):
                # videos.list returns the text unescaped and uncut.
                item.text = f"{title.strip()}\n\n{description.strip()}" if description.strip() else title.strip()
            language = snippet.get("defaultAudioLanguage") or snippet.get("defaultLanguage")
            if isinstance(language, str) and language:
                item.language = language.split("-")[0].lower()
            item.raw["statistics"] = statistics

    # --- items --------------------------------------------------------------------------------

    @staticmethod
    def _item(result) -> tuple[FetchedItem | None, str]:
        if not isinstance(result, dict):
            return None, _("it is not a search result")
        video_id = (result.get("id") or {}).get("videoId") if isinstance(result.get("id"), dict) else None
        if not isinstance(video_id, str) or not video_id:
            return None, _("it has no video id")
        snippet = result.get("snippet")
        if not isinstance(snippet, dict):
            return None, _("it has no title or description")
        title = snippet.get("title")
        description = snippet.get("description") or ""
        if not isinstance(title, str) or not isinstance(description, str):
            return None, _("it has no title or description")
        published_at = parse_datetime_utc(snippet.get("publishedAt"))
        if published_at is None:
            return None, _("its date cannot be read")
        channel = snippet.get("channelTitle")
        channel = channel.strip() if isinstance(channel, str) else ""
        # search.list escapes HTML entities (&#39;, &amp;, &quot;) in titles and descriptions.
        title, description = html.unescape(title).strip(), html.unescape(description).strip()
        return (
            FetchedItem(
                external_id=video_id,
                url=f"https://www.youtube.com/watch?v={video_id}",
                text=f"{title}\n\n{description}" if description else title,
                author_handle=channel or str(snippet.get("channelId") or ""),
                author_name=channel,
                published_at=published_at,
                raw={"id": video_id, "snippet": snippet},
            ),
            "",
        )
