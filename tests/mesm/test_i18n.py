"""Spanish by default, English on request; dates and numbers in the chosen language."""

import pytest

from tests import factories


@pytest.mark.django_db
def test_it_speaks_spanish_by_default(client_for, org, viewer):
    body = client_for(viewer).get("/o/norte/").content.decode()
    assert '<html lang="es">' in body
    assert "Propósito: el porqué y el para qué" in body
    assert "Objetivos" in body


@pytest.mark.django_db
def test_it_speaks_the_organisations_language_until_the_user_chooses(client_for, org, viewer):
    org.language = "en"
    org.save()
    client = client_for(viewer)
    body = client.get("/o/norte/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in body
    client.post("/i18n/setlang/", {"language": "es", "next": "/o/norte/"})
    assert '<html lang="es">' in client.get("/o/norte/").content.decode()


@pytest.mark.django_db
def test_it_switches_to_english_and_remembers(client_for, org, viewer):
    client = client_for(viewer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/o/norte/"})
    assert response.status_code == 302
    body = client.get("/o/norte/").content.decode()
    assert '<html lang="en">' in body
    assert "Purpose: the why and the what-for" in body


@pytest.mark.django_db
def test_it_localises_dates_and_numbers(client_for, org, viewer):
    objective = factories.ObjectiveFactory(org=org)
    factories.KPIFactory(objective=objective, baseline=1234.5, target=2500)
    client = client_for(viewer)
    spanish = client.get("/o/norte/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1.234,5" in spanish
    assert "30 de junio de 2027" in spanish
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/o/norte/").content.decode()
    assert "1,234.5" in english
    assert "June 30, 2027" in english
