"""A librarian logs in, switches to English, writes an objective with a KPI and sees it on the overview."""

import pytest

from strategy.models import Objective
from tests import factories


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_librarian_plans_an_objective_in_the_browser(live_server, page, screenshot):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    user = factories.UserFactory(username="lucia", first_name="Lucía")
    factories.MembershipFactory(org=org, user=user, role="editor")
    factories.AudienceFactory(org=org, name="Families")

    page.goto(f"{live_server.url}/o/norte/")
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    page.get_by_label("Nombre de usuario").fill("lucia")
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{live_server.url}/o/norte/")
    assert page.locator("h1").inner_text() == "Biblioteca Norte"
    screenshot("overview-es")

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    page.get_by_role("link", name="New objective").first.click()
    page.get_by_label("Title").fill("Bring families to weekend storytelling")
    page.get_by_label("Why this objective").fill("Weekend attendance dropped; families plan their weekends online.")
    page.get_by_label("Families").check()
    page.get_by_label("Deadline").first.fill("2027-05-31")
    kpi = page.get_by_role("group", name="KPI 1", exact=True)
    kpi.get_by_label("Name").fill("Storytelling post engagement")
    kpi.get_by_label("Metric").select_option("engagement_rate")
    kpi.get_by_label("Unit").fill("%")
    kpi.get_by_label("Baseline").fill("1.5")
    kpi.get_by_label("Target").fill("3")
    page.get_by_role("button", name="Save objective").click()
    page.wait_for_url(f"{live_server.url}/o/norte/objectives/")
    assert "was created" in page.locator(".messages").inner_text()

    page.get_by_role("link", name="Strategy").click()
    card = page.locator("article", has_text="Bring families to weekend storytelling")
    assert card.is_visible()
    assert "Storytelling post engagement" in card.inner_text()
    assert "Engagement rate" in card.inner_text()
    screenshot("overview-en-after-objective")

    objective = Objective.objects.get(org=org)
    assert objective.kpis.get().target == 3
