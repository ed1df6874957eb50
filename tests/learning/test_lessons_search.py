"""Lessons learned: recording and full-text search in Spanish and English."""

import pytest

from learning.models import Lesson
from learning.services.lessons import lesson_record

pytestmark = pytest.mark.django_db


def _titles(queryset):
    return {lesson.title for lesson in queryset}


def test_it_records_a_lesson_with_clean_tags(org, editor):
    lesson = lesson_record(
        org,
        title="  Los hilos funcionan mejor por la tarde ",
        body="Publicar hilos a las 18:00 duplicó las respuestas.",
        source_kind=Lesson.SourceKind.EXPERIMENT,
        source_label="Experimento de hilos",
        source_url="/o/norte/learning/experiments/1/",
        author=editor,
        tags="Hilos, #mastodon, hilos, ",
    )
    lesson.refresh_from_db()
    assert lesson.title == "Los hilos funcionan mejor por la tarde"
    assert lesson.tags == ["hilos", "mastodon"]
    assert lesson.author == editor
    assert lesson.org == org


def test_it_refuses_a_lesson_without_title_and_saves_nothing(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        lesson_record(org, title="   ", body="algo", source_kind="note")
    assert not Lesson.objects.exists()


def test_it_refuses_an_unknown_source_kind(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        lesson_record(org, title="Algo", body="algo", source_kind="rumour")
    assert not Lesson.objects.exists()


def test_a_spanish_query_finds_spanish_lessons_by_stem(org, other_org):
    lesson_record(
        org, title="Las bibliotecas públicas conversan", body="Respondimos a los lectores.", source_kind="note"
    )
    lesson_record(org, title="Threads get more replies", body="Posting threads in the evening.", source_kind="note")
    lesson_record(other_org, title="Biblioteca ajena", body="bibliotecas públicas", source_kind="note")
    found = Lesson.objects.for_org(org).search("biblioteca pública")
    assert _titles(found) == {"Las bibliotecas públicas conversan"}
    assert _titles(Lesson.objects.for_org(org).search("lector")) == {"Las bibliotecas públicas conversan"}


def test_an_english_query_finds_english_lessons_by_stem(org):
    lesson_record(
        org, title="Las bibliotecas públicas conversan", body="Respondimos a los lectores.", source_kind="note"
    )
    lesson_record(org, title="Threads get more replies", body="Posting threads in the evening.", source_kind="note")
    assert _titles(Lesson.objects.for_org(org).search("thread replied")) == {"Threads get more replies"}
    assert _titles(Lesson.objects.for_org(org).search("posted")) == {"Threads get more replies"}
    assert _titles(Lesson.objects.for_org(org).search("")) == {
        "Las bibliotecas públicas conversan",
        "Threads get more replies",
    }
