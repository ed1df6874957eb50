"""Tenancy and roles for the work half: an outsider gets 404 on every page and API route of
learning's work half; a viewer reads but cannot change; the API pins its JSON shape."""

from datetime import date, time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from learning import urls_work
from learning.api_work import ROUTES
from learning.models import (
    Activity,
    ActivityPilot,
    CaseStudy,
    Executive,
    ExecutiveKPI,
    ExecutiveMetric,
    ExecutivePlatform,
    ExecutiveProfile,
    ExecutiveSource,
    FeedItem,
    Lesson,
    RecurringSession,
    TrainingSession,
    TrustedFeed,
)
from learning.services.executives import recurring_save
from metrics.models import InstitutionalKPI
from tests.learning.work_factories import (
    ActivityFactory,
    CaseStudyFactory,
    ExecutiveFactory,
    FeedItemFactory,
    LessonFactory,
    TrainingSessionFactory,
    TrustedFeedFactory,
)

pytestmark = pytest.mark.django_db

# The lines to register in tests/mesm/test_tenancy.py FUNCTION_VIEW_MODELS.
FUNCTION_VIEW_MODELS = {
    "learning-activity-detail": Activity,
    "learning-activity-edit": Activity,
    "learning-activity-review": Activity,
    "learning-activity-comment": Activity,
    "learning-pilot-create": Activity,
    "learning-pilot-edit": ActivityPilot,
    "learning-feed-edit": TrustedFeed,
    "learning-feed-poll": TrustedFeed,
    "learning-feed-delete": TrustedFeed,
    "learning-item-read": FeedItem,
    "learning-case-detail": CaseStudy,
    "learning-case-edit": CaseStudy,
    "learning-case-lesson": CaseStudy,
    "learning-case-delete": CaseStudy,
    "learning-executive-detail": Executive,
    "learning-executive-edit": Executive,
    "learning-executive-delete": Executive,
    "learning-executive-calendar": Executive,
    "learning-executive-source-add": Executive,
    "learning-executive-platform-add": Executive,
    "learning-executive-kpi-add": Executive,
    "learning-executive-metric-add": Executive,
    "learning-executive-profile-add": Executive,
    "learning-training-create": Executive,
    "learning-recurring-create": Executive,
    "learning-executive-source-delete": ExecutiveSource,
    "learning-executive-platform-delete": ExecutivePlatform,
    "learning-executive-kpi-delete": ExecutiveKPI,
    "learning-executive-metric-delete": ExecutiveMetric,
    "learning-executive-profile-delete": ExecutiveProfile,
    "learning-training-edit": TrainingSession,
    "learning-training-lesson": TrainingSession,
    "learning-training-delete": TrainingSession,
    "learning-recurring-edit": RecurringSession,
    "learning-recurring-note": RecurringSession,
    "learning-recurring-toggle": RecurringSession,
    "learning-lesson-detail": Lesson,
    "learning-lesson-edit": Lesson,
    "learning-lesson-delete": Lesson,
}


@pytest.fixture
def objects(org, admin_user):
    return make_objects(org)


def make_objects(org) -> dict:
    """One row of every model the work half's URLs take an id of."""
    executive = ExecutiveFactory(org=org)
    kpi, _ = InstitutionalKPI.objects.get_or_create(org=org, name="Visitas a la sala de estudio")
    activity = ActivityFactory(org=org)
    feed = TrustedFeedFactory(org=org)
    session = TrainingSessionFactory(executive=executive, notes="Notas")
    source = ExecutiveSource.objects.create(org=org, executive=executive, name="Diario")
    recurring = recurring_save(
        RecurringSession(
            org=org, executive=executive, title="Mensual", frequency="MONTHLY", interval=1, weekday=1,
            week_of_month=1, start_date=date(2026, 9, 1), time=time(10, 0), count=3, duration_minutes=20,
        )
    )  # fmt: skip
    return {
        Activity: activity,
        ActivityPilot: ActivityPilot.objects.create(org=org, activity=activity, start=date(2026, 11, 1)),
        TrustedFeed: feed,
        FeedItem: FeedItemFactory(feed=feed),
        CaseStudy: CaseStudyFactory(org=org, adapt="Algo"),
        Executive: executive,
        ExecutiveSource: source,
        ExecutivePlatform: ExecutivePlatform.objects.create(org=org, executive=executive, platform="bluesky"),
        ExecutiveKPI: ExecutiveKPI.objects.create(org=org, executive=executive, institutional_kpi=kpi),
        ExecutiveMetric: ExecutiveMetric.objects.create(org=org, executive=executive, metric_key="followers"),
        ExecutiveProfile: ExecutiveProfile.objects.create(
            org=org, executive=executive, platform="bluesky", handle="@e", created_on=date(2026, 11, 1)
        ),
        TrainingSession: session,
        RecurringSession: recurring,
        Lesson: LessonFactory(org=org),
    }


