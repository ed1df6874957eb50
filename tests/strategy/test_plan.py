"""The whole plan as a printable page and as a PDF."""

import pytest

from tests import factories


@pytest.mark.django_db
def test_it_prints_the_plan_with_every_section(client_for, org, viewer):
    factories.PurposeFactory(org=org)
    factories.KPIFactory(objective=factories.ObjectiveFactory(org=org, title="Objetivo uno"), name="KPI uno")
    factories.AudienceFactory(org=org, name="Familias")
    factories.ProfileFactory(org=org, handle="@norte@mastodon.social")
    factories.CampaignFactory(org=org, name="Verano joven")
    body = client_for(viewer).get("/o/norte/plan/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for text in (
        "Plan de",
        "Objetivo uno",
        "KPI uno",
        "Familias",
        "@norte@mastodon.social",
        "Verano joven",
        "data-print",
    ):
        assert text in body


@pytest.mark.django_db
def test_it_downloads_the_plan_as_a_pdf(client_for, org, viewer):
    factories.ObjectiveFactory(org=org, title="Objetivo uno")
    response = client_for(viewer).get("/o/norte/plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="plan-norte-')
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5000
