"""The first-hour checklist on the home page: the five stages, ticked as the organisation works."""

import pytest
from django.urls import reverse

from learning.services.lessons import lesson_record
from strategy import services
from strategy.models import PlannedPost
from tests import factories
from tests.listening.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _page(client_for, user, org):
    return client_for(user).get(reverse("strategy-overview", kwargs={"org_slug": org.slug})).content.decode()


def test_a_fresh_organisation_sees_five_open_steps(client_for, org, editor):
    page = _page(client_for, editor, org)
    assert "Tus primeros pasos con MESM" in page
    assert page.count("○") == 5
    assert "0 de 5" in page


def test_steps_tick_as_the_work_is_done_and_the_list_goes_away(client_for, org, editor):
    services.purpose_update(org=org, why="Porque sí", what_for="Para llegar a más vecinos")
    SourceFactory(org=org)
    page = _page(client_for, editor, org)
    assert "2 de 5" in page and page.count("✓") == 2
    profile = factories.ProfileFactory(org=org)
    PlannedPost.objects.create(org=org, profile=profile, text="Hola")
    factories.KPIFactory(objective=factories.ObjectiveFactory(org=org))
    lesson_record(org, title="Responder en público", body="Otros dejan de preguntar.", source_kind="note")
    assert "Tus primeros pasos con MESM" not in _page(client_for, editor, org)


def test_viewers_see_the_list_without_action_buttons(client_for, org, viewer):
    page = _page(client_for, viewer, org)
    assert "Tus primeros pasos con MESM" in page
    assert "Añadir una fuente" not in page
