"""Trusted feeds: read by the same machinery as listening's RSS sources.

``listening.connectors.rss`` parses the feed (conditional GET, the ``seen`` cursor, Google Alerts
links) and ``listening.http`` gives timeouts and the per-host limiter shared by all workers; here
the items land in the learning reader instead of the mentions inbox. A page's items and the
feed's cursor are stored in one transaction, so a retried poll never loses or duplicates an item.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from learning.models import FeedItem, FeedItemRead, TrustedFeed
from listening.connectors.base import ConnectorError, RateLimited
from listening.connectors.rss import RssConnector
from listening.connectors.text import html_to_text
from listening.http import HttpClient

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=12)
# Advisory-lock namespace (listening uses 7201), so two polls of one feed never run at once.
LOCK_NAMESPACE = 7202


@dataclass
class FeedPollResult:
    status: str
    new_items: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""


def feeds_claim_due(*, limit: int = 200, now=None) -> list[int]:
    """Claim due feeds atomically and lease them for their interval (as listening's sources)."""
    now = now or timezone.now()
    sql = """
        UPDATE learning_trustedfeed AS f
           SET next_poll_at = %(now)s + make_interval(mins => f.interval_minutes)
         WHERE f.id IN (
               SELECT id FROM learning_trustedfeed
                WHERE enabled AND next_poll_at <= %(now)s
                ORDER BY next_poll_at
                LIMIT %(limit)s
                  FOR UPDATE SKIP LOCKED)
        RETURNING f.id
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "limit": limit})
        return [row[0] for row in cursor.fetchall()]


def _http_client() -> HttpClient:
    from listening.services.poll import http_client

    return http_client()


def _try_lock(feed_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, feed_id])
        return bool(cursor.fetchone()[0])


def _unlock(feed_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, feed_id])


def feed_poll(*, feed: TrustedFeed, http: HttpClient | None = None) -> FeedPollResult:
    """Read one trusted feed now: store new items, record the feed's health in plain words."""
    if not _try_lock(feed.pk):
        return FeedPollResult(status="busy")
    own_http = http is None
    http = http or _http_client()
    try:
        with override(feed.org.language):
            return _poll(feed, http)
    finally:
        _unlock(feed.pk)
        if own_http:
            http.close()


def _item_row(feed: TrustedFeed, item, now) -> FeedItem:
    raw_title = html_to_text(item.raw.get("title") or "") if isinstance(item.raw, dict) else ""
    text = item.text or ""
    # The connector's text is "title\n\nbody"; the reader shows them apart.
    summary = text[len(raw_title) :].strip() if raw_title and text.startswith(raw_title) else text
    title = raw_title or text.split("\n", 1)[0][:200] or item.url
    return FeedItem(
        org_id=feed.org_id,
        feed=feed,
        external_id=item.external_id[:1000],
        url=(item.url or "")[:1000],
        title=title[:500],
        summary=summary[:5000],
        author=(item.author_name or "")[:300],
        published_at=item.published_at or now,
        collected_at=now,
    )


def _poll(feed: TrustedFeed, http: HttpClient) -> FeedPollResult:
    feed.refresh_from_db()
    result = FeedPollResult(status=TrustedFeed.Status.OK)
    try:
        connector = RssConnector(
            kind="feed", target=feed.url, base_url="", credentials={}, cursor=feed.cursor, http=http
        )
        for page in connector.fetch():
            now = timezone.now()
            with transaction.atomic():
                rows = {row.external_id: row for row in (_item_row(feed, item, now) for item in page.items)}
                # The feed is locked (advisory lock), so what exists now is what the insert skips.
                known = set(
                    FeedItem.objects.filter(feed=feed, external_id__in=list(rows)).values_list("external_id", flat=True)
                )
                FeedItem.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
                TrustedFeed.objects.filter(pk=feed.pk).update(cursor=page.cursor)
            result.new_items += len(rows) - len(known)
            result.skipped += page.skipped
    except RateLimited as error:
        if http.last_url:
            http.block(http.last_url, error.retry_at)
        result.status, result.error = TrustedFeed.Status.ERROR, error.message
        _record(feed, result, next_poll=max(error.retry_at, timezone.now() + timedelta(minutes=5)))
    except ConnectorError as error:
        result.status, result.error = TrustedFeed.Status.ERROR, error.message
        _record(feed, result, failed=True)
    else:
        _record(feed, result)
    return result


def _backoff(feed: TrustedFeed) -> timedelta:
    base = timedelta(minutes=max(feed.interval_minutes, 5))
    delay = min(base * (2 ** min(feed.consecutive_failures, 8)), MAX_BACKOFF)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def _record(feed: TrustedFeed, result: FeedPollResult, *, failed: bool = False, next_poll=None) -> None:
    now = timezone.now()
    fields = {"last_polled_at": now, "status": result.status}
    if failed:
        feed.consecutive_failures += 1
        fields.update(
            consecutive_failures=feed.consecutive_failures, last_error=result.error, next_poll_at=now + _backoff(feed)
        )
    elif next_poll is not None:
        fields.update(last_error=result.error, next_poll_at=next_poll)
    else:
        fields.update(
            consecutive_failures=0,
            last_success_at=now,
            next_poll_at=now + timedelta(minutes=feed.interval_minutes),
            last_error=(
                _("%(count)s items were skipped: %(first)s")
                % {"count": len(result.skipped), "first": result.skipped[0]}
                if result.skipped
                else ""
            ),
        )
    TrustedFeed.objects.filter(pk=feed.pk).update(**fields)
    logger.info("read trusted feed %s: %s, %s new", feed.pk, result.status, result.new_items)


@transaction.atomic
def feed_create(feed: TrustedFeed) -> TrustedFeed:
    """Save a new trusted feed, due at once so the next dispatch reads it."""
    feed.next_poll_at = timezone.now()
    feed.full_clean()
    feed.save()
    return feed


def feed_poll_soon(feed: TrustedFeed) -> None:
    """Queue a read of the feed after the current transaction commits ("read now")."""
    from learning import tasks

    TrustedFeed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    transaction.on_commit(lambda: tasks.poll_feed.delay(feed.pk))


def item_mark_read(item: FeedItem, user, *, read: bool = True) -> None:
    """Mark one item read (or unread again) for one member; safe to repeat."""
    if read:
        FeedItemRead.objects.get_or_create(item=item, user=user)
    else:
        FeedItemRead.objects.filter(item=item, user=user).delete()


def items_mark_all_read(org, user, *, feed: TrustedFeed | None = None) -> int:
    """Mark every unread item (of one feed, or all) read for this member."""
    items = FeedItem.objects.filter(org=org).exclude(reads__user=user)
    if feed is not None:
        items = items.filter(feed=feed)
    now = timezone.now()
    rows = [FeedItemRead(item_id=pk, user=user, read_at=now) for pk in items.values_list("pk", flat=True)]
    FeedItemRead.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
