"""Store one page of fetched items: enrich, match, upsert, rollups and the source cursor — one transaction.

Preconditions: called inside ``transaction.atomic()`` by the poll service, with the queries of
the organisation compiled once for the whole poll (``compile_org_queries``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
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
    hashtags = [tag.casefold() for tag in HASHTAG_RE.findall(item.text)]
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
        },
        hashtags,
    )


UPSERT_SQL = """
INSERT INTO listening_mention (
    org_id, source_id, platform, external_id, url, text, author_handle, author_name, author_followers,
    published_at, collected_at, language, sentiment, sentiment_score, likes, reposts, replies,
    query_ids, raw, status, tags, updated_at)
SELECT %(org)s, %(source)s, t.platform, t.external_id, t.url, t.text, t.author_handle, t.author_name,
       t.author_followers, t.published_at, %(now)s, t.language, t.sentiment, t.sentiment_score,
       t.likes, t.reposts, t.replies, t.query_ids::bigint[], t.raw, 'new', '{}', %(now)s
FROM unnest(%(platform)s::text[], %(external_id)s::text[], %(url)s::text[], %(text)s::text[],
            %(author_handle)s::text[], %(author_name)s::text[], %(author_followers)s::integer[],
            %(published_at)s::timestamptz[], %(language)s::text[], %(sentiment)s::text[],
            %(sentiment_score)s::float8[], %(likes)s::integer[], %(reposts)s::integer[], %(replies)s::integer[],
            %(query_ids)s::text[], %(raw)s::jsonb[])
     AS t(platform, external_id, url, text, author_handle, author_name, author_followers, published_at,
          language, sentiment, sentiment_score, likes, reposts, replies, query_ids, raw)
ON CONFLICT (org_id, platform, external_id) DO UPDATE SET
    likes = EXCLUDED.likes,
    reposts = EXCLUDED.reposts,
    replies = EXCLUDED.replies,
    author_followers = COALESCE(EXCLUDED.author_followers, listening_mention.author_followers),
    query_ids = ARRAY(SELECT DISTINCT unnest(listening_mention.query_ids || EXCLUDED.query_ids) ORDER BY 1),
    raw = EXCLUDED.raw,
    updated_at = EXCLUDED.updated_at
