"""Store one page of fetched items: enrich, match, upsert, rollups and the source cursor — one transaction.

Preconditions: called inside ``transaction.atomic()`` by the poll service, with the queries of
the organisation compiled once for the whole poll (``compile_org_queries``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo  # noqa: TC003 - the annotation of rollup_counts

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from listening.connectors.base import FetchedItem
from listening.enrichment import analyse_sentiment, detect_language
from listening.enrichment.terms import terms as text_terms
from listening.models import Query, Source
from listening.query import compile_query, prepare

# Rollup rows with this query id count every new mention exactly once (dashboards, alerts).
ALL_MENTIONS = -1
HASHTAG_RE = re.compile(r"(?<!\w)#(\w{2,100})", re.UNICODE)


def hashtags_of(text: str) -> list[str]:
    """The hashtags of a post's text, case-folded, in order (what the hashtag rollup counts)."""
    return [tag.casefold() for tag in HASHTAG_RE.findall(text)]


@dataclass
class CompiledOrgQuery:
    id: int
    languages: frozenset[str]
    matcher: object


@dataclass
class IngestResult:
    inserted_ids: list[int] = field(default_factory=list)
    updated: int = 0
    filtered: int = 0  # fetched but matching none of the source's queries
    # Wall time of the storage step (staging COPY, upsert, rollups, cursor), for the bench.
    storage_seconds: float = 0.0


def compile_org_queries(org_id: int, *, query_ids: list[int] | None = None) -> list[CompiledOrgQuery]:
    """Compile each query of the organisation once; a query that no longer parses is left out."""
    queries = Query.objects.filter(org_id=org_id)
    if query_ids is not None:
        queries = queries.filter(id__in=query_ids)
    compiled = []
    for query in queries.only("id", "expression", "languages"):
        try:
            matcher = compile_query(query.expression)
        except ValueError:
            continue
        compiled.append(CompiledOrgQuery(query.id, frozenset(query.languages or ()), matcher))
    return compiled


def _row(item: FetchedItem, *, source: Source, queries, keep_query_ids: set[int] | None, now: datetime):
    language = detect_language(item.text, hint=item.language) or ""
    hashtags = hashtags_of(item.text)
    prepared = prepare(item.text, author_handle=item.author_handle, hashtags=hashtags)
    matched = [
        q.id for q in queries if (not q.languages or language in q.languages) and q.matcher.matches_prepared(prepared)
    ]
    if keep_query_ids is not None and not keep_query_ids.intersection(matched):
        return None, hashtags
    sentiment, score = analyse_sentiment(item.text, language or None)
    published = item.published_at or now
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (
        {
            "platform": source.platform,
            "external_id": item.external_id[:500],
            "url": (item.url or "")[:1000],
            "text": item.text,
            "author_handle": (item.author_handle or "")[:300],
            "author_name": (item.author_name or "")[:300],
            "author_followers": item.author_followers,
            "published_at": published,
            "language": language[:8],
            "sentiment": sentiment,
            "sentiment_score": float(score),
            "likes": max(item.likes or 0, 0),
            "reposts": max(item.reposts or 0, 0),
            "replies": max(item.replies or 0, 0),
            "query_ids": matched,
            "raw": item.raw,
            # What this mention adds to the hashtag and term rollups if it is new (see rollup_counts).
            "tags": sorted({tag[:100] for tag in hashtags}),
            "terms": sorted(text_terms(item.text)),
        },
        hashtags,
    )


