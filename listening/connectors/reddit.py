"""Reddit search through the OAuth API, with an application-only token (no Reddit user involved).

Target syntax:
- ``query`` — search all of Reddit;
- ``r/libraries: query`` — search one subreddit (``restrict_sr=1``);
- ``r/libraries`` — every new post in that subreddit (its ``/new`` listing).

Credentials: ``client_id`` and ``client_secret`` of a Reddit "script" or "web" app; optional
``user_agent`` (Reddit asks for a unique, descriptive one) and ``auth_url`` (where the token is
requested; defaults to https://www.reddit.com, or to the source's base URL when that is not the
official API, so a test or mirror server can serve both).

Listings come newest first and Reddit has no "since" parameter, so a poll walks pages with
``after`` until it meets the newest post of the previous poll. That bookmark only moves on the
poll's last page: if a poll fails halfway, the next one walks again from the top instead of
leaving a gap (the pipeline stores items by external id, so the repeats are harmless).

Cursor: ``{"newest": "t3_…", "newest_created": epoch seconds, "token": str, "token_expires": epoch seconds}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
from listening.connectors.text import parse_datetime_utc, to_int, to_int_or_none
from listening.http import USER_AGENT, check_response

DEFAULT_AUTH_URL = "https://www.reddit.com"
PUBLIC_URL = "https://www.reddit.com"
# Renew a cached token this long before Reddit says it expires, so it never expires mid-poll.
TOKEN_MARGIN = 120
_TARGET = re.compile(r"^/?r/(?P<sub>[A-Za-z0-9_]{2,21})\s*(?::\s*(?P<query>.*))?$", re.DOTALL)


def reset_at(response) -> datetime | None:
    """Reddit's ``X-Ratelimit-Reset`` is the number of seconds until the window ends."""
    seconds = to_int_or_none(response.headers.get("X-Ratelimit-Reset"))
    if seconds is None:
        return None
    return datetime.now(UTC) + timedelta(seconds=max(seconds, 1))


def parse_target(target: str) -> tuple[str | None, str]:
    """``(subreddit or None, query)``."""
    match = _TARGET.match(target.strip())
    if match:
        return match["sub"], (match["query"] or "").strip()
    return None, target.strip()


