"""Tenancy isolation, enumerated from the URL conf.

Every URL with an ``org_slug`` is requested by an administrator of another organisation:
with the first organisation's slug (not a member → 404) and, when it takes an object id, with
their own slug and the first organisation's object id (→ 404). A new URL that takes an object
id must say here which model it serves, so no endpoint escapes the check.
"""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from listening.models import Alert, AlertRule, Mention, Query, Source
from mesm.models import AuditEntry, Invitation, Membership
from metrics.models import InstitutionalKPI, MetricMapping, Report
from strategy.models import KPI, Audience, Campaign, ConversationIdea, Objective, PlannedPost, Profile, Referent
from strategy.views import ARCHIVABLE
from tests import factories
from tests.learning.test_people_factories import PEOPLE_VIEW_MODELS, people_objects_for
from tests.learning.test_work_tenancy import FUNCTION_VIEW_MODELS as LEARNING_WORK_MODELS
from tests.learning.test_work_tenancy import make_objects as learning_work_objects
from tests.listening.factories import AlertRuleFactory, MentionFactory, QueryFactory, SourceFactory

# Function views whose <pk> names a row of this model.
FUNCTION_VIEW_MODELS = {
    "strategy-objective-edit": Objective,
    "metrics-campaign-dashboard": Campaign,
    "strategy-referent-detail": Referent,
    "strategy-referent-edit": Referent,
    "strategy-referent-interaction-add": Referent,
    "metrics-report-status": Report,
    "metrics-institutional-edit": InstitutionalKPI,
    "metrics-institutional-value-add": InstitutionalKPI,
    "metrics-institutional-import": InstitutionalKPI,
    "metrics-mapping-delete": MetricMapping,
    "metrics-report-download": Report,
    "listening-mention-detail": Mention,
    "listening-mention-update": Mention,
    "listening-mention-answer": Mention,
    "listening-mention-note": Mention,
    "listening-source-edit": Source,
    "listening-source-poll": Source,
    "listening-source-delete": Source,
    "listening-query-edit": Query,
    "listening-query-delete": Query,
    "listening-alert-rule-edit": AlertRule,
    "listening-alert-rule-delete": AlertRule,
    "org-member-update": Membership,
    "org-invitation-revoke": Invitation,
    "strategy-archive": "by-kind",
    "strategy-post-detail": PlannedPost,
    "strategy-post-edit": PlannedPost,
    "strategy-post-comment": PlannedPost,
    "strategy-post-reschedule": PlannedPost,
    "strategy-post-media": PlannedPost,
    "strategy-post-action": PlannedPost,
    "strategy-profile-publishing": Profile,
    "strategy-post-mark-published": PlannedPost,
    "strategy-post-publish-retry": PlannedPost,
    "strategy-idea-detail": ConversationIdea,
    "strategy-idea-edit": ConversationIdea,
    **LEARNING_WORK_MODELS,
    **PEOPLE_VIEW_MODELS,
}


# Other URL arguments that are not object ids, with a valid value.
EXTRA_KWARGS = {"key": "mention_volume", "action": "submit", "media_pk": 1}


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def org_patterns():
    return [(route, entry) for route, entry in _walk(get_resolver().url_patterns) if "org_slug" in route]


def model_of(entry):
    callback = entry.callback
    if hasattr(callback, "cls"):  # DRF viewset
        return callback.cls.queryset.model
    if hasattr(callback, "view_class"):  # Django class-based view
        return callback.view_class.model
    return FUNCTION_VIEW_MODELS.get(entry.name)


def _kwargs_variants(route, entry, org_slug, objects):
    """Yield (description, kwargs) for every way this URL can be filled."""
    groups = entry.pattern.regex.groupindex
    needs_pk = "pk" in groups
    if not needs_pk:
        yield entry.name, {"org_slug": org_slug, **{k: v for k, v in EXTRA_KWARGS.items() if k in groups}}
        return
    model = model_of(entry)
    assert model is not None, f"{route} takes an object id: add its model to FUNCTION_VIEW_MODELS"
    if model == "by-kind":
        for kind, kind_model in ARCHIVABLE.items():
            yield f"{entry.name}:{kind}", {"org_slug": org_slug, "kind": kind, "pk": objects[kind_model].pk}
    else:
        extra = {k: v for k, v in EXTRA_KWARGS.items() if k in groups}
        yield entry.name, {"org_slug": org_slug, "pk": objects[model].pk, **extra}


def _url(route, entry, kwargs):
    return reverse(entry.name, kwargs=kwargs)