def _work_urls(objects, slug):
    """Every work-half page and API route, filled with the first organisation's objects."""
    urls = []
    for entry in urls_work.urlpatterns:
        assert isinstance(entry, URLPattern)
        kwargs = {"org_slug": slug}
        if "pk" in entry.pattern.regex.groupindex:
            assert entry.name in FUNCTION_VIEW_MODELS, f"{entry.name} takes an id: add it to FUNCTION_VIEW_MODELS"
            kwargs["pk"] = objects[FUNCTION_VIEW_MODELS[entry.name]].pk
        urls.append(reverse(entry.name, kwargs=kwargs))
    api_names = {basename for _prefix, _viewset, basename in ROUTES}
    found = set()
    for entry in _walk(get_resolver().url_patterns):
        name = entry.name or ""
        basename = max((b for b in api_names if name.startswith(b + "-")), key=len, default=None)
        if basename is None or "format" in entry.pattern.regex.groupindex:
            continue
        found.add(basename)
        viewset = next(v for _p, v, b in ROUTES if b == basename)
        kwargs = {"org_slug": slug}
        if "pk" in entry.pattern.regex.groupindex:
            kwargs["pk"] = objects[viewset.queryset.model].pk
        urls.append(reverse(name, kwargs=kwargs))
    assert found == api_names
    return urls


def test_an_outsider_gets_404_on_every_page_and_route(client, org, other_org, outsider, objects):
    client.force_login(outsider)
    checked = 0
    for slug in (org.slug, other_org.slug):
        for url in _work_urls(objects, slug):
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(url, content_type="application/json")
                if response.status_code == 405:
                    continue
                if slug == other_org.slug and not _has_id(url):
                    continue  # the outsider's own lists and forms are theirs to use
                assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"
                checked += 1
    assert checked > 150
    # Nothing of the first organisation changed.
    for model, obj in objects.items():
        assert model.objects.filter(pk=obj.pk).exists()
    assert not Lesson.objects.exclude(pk=objects[Lesson].pk).exists()