# Staging table for one page: COPY in, then set-based statements. Temporary (per session) and
# emptied at every commit; STAGE_SQL also empties it for a page stored inside a bigger
# transaction (tests, ``seed_demo``).
STAGE_TABLE = "listening_ingest_stage"
STAGE_COLUMNS = (
    "ord", "platform", "external_id", "url", "text", "author_handle", "author_name", "author_followers",
    "published_at", "language", "sentiment", "sentiment_score", "likes", "reposts", "replies", "query_ids",
    "raw", "tags", "terms",
)  # fmt: skip
# Binary COPY (about twice as fast to write as text): the types must be the columns' own.
STAGE_TYPES = (
    "int4", "text", "text", "text", "text", "text", "text", "int4", "timestamptz", "text", "text", "float8",
    "int4", "int4", "int4", "int8[]", "jsonb", "text[]", "text[]",
)  # fmt: skip
STAGE_SQL = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} (
    ord integer, platform text, external_id text, url text, text text, author_handle text,
    author_name text, author_followers integer, published_at timestamptz, language text, sentiment text,
    sentiment_score float8, likes integer, reposts integer, replies integer, query_ids bigint[], raw jsonb,
    tags text[], terms text[]
) ON COMMIT DELETE ROWS;
DELETE FROM {STAGE_TABLE};
"""  # noqa: S608 - constants

# One statement per page: the upsert, then every rollup's deltas computed by GROUP BY over the
# staged rows that the upsert actually inserted (``xmax = 0``), so a re-ingest refreshes counts
# and raw payload but adds nothing to a rollup. Rows go in sorted by key so concurrent ingests
# lock rollup rows in one order. Data-modifying CTEs always run to completion.
STORE_SQL = f"""
WITH upserted AS (
    INSERT INTO listening_mention (
        org_id, source_id, platform, external_id, url, text, author_handle, author_name, author_followers,
        published_at, collected_at, language, sentiment, sentiment_score, likes, reposts, replies,
        query_ids, raw, status, tags, updated_at)
    SELECT %(org)s, %(source)s, s.platform, s.external_id, s.url, s.text, s.author_handle, s.author_name,
           s.author_followers, s.published_at, %(now)s, s.language, s.sentiment, s.sentiment_score,
           s.likes, s.reposts, s.replies, s.query_ids, s.raw, 'new', '{{}}', %(now)s
    FROM {STAGE_TABLE} AS s
    ORDER BY s.ord
    ON CONFLICT (org_id, platform, external_id) DO UPDATE SET
        likes = EXCLUDED.likes,
        reposts = EXCLUDED.reposts,
        replies = EXCLUDED.replies,
        author_followers = COALESCE(EXCLUDED.author_followers, listening_mention.author_followers),
        query_ids = ARRAY(SELECT DISTINCT unnest(listening_mention.query_ids || EXCLUDED.query_ids) ORDER BY 1),
        raw = EXCLUDED.raw,
        updated_at = EXCLUDED.updated_at
    RETURNING id, external_id, (xmax = 0) AS inserted
),
new AS MATERIALIZED (
    -- a mention's day is its date in the organisation's time zone (the dashboards' days); its hour
    -- is an instant (the hour starting then, in UTC)
    SELECT s.platform, s.author_handle, s.language, s.sentiment, s.query_ids, s.tags, s.terms,
           (s.published_at AT TIME ZONE z.name)::date AS day,
           date_trunc('hour', s.published_at, 'UTC') AS hour
    FROM {STAGE_TABLE} AS s JOIN upserted AS u ON u.external_id = s.external_id AND u.inserted
    CROSS JOIN (SELECT timezone AS name FROM mesm_organization WHERE id = %(org)s) AS z
),
per_query AS MATERIALIZED (
    -- each query the mention matched (0 when none), plus ALL_MENTIONS counting it once
    SELECT n.day, n.hour, q.query_id, n.platform, n.sentiment, n.language
    FROM new AS n
    CROSS JOIN LATERAL unnest(
        CASE WHEN cardinality(n.query_ids) > 0 THEN n.query_ids ELSE ARRAY[0]::bigint[] END
        || {ALL_MENTIONS}::bigint
    ) AS q(query_id)
),
bump_daily AS (
    INSERT INTO listening_mentiondaily AS t (org_id, day, query_id, platform, sentiment, language, count)
    SELECT %(org)s, day, query_id, platform, sentiment, language, count(*)
    FROM per_query GROUP BY day, query_id, platform, sentiment, language
    ORDER BY day, query_id, platform, sentiment, language
    ON CONFLICT (org_id, day, query_id, platform, sentiment, language) DO UPDATE SET count = t.count + EXCLUDED.count
),
bump_hourly AS (
    INSERT INTO listening_mentionhourly AS t (org_id, hour, query_id, sentiment, count)
    SELECT %(org)s, hour, query_id, sentiment, count(*)
    FROM per_query GROUP BY hour, query_id, sentiment
    ORDER BY hour, query_id, sentiment
    ON CONFLICT (org_id, hour, query_id, sentiment) DO UPDATE SET count = t.count + EXCLUDED.count
),
bump_authors AS (
    INSERT INTO listening_authordaily AS t (org_id, day, author_handle, count)
    SELECT %(org)s, day, author_handle, count(*)
    FROM new WHERE author_handle <> '' GROUP BY day, author_handle
    ORDER BY day, author_handle
    ON CONFLICT (org_id, day, author_handle) DO UPDATE SET count = t.count + EXCLUDED.count
),
bump_tags AS (
    INSERT INTO listening_hashtagdaily AS t (org_id, day, tag, count)
    SELECT %(org)s, n.day, x.tag, count(*)
    FROM new AS n CROSS JOIN LATERAL unnest(n.tags) AS x(tag) GROUP BY n.day, x.tag
    ORDER BY n.day, x.tag
    ON CONFLICT (org_id, day, tag) DO UPDATE SET count = t.count + EXCLUDED.count
),
bump_terms AS (
    INSERT INTO listening_termdaily AS t (org_id, day, term, count)
    SELECT %(org)s, n.day, x.term, count(*)
    FROM new AS n CROSS JOIN LATERAL unnest(n.terms) AS x(term) GROUP BY n.day, x.term
    ORDER BY n.day, x.term
    ON CONFLICT (org_id, day, term) DO UPDATE SET count = t.count + EXCLUDED.count
)
SELECT id, inserted FROM upserted
"""  # noqa: S608 - constants


def _store(rows: list[dict], *, org_id: int, source_id: int, now: datetime) -> tuple[list[int], int]:
    """COPY the page into the staging table, then upsert it and bump every rollup in one statement;
    return (ids of the new mentions, number of refreshed ones)."""
    from psycopg.types.json import Jsonb

    with connection.cursor() as cursor:
        # The day rollups' shared lock first (see DAY_ROLLUP_LOCK_CLASS), then an empty staging table.
        cursor.execute(
            STAGE_SQL + f"SELECT pg_advisory_xact_lock_shared({DAY_ROLLUP_LOCK_CLASS}, {int(org_id)})"  # noqa: S608
        )
        with cursor.cursor.copy(f"COPY {STAGE_TABLE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(STAGE_TYPES)
            for ord_, row in enumerate(rows):
                copy.write_row(
                    (
                        ord_, row["platform"], row["external_id"], row["url"], row["text"], row["author_handle"],
                        row["author_name"], row["author_followers"], row["published_at"], row["language"],
                        row["sentiment"], row["sentiment_score"], row["likes"], row["reposts"], row["replies"],
                        row["query_ids"], Jsonb(row["raw"]), row["tags"], row["terms"],
                    )
                )  # fmt: skip
        cursor.execute(STORE_SQL, {"org": org_id, "source": source_id, "now": now})
        returned = cursor.fetchall()
    inserted = [row_id for row_id, was_inserted in returned if was_inserted]
    return inserted, len(returned) - len(inserted)


# Rows per statement: PostgreSQL takes at most 65535 parameters, and a page of long posts can
# touch thousands of (day, term) rows.
BUMP_CHUNK = 2000


def _chunks(counts: Counter):
    items = sorted(counts.items())
    for start in range(0, len(items), BUMP_CHUNK):
        yield items[start : start + BUMP_CHUNK]


def _bump(table: str, keys: tuple[str, ...], counts: Counter) -> None:
    """Add counts to a rollup table; keys sorted so concurrent ingests lock rows in one order."""
    columns = ", ".join(keys)
    for items in _chunks(counts):
        placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"] * len(items))
        params = [value for key, count in items for value in (*key, count)]
        sql = (
            f"INSERT INTO {table} ({columns}, count) VALUES {placeholders} "  # noqa: S608 - table/columns are constants
            f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + EXCLUDED.count"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def mentions_ingest(
    *,
    source: Source,
    items: list[FetchedItem],
    queries: list[CompiledOrgQuery],
    keep_query_ids: set[int] | None,
    cursor: dict,
) -> IngestResult:
    """Store a page. Each mention records every query of ``queries`` it matches; when
    ``keep_query_ids`` is given (the source's queries), items matching none of them are dropped."""
    now = timezone.now()
    org_id = source.org_id
    result = IngestResult()
    rows = []
    seen = set()
    for item in items:
        if item.external_id in seen:
            continue  # the same post twice in one page
        seen.add(item.external_id)
        row, _ = _row(item, source=source, queries=queries, keep_query_ids=keep_query_ids, now=now)
        if row is None:
            result.filtered += 1
            continue
        rows.append(row)
    started = time.perf_counter()
    # The staging table empties at commit, so the page's statements share one transaction even
    # when the caller forgot ``transaction.atomic()`` (no savepoint inside the caller's one).
    with transaction.atomic(savepoint=False):
        if rows:
            result.inserted_ids, result.updated = _store(rows, org_id=org_id, source_id=source.pk, now=now)
        # The cursor moves in the same transaction as the rows it covers.
        Source.objects.filter(pk=source.pk).update(
            cursor=cursor, mentions_count=F("mentions_count") + len(result.inserted_ids)
        )
    result.storage_seconds = time.perf_counter() - started
    return result


ROLLUP_TABLES = {
    "daily": ("listening_mentiondaily", ("org_id", "day", "query_id", "platform", "sentiment", "language")),
    "hourly": ("listening_mentionhourly", ("org_id", "hour", "query_id", "sentiment")),
    "tags": ("listening_hashtagdaily", ("org_id", "day", "tag")),
    "authors": ("listening_authordaily", ("org_id", "day", "author_handle")),
}
# The rollups keyed by day, which depend on the organisation's time zone (hourly rows do not).
DAY_ROLLUPS = ("daily", "tags", "authors")


def rollup_counts(org_id: int, rows: list[dict], zone: ZoneInfo) -> dict[str, Counter]:
    """What a set of mentions (dicts with ``MENTION_ROLLUP_FIELDS``) adds to each rollup table; the
    same counts are removed on deletion. ``zone`` is the organisation's time zone: a mention counts
    on its local date."""
    counts = {name: Counter() for name in ROLLUP_TABLES}
    for row in rows:
        published, query_ids = row["published_at"], row["query_ids"]
        platform, sentiment, language = row["platform"], row["sentiment"], row["language"]
        day = published.astimezone(zone).date()
        hour = published.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        # Each query the mention matched (0 when none), plus ALL_MENTIONS counting it once.
        for query_id in [*(query_ids or [0]), ALL_MENTIONS]:
            counts["daily"][(org_id, day, query_id, platform, sentiment, language)] += 1
            counts["hourly"][(org_id, hour, query_id, sentiment)] += 1
        if row["author_handle"]:
            counts["authors"][(org_id, day, row["author_handle"])] += 1
        for tag in set(hashtags_of(row["text"])):
            counts["tags"][(org_id, day, tag[:100])] += 1
    return counts


# Kept apart from ROLLUP_TABLES (whose counts come from the mention's fields alone) because it
# needs the text tokenised; ingest, deletion and ``day_rollups_rebuild`` all go through term_counts.
TERM_TABLE = ("listening_termdaily", ("org_id", "day", "term"))


def term_counts(org_id: int, rows, zone) -> Counter:
    """Mentions per (org, local day, term) for rows with ``published_at`` and ``text``; a word
    used twice in one mention counts once."""
    counts = Counter()
    for row in rows:
        day = row["published_at"].astimezone(zone).date()
        for term in text_terms(row["text"]):
            counts[(org_id, day, term)] += 1
    return counts


# Advisory-lock namespace for an organisation's day-keyed rollups (daily, hashtags, authors,
# terms). Ingest and deletion take it shared (until their transaction ends);
# ``day_rollups_rebuild`` takes it exclusively, so a recount never interleaves with a bump or an
# unbump of the same organisation.
DAY_ROLLUP_LOCK_CLASS = 7301


def day_rollups_lock_shared(org_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [DAY_ROLLUP_LOCK_CLASS, org_id])


MENTION_ROLLUP_FIELDS = (
    "external_id", "published_at", "query_ids", "platform", "sentiment", "language", "author_handle", "text",
)  # fmt: skip


@transaction.atomic
def day_rollups_rebuild(*, org_id: int, batch: int = 1000) -> int:
    """Recount an organisation's day-keyed rollups (daily, hashtags, authors, terms) from its
    stored mentions, in its current time zone; returns how many mentions were read.

    For a change of the organisation's time zone, for data from before a rollup existed, or for a
    rollup gone wrong. One transaction: readers see the old counts until the new ones are all
    there. It holds the organisation's rollup lock exclusively, so that organisation's ingest and
    deletions wait for it and nothing is counted twice or missed. The mentions are read
    ``batch`` at a time.
    """
    from listening.models import AuthorDaily, HashtagDaily, Mention, MentionDaily, TermDaily
    from mesm.models import Organization
    from metrics.cache import bump_org_data_version

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DAY_ROLLUP_LOCK_CLASS, org_id])
    zone = Organization.objects.only("timezone").get(pk=org_id).zoneinfo
    for model in (MentionDaily, HashtagDaily, AuthorDaily, TermDaily):
        model.objects.filter(org_id=org_id).delete()
    last_pk, total = 0, 0
    while True:
        rows = list(
            Mention.objects.filter(org_id=org_id, pk__gt=last_pk)
            .order_by("pk")
            .values("pk", *MENTION_ROLLUP_FIELDS)[:batch]
        )
        if not rows:
            break
        counts = rollup_counts(org_id, rows, zone)
        for name in DAY_ROLLUPS:
            _bump(*ROLLUP_TABLES[name], counts[name])
        _bump(*TERM_TABLE, term_counts(org_id, rows, zone))
        last_pk, total = rows[-1]["pk"], total + len(rows)
    bump_org_data_version(org_id)
    return total


def unbump(table: str, keys: tuple[str, ...], counts: Counter) -> None:
    """Subtract counts from a rollup table (rows are never created by a subtraction)."""
    join = " AND ".join(f"t.{key} = v.{key}" for key in keys)
    for items in _chunks(counts):
        values = ", ".join(["(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"] * len(items))
        params = [value for key, count in items for value in (*key, count)]
        sql = (
            f"UPDATE {table} AS t SET count = GREATEST(t.count - v.n, 0) "  # noqa: S608 - constants
            f"FROM (VALUES {values}) AS v({', '.join(keys)}, n) WHERE {join}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
