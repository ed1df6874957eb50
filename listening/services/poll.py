"""Polling: claim due sources, poll one source page by page, record its health."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from listening.connectors import get_connector_class
from listening.connectors.base import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    MalformedPayload,
    RateLimited,
    TransientError,
)
from listening.http import HostLimiter, HttpClient
from listening.models import Source, SourceStatus
from listening.services.ingest import compile_org_queries, mentions_ingest

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
# Advisory-lock namespace, so two polls of one source never run at once (e.g. "poll now" during a scheduled poll).
LOCK_NAMESPACE = 7201


@dataclass
class PollResult:
    status: str
    inserted_ids: list[int] = field(default_factory=list)
    updated: int = 0
    filtered: int = 0
    pages: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""


def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


def limiter_prefix() -> str:
    # Under the cache's key prefix, so a test run or a second installation on one Redis stays apart.
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'mesm')}:host"


def http_client() -> HttpClient:
    limiter = HostLimiter(redis_client(), min_interval=settings.LISTENING_HOST_MIN_INTERVAL, prefix=limiter_prefix())
    return HttpClient(limiter=limiter)


def sources_claim_due(*, limit: int = 500, now=None, org_id: int | None = None) -> list[int]:
    """Claim due sources atomically and lease them for their interval.

    ``FOR UPDATE SKIP LOCKED`` plus moving ``next_poll_at`` forward in the same statement means two
    beats or two dispatchers never claim the same source; the poll sets the real next time.
    """
    now = now or timezone.now()
    sql = """
        UPDATE listening_source AS s
           SET next_poll_at = %(now)s + make_interval(mins => s.interval_minutes)
         WHERE s.id IN (
               SELECT id FROM listening_source
                WHERE enabled AND next_poll_at <= %(now)s
                  AND (%(org)s::bigint IS NULL OR org_id = %(org)s::bigint)
                ORDER BY next_poll_at
                LIMIT %(limit)s
                  FOR UPDATE SKIP LOCKED)
        RETURNING s.id
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "limit": limit, "org": org_id})
        return [row[0] for row in cursor.fetchall()]


def _backoff(source: Source) -> timedelta:
    """Exponential backoff with jitter after consecutive failures, capped."""
    base = timedelta(minutes=max(source.interval_minutes, 1))
    delay = base * (2 ** min(source.consecutive_failures, 8))
    delay = min(delay, MAX_BACKOFF)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def _try_lock(source_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, source_id])
        return bool(cursor.fetchone()[0])


def _unlock(source_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, source_id])


def source_poll(*, source: Source, http: HttpClient | None = None) -> PollResult:
    """Poll one source: every page is stored with its cursor in one transaction; health recorded at the end."""
    if not _try_lock(source.pk):
        return PollResult(status="busy")
    own_http = http is None
    http = http or http_client()
    try:
        with override(source.org.language):
            return _poll(source, http)
    finally:
        _unlock(source.pk)
        if own_http:
            http.close()


def _poll(source: Source, http: HttpClient) -> PollResult:
    source.refresh_from_db()
    started = timezone.now()
    result = PollResult(status=SourceStatus.OK)
    # Every query of the organisation is matched (so a mention records all the queries it
    # satisfies); the source's own queries, if any, decide what is kept.
    own_ids = set(source.queries.values_list("id", flat=True))
    queries = compile_org_queries(source.org_id)
    connector = None
    try:
        connector_class = get_connector_class(source.platform)
        connector = connector_class(
            kind=source.kind,
            target=source.target,
            base_url=source.base_url,
            credentials=source.credentials,
            cursor=source.cursor,
            http=http,
        )
        for page in connector.fetch():
            with transaction.atomic():
                stored = mentions_ingest(
                    source=source,
                    items=page.items,
                    queries=queries,
                    keep_query_ids=own_ids or None,
                    cursor=page.cursor,
                )
            result.pages += 1
            result.inserted_ids += stored.inserted_ids
            result.updated += stored.updated
            result.filtered += stored.filtered
            result.skipped += page.skipped
    except RateLimited as error:
        if http.last_url:
            http.block(http.last_url, error.retry_at)
        result.status, result.error = SourceStatus.RATE_LIMITED, error.message
        _record(source, result, started, next_poll=max(error.retry_at, timezone.now() + timedelta(minutes=1)))
    except (AuthError, ConfigurationError, MalformedPayload, TransientError, ConnectorError) as error:
        result.status, result.error = SourceStatus.ERROR, error.message
        _record(source, result, started, failed=True)
    except KeyError:
        result.status, result.error = SourceStatus.ERROR, _("This platform is not supported.")
        _record(source, result, started, failed=True)
    else:
        _record(source, result, started)
    finally:
        if connector is not None:
            _keep_session(source, connector)
    if result.inserted_ids:
        from listening import tasks

        ids = list(result.inserted_ids)
        transaction.on_commit(lambda: tasks.evaluate_alerts.delay(source.org_id, ids))
    return result


def _keep_session(source: Source, connector) -> None:
    """A platform session (Bluesky) refreshed during the poll must survive even a failed poll:
    its old refresh token no longer works. Only the session is merged into the stored cursor,
    never uncommitted page progress."""
    session = connector.cursor.get("session")
    if session is None:
        return
    with transaction.atomic():
        stored = Source.objects.select_for_update().only("cursor").get(pk=source.pk)
        if stored.cursor.get("session") != session:
            Source.objects.filter(pk=source.pk).update(cursor={**stored.cursor, "session": session})


def _record(source: Source, result: PollResult, started, *, failed: bool = False, next_poll=None) -> None:
    now = timezone.now()
    fields = {"last_polled_at": now, "status": result.status, "last_skipped": result.skipped[:50]}
    if failed:
        source.consecutive_failures += 1
        fields["consecutive_failures"] = source.consecutive_failures
        fields["last_error"] = result.error
        fields["next_poll_at"] = now + _backoff(source)
    elif result.status == SourceStatus.RATE_LIMITED:
        fields["last_error"] = result.error
        fields["next_poll_at"] = next_poll
    else:
        fields["consecutive_failures"] = 0
        fields["last_success_at"] = now
        fields["next_poll_at"] = now + timedelta(minutes=source.interval_minutes)
        fields["last_error"] = (
            _("%(count)s items were skipped: %(first)s") % {"count": len(result.skipped), "first": result.skipped[0]}
            if result.skipped
            else ""
        )
    Source.objects.filter(pk=source.pk).update(**fields)
    logger.info(
        "polled source %s (%s): %s, %s new, %s updated, %s filtered, %s pages in %.1fs",
        source.pk, source.platform, result.status, len(result.inserted_ids), result.updated, result.filtered,
        result.pages, (now - started).total_seconds(),
    )  # fmt: skip