@register
class RedditConnector(Connector):
    platform = "reddit"
    kinds = ("search",)
    default_base_url = "https://oauth.reddit.com"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Set when Reddit says no requests are left in this window (X-Ratelimit-Remaining < 1).
        self._exhausted_until: datetime | None = None

    def fetch(self) -> Iterator[Page]:
        subreddit, query = parse_target(self.target)
        if not subreddit and not query:
            raise ConfigurationError(_("Give the words to search Reddit for, or a subreddit written as r/name."))
        if not (self.credentials.get("client_id") and self.credentials.get("client_secret")):
            raise AuthError(_("The Reddit source needs the client id and client secret of a Reddit app."))

        if subreddit and not query:
            path, params = f"/r/{subreddit}/new", {}
        else:
            path = f"/r/{subreddit}/search" if subreddit else "/search"
            params = {"q": query, "sort": "new", "type": "link"}
            if subreddit:
                params["restrict_sr"] = "1"
        params.update({"limit": "100", "raw_json": "1"})  # raw_json: no &amp; escapes in text

        newest = self.cursor.get("newest")
        newest_created = to_int_or_none(self.cursor.get("newest_created"))
        walk_newest: tuple[str, int] | None = None  # the first post of this poll, once known
        names_this_poll: set[str] = set()
        after = None
        for page_number in range(1, self.max_pages + 1):
            page_params = dict(params, after=after) if after else params
            listing = self._get_listing(path, page_params, in_subreddit=bool(subreddit))
            items, skipped = [], []
            reached_known = False
            for position, child in enumerate(listing["children"], start=1):
                data = child.get("data") if isinstance(child, dict) else None
                if not isinstance(child, dict) or child.get("kind") != "t3" or not isinstance(data, dict):
                    skipped.append(_("Result %(position)s was left out: it is not a post.") % {"position": position})
                    continue
                item, reason = self._item(data)
                if item is None:
                    skipped.append(
                        _("Post %(position)s was left out: %(reason)s.") % {"position": position, "reason": reason}
                    )
                    continue
                created = int(item.published_at.timestamp())
                if item.external_id == newest or (newest_created is not None and created < newest_created):
                    reached_known = True
                    break
                if walk_newest is None:
                    walk_newest = (item.external_id, created)
                if item.external_id in names_this_poll:
                    continue  # new posts push older ones onto the next page: a repeat, not news
                names_this_poll.add(item.external_id)
                items.append(item)

            after = listing["after"]
            finished = reached_known or not after or page_number == self.max_pages
            cursor = self._cursor()
            if finished and walk_newest is not None:
                cursor["newest"], cursor["newest_created"] = walk_newest
            yield Page(items=items, cursor=cursor, skipped=skipped)
            if finished:
                return
            if self._exhausted_until is not None:
                # Stop politely now rather than earn a 429; the next poll walks again from the top.
                raise RateLimited(self._exhausted_until)

    # --- requests ---------------------------------------------------------------------------

    def _headers(self, token: str | None = None) -> dict[str, str]:
        headers = {"User-Agent": self.credentials.get("user_agent") or USER_AGENT}
        if token:
            headers["Authorization"] = f"bearer {token}"
        return headers

    def _auth_url(self) -> str:
        if self.credentials.get("auth_url"):
            return self.credentials["auth_url"].rstrip("/")
        if self.base_url == self.default_base_url:
            return DEFAULT_AUTH_URL
        return self.base_url

    def _token(self, *, renew: bool = False) -> str:
        now = datetime.now(UTC).timestamp()
        expires = to_int(self.cursor.get("token_expires"))
        if not renew and self.cursor.get("token") and expires - TOKEN_MARGIN > now:
            return self.cursor["token"]
        url = f"{self._auth_url()}/api/v1/access_token"
        response = self.http.post(
            url,
            auth=(self.credentials["client_id"], self.credentials["client_secret"]),
            data={"grant_type": "client_credentials"},
            headers=self._headers(),
        )
        check_response(response, reset_at=reset_at)
        body = self._json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            # Reddit answers some refusals with 200 and {"error": "..."}.
            raise AuthError()
        self.cursor["token"] = token
        self.cursor["token_expires"] = int(now) + to_int(body.get("expires_in"), 3600)
        return token

    def _get_listing(self, path: str, params: dict, *, in_subreddit: bool) -> dict:
        url = f"{self.base_url}{path}"
        response = self.http.get(url, params=params, headers=self._headers(self._token()))
        if response.status_code == 401:
            # The cached token was revoked or expired early: one fresh token, one retry.
            response = self.http.get(url, params=params, headers=self._headers(self._token(renew=True)))
        self._note_rate_limit(url, response)
        if response.status_code == 403 and in_subreddit:
            # Reddit answers 403 for private, quarantined and banned subreddits. A refusal of the app
            # itself would also hit site-wide searches, where check_response reports an AuthError.
            raise ConnectorError(
                _("Reddit refused to show these posts: the subreddit may be private, quarantined or banned.")
            )
        check_response(response, reset_at=reset_at)
        body = self._json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if (
            not isinstance(data, dict)
            or body.get("kind") != "Listing"
            or not isinstance(data.get("children"), list)
            or not isinstance(data.get("after"), str | None)
        ):
            raise MalformedPayload(_("Reddit sent something that is not a list of posts."))
        return data

    def _note_rate_limit(self, url: str, response) -> None:
        remaining = response.headers.get("X-Ratelimit-Remaining")
        if remaining is None:
            return
        try:
            left = float(remaining)
        except ValueError:
            return
        if left < 1:
            until = reset_at(response) or datetime.now(UTC) + timedelta(seconds=60)
            self.http.block(url, until)
            self._exhausted_until = until

    @staticmethod
    def _json(response):
        try:
            return response.json()
        except ValueError as error:
            raise MalformedPayload(
                _("%(platform)s sent a page that is not valid JSON; it may have been cut off.") % {"platform": "Reddit"}
            ) from error

    def _cursor(self) -> dict:
        return {
            key: self.cursor[key]
            for key in ("newest", "newest_created", "token", "token_expires")
            if key in self.cursor
        }

    # --- items --------------------------------------------------------------------------------

    @staticmethod
    def _item(data: dict) -> tuple[FetchedItem | None, str]:
        name = data.get("name")
        if not isinstance(name, str) or not name.startswith("t3_"):
            return None, _("it has no post id")
        permalink = data.get("permalink")
        if not isinstance(permalink, str) or not permalink.startswith("/"):
            return None, _("it has no link")
        title = data.get("title")
        if not isinstance(title, str):
            return None, _("it has no title")
        created = data.get("created_utc")
        published_at = parse_datetime_utc(created) if isinstance(created, int | float) else None
        if published_at is None:
            return None, _("its date cannot be read")
        selftext = data.get("selftext")
        selftext = selftext.strip() if isinstance(selftext, str) else ""
        author = data.get("author")
        author = author if isinstance(author, str) and author else "[deleted]"
        return (
            FetchedItem(
                external_id=name,
                url=PUBLIC_URL + permalink,
                text=f"{title.strip()}\n\n{selftext}" if selftext else title.strip(),
                author_handle=f"u/{author}",
                author_name=author,
                published_at=published_at,
                likes=to_int(data.get("score")),
                replies=to_int(data.get("num_comments")),
                raw={
                    key: data.get(key)
                    for key in ("name", "subreddit", "permalink", "url", "title", "author", "created_utc", "over_18")
                },
            ),
            "",
        )
