"""Publishing to Bluesky (any AT Protocol PDS).

Wire format (XRPC over HTTP, docs.bsky.app): ``com.atproto.server.createSession`` (identifier + app
password → ``accessJwt``, ``did``, ``handle``); ``com.atproto.repo.uploadBlob`` (the raw bytes with
their Content-Type → ``blob``); ``com.atproto.repo.createRecord`` (``repo``, ``collection``,
``rkey``, ``record``) of an ``app.bsky.feed.post`` (``text``, ``createdAt``, ``langs``, ``facets``,
``embed``); ``com.atproto.repo.getRecord``; ``com.atproto.identity.resolveHandle``;
``app.bsky.feed.getPosts`` (up to 25 ``uris`` → ``likeCount``, ``repostCount``, ``replyCount``).

Idempotency: the record key is derived from the post (``post_rkey``), so a retried createRecord
names the same record. A PDS answers a create of an existing key with an error (today an HTTP 500;
an explicit XRPC error is on its way), so after any refused create we read the record back and,
when it is there, the post is published.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from listening.connectors.base import AuthError, ConnectorError, TransientError
from listening.connectors.bluesky import bluesky_reset_at
from listening.http import check_response
from strategy.models import PlannedPost, Profile

from .base import (
    MediaFile,
    MediaProblem,
    NotConnected,
    Published,
    Rejected,
    error_detail,
    json_of,
    media_size,
    post_rkey,
    server_error,
)
from .richtext import facets_for

PLATFORM = "Bluesky"
COLLECTION = "app.bsky.feed.post"
# app.bsky.embed.images accepts images of at most 1,000,000 bytes.
MAX_IMAGE_BYTES = 1_000_000
GET_POSTS_BATCH = 25  # app.bsky.feed.getPosts' maximum number of uris


def web_url(handle: str, rkey: str) -> str:
    host = getattr(settings, "BLUESKY_WEB_URL", "") or "https://bsky.app"
    return f"{host.rstrip('/')}/profile/{quote(handle, safe=':.')}/post/{quote(rkey, safe='')}"


def _iso_now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class BlueskyPublisher:
    def __init__(self, profile: Profile, http):
        credentials = profile.credentials
        self.base_url = (profile.api_base_url or "").rstrip("/")
        self.identifier = str(credentials.get("identifier") or "").strip().lstrip("@")
        self.password = str(credentials.get("app_password") or credentials.get("password") or "")
        if not self.base_url or not self.identifier or not self.password:
            raise NotConnected()
        self.http = http
        self.session: dict | None = None

    def _url(self, method: str) -> str:
        return f"{self.base_url}/xrpc/{method}"

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login()['accessJwt']}"}

    def _check(self, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status == 401 or status == 403:
            raise AuthError()
        if status >= 500:
            raise server_error(PLATFORM, status)
        if status == 400:
            raise Rejected(error_detail(response) or _("the server gave no reason"))
        check_response(response, reset_at=bluesky_reset_at)
        if response.headers.get("RateLimit-Remaining", "").strip() == "0":
            reset = bluesky_reset_at(response)
            if reset is not None:
                self.http.block(str(response.request.url), reset)
        return response

    def login(self) -> dict:
        if self.session is not None:
            return self.session
        response = self.http.post(
            self._url("com.atproto.server.createSession"),
            json={"identifier": self.identifier, "password": self.password},
        )
        if response.status_code in (400, 401):
            # createSession answers a wrong identifier or password with 401 AuthenticationRequired.
            raise AuthError()
        body = json_of(self._check(response), PLATFORM)
        if not all(isinstance(body.get(key), str) and body.get(key) for key in ("accessJwt", "did", "handle")):
            raise TransientError(
                _("%(platform)s sent a login answer we could not understand.") % {"platform": PLATFORM}
            )
        self.session = body
        return body

    def verify(self) -> str:
        return self.login()["handle"]

    # --- Publishing -----------------------------------------------------------------------------

    def publish(self, post: PlannedPost, media: list[MediaFile], *, language: str) -> Published:
        for item in media:
            if not item.is_image:
                raise MediaProblem(
                    _(
                        "Bluesky posts can only carry images here, and “%(name)s” is not one. Remove it or publish by hand."
                    )
                    % {"name": item.name}
                )
            if len(item.content) > MAX_IMAGE_BYTES:
                raise MediaProblem(
                    _("“%(name)s” is %(size)s; Bluesky accepts images of up to %(max)s. Use a smaller image.")
                    % {"name": item.name, "size": media_size(len(item.content)), "max": media_size(MAX_IMAGE_BYTES)}
                )
        session = self.login()
        rkey = post_rkey(post)
        text = post.compose_text()
        record: dict = {"$type": COLLECTION, "text": text, "createdAt": _iso_now(), "langs": [language]}
        facets = facets_for(text, self.resolve_handle)
        if facets:
            record["facets"] = facets
        if media:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [self._image(item) for item in media],
            }
        elif post.link:
            record["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {"uri": post.link, "title": post.link, "description": ""},
            }
        response = self.http.post(
            self._url("com.atproto.repo.createRecord"),
            json={"repo": session["did"], "collection": COLLECTION, "rkey": rkey, "record": record},
            headers=self._auth(),
        )
        try:
            body = json_of(self._check(response), PLATFORM)
            uri = body.get("uri")
            if not isinstance(uri, str) or not uri.startswith("at://"):
                raise TransientError(
                    _("%(platform)s sent an answer we could not understand; we will try again.")
                    % {"platform": PLATFORM}
                )
        except (Rejected, TransientError) as refused:
            # Perhaps an earlier attempt created it and we never heard back: then it is published.
            uri = self.existing_record(session["did"], rkey)
            if uri is None:
                raise refused
        return Published(external_id=uri, url=web_url(session["handle"], rkey))

    def _image(self, item: MediaFile) -> dict:
        response = self.http.post(
            self._url("com.atproto.repo.uploadBlob"),
            content=item.content,
            headers={**self._auth(), "Content-Type": item.mime},
        )
        blob = json_of(self._check(response), PLATFORM).get("blob")
        if not isinstance(blob, dict):
            raise TransientError(
                _("%(platform)s sent an answer we could not understand; we will try again.") % {"platform": PLATFORM}
            )
        image = {"alt": item.alt, "image": blob}
        size = _image_size(item.content)
        if size:
            image["aspectRatio"] = {"width": size[0], "height": size[1]}
        return image

    def existing_record(self, did: str, rkey: str) -> str | None:
        """The uri of our record if the repository already holds it, else None."""
        try:
            response = self.http.get(
                self._url("com.atproto.repo.getRecord"),
                params={"repo": did, "collection": COLLECTION, "rkey": rkey},
            )
        except ConnectorError:
            return None
        if response.status_code != 200:
            return None
        try:
            uri = response.json().get("uri")
        except (ValueError, AttributeError):
            return None
        return uri if isinstance(uri, str) and uri.startswith("at://") else None

    def resolve_handle(self, handle: str) -> str | None:
        try:
            response = self.http.get(self._url("com.atproto.identity.resolveHandle"), params={"handle": handle})
        except ConnectorError:
            return None
        if response.status_code != 200:
            return None
        try:
            did = response.json().get("did")
        except (ValueError, AttributeError):
            return None
        return did if isinstance(did, str) and did.startswith("did:") else None

    # --- Reading --------------------------------------------------------------------------------

    def counts(self, uris: list[str]) -> dict[str, tuple[int, int, int]]:
        """(likes, reposts, replies) of each post that still exists, asked 25 at a time."""
        found = {}
        for start in range(0, len(uris), GET_POSTS_BATCH):
            batch = uris[start : start + GET_POSTS_BATCH]
            response = self.http.get(self._url("app.bsky.feed.getPosts"), params={"uris": batch}, headers=self._auth())
            posts = json_of(self._check(response), PLATFORM).get("posts")
            for view in posts if isinstance(posts, list) else []:
                if isinstance(view, dict) and view.get("uri") in batch:
                    found[view["uri"]] = (
                        _count(view.get("likeCount")),
                        _count(view.get("repostCount")),
                        _count(view.get("replyCount")),
                    )
        return found


def _count(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height, so Bluesky can lay the image out before it loads; None if unreadable."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except Exception:  # noqa: BLE001 - any unreadable image simply goes without an aspect ratio
        return None
    return (width, height) if width > 0 and height > 0 else None
