"""Publishing planned posts from ``scheduled`` on, and what happens to them afterwards.

``post_publish`` runs at most once per post at a time and never creates a second copy:

1. In a transaction it locks the post's row and claims it (``publish_claimed_at``) unless it is no
   longer scheduled, already has an external id, waits for a later attempt, or another worker's
   claim is still young (``CLAIM_TTL``). The claim commits before any outside call.
2. It calls the platform, outside any transaction. The platform request carries the post's own
   idempotency (Mastodon's ``Idempotency-Key``, Bluesky's record key), so if a worker dies after
   the platform replied but before step 3, the retry after the claim goes stale gets the post that
   already exists instead of a new one.
3. In a new transaction it records the outcome: published (with a PostEvent), or the failure in
   plain words with the next attempt after an exponential backoff with jitter.

Posts of profiles that do not publish automatically (other platforms, or no server/credentials)
are never sent: people publish them by hand and mark them published (``post_mark_published``).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import datetime, timedelta
from enum import StrEnum

import httpx
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from listening.connectors.base import AuthError, ConnectorError, RateLimited, TransientError
from strategy.models import (
    AUTO_PUBLISH_PLATFORMS,
    PlannedPost,
    Platform,
    PostEvent,
    PostEventKind,
    PostMetric,
    PostStatus,
    Profile,
)

from .base import NotConnected, Published, Rejected, read_media
from .bluesky import BlueskyPublisher
from .mastodon import MastodonPublisher

logger = logging.getLogger(__name__)

# A claim younger than this means a worker is publishing the post right now. Longer than the
# slowest attempt (uploads, media processing, limiter waits), shorter than Mastodon's one hour of
# remembered idempotency keys.
CLAIM_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 8
# Backoff after the n-th failure: 1, 2, 4 … minutes, capped below Mastodon's one-hour idempotency
# window so a retry after an unanswered request still finds the status it may have created.
BACKOFF_CAP = timedelta(minutes=45)
METRICS_DAYS = 30

PUBLISHERS = {Platform.MASTODON: MastodonPublisher, Platform.BLUESKY: BlueskyPublisher}


class Outcome(StrEnum):
    PUBLISHED = "published"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due, not scheduled any more, or already published
    BUSY = "busy"  # another worker holds a live claim
    MANUAL = "manual"  # the profile does not publish automatically


def http_client():
    from listening.services.poll import http_client as shared_client

    return shared_client()


def publisher_for(profile: Profile, http):
    publisher_class = PUBLISHERS.get(profile.platform)
    if publisher_class is None:
        raise NotConnected()
    return publisher_class(profile, http)


def _automatic() -> Q:
    """The SQL twin of ``Profile.publishes_automatically``, seen from a post."""
    return (
        Q(profile__platform__in=AUTO_PUBLISH_PLATFORMS)
        & ~Q(profile__api_base_url="")
        & ~Q(profile__credentials_encrypted="")
    )


def _not_connected_message() -> str:
    return _("This profile is not connected for publishing: publish by hand or connect the profile.")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure, with jitter, capped."""
    delay = timedelta(minutes=2 ** max(attempts - 1, 0)) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
    return min(delay, BACKOFF_CAP)


# --- Which posts are due -------------------------------------------------------------------------


