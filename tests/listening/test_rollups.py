"""Rollups stay equal to a recount of the raw mentions after ingest, re-ingest and deletion."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from listening.connectors.base import FetchedItem
from listening.models import AuthorDaily, HashtagDaily, Mention, MentionDaily, MentionHourly
from listening.services.ingest import compile_org_queries, mentions_ingest, rollup_counts
from listening.services.mentions import mentions_delete
from tests.listening.factories import QueryFactory, SourceFactory

TABLES = {
    "daily": (MentionDaily, ("org_id", "day", "query_id", "platform", "sentiment", "language")),
    "hourly": (MentionHourly, ("org_id", "hour", "query_id", "sentiment")),
    "tags": (HashtagDaily, ("org_id", "day", "tag")),
    "authors": (AuthorDaily, ("org_id", "day", "author_handle")),
}


def stored(org):
    result = {}
    for name, (model, keys) in TABLES.items():
        rows = model.objects.filter(org=org, count__gt=0).values_list(*keys, "count")
        result[name] = Counter({tuple(row[:-1]): row[-1] for row in rows})
    return result


def recount(org):
    rows = list(
        Mention.objects.filter(org=org).values(
            "external_id", "published_at", "query_ids", "platform", "sentiment", "language", "author_handle", "text"
        )
    )
    return {name: +counter for name, counter in rollup_counts(org.pk, rows, org.zoneinfo).items()}


def items(numbers, likes=0):
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    texts = [
        "La biblioteca abre hoy #Lectura",
        "Qué mal el wifi de la biblioteca",
        "Gran club de lectura #Lectura #Club",
    ]
    return [
        FetchedItem(
            external_id=f"https://m.example/{n}",
            url=f"https://m.example/{n}",
            text=texts[n % 3],
            author_handle=f"@autor{n % 4}@m.example",
            published_at=start + timedelta(hours=5 * n),
            language="es",
            likes=likes,
        )  # fmt: skip
        for n in numbers
    ]


@pytest.mark.django_db
def test_rollups_match_the_raw_mentions_after_ingest_reingest_and_deletion(org):
    QueryFactory(org=org, expression="biblioteca")
    QueryFactory(org=org, expression="#lectura")
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="lectura")
    queries = compile_org_queries(org.pk)

    def ingest(batch):
        with transaction.atomic():
            mentions_ingest(source=source, items=batch, queries=queries, keep_query_ids=None, cursor={})

    ingest(items(range(0, 12)))
    assert stored(org) == recount(org)
    ingest(items(range(6, 18), likes=5))  # half of it seen before
    assert Mention.objects.filter(org=org).count() == 18
    assert stored(org) == recount(org)

    doomed = list(Mention.objects.filter(org=org).order_by("pk").values_list("pk", flat=True)[:7])
    assert mentions_delete(org=org, ids=doomed) == 7
    assert Mention.objects.filter(org=org).count() == 11
    assert stored(org) == recount(org)
    source.refresh_from_db()
    assert source.mentions_count == 11


@pytest.mark.django_db
def test_deleting_ignores_another_organisations_mentions(org, other_org):
    source = SourceFactory(org=other_org)
    with transaction.atomic():
        mentions_ingest(source=source, items=items([1]), queries=[], keep_query_ids=None, cursor={})
    foreign = Mention.objects.get(org=other_org)
    assert mentions_delete(org=org, ids=[foreign.pk]) == 0
    assert Mention.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_pages_stored_in_one_transaction_are_each_counted_once(org):
    """The staging table lives for the session: a second page in the same transaction (a test,
    ``seed_demo``) must not see the first page's rows again."""
    QueryFactory(org=org, expression="biblioteca")
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="lectura")
    queries = compile_org_queries(org.pk)
    with transaction.atomic():
        first = mentions_ingest(
            source=source, items=items(range(0, 5)), queries=queries, keep_query_ids=None, cursor={}
        )
        second = mentions_ingest(
            source=source, items=items(range(3, 9)), queries=queries, keep_query_ids=None, cursor={}
        )
    assert (len(first.inserted_ids), first.updated) == (5, 0)
    assert (len(second.inserted_ids), second.updated) == (4, 2)
    assert stored(org) == recount(org)


@pytest.mark.django_db
def test_deleting_an_organisation_deletes_its_rollup_rows(org, other_org):
    from listening.models import TermDaily

    for owner in (org, other_org):
        source = SourceFactory(org=owner, platform="mastodon", kind="hashtag", target="lectura")
        with transaction.atomic():
            mentions_ingest(source=source, items=items(range(0, 4)), queries=[], keep_query_ids=None, cursor={})
    models = (MentionDaily, MentionHourly, HashtagDaily, AuthorDaily, TermDaily)
    assert all(model.objects.filter(org_id=org.pk).exists() for model in models)
    org_id = org.pk
    org.delete()
    assert [model.objects.filter(org_id=org_id).count() for model in models] == [0] * len(models)
    assert all(model.objects.filter(org_id=other_org.pk).exists() for model in models)
