"""Daily follower / following / post counts of the organisation's own profiles, read from the platforms.

Only platforms with a public (or API-key) way to read an account's counts are collected:

- Mastodon: ``GET https://<server>/api/v1/accounts/lookup?acct=<user>`` → ``followers_count``,
  ``following_count``, ``statuses_count``. The server comes from ``profile.url``
  (``https://server/@user``) when it has that shape, otherwise from the handle
  (``@user@server``).
- Bluesky: ``app.bsky.actor.getProfile`` on the public AppView (no login) → ``followersCount``,
  ``followsCount``, ``postsCount``.
- YouTube: Data API v3 ``channels?part=statistics&forHandle=<handle>`` with
  ``settings.YOUTUBE_API_KEY`` → ``subscriberCount``, ``videoCount`` (sent as strings).
- Reddit: ``GET https://www.reddit.com/r/<name>/about.json`` → ``data.subscribers``.

Every other platform raises ``NotCollectable``: its counts come from a CSV export or are typed in.

Base URLs: ``profile_counts(..., base_url=...)`` (and ``profile_snapshot_collect``) take an optional
base URL (scheme + host, e.g. ``http://127.0.0.1:8000``) that replaces the platform's address for
that call; it is meant for tests and for servers speaking the same API. Without it, Mastodon uses
``profile.url``'s scheme and host when the URL looks like ``…/@user``, and the other platforms use
``BASE_URLS`` below.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from listening.connectors.base import AuthError, ConnectorError, MalformedPayload, RateLimited
from listening.connectors.bluesky import get_profile_counts
from listening.connectors.mastodon import mastodon_reset_at
from listening.connectors.reddit import reset_at as reddit_reset_at
from listening.connectors.text import to_int_or_none
from listening.connectors.youtube import KEY_REASONS, QUOTA_REASONS, next_pacific_midnight
from listening.http import USER_AGENT, check_response
from metrics.models import ProfileSnapshot
from strategy.models import Profile

logger = logging.getLogger(__name__)

BASE_URLS = {
    "bluesky": "https://public.api.bsky.app",
    "youtube": "https://www.googleapis.com",
    "reddit": "https://www.reddit.com",
}

_MASTODON_PATH = re.compile(r"^/@(?P<acct>[^/@\s]+(?:@[^/@\s]+)?)/?$")
_BLUESKY_PATH = re.compile(r"^/profile/(?P<actor>[^/\s]+)/?$")
_REDDIT_NAME = re.compile(r"^/?r/(?P<name>[A-Za-z0-9_]{2,21})/?$", re.IGNORECASE)


class NotCollectable(ConnectorError):
    """The platform offers no way to read an account's counts automatically."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _("This platform cannot be read automatically; import its CSV export or enter the counts by hand.")
        )


def _count(value) -> int | None:
    number = to_int_or_none(value)
    return number if number is not None and number >= 0 else None


def _json(response, platform: str):
    try:
        return response.json()
    except ValueError as error:
        raise MalformedPayload(
            _("%(platform)s sent a page that is not valid JSON; it may have been cut off.") % {"platform": platform}
        ) from error


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- Mastodon -------------------------------------------------------------------------------------


def _mastodon_target(profile: Profile, base_url: str | None) -> tuple[str, str]:
    """``(server base URL, acct to look up)``: from ``profile.url`` (``https://server/@user``) when it
    has that shape, else from the handle (``@user@server``); ``base_url`` replaces the server."""
    server = acct = ""
    for address in (profile.url, profile.handle.strip()):
        if address and address.startswith(("http://", "https://")):
            parts = urlsplit(address)
            match = _MASTODON_PATH.match(parts.path)
            if match and parts.netloc:
                server, acct = f"{parts.scheme}://{parts.netloc}", match["acct"]
                break
    if not acct:
        user, _sep, instance = profile.handle.strip().lstrip("@").partition("@")
        if not user or not instance or "@" in instance:
            raise ConnectorError(
                _("Write the Mastodon handle with its server, for example @biblioteca@mastodon.social.")
            )
        server, acct = f"https://{instance}", user
    if base_url:
        server = base_url
    user, _sep, instance = acct.partition("@")
    if instance and instance.lower() == (urlsplit(server).hostname or "").lower():
        acct = user  # a server knows its own accounts by their bare name
    return server.rstrip("/"), acct


