"""KPI status rules at their edges, objective status, closing objectives at the deadline, the API."""

from datetime import date, timedelta

import pytest

from listening.models import MentionDaily
from listening.services.ingest import ALL_MENTIONS
from metrics.progress import classify
from metrics.services import objectives_close_due
from tests import factories

START = date(2026, 1, 1)
DEADLINE = date(2026, 12, 31)  # 364 days later
HALF = START + timedelta(days=182)  # exactly half of the time


@pytest.mark.parametrize(
    ("current", "expected_status"),
    [
        (150, "on_track"),  # progress 0.50, time 0.50
        (140, "on_track"),  # 0.40: exactly 10 points behind is still on track
        (139, "at_risk"),  # 0.39
        (125, "at_risk"),  # 0.25: exactly 25 points behind is at risk
        (124, "off_track"),  # 0.24
        (210, "on_track"),  # beyond the target before the deadline
    ],
)
def test_the_status_rule_at_its_edges(current, expected_status):
    status, progress, expected = classify(
        baseline=100, target=200, current=current, started=START, deadline=DEADLINE, today=HALF
    )
    assert status == expected_status
    assert expected == 0.5


def test_lower_is_better_kpis_use_the_same_rule():
    status, progress, _ = classify(baseline=30, target=10, current=20, started=START, deadline=DEADLINE, today=HALF)
    assert (status, progress) == ("on_track", 0.5)


def test_at_the_deadline_it_is_achieved_or_missed():
    assert (
        classify(baseline=100, target=200, current=200, started=START, deadline=DEADLINE, today=DEADLINE)[0]
        == "achieved"
    )
    assert (
        classify(baseline=100, target=200, current=199, started=START, deadline=DEADLINE, today=DEADLINE)[0] == "missed"
    )


def test_no_value_or_no_deadline_are_said_plainly():
    assert classify(baseline=1, target=2, current=None, started=START, deadline=DEADLINE, today=HALF)[0] == "no_data"
    assert classify(baseline=1, target=2, current=1.5, started=START, deadline=None, today=HALF)[0] == "no_deadline"


@pytest.mark.django_db
def test_objectives_past_their_deadline_are_closed_by_their_kpis(org):
    today = date.today()
    reached = factories.ObjectiveFactory(org=org, deadline=today - timedelta(days=1))
    factories.KPIFactory(objective=reached, metric_key="mention_volume", baseline=0, target=5)
    short = factories.ObjectiveFactory(org=org, deadline=today - timedelta(days=1))
    factories.KPIFactory(objective=short, metric_key="mention_volume", baseline=0, target=500)
    for days_ago in range(1, 4):
        MentionDaily.objects.create(
            org=org, day=today - timedelta(days=days_ago), query_id=ALL_MENTIONS, platform="rss",
            sentiment="neutral", language="es", count=3,
        )  # fmt: skip
    assert objectives_close_due(today=today) == 2
    reached.refresh_from_db()
    short.refresh_from_db()
    assert (reached.status, short.status) == ("achieved", "missed")


@pytest.mark.django_db
def test_the_api_reports_kpi_progress_and_objective_status(api_for, org, viewer):
    objective = factories.ObjectiveFactory(org=org, deadline=date.today() + timedelta(days=300))
    kpi = factories.KPIFactory(objective=objective, metric_key="mention_volume", baseline=0, target=40)
    api = api_for(viewer)
    body = api.get(f"/api/v1/orgs/norte/kpis/{kpi.pk}/progress/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["current"] == 0.0
    assert body["status"] == "on_track"  # just started: nothing expected yet
    assert body["status_label"] == "On track"
    body = api.get(f"/api/v1/orgs/norte/objectives/{objective.pk}/status/").json()
    assert body["status"] == "on_track"
    assert [k["kpi_id"] for k in body["kpis"]] == [kpi.pk]


@pytest.mark.django_db
def test_the_series_api_validates_its_input(api_for, org, viewer):
    api = api_for(viewer)
    response = api.get(
        "/api/v1/orgs/norte/metrics/mention_volume/series/",
        {"start": "2026-11-01", "end": "2026-11-08", "granularity": "week"},
    )
    assert response.status_code == 200
    assert response.json()["points"][0] == {"start": "2026-11-01", "value": 0.0}
    response = api.get("/api/v1/orgs/norte/metrics/cats/series/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "mention_volume" in response.json()["error"]["fields"]["key"][0]
    response = api.get("/api/v1/orgs/norte/metrics/mention_volume/series/", {"granularity": "hour"})
    assert response.status_code == 400
    response = api.get(
        "/api/v1/orgs/norte/metrics/mention_volume/series/", {"start": "2026-11-08", "end": "2026-11-01"}
    )
    assert response.status_code == 400
    keys = [m["key"] for m in api.get("/api/v1/orgs/norte/metrics/").json()]
    assert "share_of_voice" in keys
