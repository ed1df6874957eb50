"""The director and listening dashboards: content, drill-down links and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from listening.models import AuthorDaily, MentionDaily
from listening.services.ingest import ALL_MENTIONS
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from tests import factories
from tests.listening.factories import QueryFactory


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
@pytest.mark.parametrize("path", ["/o/norte/metrics/", "/o/norte/metrics/listening/"])
def test_dashboards_take_a_fixed_number_of_queries(client_for, org, viewer, path, django_assert_num_queries):
    client = client_for(viewer)
    populate(org, 5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path, {"range": "365"}).status_code == 200
    populate(org, 365)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(path, {"range": "365"})


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