def _mastodon_counts(profile: Profile, http, base_url: str | None) -> dict[str, int | None]:
    server, acct = _mastodon_target(profile, base_url)
    url = f"{server}/api/v1/accounts/lookup"
    response = http.get(url, params={"acct": acct})
    check_response(response, reset_at=mastodon_reset_at)
    body = _json(response, "Mastodon")
    if not isinstance(body, dict):
        raise MalformedPayload(_("%(platform)s sent a profile we could not understand.") % {"platform": "Mastodon"})
    return {
        "followers": _count(body.get("followers_count")),
        "following": _count(body.get("following_count")),
        "posts": _count(body.get("statuses_count")),
    }


# --- Bluesky --------------------------------------------------------------------------------------


def _bluesky_counts(profile: Profile, http, base_url: str | None) -> dict[str, int | None]:
    actor = profile.handle.strip().lstrip("@")
    if not actor and profile.url:
        match = _BLUESKY_PATH.match(urlsplit(profile.url).path)
        actor = match["actor"] if match else ""
    if not actor:
        raise ConnectorError(_("Write the Bluesky handle, for example @biblioteca.bsky.social."))
    counts = get_profile_counts(http, base_url or BASE_URLS["bluesky"], actor)
    return {
        "followers": _count(counts.get("followers")),
        "following": _count(counts.get("follows")),
        "posts": _count(counts.get("posts")),
    }


# --- YouTube --------------------------------------------------------------------------------------


def _youtube_error_reasons(response) -> set[str]:
    try:
        body = response.json()
    except ValueError:
        return set()
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("errors") if isinstance(error, dict) else None
    if not isinstance(details, list):
        return set()
    return {d["reason"] for d in details if isinstance(d, dict) and isinstance(d.get("reason"), str)}


def _youtube_counts(profile: Profile, http, base_url: str | None) -> dict[str, int | None]:
    key = getattr(settings, "YOUTUBE_API_KEY", "")
    if not key:
        raise ConnectorError(
            _("Reading YouTube counts needs a YouTube API key, and none is set up. Ask your administrator to add one.")
        )
    handle = profile.handle.strip().lstrip("@")
    if not handle:
        raise ConnectorError(_("Write the YouTube handle, for example @biblioteca."))
    url = f"{(base_url or BASE_URLS['youtube']).rstrip('/')}/youtube/v3/channels"
    response = http.get(url, params={"part": "statistics", "forHandle": handle, "key": key})
    if response.status_code >= 400:
        reasons = _youtube_error_reasons(response)
        if reasons & QUOTA_REASONS:
            retry_at = next_pacific_midnight()
            http.block(url, retry_at)
            raise RateLimited(retry_at, _("The YouTube daily quota is used up; polling resumes after it resets."))
        if reasons & KEY_REASONS or response.status_code in (401, 403):
            raise AuthError(_("YouTube refused the API key: it is wrong, expired or restricted."))
    check_response(response)
    body = _json(response, "YouTube")
    items = body.get("items") if isinstance(body, dict) else None
    if not items:
        raise ConnectorError(_("YouTube has no channel with the handle @%(handle)s.") % {"handle": handle})
    statistics = items[0].get("statistics") if isinstance(items[0], dict) else None
    if not isinstance(statistics, dict):
        raise MalformedPayload(_("%(platform)s sent a profile we could not understand.") % {"platform": "YouTube"})
    hidden = statistics.get("hiddenSubscriberCount") is True
    return {
        "followers": None if hidden else _count(statistics.get("subscriberCount")),
        "following": None,
        "posts": _count(statistics.get("videoCount")),
    }


# --- Reddit ---------------------------------------------------------------------------------------


