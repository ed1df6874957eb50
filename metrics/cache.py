"""A per-organisation cache of what the dashboards read from the listening rollups.

The rollups change only when mentions arrive (ingest) or are erased, and both write the
organisation's ``Source`` rows in the same transaction (ingest moves the source's cursor and
``mentions_count`` with every page; erasing lowers ``mentions_count``). The cache key therefore
carries a fingerprint of those rows — each row's id and ``xmin``, the PostgreSQL transaction that
last wrote it — read in one small query: a new page of mentions gives a new fingerprint, so a
dashboard never shows a cached count older than the last committed ingest, and ingest needs no
change. The fingerprint is read before the data, inside the reader's snapshot, so a cached entry
never holds data older than its key. A time-to-live bounds anything written another way (a
rollup rebuilt by hand).

Redis being down only makes the dashboards slower: every read falls back to the database.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

TTL_SECONDS = 15 * 60
FORMAT = 2  # raise when the shape of a cached value changes, so a deploy never reads the old shape
_MISSING = object()

# Per source, xmin (the transaction that wrote the row version) and ctid (where that version lies:
# a new one at every UPDATE, even twice in one transaction). The source id sequence tells "no
# sources yet" from "sources deleted after their mentions arrived"; the database's oid keeps a
# recreated or restored database from meeting entries cached for another.
FINGERPRINT_SQL = """
SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::text
       || '|' || coalesce(pg_sequence_last_value(pg_get_serial_sequence('listening_source', 'id')::regclass), 0)::text
       || '|' || coalesce(string_agg(id::text || ':' || xmin::text || ':' || ctid::text, ',' ORDER BY id), '')
  FROM listening_source WHERE org_id = %s
"""


def _counter_key(org_id: int) -> str:
    return f"metrics:version:{org_id}"


def data_version(org) -> str:
    """A short fingerprint of the organisation's sources (it changes with every ingest) and of the
    counter ``bump_org_data_version`` moves."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, [org.pk])
        raw = cursor.fetchone()[0]
    try:
        raw += "|" + str(cache.get(_counter_key(org.pk), 0))
    except Exception:  # noqa: BLE001 - a cache outage must not break the page (nothing is cached then either)
        logger.warning("metrics cache unavailable", exc_info=True)
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def bump_org_data_version(org_id: int) -> None:
    """For code that changes the rollups without writing the organisation's sources (ingest and
    ``mentions_delete`` of mentions that have a source need not call it): the dashboards' cached
    reads of that organisation are dropped once the transaction commits."""
    from django.db import transaction

    def bump():
        key = _counter_key(org_id)
        try:
            if not cache.add(key, 1, None):
                cache.incr(key)
        except Exception:  # noqa: BLE001
            logger.warning("metrics cache unavailable", exc_info=True)

    transaction.on_commit(bump)


def cached(org, version: str, name: str, parts: tuple, compute):
    """``compute()`` once per (organisation, data version, name, parts); the value must pickle."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    key = f"metrics:{FORMAT}:{org.pk}:{version}:{name}:{digest}"
    try:
        value = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        logger.warning("metrics cache unavailable", exc_info=True)
        return compute()
    if value is not _MISSING:
        return value
    value = compute()
    try:
        cache.set(key, value, TTL_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("metrics cache unavailable", exc_info=True)
    return value


def chart(function, **kwargs):
    """``function(**kwargs)`` (a chart of ``metrics.charts``) memoised on its inputs and the active
    language: the same numbers give the same figure, so no invalidation is needed."""
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    digest = hashlib.blake2b(repr((function.__name__, get_language(), sorted(kwargs.items()))).encode(), digest_size=16)
    key = f"metrics:chart:{digest.hexdigest()}"
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("metrics cache unavailable", exc_info=True)
        return function(**kwargs)
    if value is not None:
        return mark_safe(value)  # noqa: S308 - our own chart markup, stored as rendered
    value = function(**kwargs)
    try:
        cache.set(key, str(value), TTL_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("metrics cache unavailable", exc_info=True)
    return value
