"""Browser journey: a colleague answers an anonymous survey from its link (keyboard and labels work, a wrong
answer is explained beside its question), then an editor reads the results chart."""

import pytest

from learning.models import SurveyResponse
from tests import factories
from tests.learning.test_people_factories import make_survey


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_colleague_answers_from_the_link_and_an_editor_sees_the_chart(live_server, page, screenshot):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    editor = factories.UserFactory(username="luisa", first_name="Luisa")
    factories.MembershipFactory(org=org, user=editor, role="editor")
    survey = make_survey(org, title="¿Qué quieres ver en redes?")

    # The colleague opens the shared link: no account, the survey's language.
    page.goto(f"{live_server.url}/s/{survey.token}/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "¿Qué quieres ver en redes?"
    # Each question is a fieldset whose legend names it; options are labelled.
    page.get_by_role("group", name="1. ¿Con qué frecuencia?").get_by_label("A diario").check()
    page.get_by_role("group", name="2. ¿Qué te gustaría ver?").get_by_label("Eventos").check()
    page.get_by_role("group", name="2. ¿Qué te gustaría ver?").get_by_label("Equipo").check()
    # The scale question is left blank first: the page explains it and keeps the rest.
    page.locator("form.survey-form button[type=submit]").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "¿Cuánto te ayudan?" in summary.inner_text()
    assert page.get_by_role("group", name="2. ¿Qué te gustaría ver?").get_by_label("Eventos").is_checked()
    assert SurveyResponse.objects.count() == 0
    screenshot("survey-answer-error")
    # Keyboard: the scale values are radio buttons reachable and selectable without a mouse.
    scale = page.get_by_role("group", name="3. ¿Cuánto te ayudan?")
    scale.get_by_label("4", exact=True).focus()
    page.keyboard.press("Space")
    assert scale.get_by_label("4", exact=True).is_checked()
    page.get_by_role("group", name="5. ¿Algo más?").locator("textarea").fill("Más fotos del fondo antiguo")
    page.locator("form.survey-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/s/{survey.token}/thanks/")
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    screenshot("survey-answer-thanks")

    # The editor signs in and reads the results.
    page.goto(f"{live_server.url}/accounts/login/?next=/o/norte/learning/surveys/{survey.pk}/results/")
    page.get_by_label("Nombre de usuario").fill("luisa")
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{live_server.url}/o/norte/learning/surveys/{survey.pk}/results/")
    result = page.locator(f"#result-{survey.questions.get(position=2).pk}")
    chart = result.locator("figure svg[role=img]")
    assert chart.count() == 1
    assert "Eventos" in chart.text_content()  # the bar labels are text in the SVG
    assert result.locator("table.shares tbody tr").count() == 3
    assert "Más fotos del fondo antiguo" in page.locator("main").inner_text()
    screenshot("survey-results-editor")