def _reddit_counts(profile: Profile, http, base_url: str | None) -> dict[str, int | None]:
    name = ""
    for address in (profile.handle.strip(), profile.url):
        if not address:
            continue
        path = urlsplit(address).path if address.startswith(("http://", "https://")) else address
        match = _REDDIT_NAME.match(path.strip())
        if match:
            name = match["name"]
            break
    if not name:
        raise ConnectorError(_("Write the subreddit as r/name, for example r/bibliotecas."))
    url = f"{(base_url or BASE_URLS['reddit']).rstrip('/')}/r/{quote(name, safe='')}/about.json"
    response = http.get(url, headers={"User-Agent": USER_AGENT})
    check_response(response, reset_at=reddit_reset_at)
    body = _json(response, "Reddit")
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise MalformedPayload(_("%(platform)s sent a profile we could not understand.") % {"platform": "Reddit"})
    return {"followers": _count(data.get("subscribers")), "following": None, "posts": None}


COLLECTORS = {
    "mastodon": _mastodon_counts,
    "bluesky": _bluesky_counts,
    "youtube": _youtube_counts,
    "reddit": _reddit_counts,
}


def profile_counts(profile: Profile, *, http, base_url: str | None = None) -> dict[str, int | None]:
    """``{"followers", "following", "posts"}`` of an owned profile, each an int or ``None`` when the
    platform does not say. Raises ``NotCollectable`` for platforms that cannot be read, and the
    connector errors (``ConnectorError`` and subclasses) when reading fails.

    ``base_url`` (scheme + host) replaces the platform's address; see the module docstring.
    """
    collector = COLLECTORS.get(profile.platform)
    if collector is None:
        raise NotCollectable()
    return collector(profile, http, base_url)


def profile_snapshot_collect(
    *, profile: Profile, http, today: date | None = None, base_url: str | None = None
) -> ProfileSnapshot:
    """Store today's counts (in the organisation's time zone) as a polled snapshot.

    A second collection on the same day updates that day's snapshot. A count the platform does not
    give (``None``) never erases one already stored for the day (e.g. typed by hand).
    """
    counts = profile_counts(profile, http=http, base_url=base_url)
    today = today or timezone.localtime(timezone=profile.org.zoneinfo).date()
    values = {field: value for field, value in counts.items() if value is not None}
    snapshot, _created = ProfileSnapshot.objects.update_or_create(
        profile=profile,
        date=today,
        defaults={"org_id": profile.org_id, "origin": ProfileSnapshot.Origin.POLL, **values},
    )
    return snapshot


def snapshots_collect(*, org=None) -> dict:
    """Collect every non-archived profile (of ``org``, or of all organisations).

    One profile's failure never stops the others. Returns
    ``{"collected": n, "skipped": n, "failed": [(profile_id, message), ...]}``; "skipped" counts the
    profiles on platforms that cannot be read automatically.
    """
    from listening.services.poll import http_client

    result: dict = {"collected": 0, "skipped": 0, "failed": []}
    profiles = Profile.objects.active().select_related("org").order_by("org_id", "platform", "pk")
    if org is not None:
        profiles = profiles.filter(org=org)
    http = http_client()
    try:
        for profile in profiles:
            with override(profile.org.language):
                try:
                    profile_snapshot_collect(profile=profile, http=http)
                except NotCollectable:
                    result["skipped"] += 1
                except RateLimited as error:
                    if http.last_url:
                        http.block(http.last_url, error.retry_at)  # later profiles on that host wait too
                    result["failed"].append((profile.pk, error.message))
                except ConnectorError as error:
                    result["failed"].append((profile.pk, error.message))
                except Exception:
                    logger.exception("collecting the counts of profile %s failed", profile.pk)
                    result["failed"].append(
                        (profile.pk, _("The counts could not be collected because of an unexpected error."))
                    )
                else:
                    result["collected"] += 1
    finally:
        http.close()
    logger.info(
        "profile snapshots: %s collected, %s skipped, %s failed",
        result["collected"], result["skipped"], len(result["failed"]),
    )  # fmt: skip
    return result