def _walk(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def _has_id(url: str) -> bool:
    return any(part.isdigit() for part in url.split("/"))


def test_a_viewer_reads_the_api_but_cannot_change_it(api_for, org, viewer, objects):
    api = api_for(viewer)
    base = f"/api/v1/orgs/{org.slug}/learning"
    for prefix in ("activities", "feeds", "feed-items", "case-studies", "executives", "sessions", "lessons"):
        assert api.get(f"{base}/{prefix}/").status_code == 200, prefix
    forbidden = [
        ("patch", f"{base}/activities/{objects[Activity].pk}/", {"name": "x"}),
        ("post", f"{base}/activities/{objects[Activity].pk}/review/", {"decision": "declined"}),
        ("post", f"{base}/feeds/", {"name": "x", "url": "https://x.example/feed"}),
        ("post", f"{base}/case-studies/", {"title": "x", "organisation": "y", "what_they_did": "z"}),
        ("delete", f"{base}/case-studies/{objects[CaseStudy].pk}/", None),
        ("post", f"{base}/executives/", {"name": "Otra"}),
        ("patch", f"{base}/sessions/{objects[TrainingSession].pk}/", {"title": "x"}),
        ("delete", f"{base}/lessons/{objects[Lesson].pk}/", None),
    ]
    for method, url, body in forbidden:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 403, f"{method} {url}"
        assert response.json()["error"]["code"] == "permission_denied"
    assert Activity.objects.get().name == objects[Activity].name
    assert CaseStudy.objects.count() == 1 and Lesson.objects.count() == 1 and Executive.objects.count() == 1


def test_any_member_proposes_activities_writes_lessons_and_marks_items_read(api_for, org, viewer, objects):
    api = api_for(viewer)
    base = f"/api/v1/orgs/{org.slug}/learning"
    response = api.post(f"{base}/activities/", {"name": "Anunciar novedades", "current_tool": "Boletín"}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "proposed"
    response = api.post(f"{base}/activities/{objects[Activity].pk}/comments/", {"text": "¡Probémoslo!"}, format="json")
    assert response.status_code == 201
    response = api.post(f"{base}/lessons/", {"title": "Responder en público", "tags": "atención, foro"}, format="json")
    assert response.status_code == 201
    assert response.json()["source_kind"] == "note" and response.json()["tags"] == ["atención", "foro"]
    assert Lesson.objects.get(title="Responder en público").author == viewer
    item = objects[FeedItem]
    response = api.post(f"{base}/feed-items/{item.pk}/mark-read/", {}, format="json")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.get(f"{base}/feed-items/?unread=true").json()["results"] == []


def test_the_lessons_api_searches_and_pins_its_shape(api_for, org, viewer, django_assert_max_num_queries):
    LessonFactory(org=org, title="Los hilos funcionan por la tarde", tags=["hilos"])
    LessonFactory(org=org, title="Short videos reach teenagers", source_kind="talk")
    api = api_for(viewer)
    url = f"/api/v1/orgs/{org.slug}/learning/lessons/"
    with django_assert_max_num_queries(8):
        data = api.get(url).json()
    assert set(data["results"][0]) == {
        "id", "title", "body", "source_kind", "source_label", "source_url", "tags", "author", "created_at", "updated_at",
    }  # fmt: skip
    assert [r["title"] for r in api.get(url + "?q=hilo").json()["results"]] == ["Los hilos funcionan por la tarde"]
    assert [r["title"] for r in api.get(url + "?q=video").json()["results"]] == ["Short videos reach teenagers"]
    assert [r["title"] for r in api.get(url + "?source_kind=talk").json()["results"]] == [
        "Short videos reach teenagers"
    ]


def test_the_executives_api_list_has_a_fixed_number_of_queries(api_for, org, viewer, django_assert_max_num_queries):
    for _ in range(3):
        executive = ExecutiveFactory(org=org)
        TrainingSessionFactory(executive=executive)
        ExecutiveSource.objects.create(org=org, executive=executive, name="Diario")
    api = api_for(viewer)
    with django_assert_max_num_queries(16):
        data = api.get(f"/api/v1/orgs/{org.slug}/learning/executives/").json()
    assert len(data["results"]) == 3
    assert {r["progress"]["done"] for r in data["results"]} == {1}


def test_the_case_study_api_searches_filters_and_records_a_lesson(api_for, org, editor, objects):
    api = api_for(editor)
    base = f"/api/v1/orgs/{org.slug}/learning/case-studies/"
    response = api.post(
        base,
        {
            "title": "Directos del club",
            "organisation": "Biblioteca Regional",
            "what_they_did": "Emiten el club de lectura en directo",
            "relations": ["allies"],
            "tags": ["vídeo"],
            "adapt": "Un directo del club juvenil",
            "feed_item": objects[FeedItem].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    assert [r["id"] for r in api.get(base + "?q=directo").json()["results"]] == [case_id]
    assert [r["id"] for r in api.get(base + "?relation=allies").json()["results"]] == [case_id]
    response = api.post(f"{base}{case_id}/lesson/")
    assert response.status_code == 201 and response.json()["source_kind"] == "case_study"
    response = api.post(
        base, {"title": "x", "organisation": "y", "what_they_did": "z", "relations": ["enemies"]}, format="json"
    )
    assert response.status_code == 400 and "relations" in response.json()["error"]["fields"]


def test_the_api_refuses_related_rows_of_another_organisation(api_for, org, other_org, editor):
    foreign_item = FeedItemFactory(feed=TrustedFeedFactory(org=other_org))
    response = api_for(editor).post(
        f"/api/v1/orgs/{org.slug}/learning/case-studies/",
        {"title": "x", "organisation": "y", "what_they_did": "z", "feed_item": foreign_item.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "feed_item" in response.json()["error"]["fields"]
    assert not CaseStudy.objects.exists()


def test_the_activity_review_api(api_for, org, editor):
    activity = ActivityFactory(org=org, status="proposed")
    api = api_for(editor)
    url = f"/api/v1/orgs/{org.slug}/learning/activities/{activity.pk}/review/"
    assert api.post(url, {"decision": "maybe"}, format="json").status_code == 400
    response = api.post(url, {"decision": "accepted"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
