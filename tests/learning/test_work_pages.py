"""Every page of the work half renders for each role, with the demo data and empty."""

import pytest
from django.urls import reverse

from learning.demo_work import seed_work
from learning.models import Activity, CaseStudy, Executive, Lesson, RecurringSession, TrainingSession, TrustedFeed
from metrics.models import InstitutionalKPI

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(org, admin_user, editor, viewer):
    for name in ("Visitas presenciales", "Nuevos carnés"):
        InstitutionalKPI.objects.create(org=org, name=name)
    seed_work(org, {"ana": admin_user, "luis": editor, "carmen": viewer})
    return org


def _pages(org):
    slug = org.slug
    executive = Executive.objects.get(org=org)
    pages = [
        reverse(name, args=[slug])
        for name in (
            "learning-home",
            "learning-activity-list",
            "learning-activity-create",
            "learning-feed-list",
            "learning-reader",
            "learning-case-list",
            "learning-executive-list",
            "learning-lesson-list",
            "learning-lesson-create",
            "learning-lesson-quick",
        )
    ]
    pages += [
        reverse("learning-activity-detail", args=[slug, Activity.objects.filter(org=org).first().pk]),
        reverse("learning-case-detail", args=[slug, CaseStudy.objects.filter(org=org).first().pk]),
        reverse("learning-executive-detail", args=[slug, executive.pk]),
        reverse("learning-lesson-detail", args=[slug, Lesson.objects.filter(org=org).first().pk]),
    ]
    return pages


def _editor_pages(org):
    slug = org.slug
    executive = Executive.objects.get(org=org)
    return [
        reverse("learning-activity-edit", args=[slug, Activity.objects.filter(org=org).first().pk]),
        reverse("learning-pilot-create", args=[slug, Activity.objects.filter(org=org).first().pk]),
        reverse("learning-feed-create", args=[slug]),
        reverse("learning-feed-edit", args=[slug, TrustedFeed.objects.filter(org=org).first().pk]),
        reverse("learning-case-create", args=[slug]),
        reverse("learning-case-edit", args=[slug, CaseStudy.objects.filter(org=org).first().pk]),
        reverse("learning-executive-create", args=[slug]),
        reverse("learning-executive-edit", args=[slug, executive.pk]),
        reverse("learning-training-create", args=[slug, executive.pk]),
        reverse("learning-training-edit", args=[slug, TrainingSession.objects.filter(org=org).first().pk]),
        reverse("learning-recurring-create", args=[slug, executive.pk]),
        reverse("learning-recurring-edit", args=[slug, RecurringSession.objects.filter(org=org).first().pk]),
    ]


def test_it_renders_every_page_with_demo_data(client_for, demo, editor, viewer):
    for user in (editor, viewer):
        client = client_for(user)
        for url in _pages(demo):
            response = client.get(url)
            assert response.status_code == 200, url
    client = client_for(editor)
    for url in _editor_pages(demo):
        assert client.get(url).status_code == 200, url


def test_a_viewer_cannot_open_the_edit_pages(client_for, demo, viewer):
    client = client_for(viewer)
    for url in _editor_pages(demo):
        assert client.get(url).status_code == 403, url


def test_it_renders_the_empty_pages_in_plain_words(client_for, org, editor):
    client = client_for(editor)
    slug = org.slug
    client.cookies["django_language"] = "en"
    assert "No lessons yet" in client.get(reverse("learning-lesson-list", args=[slug])).content.decode()
    assert "The catalogue is empty" in client.get(reverse("learning-activity-list", args=[slug])).content.decode()
    assert "does not follow any trusted source" in client.get(reverse("learning-reader", args=[slug])).content.decode()
    assert "No case studies yet" in client.get(reverse("learning-case-list", args=[slug])).content.decode()
    assert "No executives yet" in client.get(reverse("learning-executive-list", args=[slug])).content.decode()
    assert client.get(reverse("learning-home", args=[slug])).status_code == 200


def test_the_demo_is_safe_to_run_twice(demo, admin_user, editor, viewer):
    counts = [
        model.objects.filter(org=demo).count()
        for model in (Activity, CaseStudy, Executive, Lesson, TrainingSession, TrustedFeed, RecurringSession)
    ]
    seed_work(demo, {"ana": admin_user, "luis": editor, "carmen": viewer})
    again = [
        model.objects.filter(org=demo).count()
        for model in (Activity, CaseStudy, Executive, Lesson, TrainingSession, TrustedFeed, RecurringSession)
    ]
    assert counts == again
    assert counts == [5, 6, 1, counts[3], 2, 2, 1]
    assert Lesson.objects.filter(org=demo).values("source_kind").distinct().count() >= 4