RETURNING id, external_id, (xmax = 0) AS inserted
"""


def _upsert(rows: list[dict], *, org_id: int, source_id: int, now: datetime) -> tuple[list[tuple[int, str]], int]:
    """Insert new mentions, refresh the counts of known ones; return (id, external_id) of the new."""
    from psycopg.types.json import Jsonb

    columns = {
        key: [row[key] for row in rows]
        for key in (
            "platform", "external_id", "url", "text", "author_handle", "author_name", "author_followers",
            "published_at", "language", "sentiment", "sentiment_score", "likes", "reposts", "replies",
        )
    }  # fmt: skip
    columns["query_ids"] = ["{" + ",".join(str(i) for i in row["query_ids"]) + "}" for row in rows]
    columns["raw"] = [Jsonb(row["raw"]) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_SQL, {"org": org_id, "source": source_id, "now": now, **columns})
        returned = cursor.fetchall()
    inserted = [(row_id, external_id) for row_id, external_id, was_inserted in returned if was_inserted]
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
    rows, tags_by_external_id = [], {}
    seen = set()
    for item in items:
        if item.external_id in seen:
            continue  # the same post twice in one page
        seen.add(item.external_id)
        row, hashtags = _row(item, source=source, queries=queries, keep_query_ids=keep_query_ids, now=now)
        if row is None:
            result.filtered += 1
            continue
        rows.append(row)
        tags_by_external_id[row["external_id"]] = hashtags
    if rows:
        inserted, result.updated = _upsert(rows, org_id=org_id, source_id=source.pk, now=now)
        result.inserted_ids = [row_id for row_id, _ in inserted]
        new_external_ids = {external_id for _, external_id in inserted}
        _rollups(org_id, [row for row in rows if row["external_id"] in new_external_ids], tags_by_external_id)
    # The cursor moves in the same transaction as the rows it covers.
    Source.objects.filter(pk=source.pk).update(
        cursor=cursor, mentions_count=F("mentions_count") + len(result.inserted_ids)
    )
    return result


ROLLUP_TABLES = {
    "daily": ("listening_mentiondaily", ("org_id", "day", "query_id", "platform", "sentiment", "language")),
    "hourly": ("listening_mentionhourly", ("org_id", "hour", "query_id", "sentiment")),
    "tags": ("listening_hashtagdaily", ("org_id", "day", "tag")),
    "authors": ("listening_authordaily", ("org_id", "day", "author_handle")),
}


def rollup_counts(org_id: int, rows: list[dict], tags_by_external_id: dict[str, list[str]]) -> dict[str, Counter]:
    """What a set of mentions adds to each rollup table (the same counts are removed on deletion)."""
    counts = {name: Counter() for name in ROLLUP_TABLES}
    for row in rows:
        external_id, published, query_ids = row["external_id"], row["published_at"], row["query_ids"]
        platform, sentiment, language = row["platform"], row["sentiment"], row["language"]
        day = published.astimezone(UTC).date()
        hour = published.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        # Each query the mention matched (0 when none), plus ALL_MENTIONS counting it once.
        for query_id in [*(query_ids or [0]), ALL_MENTIONS]:
            counts["daily"][(org_id, day, query_id, platform, sentiment, language)] += 1
            counts["hourly"][(org_id, hour, query_id, sentiment)] += 1
        if row["author_handle"]:
            counts["authors"][(org_id, day, row["author_handle"])] += 1
        for tag in set(tags_by_external_id.get(external_id, ())):
            counts["tags"][(org_id, day, tag[:100])] += 1
    return counts


# Kept apart from ROLLUP_TABLES (whose counts come from the mention's fields alone) because it
# needs the text tokenised; ingest, deletion and ``rebuild_term_rollup`` all go through term_counts.
TERM_TABLE = ("listening_termdaily", ("org_id", "day", "term"))


def term_counts(org_id: int, rows) -> Counter:
    """Mentions per (org, day, term) for rows with ``published_at`` and ``text``; a word used
    twice in one mention counts once."""
    counts = Counter()
    for row in rows:
        day = row["published_at"].astimezone(UTC).date()
        for term in text_terms(row["text"]):
            counts[(org_id, day, term)] += 1
    return counts


# Advisory-lock namespace for an organisation's term rollup. Ingest and deletion take it shared
# (until their transaction ends); ``term_rollup_rebuild`` takes it exclusively, so a recount never
# interleaves with a bump or an unbump of the same organisation.
TERM_LOCK_CLASS = 7301


def _term_lock_shared(org_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [TERM_LOCK_CLASS, org_id])


def bump_terms(org_id: int, rows) -> None:
    counts = term_counts(org_id, rows)
    if counts:
        _term_lock_shared(org_id)
        _bump(*TERM_TABLE, counts)


def unbump_terms(org_id: int, rows) -> None:
    counts = term_counts(org_id, rows)
    if counts:
        _term_lock_shared(org_id)
        unbump(*TERM_TABLE, counts)


def term_rollup_rebuild(*, org_id: int, batch: int = 1000) -> int:
    """Recount an organisation's term rollup from its stored mentions; returns how many were read.

    Runs in short transactions of ``batch`` mentions (call it outside ``transaction.atomic``) while
    holding the organisation's term lock, so that organisation's ingest and deletions wait for it
    and nothing is counted twice or missed.
    """
    from django.db import transaction

    from listening.models import Mention, TermDaily

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [TERM_LOCK_CLASS, org_id])
    try:
        TermDaily.objects.filter(org_id=org_id).delete()
        last_pk, total = 0, 0
        while True:
            with transaction.atomic():
                rows = list(
                    Mention.objects.filter(org_id=org_id, pk__gt=last_pk)
                    .order_by("pk")
                    .values("pk", "published_at", "text")[:batch]
                )
                if not rows:
                    return total
                _bump(*TERM_TABLE, term_counts(org_id, rows))
            last_pk, total = rows[-1]["pk"], total + len(rows)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [TERM_LOCK_CLASS, org_id])


def _rollups(org_id: int, new_rows: list[dict], tags_by_external_id: dict[str, list[str]]) -> None:
    """Count only the newly inserted mentions (a refreshed mention was counted when it arrived)."""
    for name, counter in rollup_counts(org_id, new_rows, tags_by_external_id).items():
        table, keys = ROLLUP_TABLES[name]
        _bump(table, keys, counter)
    bump_terms(org_id, new_rows)


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
