"""The rollups' count bumps are HOT updates: no index holds ``count`` and every page keeps room.

Ingest bumps thousands of rollup rows per page; a HOT update writes no index entry (see
docs/performance.md and migration listening 0008). An index that includes ``count`` or a table
filled to the brim would silently make every bump a full update again.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from listening.connectors.base import FetchedItem
from listening.services.ingest import ROLLUP_TABLES as INGEST_ROLLUPS
from listening.services.ingest import TERM_TABLE, compile_org_queries, mentions_ingest
from tests.listening.factories import QueryFactory, SourceFactory

pytestmark = pytest.mark.django_db

# Every table ingest bumps, as ingest names them (a new rollup is checked without being listed here).
ROLLUP_TABLES = tuple(table for table, _keys in (*INGEST_ROLLUPS.values(), TERM_TABLE))


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_every_rollup_table_leaves_room_on_its_pages_and_indexes_no_count():
    for table in ROLLUP_TABLES:
        (options,) = _rows("SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = %s::regclass", [table])[0]
        assert "fillfactor=70" in options, table
        indexed = _rows(
            """
            SELECT i.indexrelid::regclass::text
              FROM pg_index AS i
              JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = %s::regclass AND a.attname = 'count'
            """,
            [table],
        )
        assert indexed == [], f"{table}: an index holds count, so bumps cannot be HOT: {indexed}"


def _page(start, numbers):
    return [
        FetchedItem(
            external_id=f"https://m.example/{n}",
            url=f"https://m.example/{n}",
            text="La biblioteca abre hoy el club de lectura #Lectura",
            author_handle="@lectora@m.example",
            published_at=start + timedelta(minutes=n),
            language="es",
        )
        for n in numbers
    ]


def _updates(table):
    ((updated, hot),) = _rows(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s", [table]
    )
    return updated, hot


def test_a_second_page_on_the_same_day_bumps_every_rollup_row_in_place(org):
    source = SourceFactory(org=org)
    QueryFactory(org=org, expression="biblioteca")
    queries = compile_org_queries(org.pk)
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    mentions_ingest(source=source, items=_page(start, range(0, 5)), queries=queries, keep_query_ids=None, cursor={})
    before = {table: _updates(table) for table in ROLLUP_TABLES}
    # Same day, hour, query, author, hashtag and words: only existing rollup rows change.
    result = mentions_ingest(
        source=source, items=_page(start, range(5, 10)), queries=queries, keep_query_ids=None, cursor={}
    )
    assert len(result.inserted_ids) == 5
    for table in ROLLUP_TABLES:
        updated, hot = (now - then for now, then in zip(_updates(table), before[table], strict=True))
        assert updated > 0, f"{table}: the second page bumped no row"
        assert hot == updated, f"{table}: {updated - hot} of {updated} bumps were not HOT"
