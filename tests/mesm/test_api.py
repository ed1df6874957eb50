"""The REST API: token, organisations, JSON shapes, errors, pagination, query counts."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from mesm.models import Membership, Role
from strategy.models import KPI, Objective
from tests import factories


@pytest.mark.django_db
def test_it_exchanges_a_password_for_a_token_that_opens_the_api(org, editor):
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": editor.username, "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/orgs/norte/objectives/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_a_wrong_password_in_plain_words(editor):
    response = APIClient().post("/api/v1/auth/token/", {"username": editor.username, "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert body["fields"]["non_field_errors"]


@pytest.mark.django_db
def test_it_makes_the_creator_of_an_organisation_its_admin(api_for):
    user = factories.UserFactory(username="maria")
    response = api_for(user).post(
        "/api/v1/orgs/", {"name": "Biblioteca Este", "slug": "este", "timezone": "America/Bogota"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "name": "Biblioteca Este",
        "slug": "este",
        "timezone": "America/Bogota",
        "language": "es",
        "role": "admin",
        "created_at": response.json()["created_at"],
    }
    assert Membership.objects.get(org__slug="este", user=user).role == Role.ADMIN


@pytest.mark.django_db
def test_it_rejects_an_unknown_time_zone_and_a_taken_slug(api_for, org):
    user = factories.UserFactory()
    response = api_for(user).post(
        "/api/v1/orgs/", {"name": "X", "slug": "norte", "timezone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"slug", "timezone"}


@pytest.mark.django_db
def test_it_creates_an_objective_with_its_kpis_in_one_call(api_for, org, editor):
    audience = factories.AudienceFactory(org=org)
    response = api_for(editor).post(
        "/api/v1/orgs/norte/objectives/",
        {
            "title": "Más socios jóvenes",
            "why": "Porque casi no vienen.",
            "owner": editor.pk,
            "audiences": [audience.pk],
            "deadline": "2027-06-30",
            "kpis": [
                {"name": "Seguidores", "metric_key": "followers", "unit": "seg", "baseline": "100", "target": "250"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kpis"][0]["name"] == "Seguidores"
    assert body["kpis"][0]["target"] == "250.00"
    objective = Objective.objects.get(pk=body["id"])
    assert objective.org == org
    assert list(objective.audiences.all()) == [audience]
    assert objective.kpis.get().org == org


@pytest.mark.django_db
def test_it_saves_nothing_when_one_kpi_is_invalid(api_for, org, editor):
    response = api_for(editor).post(
        "/api/v1/orgs/norte/objectives/",
        {
            "title": "Menos quejas",
            "why": "Porque sí.",
            "kpis": [{"name": "Quejas", "baseline": "10", "target": "20", "direction": "down"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert Objective.objects.count() == 0
    assert KPI.objects.count() == 0


@pytest.mark.django_db
def test_it_answers_validation_errors_in_the_users_language(api_for, org, editor):
    api = api_for(editor)
    response = api.post("/api/v1/orgs/norte/objectives/", {"why": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["title"] == ["Este campo es requerido."]
    response = api.post("/api/v1/orgs/norte/objectives/", {"why": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["fields"]["title"] == ["This field is required."]


@pytest.mark.django_db
def test_it_checks_the_kpi_direction_against_its_target(api_for, org, editor):
    objective = factories.ObjectiveFactory(org=org)
    response = api_for(editor).post(
        "/api/v1/orgs/norte/kpis/",
        {"objective": objective.pk, "name": "Tiempo de respuesta", "baseline": 30, "target": 8, "direction": "up"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["target"] == [
        "When higher is better, the target must be above the baseline."
    ]


@pytest.mark.django_db
def test_it_archives_on_delete_and_restores(api_for, org, editor):
    campaign = factories.CampaignFactory(org=org)
    api = api_for(editor)
    assert api.delete(f"/api/v1/orgs/norte/campaigns/{campaign.pk}/").status_code == 204
    campaign.refresh_from_db()
    assert campaign.is_archived
    assert api.get("/api/v1/orgs/norte/campaigns/").json()["results"] == []
    assert len(api.get("/api/v1/orgs/norte/campaigns/?archived=true").json()["results"]) == 1
    assert api.post(f"/api/v1/orgs/norte/campaigns/{campaign.pk}/restore/").status_code == 200
    campaign.refresh_from_db()
    assert not campaign.is_archived


@pytest.mark.django_db
def test_it_refuses_a_campaign_that_ends_before_it_starts(api_for, org, editor):
    response = api_for(editor).post(
        "/api/v1/orgs/norte/campaigns/",
        {"name": "Verano", "starts_on": "2027-06-01", "ends_on": "2027-05-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ends_on"] == [
        "La fecha de fin no puede ser anterior a la fecha de inicio."
    ]


@pytest.mark.django_db
def test_it_pins_the_objective_list_shape(api_for, org, editor):
    objective = factories.ObjectiveFactory(org=org, title="A", owner=editor)
    kpi = factories.KPIFactory(objective=objective)
    body = api_for(editor).get("/api/v1/orgs/norte/objectives/").json()
    assert set(body) == {"next", "previous", "results"}
    assert body["results"] == [
        {
            "id": objective.pk,
            "title": "A",
            "why": "Porque importa.",
            "owner": editor.pk,
            "audiences": [],
            "deadline": "2027-06-30",
            "status": "active",
            "kpis": [
                {
                    "id": kpi.pk,
                    "name": kpi.name,
                    "metric_key": "followers",
                    "unit": "seguidores",
                    "baseline": "100.00",
                    "target": "200.00",
                    "direction": "up",
                    "deadline": None,
                }
            ],
            "archived_at": None,
            "created_at": body["results"][0]["created_at"],
            "updated_at": body["results"][0]["updated_at"],
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["objectives", "kpis", "audiences", "profiles", "campaigns"])
def test_it_lists_with_a_fixed_number_of_queries(api_for, org, editor, endpoint, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            objective = factories.ObjectiveFactory(org=org, owner=editor)
            factories.KPIFactory(objective=objective)
            audience = factories.AudienceFactory(org=org)
            objective.audiences.add(audience)
            campaign = factories.CampaignFactory(org=org)
            campaign.objectives.add(objective)
            campaign.audiences.add(audience)
            campaign.profiles.add(factories.ProfileFactory(org=org))

    api = api_for(editor)
    make(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get(f"/api/v1/orgs/norte/{endpoint}/").status_code == 200
    make(20)
    with django_assert_num_queries(len(one.captured_queries)):
        response = api.get(f"/api/v1/orgs/norte/{endpoint}/")
    assert len(response.json()["results"]) == 21


@pytest.mark.django_db
def test_it_pages_with_a_cursor(api_for, org, editor):
    for _ in range(60):
        factories.AudienceFactory(org=org)
    api = api_for(editor)
    first = api.get("/api/v1/orgs/norte/audiences/").json()
    assert len(first["results"]) == 50
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 10
    ids = [a["id"] for a in first["results"] + second["results"]]
    assert len(set(ids)) == 60


@pytest.mark.django_db
def test_it_serves_the_schema_and_offline_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/orgs/{org_slug}/objectives/" in paths
    assert "/api/v1/auth/token/" in paths
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


def test_user_model_is_django_default():
    assert get_user_model()._meta.label == "auth.User"


@pytest.mark.django_db
def test_it_reads_and_writes_the_purpose(api_for, org, editor, viewer):
    assert api_for(viewer).get("/api/v1/orgs/norte/purpose/").json()["why"] == ""
    response = api_for(editor).put(
        "/api/v1/orgs/norte/purpose/", {"why": "Estar con los vecinos.", "what_for": "Acercar la biblioteca."}
    )
    assert response.status_code == 200
    assert response.json()["updated_by"] == editor.pk
    org.purpose.refresh_from_db()
    assert org.purpose.what_for == "Acercar la biblioteca."
    assert api_for(viewer).put("/api/v1/orgs/norte/purpose/", {"why": "x", "what_for": "y"}).status_code == 403


def test_the_schema_validates_without_warnings():
    # --fail-on-warn turns any drf-spectacular warning (an undocumented endpoint) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_production_settings_pass_the_deploy_checks():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "mesm.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
