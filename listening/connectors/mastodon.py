"""Mastodon (and servers speaking its API): a hashtag's timeline, one account's posts, or a search.

Wire format: https://docs.joinmastodon.org/methods/timelines/ (tag timeline),
/methods/accounts/ (lookup, statuses), /methods/search/ (v2 search), /api/guidelines/#pagination
(the ``Link`` header) and /api/rate-limits/ (``X-RateLimit-*`` headers, the reset is ISO 8601).

Cursor shapes (what ``Page.cursor`` holds):

- hashtag: ``{"min_id": "<newest status id seen>"}``
- account: ``{"min_id": ..., "account_id": "<id on this server>", "acct": "<what was looked up>", "server": "<host>"}``
- search:  ``{"min_id": ...}``
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

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
from listening.connectors.text import html_to_text, parse_datetime_utc, to_int, to_int_or_none
from listening.http import check_response

PAGE_SIZE = 40  # the largest page Mastodon serves for timelines and search


def mastodon_reset_at(response: httpx.Response) -> datetime | None:
    """Mastodon writes ``X-RateLimit-Reset`` as an ISO 8601 timestamp."""
    return parse_datetime_utc(response.headers.get("X-RateLimit-Reset"))


def _id_key(status_id: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings (too big for JS, so sent as text) and Pleroma/Akkoma ids are
    # fixed-length sortable strings: comparing by length then text orders both correctly.
    return (len(status_id), status_id)


def newest_id(*ids: str | None) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=_id_key) if present else None


class _Skip(Exception):
    """One status could not be used; ``reason`` goes to ``Page.skipped``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@register
