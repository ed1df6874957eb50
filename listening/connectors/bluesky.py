"""Bluesky (AT Protocol): posts matching a search, newest first.

Wire format: ``app.bsky.feed.searchPosts`` (q, limit ≤ 100, sort=latest, since, cursor → ``posts``
of ``app.bsky.feed.defs#postView`` and an optional next ``cursor``), ``com.atproto.server.createSession``
(identifier + app password → accessJwt/refreshJwt) and ``com.atproto.server.refreshSession``
(authorised with the refreshJwt, rotates both tokens). Rate-limit headers follow the IETF draft:
``RateLimit-Remaining`` and ``RateLimit-Reset`` (epoch seconds).

Cursor shape: ``{"since": "<ISO 8601 of the newest post seen>", "session": {"accessJwt", "refreshJwt",
"did", "handle"}}``. The session is kept so each poll reuses the tokens instead of logging in
(createSession is limited to 30 per 5 minutes per account); ``self.cursor`` always holds the latest
session, even when a poll later fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

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
)
from listening.connectors.text import parse_datetime_utc, to_int, to_int_or_none
from listening.http import check_response

PAGE_SIZE = 100  # searchPosts' maximum
# XRPC errors that mean "this access token is no longer good", so renewing the session may help.
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


def bluesky_reset_at(response: httpx.Response) -> datetime | None:
    """``RateLimit-Reset`` is the moment the window refills, in epoch seconds."""
    seconds = to_int_or_none(response.headers.get("RateLimit-Reset"))
    if seconds is None or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _respect_remaining(http, url: str, response: httpx.Response) -> None:
    if response.headers.get("RateLimit-Remaining", "").strip() == "0":
        # The window is spent: make the shared limiter hold every worker until it refills.
        reset = bluesky_reset_at(response)
        if reset is not None:
            http.block(url, reset)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise MalformedPayload(
            _("%(platform)s sent a page that is not valid JSON; it may have been cut off.") % {"platform": "Bluesky"}
        ) from error


def _xrpc_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else ""


def _token_rejected(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 400 and _xrpc_error(response) in TOKEN_ERRORS


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def get_profile_counts(http, base_url: str, actor: str, session: dict | None = None) -> dict[str, int | None]:
    """Followers, follows and posts of ``actor`` (a handle or DID) via ``app.bsky.actor.getProfile``.

    ``base_url`` may be the public AppView (https://public.api.bsky.app, no session needed) or a PDS
    such as https://bsky.social with ``session`` (the dict kept in a search source's cursor).
    Returns ``{"followers": int|None, "follows": int|None, "posts": int|None}``.
    """
    url = f"{(base_url or BlueskyConnector.default_base_url).rstrip('/')}/xrpc/app.bsky.actor.getProfile"
    headers = {}
    if session and isinstance(session.get("accessJwt"), str):
        headers["Authorization"] = f"Bearer {session['accessJwt']}"
    response = http.get(url, params={"actor": actor.strip().lstrip("@")}, headers=headers)
    check_response(response, reset_at=bluesky_reset_at)
    _respect_remaining(http, url, response)
    body = _json(response)
    if not isinstance(body, dict):
        raise MalformedPayload(
            _("%(platform)s sent a profile we could not understand.") % {"platform": "Bluesky"},
        )
    return {
        "followers": to_int_or_none(body.get("followersCount")),
        "follows": to_int_or_none(body.get("followsCount")),
        "posts": to_int_or_none(body.get("postsCount")),
    }


class _Skip(Exception):
    """One post could not be used; ``reason`` goes to ``Page.skipped``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@register
class BlueskyConnector(Connector):
    platform = "bluesky"
    kinds = ("search",)
    default_base_url = "https://bsky.social"

    def fetch(self) -> Iterator[Page]:
        if not self.target:
            raise ConfigurationError(_("Write the words to search for."))
        yield from self._search()

    # --- Session --------------------------------------------------------------------------------

    def _session(self) -> dict[str, Any]:
        session = self.cursor.get("session")
        if isinstance(session, dict) and isinstance(session.get("accessJwt"), str):
            return session
        return self._create_session()

    def _store_session(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not all(isinstance(body.get(key), str) for key in ("accessJwt", "refreshJwt")):
            raise MalformedPayload(
                _("%(platform)s sent a login answer we could not understand.") % {"platform": "Bluesky"}
            )
        session = {key: body.get(key) for key in ("accessJwt", "refreshJwt", "did", "handle")}
        self.cursor["session"] = session
        return session

    def _create_session(self) -> dict[str, Any]:
        identifier = self.credentials.get("identifier")
        password = self.credentials.get("app_password")
        if not identifier or not password:
            raise AuthError(
                _("Bluesky search needs a login: add the account's identifier and an app password to the credentials.")
            )
        url = f"{self.base_url}/xrpc/com.atproto.server.createSession"
        response = self.http.post(url, json={"identifier": identifier, "password": password})
        if response.status_code in (400, 401):
            raise AuthError(_("Bluesky did not accept the identifier and app password; check them in the credentials."))
        check_response(response, reset_at=bluesky_reset_at)
        _respect_remaining(self.http, url, response)
        return self._store_session(_json(response))

    def _renew_session(self) -> dict[str, Any]:
        """Refresh the tokens; log in again only when the refresh token is refused too."""
        session = self.cursor.get("session")
        refresh_jwt = session.get("refreshJwt") if isinstance(session, dict) else None
        if isinstance(refresh_jwt, str) and refresh_jwt:
            url = f"{self.base_url}/xrpc/com.atproto.server.refreshSession"
            response = self.http.post(url, headers={"Authorization": f"Bearer {refresh_jwt}"})
            if response.status_code not in (400, 401):
                # A 429 or 5xx raises here and keeps the session: its refresh token may still work next time.
                check_response(response, reset_at=bluesky_reset_at)
                _respect_remaining(self.http, url, response)
                return self._store_session(_json(response))
        self.cursor.pop("session", None)  # refused or absent: only a new login helps now
        return self._create_session()

    def _xrpc_get(self, method: str, params: dict[str, Any]) -> httpx.Response:
        url = f"{self.base_url}/xrpc/{method}"
        renewed = False
        while True:
            session = self._session()
            response = self.http.get(url, params=params, headers={"Authorization": f"Bearer {session['accessJwt']}"})
            if not _token_rejected(response) or renewed:
                break
            self._renew_session()
            renewed = True
        if _token_rejected(response):
            raise AuthError()  # even fresh tokens are refused: the account itself is the problem
        check_response(response, reset_at=bluesky_reset_at)
        _respect_remaining(self.http, url, response)
        return response

    # --- Search ---------------------------------------------------------------------------------

    def _search(self) -> Iterator[Page]:
        since = parse_datetime_utc(self.cursor.get("since"))
        newest = since
        seen: set[str] = set()
        page_cursor: str | None = None
        # First poll: only the newest page. Later polls walk back until they meet posts already seen.
        pages = self.max_pages if since else 1
        for page in range(pages):
            params: dict[str, Any] = {"q": self.target, "limit": PAGE_SIZE, "sort": "latest"}
            if since:
                params["since"] = _iso(since)  # inclusive, so the boundary post is filtered below
            if page_cursor:
                params["cursor"] = page_cursor
            body = _json(self._xrpc_get("app.bsky.feed.searchPosts", params))
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                raise MalformedPayload(
                    _("%(platform)s sent search results we could not understand: a list of posts was expected.")
                    % {"platform": "Bluesky"}
                )
            items: list[FetchedItem] = []
            skipped: list[str] = []
            reached_seen = False
            for post in posts:
                try:
                    item, sort_time = self._to_item(post)
                except _Skip as skip:
                    skipped.append(skip.reason)
                    continue
                except (TypeError, ValueError, AttributeError, KeyError):
                    skipped.append(_("Skipped a post we could not read."))
                    continue
                if since and sort_time and sort_time <= since:
                    reached_seen = True
                    continue
                if item.external_id in seen:
                    continue  # pages overlap when posts arrive while we read
                seen.add(item.external_id)
                items.append(item)
                if sort_time and (newest is None or sort_time > newest):
                    newest = sort_time
            next_cursor = body.get("cursor")
            last = reached_seen or not posts or not isinstance(next_cursor, str) or not next_cursor or page == pages - 1
            cursor = {key: value for key, value in self.cursor.items() if key != "since"}
            # Pages go from newest to older, so "since" may only move once the poll's last page is stored.
            moment = newest if last else since
            if moment:
                cursor["since"] = _iso(moment)
            yield Page(items=items, cursor=cursor, skipped=skipped)
            if last:
                return
            page_cursor = next_cursor

    def _to_item(self, post: Any) -> tuple[FetchedItem, datetime | None]:
        if not isinstance(post, dict):
            raise _Skip(_("Skipped an entry that is not a post."))
        uri = post.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            raise _Skip(_("Skipped a post without an id."))
        author = post.get("author")
        handle = author.get("handle") if isinstance(author, dict) else None
        if not isinstance(handle, str) or not handle:
            raise _Skip(_("Skipped post %(id)s: its author could not be read.") % {"id": uri})
        record = post.get("record")
        if not isinstance(record, dict):
            raise _Skip(_("Skipped post %(id)s: its content could not be read.") % {"id": uri})
        text = record.get("text", "")
        if not isinstance(text, str):
            raise _Skip(_("Skipped post %(id)s: its text is not text.") % {"id": uri})

        indexed_at = parse_datetime_utc(post.get("indexedAt"))
        created_at = parse_datetime_utc(record.get("createdAt"))
        # The server's clock (indexedAt) orders results; createdAt is set by the author's app.
        sort_time = indexed_at or created_at
        did = author.get("did")
        # "handle.invalid" marks a handle that no longer resolves; the DID still opens the profile.
        profile = did if handle == "handle.invalid" and isinstance(did, str) and did else handle
        rkey = uri.rstrip("/").rsplit("/", 1)[-1]
        display_name = author.get("displayName")
        langs = record.get("langs")
        language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
        item = FetchedItem(
            external_id=uri,
            url=f"https://bsky.app/profile/{quote(profile, safe=':')}/post/{quote(rkey, safe='')}",
            text=text.strip(),
            author_handle=f"@{handle}",
            author_name=display_name if isinstance(display_name, str) else "",
            author_followers=None,  # postView carries no follower count; see get_profile_counts
            published_at=created_at or indexed_at,
            language=language,
            likes=to_int(post.get("likeCount")),
            reposts=to_int(post.get("repostCount")) + to_int(post.get("quoteCount")),
            replies=to_int(post.get("replyCount")),
            raw=post,
        )
        return item, sort_time
