"""Objectives and their KPIs through the browser forms."""

from decimal import Decimal

import pytest

from strategy.models import KPI, Objective
from tests import factories


def _objective_post(**overrides):
    data = {
        "title": "Más jóvenes en los clubes de lectura",
        "why": "Apenas vienen.",
        "status": "active",
        "deadline": "2027-06-30",
        "kpis-TOTAL_FORMS": "1",
        "kpis-INITIAL_FORMS": "0",
        "kpis-MIN_NUM_FORMS": "0",
        "kpis-MAX_NUM_FORMS": "1000",
        "kpis-0-name": "Seguidores en Instagram",
        "kpis-0-metric_key": "followers",
        "kpis-0-unit": "seguidores",
        "kpis-0-baseline": "2400",
        "kpis-0-target": "4000",
        "kpis-0-direction": "up",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_it_creates_an_objective_with_a_kpi_from_the_form(client_for, org, editor):
    audience = factories.AudienceFactory(org=org)
    response = client_for(editor).post(
        "/o/norte/objectives/new/", _objective_post(owner=editor.pk, audiences=[audience.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == "/o/norte/objectives/"
    objective = Objective.objects.get()
    assert objective.org == org
    assert objective.owner == editor
    assert list(objective.audiences.all()) == [audience]
    kpi = objective.kpis.get()
    assert (kpi.org, kpi.baseline, kpi.target) == (org, Decimal("2400"), Decimal("4000"))
    assert "Seguidores en Instagram" in response.content.decode()


@pytest.mark.django_db
def test_it_explains_a_kpi_whose_target_contradicts_its_direction(client_for, org, editor):
    response = client_for(editor).post(
        "/o/norte/objectives/new/", _objective_post(**{"kpis-0-target": "1000"}), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cuando más alto es mejor, la meta debe estar por encima de la línea base." in body
    assert 'role="alert"' in body
    assert Objective.objects.count() == 0
    assert KPI.objects.count() == 0


@pytest.mark.django_db
def test_it_requires_a_title_and_a_why(client_for, org, editor):
    response = client_for(editor).post("/o/norte/objectives/new/", _objective_post(title="", why=""))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"title", "why"}
    assert Objective.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_an_owner_or_audience_of_another_organisation(client_for, org, other_org, editor, outsider):
    foreign = factories.AudienceFactory(org=other_org)
    response = client_for(editor).post(
        "/o/norte/objectives/new/", _objective_post(owner=outsider.pk, audiences=[foreign.pk])
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"owner", "audiences"}
    assert Objective.objects.count() == 0


@pytest.mark.django_db
def test_it_edits_adds_and_removes_kpis(client_for, org, editor):
    objective = factories.ObjectiveFactory(org=org)
    kpi = factories.KPIFactory(objective=objective, name="Viejo")
    data = _objective_post(
        **{
            "title": "Nuevo título",
            "kpis-TOTAL_FORMS": "2",
            "kpis-INITIAL_FORMS": "1",
            "kpis-0-id": str(kpi.pk),
            "kpis-0-objective": str(objective.pk),
            "kpis-0-name": "Viejo",
            "kpis-0-DELETE": "on",
            "kpis-1-name": "Tiempo de respuesta",
            "kpis-1-metric_key": "first_response_time",
            "kpis-1-unit": "horas",
            "kpis-1-baseline": "30",
            "kpis-1-target": "8",
            "kpis-1-direction": "down",
        }
    )
    response = client_for(editor).post(f"/o/norte/objectives/{objective.pk}/", data)
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Nuevo título"
    assert [k.name for k in objective.kpis.all()] == ["Tiempo de respuesta"]
    assert objective.kpis.get().org == org


@pytest.mark.django_db
def test_it_shows_the_plan_overview_with_kpis_and_targets(client_for, org, viewer):
    factories.PurposeFactory(org=org, why="Estar donde están los vecinos.")
    objective = factories.ObjectiveFactory(org=org, title="Dar a conocer el fondo local")
    factories.KPIFactory(objective=objective, name="Menciones del fondo", baseline=12, target=40)
    body = client_for(viewer).get("/o/norte/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Estar donde están los vecinos." in body
    assert "Dar a conocer el fondo local" in body
    assert "Menciones del fondo" in body
    assert "40" in body


@pytest.mark.django_db
def test_it_renders_the_overview_with_a_fixed_number_of_queries(client_for, org, viewer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for _ in range(n):
            objective = factories.ObjectiveFactory(org=org, owner=viewer)
            factories.KPIFactory(objective=objective)
            objective.audiences.add(factories.AudienceFactory(org=org))
            campaign = factories.CampaignFactory(org=org)
            campaign.objectives.add(objective)

    client = client_for(viewer)
    make(1)
    with CaptureQueriesContext(connection) as one:
        client.get("/o/norte/")
    make(15)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/o/norte/")


@pytest.mark.django_db
def test_it_writes_the_purpose(client_for, org, editor):
    response = client_for(editor).post("/o/norte/purpose/", {"why": "Porque sí.", "what_for": "Para llegar."})
    assert response.status_code == 302
    assert org.purpose.why == "Porque sí."
    assert org.purpose.updated_by == editor


@pytest.mark.django_db
def test_it_refuses_a_duplicate_audience_in_plain_words(client_for, org, editor):
    factories.AudienceFactory(org=org, name="Familias")
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post("/o/norte/audiences/new/", {"name": "familias"})
    assert response.status_code == 200
    assert "There is already an audience with this name." in response.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_campaign_ending_before_it_starts_in_the_form(client_for, org, editor):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/o/norte/campaigns/new/",
        {"name": "Verano", "starts_on": "2027-06-01", "ends_on": "2027-05-01", "status": "planned"},
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
