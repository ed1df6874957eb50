"""Ingest measurement: the real pipeline (``mentions_ingest``), a raw COPY of the same rows into a
bare copy of the mentions table, a re-ingest of the same batch, and the pipeline in parallel
processes (as a worker with concurrency ``BENCH_WORKERS`` would run it).

The pipeline is called exactly as the poll service calls it: the organisation's queries compiled
once, then one ``transaction.atomic()`` per page. The storage step is ``IngestResult.storage_seconds``,
the wall time ``mentions_ingest`` spends from the start of its staging COPY to the end of the
cursor update (staging COPY, the one upsert-and-rollups statement, cursor). A
``connection.execute_wrapper`` splits the SQL part of it by statement; the staging COPY does not go
through Django's cursor wrapper, so it is reported as the remainder.
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
            self.add(_statement_key(sql), spent)

    def add(self, key: str, spent: float) -> None:
        self.by_table[key] = self.by_table.get(key, 0.0) + spent


def _statement_key(sql: str) -> str:
    """``listening_mention`` for an upsert, the rollup table's name for a bump, else the verb."""
    words = sql.split()
    if len(words) > 1 and words[0].upper() == "WITH":
        return "upsert + rollups (one statement)"
    if len(words) > 1 and words[0].upper() == "CREATE":
        return "staging table + term lock"
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
    storage_seconds: float
    sql_seconds: float
    statements: int
    by_table: dict[str, float]
    workers: int = 1

    @property
    def per_s(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    @property
    def storage_per_s(self) -> float:
        return self.items / self.storage_seconds if self.storage_seconds else 0.0


def ingest(
    org_id: int,
    items_by_platform: dict[str, list[FetchedItem]],
    *,
    page_size: int,
    progress=None,
    sources: dict[str, Source] | None = None,
) -> IngestRun:
    """Every platform's items through its source, page by page, as a poll would store them."""
    if sources is None:
        sources = {source.platform: source for source in Source.objects.filter(org_id=org_id)}
    queries = compile_org_queries(org_id)
    timer = SqlTimer()
    inserted = updated = done = 0
    storage = 0.0
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
                    returned = time.perf_counter()
                # The commit belongs to the storage step: it runs the deferred foreign-key checks
                # of every row inserted (Django's constraints are DEFERRABLE INITIALLY DEFERRED).
                committed = time.perf_counter() - returned
                inserted += len(result.inserted_ids)
                updated += result.updated
                storage += result.storage_seconds + committed
                timer.add("commit", committed)
                done += len(page)
                if progress and done % (page_size * 200) < page_size:
                    progress(done, total, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    by_table = dict(timer.by_table)
    # What the wrapper cannot see: the staging COPY (psycopg's copy(), not Django's execute()).
    by_table["staging COPY (rest of the storage step)"] = max(
        storage - timer.seconds - by_table.get("commit", 0.0), 0.0
    )
    return IngestRun(total, inserted, updated, seconds, storage, timer.seconds, timer.statements, by_table)


def _shard(items_by_platform: dict[str, list[FetchedItem]], workers: int, number: int) -> dict[str, list]:
    """The ``number``-th of ``workers`` contiguous slices of every platform's items."""
    shard = {}
    for platform, items in items_by_platform.items():
        size = -(-len(items) // workers)
        shard[platform] = items[number * size : (number + 1) * size]
    return shard


_PARALLEL: dict = {}


def _parallel_child(number: int) -> IngestRun:
    args = _PARALLEL
    org_id, workers = args["org_id"], args["workers"]
    sources = {
        source.platform: source for source in Source.objects.filter(org_id=org_id, name__endswith=f" worker {number}")
    }
    try:
        return ingest(org_id, _shard(args["items"], workers, number), page_size=args["page_size"], sources=sources)
    finally:
        connection.close()


def ingest_parallel(org_id: int, items_by_platform, *, page_size: int, workers: int) -> IngestRun:
    """The same pipeline in ``workers`` forked processes at once, each storing its slice of every
    platform through its own source (one poll per source at a time, as the poll lock ensures),
    all into one organisation — so they contend for the same rollup rows, as concurrent polls do.
    ``seconds`` is the wall time from the first process's start to the last one's end."""
    import multiprocessing

    for platform in items_by_platform:
        for number in range(workers):
            Source.objects.create(
                org_id=org_id, name=f"{platform} bench worker {number}", platform=platform, kind="search",
                target="bench", enabled=False,
            )  # fmt: skip
    _PARALLEL.update(org_id=org_id, items=items_by_platform, page_size=page_size, workers=workers)
    connection.close()  # never share the parent's socket with the children
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(workers) as pool:
        runs = pool.map(_parallel_child, range(workers))
    seconds = time.perf_counter() - started
    _PARALLEL.clear()
    by_table: dict[str, float] = {}
    for run in runs:
        for key, value in run.by_table.items():
            by_table[key] = by_table.get(key, 0.0) + value
    return IngestRun(
        items=sum(run.items for run in runs),
        inserted=sum(run.inserted for run in runs),
        updated=sum(run.updated for run in runs),
        seconds=seconds,
        storage_seconds=sum(run.storage_seconds for run in runs),
        sql_seconds=sum(run.sql_seconds for run in runs),
        statements=sum(run.statements for run in runs),
        by_table=by_table,
        workers=workers,
    )


def drop_org_rows(org_id: int) -> None:
    """Delete an organisation's mentions and rollup rows (the parallel run's, before the reads)."""
    with connection.cursor() as cursor:
        for table in ("listening_mentiondaily", "listening_mentionhourly", "listening_hashtagdaily",
                      "listening_authordaily", "listening_termdaily", "listening_mention"):  # fmt: skip
            cursor.execute(f"DELETE FROM {table} WHERE org_id = %s", [org_id])  # noqa: S608 - constants


COPY_COLUMNS = (
    "org_id", "source_id", "platform", "external_id", "url", "text", "author_handle", "author_name",
    "author_followers", "published_at", "collected_at", "language", "sentiment", "sentiment_score", "likes",
    "reposts", "replies", "query_ids", "raw", "status", "tags", "updated_at",
)  # fmt: skip
COPY_TABLE = "bench_mention_copy"


def copy_rate(org_id: int, *, page_size: int, indexes: bool = False) -> tuple[int, float]:
    """Binary COPY of the stored rows' values (read back first, not timed) into a bare copy of the mentions
    table: ``LIKE listening_mention INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED`` —
    same columns, defaults and generated full-text column, NOT NULL checks, but no indexes, no
    unique constraint and no rollups. One transaction per page of ``page_size`` rows, as ingest.

    ``indexes=True`` copies into ``LIKE listening_mention INCLUDING ALL`` instead: the same table
    with every index of the real one (btree, GIN, unique; not the foreign keys), still no rollups
    and no dedupe — what the mention table's indexes alone cost, for reading the storage ratio."""
    from psycopg.types.json import Jsonb

    columns = ", ".join(COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        like = "INCLUDING ALL" if indexes else "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED"
        cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE listening_mention {like})")
        # Binary COPY, as ingest's staging COPY: the columns' own type OIDs.
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
            [COPY_TABLE],
        )
        type_oids = dict(cursor.fetchall())
    types = [type_oids[column] for column in COPY_COLUMNS]
    rows = [
        (*row[:18], Jsonb(row[18]), *row[19:])
        for row in Mention.objects.filter(org_id=org_id).order_by("id").values_list(*COPY_COLUMNS)
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), page_size):
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f"COPY {COPY_TABLE} ({columns}) FROM STDIN (FORMAT BINARY)"  # noqa: S608 - constants
            with cursor.cursor.copy(sql) as copy:
                copy.set_types(types)
                for row in rows[start : start + page_size]:
                    copy.write_row(row)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {COPY_TABLE}")  # noqa: S608 - constant
        copied = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {COPY_TABLE}")
    return copied, seconds
