"""RSS 2.0 and Atom feeds, Google Alerts included.

Feeds have no "since" parameter: every poll downloads the whole feed. Two things keep that cheap
and free of duplicates: a conditional GET (``If-None-Match``/``If-Modified-Since``; a 304 means
nothing changed) and the cursor's ``seen`` list of recent entry ids, so only entries that were not
in the feed last time become items.

Cursor: ``{"etag": str | None, "modified": str | None, "seen": [up to 500 external ids]}``.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit
from xml.sax import SAXParseException

import feedparser
from django.utils.translation import gettext as _
from feedparser.exceptions import NonXMLContentType, ThingsNobodyCaresAboutButMe

from listening.connectors import register
from listening.connectors.base import ConfigurationError, Connector, FetchedItem, MalformedPayload, Page
from listening.connectors.text import html_to_text, parse_datetime_utc
from listening.http import check_response

# Enough to cover any ordinary feed (they carry 10–100 entries) several times over, so an entry
# that drops out of the feed and comes back is still recognised.
SEEN_LIMIT = 500


def unwrap_google_redirect(link: str) -> str:
    """Google Alerts links point at ``https://www.google.com/url?...&url=<real>``; keep the real one
    so the inbox links to the article and the same article from two alerts has the same address."""
    parts = urlsplit(link)
    host = parts.netloc.lower()
    if parts.path == "/url" and (host == "google.com" or host.endswith(".google.com")):
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            value = (query.get(key) or [""])[0]
            if value.startswith(("http://", "https://")):
                return value
    return link


def _language(value) -> str | None:
    """``es-ES`` → ``es``: FetchedItem.language is ISO 639-1."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def _describe(problem: Exception) -> str:
    """feedparser's XML errors read "<unknown>:1:148: unclosed token"; say where, in words."""
    if isinstance(problem, SAXParseException):
        return _("the XML breaks off or is broken at line %(line)s, column %(column)s (%(error)s)") % {
            "line": problem.getLineNumber(),
            "column": problem.getColumnNumber(),
            "error": problem.getMessage(),
        }
    return str(problem)


def _text(detail_value: str, detail: dict | None) -> str:
    # feedparser marks RSS titles as HTML and keeps Atom text constructs' declared type.
    if isinstance(detail, dict) and detail.get("type") == "text/plain":
        return detail_value.strip()
    return html_to_text(detail_value)


@register
class RssConnector(Connector):
    platform = "rss"
    kinds = ("feed",)
    # The whole feed arrives in one response.
    max_pages = 1

    def fetch(self) -> Iterator[Page]:
        url = self.target or self.base_url
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(_("Give the feed’s full address, starting with http:// or https://."))

        headers = {}
        if self.cursor.get("etag"):
            headers["If-None-Match"] = self.cursor["etag"]
        if self.cursor.get("modified"):
            headers["If-Modified-Since"] = self.cursor["modified"]
        response = self.http.get(url, headers=headers)
        if response.status_code == 304:
            yield Page(items=[], cursor=dict(self.cursor))
            return
        check_response(response)

        response_headers = {key.lower(): value for key, value in response.headers.items()}
        # Relative links in the feed resolve against the address it was actually served from.
        response_headers.setdefault("content-location", str(response.url))
        parsed = feedparser.parse(response.content, response_headers=response_headers)
        entries = parsed.get("entries") or []
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if not entries and (problem or not parsed.get("version")):
            if problem is None or isinstance(problem, NonXMLContentType):
                reason = _("the address sent a web page or another document, not a feed")
            else:
                reason = _describe(problem)
            raise MalformedPayload(_("The feed is not valid RSS or Atom: %(reason)s.") % {"reason": reason})
        if isinstance(problem, ThingsNobodyCaresAboutButMe):
            # A wrong Content-Type or charset label on a feed that parsed fine: nothing was lost.
            problem = None

        feed = parsed.get("feed") or {}
        feed_title = html_to_text(feed.get("title") or "")
        host = urlsplit(str(response.url)).netloc
        language = _language(feed.get("language") or response_headers.get("content-language"))

        previously_seen = set(self.cursor.get("seen") or [])
        items: list[FetchedItem] = []
        skipped: list[str] = []
        if problem is not None:
            skipped.append(
                _("The feed is not well-formed: %(reason)s. The entries that could be read were kept.")
                % {"reason": _describe(problem)}
            )
        current_ids: list[str] = []  # in feed order
        current: set[str] = set()
        for position, entry in enumerate(entries, start=1):
            try:
                item = self._item(entry, feed_title or host, language)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError):
                skipped.append(
                    _("Entry %(position)s was left out because it could not be read.") % {"position": position}
                )
                continue
            if item is None:
                skipped.append(
                    _("Entry %(position)s was left out because it has no title, text or link.") % {"position": position}
                )
                continue
            if item.external_id in current:
                continue  # the same entry twice in one feed: keep the first
            current.add(item.external_id)
            current_ids.append(item.external_id)
            if item.external_id not in previously_seen:
                items.append(item)

        # Ids that left the feed go first so they are the first dropped; every id still in the feed
        # is kept (even past the limit) so none of them comes back as new.
        seen = [known for known in self.cursor.get("seen") or [] if known not in current] + current_ids
        seen = seen[-max(SEEN_LIMIT, len(current_ids)) :]
        cursor = {
            "etag": response.headers.get("ETag"),
            "modified": response.headers.get("Last-Modified"),
            "seen": seen,
        }
        yield Page(items=items, cursor=cursor, skipped=skipped)

    def _item(self, entry, fallback_author: str, language: str | None) -> FetchedItem | None:
        title = _text(entry.get("title") or "", entry.get("title_detail"))
        body_html = entry.get("summary") or ""
        if not body_html and entry.get("content"):
            body_html = entry["content"][0].get("value") or ""
        body = html_to_text(body_html)
        if body == title:
            body = ""  # many feeds repeat the title as the description
        link = unwrap_google_redirect(entry.get("link") or "")
        entry_id = entry.get("id") or ""
        if not (title or body or link):
            return None
        published_raw = entry.get("published") or entry.get("updated") or ""
        if not entry_id and not link:
            digest = hashlib.sha256(f"{title}\n{published_raw}".encode()).hexdigest()[:32]
            entry_id = f"sha256:{digest}"
        if not link and entry_id.startswith(("http://", "https://")):
            link = entry_id

        published_at = parse_datetime_utc(published_raw)
        if published_at is None:
            # RSS dates are RFC 822; feedparser has already read them into UTC struct_time.
            parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
            if parsed_time:
                published_at = parse_datetime_utc(calendar.timegm(parsed_time))

        author = html_to_text(entry.get("author") or "")
        text = f"{title}\n\n{body}" if title and body else title or body
        return FetchedItem(
            external_id=entry_id or link,
            url=link,
            text=text,
            author_handle=author or fallback_author,
            author_name=author or fallback_author,
            published_at=published_at,
            language=language,
            # Only JSON-safe strings: feedparser's own values include struct_time.
            raw={
                "id": entry.get("id") or "",
                "link": entry.get("link") or "",
                "title": entry.get("title") or "",
                "published": published_raw,
                "author": entry.get("author") or "",
                "tags": [tag.get("term") for tag in entry.get("tags") or [] if tag.get("term")],
            },
        )