def posts_due_for_publishing(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Ids of scheduled posts whose time has come and that a worker should publish now.

    Also reports, once, on due posts of Mastodon/Bluesky profiles that are not connected.
    """
    now = now or timezone.now()
    due = PlannedPost.objects.filter(status=PostStatus.SCHEDULED, scheduled_at__lte=now, external_id="")
    unconnected = due.filter(profile__platform__in=AUTO_PUBLISH_PLATFORMS, publish_error="").exclude(_automatic())
    for post in unconnected.select_related("org")[:limit]:
        with override(post.org.language):
            _flag_not_connected(post)
    ids = (
        due.filter(_automatic(), publish_attempts__lt=MAX_ATTEMPTS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(publish_claimed_at__isnull=True) | Q(publish_claimed_at__lt=now - CLAIM_TTL))
        .order_by("scheduled_at", "id")
        .values_list("id", flat=True)
    )
    return list(ids[:limit])


def _flag_not_connected(post: PlannedPost) -> None:
    message = _not_connected_message()
    with transaction.atomic():
        updated = PlannedPost.objects.filter(pk=post.pk, publish_error="").update(
            publish_error=message, updated_at=timezone.now()
        )
        if updated:
            PostEvent.objects.create(post=post, kind=PostEventKind.PUBLISH_FAILED, message=message)


# --- Publishing one post -------------------------------------------------------------------------


def _claim(post_id: int, now: datetime) -> tuple[PlannedPost | None, Outcome | None]:
    with transaction.atomic():
        post = (
            PlannedPost.objects.select_for_update(of=("self",))
            .select_related("profile", "org")
            .filter(pk=post_id)
            .first()
        )
        if post is None or post.status != PostStatus.SCHEDULED or post.external_id:
            return None, Outcome.SKIPPED
        if post.scheduled_at is None or post.scheduled_at > now:
            return None, Outcome.SKIPPED
        if (post.next_attempt_at and post.next_attempt_at > now) or post.publish_attempts >= MAX_ATTEMPTS:
            return None, Outcome.SKIPPED
        if post.publish_claimed_at and post.publish_claimed_at > now - CLAIM_TTL:
            return None, Outcome.BUSY
        if not post.profile.publishes_automatically:
            if post.profile.platform in AUTO_PUBLISH_PLATFORMS and not post.publish_error:
                with override(post.org.language):
                    _flag_not_connected(post)
            return None, Outcome.MANUAL
        PlannedPost.objects.filter(pk=post.pk).update(publish_claimed_at=now)
        post.publish_claimed_at = now
        return post, None


def post_publish(*, post_id: int, http=None) -> Outcome:
    """Publish one scheduled post on its platform, at most once; safe to call twice or concurrently."""
    now = timezone.now()
    post, outcome = _claim(post_id, now)
    if post is None:
        return outcome
    own_http = http is None
    http = http or http_client()
    platform = post.profile.get_platform_display()
    try:
        with override(post.org.language):
            try:
                media = read_media(post)  # before any request: a missing file sends nothing
                published = publisher_for(post.profile, http).publish(post, media, language=post.org.language)
            except RateLimited as error:
                if http.last_url:
                    http.block(http.last_url, error.retry_at)
                retry_at = max(error.retry_at, timezone.now() + timedelta(minutes=1))
                message = _("%(platform)s asked us to slow down; we will try again when it allows.") % {
                    "platform": platform
                }
                _record_failure(post.pk, message, retry_at=retry_at)
                return Outcome.FAILED
            except ConnectorError as error:
                _record_failure(post.pk, failure_message(error, platform))
                return Outcome.FAILED
            except Exception:
                logger.exception("Publishing post %s failed unexpectedly", post.pk)
                _record_failure(post.pk, _("An unexpected error stopped the publication."))
                return Outcome.FAILED
            _record_published(post.pk, published, platform)
            return Outcome.PUBLISHED
    finally:
        if own_http:
            http.close()


def failure_message(error: ConnectorError, platform: str) -> str:
    """What went wrong, in plain words and the active language."""
    if isinstance(error, NotConnected):
        return _not_connected_message()
    if isinstance(error, AuthError):
        return _(
            "%(platform)s did not accept the profile's credentials: they may have been revoked or have expired. "
            "An administrator should reconnect the profile on its publishing page."
        ) % {"platform": platform}
    if isinstance(error, Rejected):
        return _("%(platform)s refused the post: “%(detail)s”.") % {"platform": platform, "detail": error.detail}
    if isinstance(error, TransientError) and isinstance(error.__cause__, httpx.TimeoutException):
        return _("The %(platform)s server did not answer in time.") % {"platform": platform}
    return error.message  # MediaProblem, connection errors, server errors: already plain words


def _record_published(post_id: int, published: Published, platform: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        post = PlannedPost.objects.select_for_update().get(pk=post_id)
        from_status, old_url = post.status, post.external_url
        post.status = PostStatus.PUBLISHED
        post.published_at = now
        post.external_id = published.external_id[:300]
        post.external_url = published.url[:500]
        post.publish_error = ""
        post.publish_claimed_at = None
        post.next_attempt_at = None
        post.save(
            update_fields=[
                "status",
                "published_at",
                "external_id",
                "external_url",
                "publish_error",
                "publish_claimed_at",
                "next_attempt_at",
                "updated_at",
            ]
        )
        PostEvent.objects.create(
            post=post,
            kind=PostEventKind.PUBLISHED,
            from_status=from_status,
            to_status=PostStatus.PUBLISHED,
            message=_("Published on %(platform)s.") % {"platform": platform},
            # The history shows changes as [before, after] pairs.
            changes={"external_url": [old_url, post.external_url]},
        )


def _record_failure(post_id: int, message: str, *, retry_at: datetime | None = None) -> None:
    """Count the failed attempt (a rate limit is not one), schedule the next or stop, and say so."""
    now = timezone.now()
    with transaction.atomic():
        post = PlannedPost.objects.select_for_update().get(pk=post_id)
        post.publish_claimed_at = None
        if retry_at is not None:
            post.next_attempt_at = retry_at
            text = message
        else:
            post.publish_attempts += 1
            if post.publish_attempts >= MAX_ATTEMPTS:
                post.next_attempt_at = None
                stopped = _("We stopped trying after %(count)s attempts. Fix the problem, then press “Retry now”.") % {
                    "count": post.publish_attempts
                }
                text = f"{message} {stopped}"
            else:
                post.next_attempt_at = now + backoff(post.publish_attempts)
                again = _("We will try again automatically.")
                text = f"{message} {again}"
        post.publish_error = text
        post.save(
            update_fields=["publish_claimed_at", "publish_attempts", "next_attempt_at", "publish_error", "updated_at"]
        )
        PostEvent.objects.create(
            post=post,
            kind=PostEventKind.PUBLISH_FAILED,
            message=text,
        )


# --- What people do on the post page -------------------------------------------------------------


def _live_claim(post: PlannedPost, now: datetime) -> bool:
    return bool(post.publish_claimed_at and post.publish_claimed_at > now - CLAIM_TTL)


@transaction.atomic
def post_mark_published(*, post: PlannedPost, url: str, by) -> PlannedPost:
    """Record that someone published the post by hand, at ``url``."""
    url = (url or "").strip()
    locked = PlannedPost.objects.select_for_update().get(pk=post.pk)
    now = timezone.now()
    if locked.status not in (PostStatus.APPROVED, PostStatus.SCHEDULED):
        raise ValidationError(
            _("Only an approved or scheduled post can be marked as published; this one is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    if _live_claim(locked, now):
        raise ValidationError(_("This post is being published automatically right now. Reload the page in a minute."))
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(_("Write the full address of the published post, starting with https://.")) from None
    if len(url) > 500:
        raise ValidationError(_("That address is too long (500 characters at most)."))
    from_status, old_url = locked.status, locked.external_url
    locked.status = PostStatus.PUBLISHED
    locked.published_at = now
    locked.external_url = url
    locked.publish_error = ""
    locked.next_attempt_at = None
    locked.save(
        update_fields=["status", "published_at", "external_url", "publish_error", "next_attempt_at", "updated_at"]
    )
    PostEvent.objects.create(
        post=locked,
        actor=by,
        kind=PostEventKind.PUBLISHED,
        from_status=from_status,
        to_status=PostStatus.PUBLISHED,
        message=_("Published by hand."),
        changes={"external_url": [old_url, url]},
    )
    return locked


@transaction.atomic
def post_publish_retry(*, post: PlannedPost) -> PlannedPost:
    """Make a scheduled post that failed to publish due at once, with a fresh series of attempts."""
    locked = PlannedPost.objects.select_for_update().select_related("profile").get(pk=post.pk)
    if locked.status != PostStatus.SCHEDULED or locked.external_id:
        raise ValidationError(_("Only a scheduled post that is waiting to be published can be retried."))
    if not locked.profile.publishes_automatically:
        raise ValidationError(_not_connected_message())
    if _live_claim(locked, timezone.now()):
        raise ValidationError(_("This post is being published automatically right now. Reload the page in a minute."))
    locked.next_attempt_at = None
    locked.publish_attempts = 0
    locked.save(update_fields=["next_attempt_at", "publish_attempts", "updated_at"])
    return locked


# --- Performance ---------------------------------------------------------------------------------


def posts_refresh_metrics(*, now: datetime | None = None, http=None) -> int:
    """Read likes, reposts and replies of posts published in the last 30 days; returns how many were updated."""
    now = now or timezone.now()
    posts = (
        PlannedPost.objects.filter(
            status=PostStatus.PUBLISHED,
            published_at__gte=now - timedelta(days=METRICS_DAYS),
            profile__platform__in=AUTO_PUBLISH_PLATFORMS,
        )
        .exclude(external_id="")
        .select_related("profile", "org")
        .order_by("profile_id", "id")
    )
    by_profile: dict[int, list[PlannedPost]] = defaultdict(list)
    for post in posts:
        by_profile[post.profile_id].append(post)
    own_http = http is None
    http = http or http_client()
    updated = 0
    try:
        for group in by_profile.values():
            profile = group[0].profile
            if not profile.publishes_automatically:
                continue
            try:
                counts = publisher_for(profile, http).counts([post.external_id for post in group])
            except ConnectorError as error:
                # One profile's trouble (expired token, server down) must not stop the others.
                logger.warning("Could not read post counts of profile %s: %s", profile.pk, error.message)
                continue
            for post in group:
                if post.external_id in counts:
                    _store_counts(post, counts[post.external_id], now)
                    updated += 1
    finally:
        if own_http:
            http.close()
    return updated


def _store_counts(post: PlannedPost, counts: tuple[int, int, int], now: datetime) -> None:
    likes, reposts, replies = counts
    today = timezone.localdate(now, post.org.zoneinfo)
    with transaction.atomic():
        PlannedPost.objects.filter(pk=post.pk).update(
            likes=likes, reposts=reposts, replies=replies, metrics_refreshed_at=now
        )
        PostMetric.objects.bulk_create(
            [PostMetric(post=post, date=today, likes=likes, reposts=reposts, replies=replies)],
            update_conflicts=True,
            unique_fields=["post", "date"],
            update_fields=["likes", "reposts", "replies"],
        )


# --- The profile's connection --------------------------------------------------------------------


CREDENTIAL_KEYS = {Platform.MASTODON: ("access_token",), Platform.BLUESKY: ("identifier", "app_password")}


@transaction.atomic
def profile_publishing_update(
    *, profile: Profile, api_base_url: str, char_limit: int | None, credentials: dict[str, str] | None = None
) -> Profile:
    """Save where and how the profile publishes. Blank credentials keep the stored ones."""
    profile.api_base_url = (api_base_url or "").strip().rstrip("/")
    profile.char_limit = char_limit
    typed = {key: value.strip() for key, value in (credentials or {}).items() if value and value.strip()}
    if typed:
        stored = profile.credentials
        allowed = CREDENTIAL_KEYS.get(profile.platform, ())
        merged = {key: stored[key] for key in allowed if stored.get(key)}
        merged.update({key: value for key, value in typed.items() if key in allowed})
        merged["saved_at"] = timezone.now().isoformat()
        profile.credentials = merged
    for name in ("api_base_url", "char_limit"):
        field = Profile._meta.get_field(name)
        setattr(profile, name, field.clean(getattr(profile, name), profile))
    # Only these fields: an edit of the profile's other fields at the same time is not overwritten.
    profile.save(update_fields=["api_base_url", "char_limit", "credentials_encrypted", "updated_at"])
    return profile


def profile_credentials_remove(*, profile: Profile) -> Profile:
    """Forget the stored credentials: the profile's posts are then published by hand."""
    profile.credentials = {}
    profile.save(update_fields=["credentials_encrypted", "updated_at"])
    return profile


def credentials_saved_at(profile: Profile) -> datetime | None:
    value = profile.credentials.get("saved_at") if profile.has_credentials else None
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def profile_connection_test(*, profile: Profile, http=None) -> tuple[bool, str]:
    """Log in with the stored credentials; (worked, what happened in plain words)."""
    platform = profile.get_platform_display()
    own_http = http is None
    http = http or http_client()
    try:
        account = publisher_for(profile, http).verify()
    except NotConnected:
        return False, _("Save the server address and the credentials first, then test them.")
    except AuthError:
        return False, _(
            "%(platform)s did not accept these credentials. Check them (or create a new one) and save again."
        ) % {"platform": platform}
    except RateLimited:
        return False, _("%(platform)s asked us to slow down. Try again in a few minutes.") % {"platform": platform}
    except ConnectorError as error:
        return False, failure_message(error, platform)
    finally:
        if own_http:
            http.close()
    message = _("It works: %(platform)s accepted the credentials of %(account)s.") % {
        "platform": platform,
        "account": account or profile.handle,
    }
    if account and not _same_account(account, profile.handle):
        note = _("Note that this profile is “%(handle)s”: posts will go out as %(account)s.") % {
            "handle": profile.handle,
            "account": account,
        }
        message = f"{message} {note}"
    return True, message


def _same_account(account: str, handle: str) -> bool:
    account, handle = account.strip().lstrip("@").lower(), handle.strip().lstrip("@").lower()
    # Mastodon answers "user" for a local account; the profile may say "user@server".
    return handle == account or handle.split("@", 1)[0] == account.split("@", 1)[0]
