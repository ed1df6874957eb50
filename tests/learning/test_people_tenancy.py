"""Tenancy of the people half, walked from the URL conf like tests/mesm/test_tenancy.py: an administrator of
another organisation gets 404 on every page and endpoint, with either organisation's slug, and changes nothing.
The same model map is what tests/mesm/test_tenancy.py needs (see PEOPLE_VIEW_MODELS)."""

import pytest
from django.urls import reverse

from learning.api_people import ROUTES
from learning.models import Experiment, PolicyVersion, StaffList, ThinkTankIdea
from tests.learning.test_people_factories import PEOPLE_VIEW_MODELS, make_group, make_staff, people_objects_for
from tests.mesm.test_tenancy import org_patterns

API_BASENAMES = tuple(basename for _prefix, _viewset, basename in ROUTES)


def people_patterns():
    for route, entry in org_patterns():
        if "format" in entry.pattern.regex.groupindex:
            continue
        module = getattr(entry.callback, "__module__", "")
        if module.startswith("learning.views_people") or (entry.name or "").startswith(API_BASENAMES):
            yield route, entry


@pytest.fixture
def people_objects(org):
    return people_objects_for(org)


def _model(entry):
    if hasattr(entry.callback, "cls"):
        return entry.callback.cls.queryset.model
    return PEOPLE_VIEW_MODELS.get(entry.name)


def test_every_people_url_with_an_id_has_a_model():
    names = set()
    for route, entry in people_patterns():
        names.add(entry.name)
        if "pk" in entry.pattern.regex.groupindex:
            assert _model(entry) is not None, f"{route}: add {entry.name} to PEOPLE_VIEW_MODELS"
    assert {"learning-survey-list", "learning-idea-vote", "api-learning-survey-results"} <= names


@pytest.mark.django_db
def test_an_outsider_gets_404_on_every_people_page_and_endpoint(client, org, other_org, outsider, people_objects):
    client.force_login(outsider)
    checked = 0
    for _route, entry in people_patterns():
        groups = entry.pattern.regex.groupindex
        variants = [{"org_slug": org.slug}]
        if "pk" in groups:
            pk = people_objects[_model(entry)].pk
            variants = [{"org_slug": org.slug, "pk": pk}, {"org_slug": other_org.slug, "pk": pk}]
        for kwargs in variants:
            url = reverse(entry.name, kwargs=kwargs)
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(url, content_type="application/json")
                if response.status_code == 405:
                    continue
                assert response.status_code == 404, f"{method.upper()} {url} as outsider → {response.status_code}"
                checked += 1
    assert checked > 150
    for model, obj in people_objects.items():
        assert model.objects.filter(pk=obj.pk).exists()
    assert not people_objects[ThinkTankIdea].votes.exists()
    assert not people_objects[PolicyVersion].acknowledgements.exists()
    assert people_objects[Experiment].__class__.objects.get(pk=people_objects[Experiment].pk).lesson is None


@pytest.mark.django_db
def test_another_organisations_ids_are_refused_in_the_api(api_for, org, other_org, editor):
    foreign_staff = make_staff(other_org, "Foránea")
    foreign_group = make_group(other_org, name="Grupo del sur")
    api = api_for(editor)
    response = api.post(
        "/api/v1/orgs/norte/learning/staff-lists/", {"name": "L", "members": [foreign_staff.pk]}, format="json"
    )
    assert response.status_code == 400 and "members" in response.json()["error"]["fields"]
    response = api.post(
        "/api/v1/orgs/norte/learning/think-tank-sessions/",
        {"title": "S", "date": "2026-01-01", "group": foreign_group.pk},
        format="json",
    )
    assert response.status_code == 400 and "group" in response.json()["error"]["fields"]
    assert not StaffList.objects.filter(org=org).exists()
