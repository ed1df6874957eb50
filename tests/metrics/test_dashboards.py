"""The director and listening dashboards: content, drill-down links and a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from listening.connectors.base import FetchedItem
from listening.models import AuthorDaily, MentionDaily
from listening.services.ingest import ALL_MENTIONS, mentions_ingest
from metrics.cache import bump_org_data_version
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from tests import factories
from tests.listening.factories import QueryFactory, SourceFactory


def populate(org, days):
    today = timezone.localdate()
    profile = factories.ProfileFactory(org=org)
    kpi = InstitutionalKPI.objects.get_or_create(org=org, name="Asistencia")[0]
    MetricMapping.objects.get_or_create(
        org=org, metric_key="mention_volume", institutional_kpi=kpi, defaults={"hypothesis": "Más ruido, más público."}
    )
    for back in range(days):
        day = today - timedelta(days=back)
        MentionDaily.objects.get_or_create(
            org=org, day=day, query_id=ALL_MENTIONS, platform="mastodon", sentiment="negative" if back % 3 else "positive",
            language="es", defaults={"count": back % 7 + 1},
        )  # fmt: skip
        ProfileSnapshot.objects.get_or_create(org=org, profile=profile, date=day, defaults={"followers": 1000 + back})
        AuthorDaily.objects.get_or_create(
            org=org, day=day, author_handle="@autora@mastodon.example", defaults={"count": 2}
        )
        if day.day == 1:
            InstitutionalValue.objects.get_or_create(org=org, kpi=kpi, period_start=day, defaults={"value": 500 + back})
    objective = factories.ObjectiveFactory(org=org, title="Más conversación", deadline=today + timedelta(days=200))
    factories.KPIFactory(
        objective=objective, name="Menciones al mes", metric_key="mention_volume", baseline=10, target=100
    )
    QueryFactory(org=org)


@pytest.mark.django_db
def test_the_director_dashboard_shows_status_tiles_and_mapped_kpis(client_for, org, viewer):
    populate(org, 90)
    body = client_for(viewer).get("/o/norte/metrics/", {"range": "90"}).content.decode()
    for text in (
        "Más conversación",
        "Menciones al mes",
        "Volumen de menciones",
        "Hipótesis",
        "Más ruido, más público.",
        "<svg",
        "Correlación",
    ):
        assert text in body, text
    assert "una correlación dice que las dos series se movieron juntas" in body.lower()


@pytest.mark.django_db
def test_the_listening_dashboard_links_to_the_inbox_with_the_same_period(client_for, org, viewer):
    populate(org, 30)
    body = client_for(viewer).get("/o/norte/metrics/listening/").content.decode()
    today = timezone.localdate()
    assert f"/o/norte/listening/?since={(today - timedelta(days=29)).isoformat()}&amp;until={today.isoformat()}" in body
    assert "sentiment=negative" in body
    assert "author=%40autora%40mastodon.example" in body  # top authors link to their mentions


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["metrics/", "metrics/listening/"])
def test_dashboards_take_a_fixed_number_of_queries(client_for, org, other_org, viewer, page):
    """A first (uncached) view and a repeat view each run as many queries with a few days of data
    as with a year of it."""
    factories.MembershipFactory(org=other_org, user=viewer, role="viewer")
    client = client_for(viewer)
    populate(org, 5)
    populate(other_org, 365)
    counts = {}
    for current in (org, other_org):
        for view in ("first", "repeat"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/o/{current.slug}/{page}", {"range": "365"}).status_code == 200
            counts[current.slug, view] = len(queries.captured_queries)
    assert counts["norte", "first"] == counts["sur", "first"]
    assert counts["norte", "repeat"] == counts["sur", "repeat"] < counts["norte", "first"]
    assert counts["norte", "first"] <= 18  # 34 before the reads were grouped (docs/performance.md)


def _ingest(org, source, n: int, author: str):
    items = [
        FetchedItem(
            external_id=f"https://m.example/{author}/{k}",
            url=f"https://m.example/{author}/{k}",
            text="Gracias a la biblioteca por el club de lectura",
            author_handle=author,
            published_at=timezone.now() - timedelta(hours=1),
        )
        for k in range(n)
    ]
    with transaction.atomic():
        mentions_ingest(source=source, items=items, queries=[], keep_query_ids=None, cursor={"n": n})


@pytest.mark.django_db
def test_a_repeat_view_is_served_from_the_cache_and_new_mentions_show_after_ingest(client_for, org, viewer):
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="biblioteca")
    client = client_for(viewer)
    _ingest(org, source, 3, "@primera@m.example")
    with CaptureQueriesContext(connection) as first:
        body = client.get("/o/norte/metrics/listening/").content.decode()
    assert "@primera@m.example" in body and "@segunda@m.example" not in body and _volume_tile(body) == "3"
    with CaptureQueriesContext(connection) as repeat:
        again = client.get("/o/norte/metrics/listening/").content.decode()
    assert "@primera@m.example" in again and _volume_tile(again) == "3"
    rollup_reads = [q for q in repeat.captured_queries if "listening_mentiondaily" in q["sql"]]
    assert not rollup_reads and len(repeat.captured_queries) < len(first.captured_queries)

    _ingest(org, source, 5, "@segunda@m.example")  # a new page of mentions, as a poll stores it
    body = client.get("/o/norte/metrics/listening/").content.decode()
    assert "@segunda@m.example" in body  # top authors: 5 new mentions
    assert _volume_tile(body) == "8"  # both pages


def _volume_tile(body: str) -> str:
    return re.search(r"<h3>Volumen de menciones</h3>\s*<p class=\"tile-value\">(.*?)</p>", body).group(1)


@pytest.mark.django_db
def test_rollups_changed_outside_ingest_show_once_the_version_is_bumped(
    client_for, org, viewer, django_capture_on_commit_callbacks
):
    client = client_for(viewer)
    populate(org, 5)
    assert "@otra@mastodon.example" not in client.get("/o/norte/metrics/listening/").content.decode()
    AuthorDaily.objects.create(org=org, day=timezone.localdate(), author_handle="@otra@mastodon.example", count=50)
    assert "@otra@mastodon.example" not in client.get("/o/norte/metrics/listening/").content.decode()  # cached
    with django_capture_on_commit_callbacks(execute=True):  # the bump happens when the change commits
        bump_org_data_version(org.pk)
    assert "@otra@mastodon.example" in client.get("/o/norte/metrics/listening/").content.decode()


@pytest.mark.django_db
def test_the_campaign_dashboard_shows_its_objectives_and_conversation(client_for, org, viewer):
    populate(org, 40)
    today = timezone.localdate()
    campaign = factories.CampaignFactory(
        org=org, name="Otoño lector", starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=10)
    )
    campaign.objectives.add(*org.objectives.all())
    client = client_for(viewer)
    assert f"/o/norte/campaigns/{campaign.pk}/dashboard/" in client.get("/o/norte/campaigns/").content.decode()
    body = client.get(f"/o/norte/campaigns/{campaign.pk}/dashboard/").content.decode()
    assert "Otoño lector" in body and "Más conversación" in body and "<svg" in body
    future = factories.CampaignFactory(org=org, starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=9))
    body = client.get(f"/o/norte/campaigns/{future.pk}/dashboard/").content.decode()
    assert "aún no ha empezado" in body
