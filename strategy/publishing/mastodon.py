"""Publishing to Mastodon (and servers speaking its API).

Wire format (docs.joinmastodon.org): ``POST /api/v2/media`` (multipart ``file`` + ``description``;
200 when processed, 202 while the server still processes it, ``url`` null until done) and
``GET /api/v1/media/:id`` (206 while processing, 200 with ``url`` once ready); ``POST /api/v1/statuses``
(``status``, ``media_ids[]``, ``visibility``, ``language``) with the ``Idempotency-Key`` header, which
the server keeps for an hour and answers a repeat with the status it already created;
``GET /api/v1/statuses/:id`` (``favourites_count``, ``reblogs_count``, ``replies_count``) and
``GET /api/v1/accounts/verify_credentials``. Errors: 401/403 token refused, 422 validation with
``{"error": "Validation failed: …"}``, 429 with ``X-RateLimit-Reset``.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx
from django.utils.translation import gettext as _

from listening.connectors.base import AuthError, TransientError
from listening.connectors.mastodon import mastodon_reset_at
from listening.http import check_response
from strategy.models import PlannedPost, Profile

from .base import MediaFile, NotConnected, Published, Rejected, error_detail, json_of, server_error, too_large

PLATFORM = "Mastodon"
# How long to wait for the server to process an uploaded video or large image before giving up
# this attempt (the next attempt uploads it again).
MEDIA_WAIT_SECONDS = 60.0


class MastodonPublisher:
    def __init__(self, profile: Profile, http):
        self.base_url = (profile.api_base_url or "").rstrip("/")
        self.token = str(profile.credentials.get("access_token") or "")
        if not self.base_url or not self.token:
            raise NotConnected()
        self.http = http

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def _check(self, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status in (401, 403):
            raise AuthError()
        if status == 422:
            detail = error_detail(response) or _("the server gave no reason")
            raise Rejected(detail)
        if status >= 500:
            raise server_error(PLATFORM, status)
        check_response(response, reset_at=mastodon_reset_at)
        if response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
            reset = mastodon_reset_at(response)
            if reset is not None:
                self.http.block(str(response.request.url), reset)
        return response

    # --- Publishing -----------------------------------------------------------------------------

    def publish(self, post: PlannedPost, media: list[MediaFile], *, language: str) -> Published:
        media_ids = [self._upload(item) for item in media]
        data: dict[str, object] = {"status": post.compose_text(), "visibility": "public", "language": language}
        if media_ids:
            data["media_ids[]"] = media_ids
        response = self.http.post(
            f"{self.base_url}/api/v1/statuses",
            data=data,
            headers=self._headers(**{"Idempotency-Key": str(post.idempotency_key)}),
        )
        body = json_of(self._check(response), PLATFORM)
        status_id = body.get("id")
        if isinstance(status_id, int):
            status_id = str(status_id)
        if not isinstance(status_id, str) or not status_id:
            raise TransientError(
                _("%(platform)s sent an answer we could not understand; we will try again.") % {"platform": PLATFORM}
            )
        url = body.get("url") or body.get("uri") or ""
        return Published(external_id=status_id, url=url if isinstance(url, str) else "")

    def _upload(self, item: MediaFile) -> str:
        response = self.http.post(
            f"{self.base_url}/api/v2/media",
            files={"file": (item.name, item.content, item.mime)},
            data={"description": item.alt},
            headers=self._headers(),
        )
        if response.status_code == 413:
            raise too_large(PLATFORM, len(item.content))
        body = json_of(self._check(response), PLATFORM)
        media_id = str(body.get("id") or "")
        if not media_id:
            raise TransientError(
                _("%(platform)s sent an answer we could not understand; we will try again.") % {"platform": PLATFORM}
            )
        if response.status_code == 202 or not body.get("url"):
            self._wait_until_processed(media_id, item.name)
        return media_id

    def _wait_until_processed(self, media_id: str, name: str) -> None:
        """Poll ``GET /api/v1/media/:id`` until the server has a ``url`` for it, within a bound."""
        deadline = time.monotonic() + MEDIA_WAIT_SECONDS
        delay = 0.5
        while time.monotonic() < deadline:
            time.sleep(delay)
            response = self.http.get(
                f"{self.base_url}/api/v1/media/{quote(media_id, safe='')}", headers=self._headers()
            )
            if response.status_code == 206:
                delay = min(delay * 2, 5.0)
                continue
            body = json_of(self._check(response), PLATFORM)
            if body.get("url"):
                return
            delay = min(delay * 2, 5.0)
        raise TransientError(
            _("%(platform)s was still processing “%(name)s” after %(seconds)s seconds.")
            % {"platform": PLATFORM, "name": name, "seconds": int(MEDIA_WAIT_SECONDS)}
        )

    # --- Reading --------------------------------------------------------------------------------

    def verify(self) -> str:
        """The account the token belongs to, as ``@user``."""
        response = self.http.get(f"{self.base_url}/api/v1/accounts/verify_credentials", headers=self._headers())
        body = json_of(self._check(response), PLATFORM)
        acct = body.get("acct") or body.get("username") or ""
        return f"@{acct}" if isinstance(acct, str) and acct else ""

    def counts(self, status_ids: list[str]) -> dict[str, tuple[int, int, int]]:
        """(likes, reposts, replies) of each status that still exists; deleted ones are left out."""
        found = {}
        for status_id in status_ids:
            response = self.http.get(
                f"{self.base_url}/api/v1/statuses/{quote(status_id, safe='')}", headers=self._headers()
            )
            if response.status_code == 404:
                continue  # deleted on the server since we published it
            body = json_of(self._check(response), PLATFORM)
            found[status_id] = tuple(_count(body.get(key)) for key in COUNT_KEYS)
        return found


COUNT_KEYS = ("favourites_count", "reblogs_count", "replies_count")


def _count(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