@pytest.fixture
def objects_of_org(org, admin_user):
    objective = factories.ObjectiveFactory(org=org)
    query = QueryFactory(org=org)
    rule = AlertRuleFactory(org=org, query=query)
    institutional = InstitutionalKPI.objects.create(org=org, name="Visitas")
    objects = {
        Objective: objective,
        KPI: factories.KPIFactory(objective=objective),
        Audience: factories.AudienceFactory(org=org),
        Profile: factories.ProfileFactory(org=org),
        Campaign: factories.CampaignFactory(org=org),
        Referent: Referent.objects.create(org=org, name="Ana Lectora"),
        PlannedPost: PlannedPost.objects.create(
            org=org, profile=factories.ProfileFactory(org=org, handle="@cal@example.social"), text="Hola"
        ),
        ConversationIdea: ConversationIdea.objects.create(org=org, title="Club de lectura"),
        Membership: Membership.objects.get(org=org, user=admin_user),
        Invitation: Invitation.objects.create(org=org, email="someone@example.org", role="editor"),
        AuditEntry: AuditEntry.objects.create(org=org, action="update", object_type="objective", object_label="x"),
        Mention: MentionFactory(org=org),
        Source: SourceFactory(org=org),
        Query: query,
        AlertRule: rule,
        Alert: Alert.objects.create(org=org, rule=rule, window_start=timezone.now(), summary="x"),
        InstitutionalKPI: institutional,
        MetricMapping: MetricMapping.objects.create(
            org=org, metric_key="followers", institutional_kpi=institutional, hypothesis="h"
        ),
        Report: Report.objects.create(
            org=org, title="x", start=date(2025, 5, 1), end=date(2025, 6, 1), pdf=b"%PDF", csv="a\n"
        ),
    }
    return {**objects, **learning_work_objects(org), **people_objects_for(org)}


def test_it_finds_the_organisation_urls():
    names = {entry.name for _, entry in org_patterns()}
    # A sanity floor: if the walk breaks, the isolation tests below would pass vacuously.
    assert {"strategy-overview", "strategy-objective-edit", "api-objective-detail", "api-kpi-list"} <= names


@pytest.mark.django_db
def test_it_hides_every_page_and_endpoint_of_another_organisation(client, org, other_org, outsider, objects_of_org):
    client.force_login(outsider)
    checked = 0
    for route, entry in org_patterns():
        if "format" in entry.pattern.regex.groupindex:
            continue  # format-suffix duplicates of router URLs
        for label, kwargs in _kwargs_variants(route, entry, org.slug, objects_of_org):
            url = _url(route, entry, kwargs)
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(url, content_type="application/json")
                if response.status_code == 405:
                    continue
                assert response.status_code == 404, (
                    f"{method.upper()} {url} ({label}) as outsider → {response.status_code}"
                )
                checked += 1
            if "pk" in kwargs:
                own = {**kwargs, "org_slug": other_org.slug}
                url = _url(route, entry, own)
                for method in ("get", "post", "put", "patch", "delete"):
                    response = getattr(client, method)(url, content_type="application/json")
                    if response.status_code == 405:
                        continue
                    assert response.status_code == 404, (
                        f"{method.upper()} {url} ({label}) reaches another organisation's object → {response.status_code}"
                    )
                    checked += 1
    assert checked > 50
    # Nothing of the first organisation was changed by all those requests.
    for model, obj in objects_of_org.items():
        fresh = model.objects.get(pk=obj.pk)
        assert getattr(fresh, "archived_at", None) is None


@pytest.mark.django_db
def test_it_lists_only_the_users_organisations_in_the_api(api_for, org, other_org, outsider):
    response = api_for(outsider).get("/api/v1/orgs/")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()["results"]] == ["sur"]


@pytest.mark.django_db
def test_it_refuses_related_ids_of_another_organisation(api_for, org, other_org, editor):
    foreign_audience = factories.AudienceFactory(org=other_org)
    foreign_objective = factories.ObjectiveFactory(org=other_org)
    api = api_for(editor)
    response = api.post(
        "/api/v1/orgs/norte/objectives/",
        {"title": "Más lectores", "why": "Porque sí", "audiences": [foreign_audience.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "audiences" in response.json()["error"]["fields"]
    response = api.post(
        "/api/v1/orgs/norte/kpis/",
        {"objective": foreign_objective.pk, "name": "x", "baseline": 1, "target": 2},
        format="json",
    )
    assert response.status_code == 400
    assert "objective" in response.json()["error"]["fields"]
    assert not Objective.objects.filter(org=org).exists()
    assert KPI.objects.count() == 0
