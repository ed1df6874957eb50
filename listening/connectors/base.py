"""The contract between the polling pipeline and each platform's connector.

A connector knows one platform's wire format. It is given the source's settings and its saved
cursor, fetches pages through ``http`` (which applies timeouts and the shared per-host rate
limiter), and yields ``Page`` objects of normalised ``FetchedItem``s. The pipeline stores each
page's items and the page's ``cursor`` in one transaction, so the cursor a connector returns
must describe "everything up to and including this page has been seen".

Connectors never touch the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


@dataclass
class FetchedItem:
    """One post, normalised. ``external_id`` is the platform's stable id (Mastodon/Bluesky uri,
    Reddit ``name``, feed id or link, YouTube video id)."""

    external_id: str
    url: str
    text: str  # plain text: HTML removed, entities decoded
    author_handle: str
    author_name: str = ""
    author_followers: int | None = None
    published_at: datetime | None = None  # timezone-aware, converted to UTC
    language: str | None = None  # as the platform reports it (ISO 639-1), else None
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    items: list[FetchedItem]
    cursor: dict[str, Any]  # the source's cursor once this page is stored
    skipped: list[str] = field(default_factory=list)  # plain-words reasons for items left out


class ConnectorError(Exception):
    """A failure to show on the source's health, in plain words."""

    default_message = _("The platform could not be read.")

    def __init__(self, message: str | None = None):
        super().__init__(str(message or self.default_message))
        self.message = str(message or self.default_message)


class ConfigurationError(ConnectorError):
    """The source's settings are wrong (unknown kind, missing target); polling again will not help."""


class AuthError(ConnectorError):
    """401/403: the credentials are wrong, missing or lack permission."""

    default_message = _("The platform refused the credentials: they are wrong, expired or missing.")


class RateLimited(ConnectorError):
    """The platform asks us to wait until ``retry_at`` (an aware datetime)."""

    default_message = _("The platform asked us to slow down.")

    def __init__(self, retry_at: datetime, message: str | None = None):
        super().__init__(message)
        self.retry_at = retry_at


class TransientError(ConnectorError):
    """5xx, timeouts, connection errors: retry later with backoff."""

    default_message = _("The platform did not answer in time or had an error; we will try again.")


class MalformedPayload(ConnectorError):
    """The whole page could not be understood (truncated JSON, invalid XML)."""

    default_message = _("The platform sent a page we could not understand.")


class Connector:
    """Base class. Subclasses set ``platform`` and ``kinds`` and implement ``fetch``."""

    platform: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]
    default_base_url: ClassVar[str] = ""
    # How many pages one poll may fetch, so a huge backlog is spread over several polls.
    max_pages: ClassVar[int] = 10

    def __init__(self, *, kind: str, target: str, base_url: str, credentials: dict, cursor: dict, http):
        if kind not in self.kinds:
            raise ConfigurationError(_("“%(kind)s” is not a kind this platform supports.") % {"kind": kind})
        self.kind = kind
        self.target = target.strip()
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.credentials = credentials or {}
        self.cursor = dict(cursor or {})
        self.http = http

    def fetch(self) -> Iterator[Page]:
        raise NotImplementedError