class MastodonConnector(Connector):
    platform = "mastodon"
    kinds = ("hashtag", "account", "search")
    default_base_url = "https://mastodon.social"

    def fetch(self) -> Iterator[Page]:
        if not self.target.strip("#@"):
            raise ConfigurationError(_("Write what to follow: a hashtag, an account or search words."))
        if self.kind == "hashtag":
            tag = self.target.lstrip("#").strip()
            url = f"{self.base_url}/api/v1/timelines/tag/{quote(tag, safe='')}"
            yield from self._timeline(url)
        elif self.kind == "account":
            yield from self._account()
        else:
            yield from self._search()

    # --- HTTP -----------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def _headers(self) -> dict[str, str]:
        token = self.credentials.get("access_token")
        # Public timelines work without a token, but some servers require one; send it when we have it.
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        response = self.http.get(url, params=params, headers=self._headers())
        check_response(response, reset_at=mastodon_reset_at)
        if response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
            # The quota is spent: make the shared limiter hold every worker until it refills.
            reset = mastodon_reset_at(response)
            if reset is not None:
                self.http.block(url, reset)
        return response

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise MalformedPayload(
                _("%(platform)s sent a page that is not valid JSON; it may have been cut off.")
                % {"platform": "Mastodon"}
            ) from error

    def _status_list(self, response: httpx.Response) -> list:
        body = self._json(response)
        if not isinstance(body, list):
            raise MalformedPayload(
                _("%(platform)s sent a page we could not understand: a list of posts was expected.")
                % {"platform": "Mastodon"}
            )
        return body

    def _newer_page_url(self, response: httpx.Response, fallback_url: str, min_id: str | None) -> str | None:
        """The ``rel="prev"`` link (newer posts). We only follow it on the same server; otherwise,
        or without a link, we rebuild the request from the newest id seen."""
        link = response.links.get("prev", {}).get("url")
        if link:
            if urlsplit(link).netloc.lower() == urlsplit(self.base_url).netloc.lower():
                return link
            min_id = (parse_qs(urlsplit(link).query).get("min_id") or [min_id])[0]
        if not min_id:
            return None
        return str(httpx.URL(fallback_url, params={"limit": PAGE_SIZE, "min_id": min_id}))

    # --- Kinds ----------------------------------------------------------------------------------

    def _timeline(self, url: str, extra_cursor: dict[str, Any] | None = None) -> Iterator[Page]:
        """A timeline endpoint (tag or account statuses) read with ``min_id`` pagination."""
        extra_cursor = extra_cursor or {}
        min_id = self.cursor.get("min_id")
        if not isinstance(min_id, str) or not min_id:
            # First poll: only the newest page, so a busy tag does not flood the first results.
            response = self._get(url, {"limit": PAGE_SIZE})
            statuses = self._status_list(response)
            items, skipped, newest = self._items(statuses, set())
            yield Page(items=items, cursor={**extra_cursor, **({"min_id": newest} if newest else {})}, skipped=skipped)
            return

        seen: set[str] = set()
        next_url: str | None = str(httpx.URL(url, params={"limit": PAGE_SIZE, "min_id": min_id}))
        for _page in range(self.max_pages):
            response = self._get(next_url)
            statuses = self._status_list(response)
            items, skipped, newest = self._items(statuses, seen)
            # With min_id Mastodon walks from the cursor towards the present, so after each page
            # everything up to its newest id has been seen.
            min_id = newest_id(min_id, newest)
            yield Page(items=items, cursor={**extra_cursor, "min_id": min_id}, skipped=skipped)
            if not statuses:
                return
            next_url = self._newer_page_url(response, url, newest)
            if next_url is None:
                return

    def _account(self) -> Iterator[Page]:
        acct = self.target.lstrip("@").strip()
        if acct.lower().endswith("@" + self.host.lower()):
            acct = acct[: -(len(self.host) + 1)]  # the server knows its own accounts by bare name
        account_id = self.cursor.get("account_id")
        # Account ids are per server, so the cached id is only good for the same account and server.
        same_account = self.cursor.get("acct") == acct and self.cursor.get("server") == self.host
        if not same_account:
            self.cursor = {}  # a min_id from another account's timeline means nothing here
        if not same_account or not isinstance(account_id, str) or not account_id:
            account_id = self._lookup(acct)
        extra = {"account_id": account_id, "acct": acct, "server": self.host}
        yield from self._timeline(f"{self.base_url}/api/v1/accounts/{quote(account_id, safe='')}/statuses", extra)

    def _lookup(self, acct: str) -> str:
        response = self._get(f"{self.base_url}/api/v1/accounts/lookup", {"acct": acct})
        body = self._json(response)
        account_id = body.get("id") if isinstance(body, dict) else None
        if isinstance(account_id, int) and not isinstance(account_id, bool):
            account_id = str(account_id)
        if not isinstance(account_id, str) or not account_id:
            raise MalformedPayload(
                _("%(platform)s sent an account we could not understand: it has no id.") % {"platform": "Mastodon"}
            )
        return account_id

    def _search(self) -> Iterator[Page]:
        if not self.credentials.get("access_token"):
            raise AuthError(
                _("Mastodon search needs an access token: add one to this source's credentials, or follow a hashtag.")
            )
        url = f"{self.base_url}/api/v2/search"
        old_min_id = self.cursor.get("min_id") if isinstance(self.cursor.get("min_id"), str) else None
        newest = old_min_id
        seen: set[str] = set()
        # Search pages run from the newest result backwards (by offset), so the cursor may only move
        # forward once the last page of this poll is stored; until then it keeps the old min_id.
        pages = self.max_pages if old_min_id else 1
        for page in range(pages):
            params: dict[str, Any] = {"q": self.target, "type": "statuses", "limit": PAGE_SIZE}
            if old_min_id:
                params["min_id"] = old_min_id
            if page:
                params["offset"] = page * PAGE_SIZE
            body = self._json(self._get(url, params))
            statuses = body.get("statuses") if isinstance(body, dict) else None
            if not isinstance(statuses, list):
                raise MalformedPayload(
                    _("%(platform)s sent search results we could not understand: a list of posts was expected.")
                    % {"platform": "Mastodon"}
                )
            items, skipped, page_newest = self._items(statuses, seen)
            newest = newest_id(newest, page_newest)
            last = len(statuses) < PAGE_SIZE or page == pages - 1
            cursor_id = newest if last else old_min_id
            yield Page(items=items, cursor={"min_id": cursor_id} if cursor_id else {}, skipped=skipped)
            if last:
                return

    # --- Items ----------------------------------------------------------------------------------

    def _items(self, statuses: list, seen: set[str]) -> tuple[list[FetchedItem], list[str], str | None]:
        """Normalise a page; returns the items, the reasons for skipped entries and the newest id
        on the page (the timeline's own id, even for a boost, because that is what min_id orders)."""
        items: list[FetchedItem] = []
        skipped: list[str] = []
        newest: str | None = None
        for status in statuses:
            status_id = status.get("id") if isinstance(status, dict) else None
            if isinstance(status_id, str) and status_id:
                newest = newest_id(newest, status_id)
            try:
                item = self._to_item(status)
            except _Skip as skip:
                skipped.append(skip.reason)
                continue
            except (TypeError, ValueError, AttributeError, KeyError):
                skipped.append(_("Skipped a post we could not read."))
                continue
            if item.external_id in seen:
                continue  # pages overlap when posts arrive while we read; the first copy is enough
            seen.add(item.external_id)
            items.append(item)
        return items, skipped, newest

    def _to_item(self, status: Any) -> FetchedItem:
        if not isinstance(status, dict):
            raise _Skip(_("Skipped an entry that is not a post."))
        status_id = status.get("id")
        if not isinstance(status_id, str) or not status_id:
            raise _Skip(_("Skipped a post without an id."))
        post = status
        reblog = status.get("reblog")
        if reblog is not None:
            # A boost: what the library shared is the boosted post, with its own author and text.
            if not isinstance(reblog, dict):
                raise _Skip(_("Skipped boost %(id)s: the boosted post could not be read.") % {"id": status_id})
            post = reblog

        uri = post.get("uri")
        if not isinstance(uri, str) or not uri:
            raise _Skip(_("Skipped post %(id)s: it has no address (uri).") % {"id": status_id})
        content = post.get("content") or ""
        spoiler = post.get("spoiler_text") or ""
        if not isinstance(content, str) or not isinstance(spoiler, str):
            raise _Skip(_("Skipped post %(id)s: its text is not text.") % {"id": status_id})
        account = post.get("account")
        acct = account.get("acct") if isinstance(account, dict) else None
        if not isinstance(acct, str) or not acct.strip("@"):
            raise _Skip(_("Skipped post %(id)s: its author could not be read.") % {"id": status_id})
        created_at = parse_datetime_utc(post.get("created_at"))
        if created_at is None:
            raise _Skip(_("Skipped post %(id)s: its date could not be read.") % {"id": status_id})

        text = html_to_text(content)
        if spoiler.strip():
            # The content warning is what readers see first, and often says what the post is about.
            text = f"{spoiler.strip()}\n\n{text}".strip()
        url = post.get("url")
        display_name = account.get("display_name")
        language = post.get("language")
        return FetchedItem(
            external_id=uri,
            url=url if isinstance(url, str) and url else uri,
            text=text,
            author_handle=self._handle(acct),
            author_name=display_name if isinstance(display_name, str) else "",
            author_followers=to_int_or_none(account.get("followers_count")),
            published_at=created_at,
            language=language if isinstance(language, str) and language else None,
            likes=to_int(post.get("favourites_count")),
            reposts=to_int(post.get("reblogs_count")),
            replies=to_int(post.get("replies_count")),
            raw=status,
        )

    def _handle(self, acct: str) -> str:
        acct = acct.strip().lstrip("@")
        # Local accounts come without a server ("user"); qualify them so handles are unique.
        if "@" not in acct and self.host:
            acct = f"{acct}@{self.host}"
        return f"@{acct}"
