"""What both platform publishers share: their result, their errors and reading a post's media.

Publishers speak one platform's wire format through ``listening.http.HttpClient`` (timeouts, the
per-host limiter shared with listening) and raise the connector errors of
``listening.connectors.base`` plus the two below; the service turns every one of them into plain
words on the post. Publishers never touch the database.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from listening.connectors.base import ConnectorError, TransientError
from strategy.models import PlannedPost

# Mastodon attaches at most 4 media to a status, and a Bluesky images embed holds at most 4.
MAX_MEDIA = 4


@dataclass
class Published:
    external_id: str  # Mastodon status id, Bluesky at:// uri
    url: str  # the public address people open


class NotConnected(ConnectorError):
    """The profile has no server address or credentials: its posts are published by hand."""


class Rejected(ConnectorError):
    """The platform refused the post itself (422 on Mastodon, 400 on Bluesky); ``detail`` is its words."""

    def __init__(self, detail: str, message: str | None = None):
        super().__init__(message or detail)
        self.detail = detail


class MediaProblem(ConnectorError):
    """A file of the post cannot be sent (missing on disk, no alt text, wrong kind, too big)."""


@dataclass
class MediaFile:
    name: str
    content: bytes
    mime: str
    alt: str

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def media_size(size: int) -> str:
    return str(filesizeformat(size))


def read_media(post: PlannedPost) -> list[MediaFile]:
    """The post's files in order, read from storage, or ``MediaProblem`` in plain words."""
    items = list(post.media.all())
    if len(items) > MAX_MEDIA:
        raise MediaProblem(
            _("A post can carry at most %(max)s images or videos; this one has %(count)s. Remove some.")
            % {"max": MAX_MEDIA, "count": len(items)}
        )
    files = []
    for item in items:
        name = item.file.name.rsplit("/", 1)[-1] if item.file.name else str(_("(no file)"))
        if not item.alt_text.strip():
            raise MediaProblem(
                _("“%(name)s” has no description (alt text). Add one so people who cannot see it know what it shows.")
                % {"name": name}
            )
        try:
            with item.file.open("rb") as handle:
                content = handle.read()
        except (OSError, ValueError) as error:
            # FileNotFoundError when the file was deleted from disk, ValueError when the row has none.
            raise MediaProblem(
                _("The file “%(name)s” is no longer on the server. Upload it again or remove it from the post.")
                % {"name": name}
            ) from error
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        files.append(MediaFile(name=name, content=content, mime=mime, alt=item.alt_text.strip()))
    return files


def error_detail(response: httpx.Response) -> str:
    """The platform's own words for an error: Mastodon's ``error``, XRPC's ``message`` (or ``error``)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    for key in ("message", "error", "error_description"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:500]
    return ""


def json_of(response: httpx.Response, platform: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TransientError(
            _("%(platform)s sent an answer we could not understand; we will try again.") % {"platform": platform}
        )
    return body


def server_error(platform: str, status: int) -> TransientError:
    return TransientError(
        _("The %(platform)s server had an error (HTTP %(status)s).") % {"platform": platform, "status": status}
    )


def too_large(platform: str, size: int) -> Rejected:
    detail = _("The file is too large for the server (%(size)s).") % {"size": media_size(size)}
    return Rejected(detail, _("%(platform)s refused a file: %(detail)s") % {"platform": platform, "detail": detail})


# AT Protocol record keys for posts are TIDs: 13 characters of "base32-sortable" over a 64-bit
# number (top bit 0, 53 bits of microseconds since 1970, 10 bits of clock id).
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tid(micros: int, clock_id: int) -> str:
    number = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(TID_ALPHABET[(number >> shift) & 31] for shift in range(60, -1, -5))


def post_rkey(post: PlannedPost) -> str:
    """The Bluesky record key of this post, the same on every attempt.

    Derived from when the post was created (fixed) and its idempotency key (unique), so a retry
    after a crash asks Bluesky to create the very same record, which it cannot do twice.
    """
    micros = (post.created_at - _EPOCH) // timedelta(microseconds=1)
    return tid(micros, post.idempotency_key.int)
