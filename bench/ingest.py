"""Ingest measurement: the real pipeline (``mentions_ingest``), a raw COPY of the same rows into a
bare copy of the mentions table, and a re-ingest of the same batch.

The pipeline is called exactly as the poll service calls it: the organisation's queries compiled
once, then one ``transaction.atomic()`` per page. The storage step (dedupe + insert + rollups +
cursor) is the time spent inside SQL statements during ingest, summed by a
``connection.execute_wrapper`` (the pipeline's Python work — language, sentiment, matching,
counting rollup keys — is the rest).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction

from listening.connectors.base import FetchedItem
from listening.models import Mention, Source
from listening.services.ingest import compile_org_queries, mentions_ingest


class SqlTimer:
    """Sum of the wall time spent executing SQL on ``connection`` while installed."""

    def __init__(self):
        self.seconds = 0.0
        self.statements = 0
        self.by_table: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds += spent
            self.statements += 1
            key = _statement_key(sql)
            self.by_table[key] = self.by_table.get(key, 0.0) + spent


def _statement_key(sql: str) -> str:
    """``listening_mention`` for the upsert, the rollup table's name for a bump, else the verb."""
    words = sql.split()
    if len(words) > 2 and words[0].upper() == "INSERT":
        return words[2]
    if len(words) > 1 and words[0].upper() == "UPDATE":
        return "update " + words[1].strip('"')
    return words[0].lower() if words else "?"


@dataclass
class IngestRun:
    items: int
    inserted: int
    updated: int
    seconds: float
    sql_seconds: float
    statements: int
    by_table: dict[str, float]

    @property
    def per_s(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    @property
    def storage_per_s(self) -> float:
        return self.items / self.sql_seconds if self.sql_seconds else 0.0


def ingest(org_id: int, items_by_platform: dict[str, list[FetchedItem]], *, page_size: int, progress=None) -> IngestRun:
    """Every platform's items through its source, page by page, as a poll would store them."""
    sources = {source.platform: source for source in Source.objects.filter(org_id=org_id)}
    queries = compile_org_queries(org_id)
    timer = SqlTimer()
    inserted = updated = done = 0
    total = sum(len(items) for items in items_by_platform.values())
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        for platform, items in items_by_platform.items():
            source = sources[platform]
            for start in range(0, len(items), page_size):
                page = items[start : start + page_size]
                with transaction.atomic():
                    result = mentions_ingest(
                        source=source,
                        items=page,
                        queries=queries,
                        keep_query_ids=None,
                        cursor={"bench": start + len(page)},
                    )
                inserted += len(result.inserted_ids)
                updated += result.updated
                done += len(page)
                if progress and done % (page_size * 200) < page_size:
                    progress(done, total, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    return IngestRun(total, inserted, updated, seconds, timer.seconds, timer.statements, timer.by_table)


COPY_COLUMNS = (
    "org_id", "source_id", "platform", "external_id", "url", "text", "author_handle", "author_name",
    "author_followers", "published_at", "collected_at", "language", "sentiment", "sentiment_score", "likes",
    "reposts", "replies", "query_ids", "raw", "status", "tags", "updated_at",
)  # fmt: skip
COPY_TABLE = "bench_mention_copy"


def copy_rate(org_id: int, *, page_size: int) -> tuple[int, float]:
    """COPY the stored rows' values (read back first, not timed) into a bare copy of the mentions
    table: ``LIKE listening_mention INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED`` —
    same columns, defaults and generated full-text column, NOT NULL checks, but no indexes, no
    unique constraint and no rollups. One transaction per page of ``page_size`` rows, as ingest."""
    from psycopg.types.json import Jsonb

    columns = ", ".join(COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cursor.execute(
            f"CREATE TABLE {COPY_TABLE} (LIKE listening_mention INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING GENERATED)"
        )
    rows = [
        (*row[:18], Jsonb(row[18]), *row[19:])
        for row in Mention.objects.filter(org_id=org_id).order_by("id").values_list(*COPY_COLUMNS)
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), page_size):
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f"COPY {COPY_TABLE} ({columns}) FROM STDIN"  # noqa: S608 - constants
            with cursor.cursor.copy(sql) as copy:
                for row in rows[start : start + page_size]:
                    copy.write_row(row)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {COPY_TABLE}")  # noqa: S608 - constant
        copied = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {COPY_TABLE}")
    return copied, seconds
