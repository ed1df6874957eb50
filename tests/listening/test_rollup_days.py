"""A mention counts on its date in the organisation's time zone — the days the dashboards show —
and changing the time zone recounts the day rollups into the new days."""

import time
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from listening.connectors.base import FetchedItem
from listening.models import AuthorDaily, HashtagDaily, Mention, MentionDaily, MentionHourly, TermDaily
from listening.services.ingest import compile_org_queries, mentions_ingest, rollup_counts, term_counts
from listening.services.mentions import mentions_delete
from mesm.celery import app
from tests.listening.factories import QueryFactory, SourceFactory

# 23:30 UTC on 1 November: 00:30 on the 2nd in Madrid, 18:30 on the 1st in Bogotá.
LATE = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
DAY_MODELS = {
    "daily": (MentionDaily, ("day", "query_id", "platform", "sentiment", "language")),
    "tags": (HashtagDaily, ("day", "tag")),
    "authors": (AuthorDaily, ("day", "author_handle")),
}


def _ingest(org, items):
    source = SourceFactory(org=org, platform="mastodon")
    QueryFactory(org=org, expression="biblioteca")
    with transaction.atomic():
        return mentions_ingest(
            source=source, items=items, queries=compile_org_queries(org.pk), keep_query_ids=None, cursor={}
        )


def _items():
    texts = ["La biblioteca abre de noche #Lectura", "Club de lectura en la biblioteca", "Gracias por el taller"]
    return [
        FetchedItem(
            external_id=f"https://m.example/{n}",
            url="",
            text=text,
            author_handle=f"@autora{n}@m.example",
            published_at=LATE.replace(hour=12 + 5 * n),  # 12:00, 17:00 and 22:00 UTC
            language="es",
        )
        for n, text in enumerate(texts)
    ] + [
        FetchedItem(
            external_id="https://m.example/late",
            url="",
            text="La biblioteca de madrugada #Lectura",
            author_handle="@noctambula@m.example",
            published_at=LATE,
            language="es",
        )
    ]


def _mentions_on(org, day, query_id=-1):
    return sum(MentionDaily.objects.filter(org=org, day=day, query_id=query_id).values_list("count", flat=True))


def _days(model, org):
    return set(model.objects.filter(org=org, count__gt=0).values_list("day", flat=True))


def _stored(org):
    result = {
        name: Counter(
            {tuple(row[:-1]): row[-1] for row in model.objects.filter(org=org, count__gt=0).values_list(*keys, "count")}
        )
        for name, (model, keys) in DAY_MODELS.items()
    }
    result["terms"] = Counter(
        {
            (day, term): n
            for day, term, n in TermDaily.objects.filter(org=org, count__gt=0).values_list("day", "term", "count")
        }
    )
    return result


def _recount(org):
    """The same counts straight from the mentions, in the organisation's current time zone."""
    zone = org.zoneinfo
    rows = list(
        Mention.objects.filter(org=org).values(
            "external_id", "published_at", "query_ids", "platform", "sentiment", "language", "author_handle", "text"
        )
    )
    counts = rollup_counts(org.pk, rows, zone)
    result = {name: Counter({key[1:]: n for key, n in counts[name].items()}) for name in DAY_MODELS}
    result["terms"] = Counter({key[1:]: n for key, n in term_counts(org.pk, rows, zone).items()})
    return result


@pytest.mark.django_db
def test_a_late_evening_post_counts_on_the_next_day_in_madrid_in_every_day_rollup(org):
    assert org.timezone == "Europe/Madrid"
    _ingest(org, _items())
    late = Mention.objects.get(org=org, external_id="https://m.example/late")
    next_day, same_day = date(2026, 11, 2), date(2026, 11, 1)
    assert _mentions_on(org, next_day) == 1
    assert _mentions_on(org, next_day, late.query_ids[0]) == 1
    assert _mentions_on(org, same_day) == 3
    assert HashtagDaily.objects.get(org=org, day=next_day, tag="lectura").count == 1
    assert HashtagDaily.objects.get(org=org, day=same_day, tag="lectura").count == 1
    assert AuthorDaily.objects.get(org=org, author_handle="@noctambula@m.example").day == next_day
    assert TermDaily.objects.get(org=org, day=next_day, term="madrugada").count == 1
    # The hourly rollup is keyed by the instant: the hour from 23:00 UTC.
    assert MentionHourly.objects.get(org=org, hour=LATE.replace(minute=0), query_id=-1).count == 1
    assert _stored(org) == _recount(org)


@pytest.mark.django_db
def test_after_a_time_zone_change_the_rebuild_moves_the_days_and_deletion_still_balances(org, other_org):
    _ingest(org, _items())
    _ingest(other_org, _items())
    theirs = _stored(other_org)
    org.timezone = "America/Bogota"
    org.save()
    call_command("rebuild_rollups", org=org.slug, batch=2)  # several batches

    assert _days(MentionDaily, org) == _days(AuthorDaily, org) == _days(TermDaily, org) == {date(2026, 11, 1)}
    assert _mentions_on(org, date(2026, 11, 1)) == 4
    assert HashtagDaily.objects.get(org=org, tag="lectura").count == 2
    assert _stored(org) == _recount(org)
    assert _stored(other_org) == theirs  # another organisation is untouched

    mentions_delete(org=org, ids=list(Mention.objects.filter(org=org).values_list("pk", flat=True)))
    assert all(not counter for counter in _stored(org).values())
    assert not MentionDaily.objects.filter(org=org, count__gt=0).exists()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_changing_the_time_zone_in_the_settings_recounts_the_rollups_in_a_worker(org, admin_user, client_for):
    _ingest(org, _items())
    assert _days(TermDaily, org) == {date(2026, 11, 1), date(2026, 11, 2)}
    client = client_for(admin_user)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        client.cookies["django_language"] = "es"
        response = client.post(
            reverse("org-settings", kwargs={"org_slug": org.slug}),
            {"name": org.name, "slug": org.slug, "timezone": "America/Bogota", "language": "es"},
            follow=True,
        )
        assert response.status_code == 200
        assert "Se están recontando las menciones por día en la nueva zona horaria" in response.content.decode()
        deadline = time.monotonic() + 60
        while _days(TermDaily, org) != {date(2026, 11, 1)} and time.monotonic() < deadline:
            time.sleep(0.2)
    org.refresh_from_db()
    assert org.timezone == "America/Bogota"
    assert _days(TermDaily, org) == _days(MentionDaily, org) == {date(2026, 11, 1)}
    assert _stored(org) == _recount(org)
