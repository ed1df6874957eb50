"""Lemmy: posts matching a search on one instance (which also holds posts federated from others).

Wire format: ``GET /api/v3/search?q=…&type_=Posts&sort=New&limit=50&page=N`` answers a
``SearchResponse`` whose ``posts`` is a list of ``PostView`` objects (``post``, ``creator``,
``community``, ``counts``). Older Lemmy versions write timestamps without a time zone: they are UTC.
Lemmy sends no rate-limit headers; when limited it answers 429 (0.19+) or 400 with
``{"error": "rate_limit_error"}`` (older versions).

Cursor shape: ``{"since": "<ISO 8601 of the newest post seen>"}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from listening.connectors import register
from listening.connectors.base import (
    AuthError,
    ConfigurationError,
    Connector,
    FetchedItem,
    MalformedPayload,
    Page,
    RateLimited,
)
from listening.connectors.text import parse_datetime_utc, to_int
from listening.http import check_response, parse_retry_after

PAGE_SIZE = 50  # Lemmy's maximum
RATE_LIMIT_WAIT = timedelta(seconds=60)  # Lemmy does not say how long; its windows are about a minute


class _Skip(Exception):
    """One post could not be used; ``reason`` goes to ``Page.skipped``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _lemmy_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else ""


@register
class LemmyConnector(Connector):
    platform = "lemmy"
    kinds = ("search",)
    default_base_url = "https://lemmy.ml"

    def fetch(self) -> Iterator[Page]:
        if not self.target:
            raise ConfigurationError(_("Write the words to search for."))
        yield from self._search()

    def _get(self, params: dict[str, Any]) -> Any:
        headers = {}
        jwt = self.credentials.get("jwt")
        if jwt:
            headers["Authorization"] = f"Bearer {jwt}"  # only needed on private instances
        response = self.http.get(f"{self.base_url}/api/v3/search", params=params, headers=headers)
        if response.status_code == 400:
            # Before 0.19 Lemmy reported most problems, rate limits and logins included, as a 400.
            error = _lemmy_error(response)
            if error == "rate_limit_error":
                retry_at = parse_retry_after(response.headers.get("Retry-After"))
                raise RateLimited(retry_at or datetime.now(UTC) + RATE_LIMIT_WAIT)
            if error in ("not_logged_in", "incorrect_login"):
                raise AuthError()
        check_response(response)
        try:
            return response.json()
        except ValueError as error:
            raise MalformedPayload(
                _("%(platform)s sent a page that is not valid JSON; it may have been cut off.") % {"platform": "Lemmy"}
            ) from error

    def _search(self) -> Iterator[Page]:
        since = parse_datetime_utc(self.cursor.get("since"))
        newest = since
        seen: set[str] = set()
        # First poll: only the newest page. Later polls walk back until they meet posts already seen.
        pages = self.max_pages if since else 1
        for page in range(1, pages + 1):
            body = self._get(
                {"q": self.target, "type_": "Posts", "sort": "New", "limit": PAGE_SIZE, "page": page},
            )
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                raise MalformedPayload(
                    _("%(platform)s sent search results we could not understand: a list of posts was expected.")
                    % {"platform": "Lemmy"}
                )
            items: list[FetchedItem] = []
            skipped: list[str] = []
            reached_seen = False
            for post_view in posts:
                try:
                    item = self._to_item(post_view)
                except _Skip as skip:
                    skipped.append(skip.reason)
                    continue
                except (TypeError, ValueError, AttributeError, KeyError):
                    skipped.append(_("Skipped a post we could not read."))
                    continue
                published = item.published_at
                if since and published and published <= since:
                    reached_seen = True
                    continue
                if item.external_id in seen:
                    continue  # page numbers shift when posts arrive while we read
                seen.add(item.external_id)
                items.append(item)
                if published and (newest is None or published > newest):
                    newest = published
            last = reached_seen or len(posts) < PAGE_SIZE or page == pages
            # Pages go from newest to older, so "since" may only move once the poll's last page is stored.
            moment = newest if last else since
            yield Page(items=items, cursor={"since": moment.isoformat()} if moment else {}, skipped=skipped)
            if last:
                return

    def _to_item(self, post_view: Any) -> FetchedItem:
        if not isinstance(post_view, dict) or not isinstance(post_view.get("post"), dict):
            raise _Skip(_("Skipped an entry that is not a post."))
        post = post_view["post"]
        ap_id = post.get("ap_id")
        if not isinstance(ap_id, str) or not ap_id:
            raise _Skip(_("Skipped a post without an id."))
        if post.get("deleted") is True or post.get("removed") is True:
            raise _Skip(_("Skipped post %(id)s: it was deleted or removed.") % {"id": ap_id})
        title = post.get("name")
        body = post.get("body") or ""
        if not isinstance(title, str) or not isinstance(body, str):
            raise _Skip(_("Skipped post %(id)s: its text is not text.") % {"id": ap_id})
        creator = post_view.get("creator")
        name = creator.get("name") if isinstance(creator, dict) else None
        if not isinstance(name, str) or not name:
            raise _Skip(_("Skipped post %(id)s: its author could not be read.") % {"id": ap_id})
        published = parse_datetime_utc(post.get("published"))
        if published is None:
            raise _Skip(_("Skipped post %(id)s: its date could not be read.") % {"id": ap_id})

        actor_id = creator.get("actor_id")
        # The actor's own server, not ours: federated authors are @name@their-instance.
        host = urlsplit(actor_id).hostname if isinstance(actor_id, str) else None
        host = host or urlsplit(self.base_url).hostname
        display_name = creator.get("display_name")
        counts = post_view.get("counts") if isinstance(post_view.get("counts"), dict) else {}
        link = post.get("url")
        return FetchedItem(
            external_id=ap_id,
            url=link if isinstance(link, str) and link else ap_id,
            text=f"{title.strip()}\n\n{body.strip()}".strip(),
            author_handle=f"@{name}@{host}" if host else f"@{name}",
            author_name=display_name if isinstance(display_name, str) else "",
            author_followers=None,
            published_at=published,
            language=None,  # Lemmy sends a numeric language_id, not an ISO code
            likes=to_int(counts.get("score")),
            reposts=0,
            replies=to_int(counts.get("comments")),
            raw=post_view,
        )
