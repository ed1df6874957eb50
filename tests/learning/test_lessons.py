"""Lessons learned: the quick note from any page, the list's search and filters, the weekly digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from learning import tasks
from learning.models import Lesson, LessonDigestSubscription
from learning.services.lessons import lesson_digests_send, lesson_record
from mesm.models import Membership
from tests import factories
from tests.learning.work_factories import LessonFactory

pytestmark = pytest.mark.django_db


def _quick(org):
    return reverse("learning-lesson-quick", args=[org.slug])


def test_the_quick_note_form_is_prefilled_with_where_it_came_from(client_for, org, viewer):
    client = client_for(viewer)
    response = client.get(_quick(org) + "?from=/o/norte/listening/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="from" value="/o/norte/listening/"' in html
    assert 'name="source_url" value="/o/norte/listening/"' in html
    assert "<html" in html  # a whole page without htmx


def test_a_viewer_saves_a_quick_note_and_goes_back_with_a_message(client_for, org, viewer):
    client = client_for(viewer)
    response = client.post(
        _quick(org),
        {"title": "Las fotos de la sala de estudio funcionan", "body": "", "from": "/o/norte/listening/"},
        follow=True,
    )
    assert response.redirect_chain == [("/o/norte/listening/", 302)]
    lesson = Lesson.objects.get()
    assert (lesson.org, lesson.author, lesson.source_kind) == (org, viewer, "note")
    assert lesson.source_url == "/o/norte/listening/"
    messages = [str(m) for m in response.context["messages"]]
    assert any("Las fotos de la sala de estudio funcionan" in m for m in messages)


def test_a_quick_note_never_redirects_to_another_site(client_for, org, viewer):
    client = client_for(viewer)
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(_quick(org), {"title": "Nota", "from": target})
        assert response.status_code == 302
        assert response["Location"] == reverse("learning-lesson-list", args=[org.slug])
    assert set(Lesson.objects.values_list("source_url", flat=True)) == {""}


def test_a_quick_note_without_title_is_refused_and_nothing_saved(client_for, org, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.post(_quick(org), {"title": "  ", "from": "/o/norte/"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Lesson.objects.exists()


def test_the_quick_note_works_as_an_htmx_dialog(client_for, org, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.get(_quick(org) + "?from=/o/norte/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="quick-lesson-title"' in html and "<form" in html
    response = client.post(_quick(org), {"title": "", "from": "/o/norte/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx: the errors show in the dialog
    assert "This field is required." in response.content.decode()
    response = client.post(_quick(org), {"title": "Responder en público", "from": "/o/norte/"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lesson saved" in html and "Responder en público" in html and "<html" not in html
    assert Lesson.objects.get().source_url == "/o/norte/"


def test_the_list_searches_in_both_languages_and_filters_by_kind_and_tag(client_for, org, viewer):
    lesson_record(
        org, title="Los hilos de historia local", body="Respuestas de vecinos.", source_kind="experiment", tags="hilos"
    )
    lesson_record(
        org,
        title="Short videos reach teenagers",
        body="Librarians recommending books.",
        source_kind="talk",
        tags="vídeo",
    )
    lesson_record(
        org, title="Responder en público", body="Evita preguntas repetidas.", source_kind="note", tags="atención"
    )
    client = client_for(viewer)
    url = reverse("learning-lesson-list", args=[org.slug])

    def titles(query):
        return [lesson.title for lesson in client.get(url + query).context["lessons"]]

    assert titles("?q=hilo") == ["Los hilos de historia local"]
    assert titles("?q=teenager") == ["Short videos reach teenagers"]
    assert titles("?q=recommend") == ["Short videos reach teenagers"]
    assert titles("?q=pregunta") == ["Responder en público"]
    assert titles("?kind=talk") == ["Short videos reach teenagers"]
    assert titles("?tag=atención") == ["Responder en público"]
    assert sorted(titles("")) == sorted(Lesson.objects.values_list("title", flat=True))
    response = client.get(url + "?q=hilo", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lesson-results")
    assert "<html" not in response.content.decode() and "Los hilos de historia local" in response.content.decode()


def test_only_the_author_or_an_editor_changes_a_lesson(client_for, org, editor, viewer):
    other = factories.MembershipFactory(org=org, role="viewer").user
    lesson = LessonFactory(org=org, author=viewer, title="Mía")
    client = client_for(other)
    response = client.post(reverse("learning-lesson-edit", args=[org.slug, lesson.pk]), {"title": "Cambiada"})
    assert response.status_code == 302
    client.post(reverse("learning-lesson-delete", args=[org.slug, lesson.pk]))
    lesson.refresh_from_db()
    assert lesson.title == "Mía"
    client.force_login(viewer)
    data = {
        "title": "Mía, mejorada",
        "body": "",
        "source_kind": "note",
        "source_label": "",
        "source_url": "",
        "tags": "",
    }
    client.post(reverse("learning-lesson-edit", args=[org.slug, lesson.pk]), data)
    lesson.refresh_from_db()
    assert lesson.title == "Mía, mejorada"
    client.force_login(editor)
    client.post(reverse("learning-lesson-delete", args=[org.slug, lesson.pk]))
    assert not Lesson.objects.exists()


def test_a_lesson_link_must_be_a_page_here_or_a_web_address(client_for, org, viewer):
    client = client_for(viewer)
    data = {"title": "x", "body": "", "source_kind": "note", "source_label": "", "tags": ""}
    response = client.post(
        reverse("learning-lesson-create", args=[org.slug]), {**data, "source_url": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert not Lesson.objects.exists()
    client.post(reverse("learning-lesson-create", args=[org.slug]), {**data, "source_url": "/o/norte/learning/"})
    assert Lesson.objects.get().source_url == "/o/norte/learning/"


# --- the weekly digest ------------------------------------------------------------------------


def test_the_toggle_opts_a_member_in_and_out(client_for, org, viewer):
    client = client_for(viewer)
    membership = Membership.objects.get(user=viewer, org=org)
    url = reverse("learning-lesson-digest", args=[org.slug])
    client.post(url, {"subscribe": "1"})
    assert LessonDigestSubscription.objects.filter(membership=membership).exists()
    client.post(url, {"subscribe": "1"})
    assert LessonDigestSubscription.objects.count() == 1
    client.post(url, {"subscribe": "0"})
    assert not LessonDigestSubscription.objects.exists()


def test_the_digest_goes_to_members_who_opted_in_in_the_org_language(org, editor, viewer, other_org, outsider):
    LessonDigestSubscription.objects.create(membership=Membership.objects.get(user=viewer, org=org))
    LessonDigestSubscription.objects.create(membership=Membership.objects.get(user=outsider, org=other_org))
    other_org.language = "en"
    other_org.save()
    lesson_record(
        org, title="Responder en público", body="Evita preguntas repetidas.", source_kind="note", author=editor
    )
    lesson_record(org, title="Hilos por la tarde", body="", source_kind="experiment")
    old = lesson_record(org, title="Lección antigua", body="", source_kind="note")
    Lesson.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    lesson_record(other_org, title="Threads in the evening", body="Twice the replies.", source_kind="note")

    assert tasks.send_lesson_digests() == 2
    by_to = {message.to[0]: message for message in mail.outbox}
    assert set(by_to) == {viewer.email, outsider.email}  # the editor did not opt in

    spanish = by_to[viewer.email]
    with translation.override("es"):
        assert spanish.subject == ngettext(
            "%(org)s: %(count)s new lesson learned this week", "%(org)s: %(count)s new lessons learned this week", 2
        ) % {"org": "Biblioteca Norte", "count": 2}
    assert "Responder en público" in spanish.body and "Hilos por la tarde" in spanish.body
    assert "Lección antigua" not in spanish.body and "Threads in the evening" not in spanish.body
    html, mimetype = spanish.alternatives[0]
    assert mimetype == "text/html"
    assert "Responder en público" in html and 'lang="es"' in html
    assert "/o/norte/learning/lessons/" in spanish.body

    english = by_to[outsider.email]
    assert english.subject == "Biblioteca Sur: 1 new lesson learned this week"
    assert "Threads in the evening" in english.body and "Responder en público" not in english.body

    # Running again the same week sends nothing twice.
    assert tasks.send_lesson_digests() == 0
    assert len(mail.outbox) == 2


def test_no_digest_without_new_lessons(org, viewer):
    subscription = LessonDigestSubscription.objects.create(membership=Membership.objects.get(user=viewer, org=org))
    assert lesson_digests_send() == 0
    assert mail.outbox == []
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None


def test_the_next_digest_only_has_lessons_since_the_last_one(org, viewer):
    subscription = LessonDigestSubscription.objects.create(membership=Membership.objects.get(user=viewer, org=org))
    lesson_record(org, title="Primera", body="", source_kind="note")
    now = timezone.now()
    assert lesson_digests_send(now=now) == 1
    lesson_record(org, title="Segunda", body="", source_kind="note")
    assert lesson_digests_send(now=now + timedelta(days=3)) == 0  # too soon
    assert lesson_digests_send(now=now + timedelta(days=6, hours=12)) == 1
    assert "Segunda" in mail.outbox[1].body and "Primera" not in mail.outbox[1].body
    subscription.refresh_from_db()
    assert subscription.last_sent_at == now + timedelta(days=6, hours=12)
