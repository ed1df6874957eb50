"""A director (viewer) reads the dashboard in Spanish: objective status, tiles and charts with their data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from listening.models import MentionDaily
from listening.services.ingest import ALL_MENTIONS
from tests import factories


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_director_reads_the_dashboard(live_server, page, screenshot):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    director = factories.UserFactory(username="directora", first_name="Elena")
    factories.MembershipFactory(org=org, user=director, role="viewer")
    today = timezone.localdate()
    for back in range(60):
        MentionDaily.objects.create(
            org=org, day=today - timedelta(days=back), query_id=ALL_MENTIONS, platform="mastodon",
            sentiment="positive" if back % 2 else "negative", language="es", count=3 + back % 4,
        )  # fmt: skip
    objective = factories.ObjectiveFactory(
        org=org, title="Que se hable de la biblioteca", deadline=today + timedelta(days=90)
    )
    factories.KPIFactory(
        objective=objective, name="Menciones al mes", metric_key="mention_volume", baseline=0, target=150
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/o/norte/metrics/")
    page.get_by_label("Nombre de usuario").fill("directora")
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{live_server.url}/o/norte/metrics/")
    assert page.locator("h1").inner_text() == "Panel de dirección"
    card = page.locator("article", has_text="Que se hable de la biblioteca")
    assert "En camino" in card.inner_text()
    # Charts read as text too: the sparkline's label and the mapped-KPI charts' data tables.
    assert page.locator(".tile").first.locator("svg[role=img]").get_attribute("aria-label")
    page.get_by_label("Periodo").select_option("90")
    page.wait_for_url("**range=90")
    page.get_by_role("navigation", name="Datos de las métricas").get_by_role("link", name="Panel de escucha").click()
    page.locator("summary", has_text="Ver los datos").first.click()
    assert page.locator("details[open] table tbody tr").count() > 5
    screenshot("director-listening-dashboard")


@pytest.mark.browser
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_director_downloads_the_monthly_report_as_pdf(live_server, page, screenshot):
    from celery.contrib.testing.worker import start_worker

    from mesm.celery import app

    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    director = factories.UserFactory(username="directora", first_name="Elena")
    factories.MembershipFactory(org=org, user=director, role="viewer")
    today = timezone.localdate()
    for back in range(90):
        MentionDaily.objects.create(
            org=org, day=today - timedelta(days=back), query_id=ALL_MENTIONS, platform="mastodon",
            sentiment="neutral", language="es", count=2,
        )  # fmt: skip

    page.goto(f"{live_server.url}/accounts/login/?next=/o/norte/metrics/reports/")
    page.get_by_label("Nombre de usuario").fill("directora")
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{live_server.url}/o/norte/metrics/reports/")
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        page.get_by_role("button", name="Preparar el informe").click()
        # The row polls its status (htmx) until the worker has built the files.
        pdf_link = page.get_by_role("link", name="PDF").first
        pdf_link.wait_for(timeout=60000)
    screenshot("report-ready")
    with page.expect_download() as download:
        pdf_link.click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
