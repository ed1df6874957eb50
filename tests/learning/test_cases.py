"""Case studies: from a reader item, a listening mention or by hand; search, filters, the lesson offer."""

import pytest
from django.urls import reverse

from learning.models import CaseStudy, FeedItemRead, Lesson
from learning.selectors import case_studies_filtered
from tests.learning.work_factories import CaseStudyFactory, FeedItemFactory, TrustedFeedFactory
from tests.listening.factories import MentionFactory

pytestmark = pytest.mark.django_db

DATA = {
    "title": "Hilos de historia local",
    "organisation": "Biblioteca de Getafe",
    "platform": "Mastodon",
    "what_they_did": "Publican cada viernes un hilo con fotos antiguas.",
    "results": "Triplican las respuestas.",
    "adapt": "Un hilo semanal con nuestra colección digital.",
    "relations": ["allies", "field"],
    "tags": "Historia local, #hilos",
    "url": "https://example.org/getafe",
}


def test_an_item_from_the_reader_prefills_the_case_and_is_marked_read(client_for, org, editor):
    item = FeedItemFactory(feed=TrustedFeedFactory(org=org, category="peer", name="Blog de Getafe"), title="Hilos")
    client = client_for(editor)
    url = reverse("learning-case-create", args=[org.slug])
    form = client.get(url + f"?item={item.pk}").context["form"]
    assert form.initial["title"] == "Hilos" and form.initial["organisation"] == "Blog de Getafe"
    response = client.post(url, {**DATA, "item": item.pk})
    case = CaseStudy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning-case-detail", args=[org.slug, case.pk])
    assert (case.org, case.feed_item, case.saved_by) == (org, item, editor)
    assert case.relations == ["allies", "field"]
    assert case.tags == ["historia local", "hilos"]
    assert FeedItemRead.objects.filter(item=item, user=editor).exists()


def test_a_listening_mention_becomes_a_case(client_for, org, editor):
    mention = MentionFactory(
        org=org, text="La biblioteca de al lado hace directos del club", author_name="Biblio Vecina"
    )
    client = client_for(editor)
    url = reverse("learning-case-create", args=[org.slug])
    form = client.get(url + f"?mention={mention.pk}").context["form"]
    assert form.initial["organisation"] == "Biblio Vecina"
    client.post(url, {**DATA, "mention": mention.pk})
    assert CaseStudy.objects.get().mention == mention


def test_an_item_or_mention_of_another_organisation_is_not_found(client_for, org, other_org, editor):
    foreign_item = FeedItemFactory(feed=TrustedFeedFactory(org=other_org))
    foreign_mention = MentionFactory(org=other_org)
    client = client_for(editor)
    url = reverse("learning-case-create", args=[org.slug])
    assert client.get(url + f"?item={foreign_item.pk}").status_code == 404
    assert client.post(url, {**DATA, "mention": foreign_mention.pk}).status_code == 404
    assert not CaseStudy.objects.exists()


def test_a_case_typed_by_hand_needs_what_they_did(client_for, org, editor):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("learning-case-create", args=[org.slug]), {**DATA, "what_they_did": "", "relations": ["nope"]}
    )
    assert response.status_code == 400
    assert not CaseStudy.objects.exists()
    client.post(reverse("learning-case-create", args=[org.slug]), {**DATA, "url": "example.org/caso"})
    assert CaseStudy.objects.get().url == "https://example.org/caso"


def test_saving_what_we_could_adapt_offers_a_lesson_and_records_it_once(client_for, org, editor):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    client.post(reverse("learning-case-create", args=[org.slug]), DATA)
    case = CaseStudy.objects.get()
    detail = reverse("learning-case-detail", args=[org.slug, case.pk])
    assert "Record what we could adapt as a lesson learned?" in client.get(detail).content.decode()
    client.post(reverse("learning-case-lesson", args=[org.slug, case.pk]))
    client.post(reverse("learning-case-lesson", args=[org.slug, case.pk]))
    lesson = Lesson.objects.get()
    assert (lesson.source_kind, lesson.body, lesson.source_url) == ("case_study", DATA["adapt"], detail)
    assert lesson.tags == ["historia local", "hilos"]
    html = client.get(detail).content.decode()
    assert "Record what we could adapt" not in html and "Recorded as a lesson learned" in html


def test_a_case_without_what_we_could_adapt_makes_no_offer(client_for, org, editor):
    case = CaseStudyFactory(org=org, adapt="")
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    assert (
        "Record what we could adapt"
        not in client.get(reverse("learning-case-detail", args=[org.slug, case.pk])).content.decode()
    )
    client.post(reverse("learning-case-lesson", args=[org.slug, case.pk]))
    assert not Lesson.objects.exists()


def test_search_and_filters(client_for, org, viewer):
    CaseStudyFactory(
        org=org,
        title="Vídeos cortos",
        what_they_did="Bibliotecarios recomiendan libros",
        relations=["allies"],
        platform="TikTok",
        tags=["vídeo"],
    )
    CaseStudyFactory(
        org=org,
        title="Humour in complaints",
        what_they_did="They answer complaints within an hour",
        relations=["competitors"],
        platform="Instagram",
    )
    CaseStudyFactory(
        org=org, title="Guías de lectura fácil", what_they_did="Carruseles", relations=["field"], platform="Instagram"
    )

    def titles(**filters):
        return [c.title for c in case_studies_filtered(CaseStudy.objects.filter(org=org), **filters)]

    assert titles(q="bibliotecario libro") == ["Vídeos cortos"]
    assert titles(q="complaint answered") == ["Humour in complaints"]
    assert titles(relation="competitors") == ["Humour in complaints"]
    assert sorted(titles(platform="instagram")) == ["Guías de lectura fácil", "Humour in complaints"]
    assert titles(tag="vídeo") == ["Vídeos cortos"]
    response = client_for(viewer).get(reverse("learning-case-list", args=[org.slug]) + "?q=carrusel")
    assert [c.title for c in response.context["cases"]] == ["Guías de lectura fácil"]


def test_a_viewer_reads_cases_but_cannot_save_them(client_for, org, viewer):
    case = CaseStudyFactory(org=org)
    client = client_for(viewer)
    assert client.get(reverse("learning-case-detail", args=[org.slug, case.pk])).status_code == 200
    assert client.post(reverse("learning-case-create", args=[org.slug]), DATA).status_code == 403
    assert client.post(reverse("learning-case-delete", args=[org.slug, case.pk])).status_code == 403
    assert CaseStudy.objects.count() == 1
