"""Staff surveys: building, the public link, answer validation, dates, one answer per member, results, CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from learning.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from learning.people import surveys as service
from tests import factories
from tests.learning.test_people_factories import answer, make_survey, questions

pytestmark = pytest.mark.django_db


def _post(client, survey, **values):
    return client.post(f"/s/{survey.token}/", values)


def _form(survey, single="A diario", multiple=("Novedades",), scale="4", nps="", text=""):
    q = questions(survey)
    return {f"q{q[0].pk}": single, f"q{q[1].pk}": list(multiple), f"q{q[2].pk}": scale, f"q{q[3].pk}": nps,
            f"q{q[4].pk}": text}  # fmt: skip


# --- building ---------------------------------------------------------------------------------------------------------


def test_it_creates_the_template_survey_in_the_organisations_language(client_for, org, editor):
    response = client_for(editor).post("/o/norte/learning/surveys/from-template/")
    survey = Survey.objects.get(org=org)
    assert response.status_code == 302
    assert response["Location"] == f"/o/norte/learning/surveys/{survey.pk}/"
    assert survey.title == "¿Qué te gustaría ver en nuestras redes sociales?"
    assert survey.language == "es"
    kinds = [q.kind for q in survey.questions.order_by("position")]
    assert kinds == ["single", "multiple", "multiple", "scale", "scale", "single", "text"]
    scales = [(q.scale_min, q.scale_max) for q in survey.questions.filter(kind="scale").order_by("position")]
    assert scales == [(1, 5), (0, 10)]
    assert "Agenda de actividades y eventos" in survey.questions.get(position=2).options


def test_it_creates_the_template_in_english_for_an_english_organisation(client_for, org, editor):
    org.language = "en"
    org.save()
    client_for(editor).post("/o/norte/learning/surveys/from-template/")
    survey = Survey.objects.get(org=org)
    assert survey.title == "What would you like to see on our social media?"
    assert survey.language == "en"


def test_it_refuses_a_choice_question_with_one_option_and_a_strange_scale(client_for, org, editor):
    survey = Survey.objects.create(org=org, title="Prueba")
    client = client_for(editor)
    url = f"/o/norte/learning/surveys/{survey.pk}/questions/"
    response = client.post(
        url, {"text": "¿Color?", "kind": "single", "required": "on", "options": "Rojo", "scale": "1-5"}
    )
    assert response.status_code == 400
    assert "at least two options" in response.content.decode() or "al menos dos" in response.content.decode()
    response = client.post(url, {"text": "¿Cuánto?", "kind": "scale", "scale": "2-7"})
    assert response.status_code == 400
    assert not SurveyQuestion.objects.filter(survey=survey).exists()
    response = client.post(url, {"text": "¿Cuánto?", "kind": "scale", "scale": "0-10", "scale_min_label": "Nada"})
    assert response.status_code == 302
    question = SurveyQuestion.objects.get(survey=survey)
    assert (question.scale_min, question.scale_max, question.position) == (0, 10, 1)


def test_it_moves_questions_up_and_down(client_for, org, editor):
    survey = make_survey(org)
    first, second = questions(survey)[:2]
    response = client_for(editor).post(f"/o/norte/learning/survey-questions/{second.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert [q.pk for q in questions(survey)][:2] == [second.pk, first.pk]
    # With htmx, the list fragment comes back instead of a redirect.
    response = client_for(editor).post(
        f"/o/norte/learning/survey-questions/{second.pk}/move/", {"direction": "down"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="question-list"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert [q.pk for q in questions(survey)][:2] == [first.pk, second.pk]


def test_a_viewer_can_read_but_not_build_surveys(client_for, org, viewer):
    survey = make_survey(org)
    client = client_for(viewer)
    assert client.get("/o/norte/learning/surveys/").status_code == 200
    assert client.get(f"/o/norte/learning/surveys/{survey.pk}/").status_code == 200
    assert client.post("/o/norte/learning/surveys/from-template/").status_code == 403
    assert client.get("/o/norte/learning/surveys/new/").status_code == 403
    assert client.post(f"/o/norte/learning/surveys/{survey.pk}/delete/").status_code == 403
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_the_list_says_what_to_do_when_there_are_no_surveys(client_for, org, editor):
    response = client_for(editor).get("/o/norte/learning/surveys/", cookies=None)
    assert response.status_code == 200
    assert "surveys/from-template/" in response.content.decode()


# --- answering through the public link --------------------------------------------------------------------------------


def test_anyone_answers_an_open_survey_from_its_link(client, org):
    survey = make_survey(org)
    page = client.get(f"/s/{survey.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert html.count("<fieldset") == 5
    assert "<legend>1. ¿Con qué frecuencia?" in html
    response = _post(
        client, survey, **_form(survey, multiple=("Novedades", "Equipo"), scale="5", nps="9", text="Más fotos")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/s/{survey.token}/thanks/"
    saved = SurveyResponse.objects.get(survey=survey)
    assert saved.respondent is None
    by_text = {a.question.text: a for a in saved.answers.select_related("question")}
    assert by_text["¿Con qué frecuencia?"].choices == ["A diario"]
    assert by_text["¿Qué te gustaría ver?"].choices == ["Novedades", "Equipo"]
    assert by_text["¿Cuánto te ayudan?"].number == 5
    assert by_text["¿Nos recomendarías?"].number == 9
    assert by_text["¿Algo más?"].text == "Más fotos"
    assert client.get(f"/s/{survey.token}/thanks/").status_code == 200


def test_it_keeps_an_anonymous_survey_anonymous_even_for_a_signed_in_member(client_for, org, editor):
    survey = make_survey(org)
    _post(client_for(editor), survey, **_form(survey))
    assert SurveyResponse.objects.get(survey=survey).respondent is None


@pytest.mark.parametrize(
    "change, question_index, message",
    [
        ({"single": "Siempre"}, 0, "is not one of the options"),
        ({"multiple": ("Novedades", "Cotilleos")}, 1, "is not one of the options"),
        ({"scale": "6"}, 2, "from 1 to 5"),
        ({"scale": "tres"}, 2, "from 1 to 5"),
        ({"nps": "11"}, 3, "from 0 to 10"),
        ({"single": ""}, 0, "Choose one option"),
        ({"multiple": ()}, 1, "Choose at least one option"),
        ({"scale": ""}, 2, "Choose a value on the scale"),
    ],
)
def test_it_refuses_answers_that_do_not_fit_the_question_and_saves_nothing(
    client, org, change, question_index, message
):
    survey = make_survey(org)
    client.cookies["django_language"] = "en"
    response = _post(client, survey, **_form(survey, **change))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    question = questions(survey)[question_index]
    # The message sits beside its question, linked from the summary.
    assert f'id="q{question.pk}-error"' in html
    assert message in html
    assert f'href="#q{question.pk}-1"' in html
    assert SurveyResponse.objects.count() == 0
    assert SurveyAnswer.objects.count() == 0


def test_it_keeps_what_was_typed_when_an_answer_is_refused(client, org):
    survey = make_survey(org)
    response = _post(client, survey, **_form(survey, single="", text="Quiero ver el archivo", multiple=("Eventos",)))
    html = response.content.decode()
    assert "Quiero ver el archivo</textarea>" in html
    assert 'value="Eventos" checked' in html


def test_it_refuses_a_text_answer_longer_than_the_limit(org):
    survey = make_survey(org)
    with pytest.raises(service.SurveyAnswersInvalid) as refused:
        answer(survey, single="A diario", multiple=["Eventos"], scale=3, text="x" * 4001)
    assert questions(survey)[4].pk in refused.value.errors
    assert SurveyResponse.objects.count() == 0


def test_it_refuses_answers_to_a_closed_survey(client, org):
    survey = make_survey(org, closes_at=timezone.now() - timedelta(hours=1))
    client.cookies["django_language"] = "en"
    page = client.get(f"/s/{survey.token}/")
    assert page.status_code == 410
    assert "closed on" in page.content.decode()
    assert "<fieldset" not in page.content.decode()
    response = _post(client, survey, **_form(survey))
    assert response.status_code == 410
    assert "Nothing was saved." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_it_refuses_answers_before_the_survey_opens(client, org):
    survey = make_survey(org, opens_at=timezone.now() + timedelta(days=2))
    client.cookies["django_language"] = "en"
    response = _post(client, survey, **_form(survey))
    assert "not open yet" in response.content.decode()
    assert SurveyResponse.objects.count() == 0
    with pytest.raises(service.SurveyNotOpen):
        answer(survey, single="A diario", multiple=["Eventos"], scale=3)


def test_it_refuses_a_survey_whose_close_date_is_before_its_open_date(client_for, org, editor):
    now = timezone.localtime()
    response = client_for(editor).post(
        "/o/norte/learning/surveys/new/",
        {
            "title": "Mal",
            "language": "es",
            "access": "anyone",
            "opens_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": now.strftime("%Y-%m-%dT%H:%M"),
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not Survey.objects.exists()


def test_closing_a_survey_now_stops_its_link(client_for, client, org, editor):
    survey = make_survey(org)
    client_for(editor).post(f"/o/norte/learning/surveys/{survey.pk}/state/", {"action": "close"})
    survey.refresh_from_db()
    assert survey.state() == "closed"
    client.logout()
    assert client.get(f"/s/{survey.token}/").status_code == 410
    client_for(editor).post(f"/o/norte/learning/surveys/{survey.pk}/state/", {"action": "open"})
    survey.refresh_from_db()
    assert survey.state() == "open"


def test_a_survey_without_questions_says_so_instead_of_an_empty_form(client, org):
    survey = Survey.objects.create(org=org, title="Vacía")
    client.cookies["django_language"] = "en"
    html = client.get(f"/s/{survey.token}/").content.decode()
    assert "This survey has no questions yet." in html
    assert "<form" not in html.split("<main")[1]


def test_an_unknown_link_is_not_found(client, org):
    assert client.get("/s/no-such-token/").status_code == 404


# --- members only: one answer per person -------------------------------------------------------------------------------


def test_a_members_only_survey_asks_to_sign_in(client, org):
    survey = make_survey(org, access="members")
    response = client.get(f"/s/{survey.token}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_member_answers_a_members_only_survey_once(client_for, org, viewer):
    survey = make_survey(org, access="members")
    client = client_for(viewer)
    assert _post(client, survey, **_form(survey)).status_code == 302
    assert SurveyResponse.objects.get(survey=survey).respondent == viewer
    again = client.get(f"/s/{survey.token}/")
    assert "<fieldset" not in again.content.decode()
    response = _post(client, survey, **_form(survey, single="Nunca"))
    assert response.status_code == 200
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.filter(response__survey=survey, choices=["Nunca"]).count() == 0
    with pytest.raises(service.SurveyAlreadyAnswered):
        answer(survey, single="Nunca", multiple=["Eventos"], scale=1, user=viewer)


def test_the_database_keeps_one_answer_per_member(org, viewer):
    survey = make_survey(org, access="members")
    SurveyResponse.objects.create(org=org, survey=survey, respondent=viewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(org=org, survey=survey, respondent=viewer)
    # Anonymous responses have no respondent and are not limited.
    SurveyResponse.objects.create(org=org, survey=survey)
    SurveyResponse.objects.create(org=org, survey=survey)


def test_someone_of_another_organisation_cannot_answer_a_members_only_survey(client_for, org, outsider):
    survey = make_survey(org, access="members")
    response = _post(client_for(outsider), survey, **_form(survey))
    assert response.status_code == 403
    assert SurveyResponse.objects.count() == 0


# --- results and export -----------------------------------------------------------------------------------------------


@pytest.fixture
def answered(org):
    survey = make_survey(org)
    answer(survey, single="A diario", multiple=["Novedades", "Eventos"], scale=5, nps=10, text="Más vídeos")
    answer(survey, single="A diario", multiple=["Novedades"], scale=4, nps=7)
    answer(survey, single="Nunca", multiple=["Equipo", "Novedades"], scale=3, text="Fotos del fondo antiguo")
    answer(survey, single="A diario", multiple=["Eventos"], scale=4)
    return survey


def test_it_computes_results_from_known_answers(answered):
    total, results = service.survey_results(answered)
    assert total == 4
    single, multiple, scale, nps, text = results
    assert single.counts == [("A diario", 3), ("Nunca", 1)]
    assert single.answered == 4
    assert multiple.counts == [("Novedades", 3), ("Eventos", 2), ("Equipo", 1)]
    assert multiple.share(3) == 0.75
    assert scale.counts == [("1 · Nada", 0), ("2", 0), ("3", 1), ("4", 2), ("5 · Mucho", 1)]
    assert scale.average == 4.0
    assert nps.answered == 2
    assert nps.average == 8.5
    assert [count for _label, count in nps.counts] == [0] * 7 + [1, 0, 0, 1]
    assert text.texts == ["Más vídeos", "Fotos del fondo antiguo"]


def test_results_count_answers_to_an_option_that_was_renamed_since(answered):
    question = questions(answered)[0]
    question.options = ["Cada día", "Nunca"]
    question.save()
    _total, results = service.survey_results(answered)
    assert results[0].counts == [("Cada día", 0), ("Nunca", 1), ("A diario", 3)]


def test_the_results_page_shows_charts_averages_and_written_answers(client_for, answered, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.get(f"/o/norte/learning/surveys/{answered.pk}/results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<figure class="chart') == 4  # choice and scale questions; the text one is a list
    assert "Average: 4 (scale 1–5)" in html
    assert "Average: 8.5 (scale 0–10)" in html
    assert "Fotos del fondo antiguo" in html
    assert "<title" in html and "75%" in html  # English: no space before the sign


def test_the_results_page_of_a_survey_without_answers_says_so(client_for, org, editor):
    survey = make_survey(org)
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.get(f"/o/norte/learning/surveys/{survey.pk}/results/")
    assert "Nobody has answered yet" in response.content.decode()


def test_it_exports_the_responses_as_csv_with_formulas_neutralised(client_for, org, editor):
    survey = make_survey(org)
    answer(survey, single="A diario", multiple=["Novedades"], scale=2, text='=HYPERLINK("http://x")')
    answer(survey, single="Nunca", multiple=["Eventos", "Equipo"], scale=5, text="@SUM(A1)")
    answer(survey, single="Nunca", multiple=["Eventos"], scale=1, text="+1 y -2, normal")
    response = client_for(editor).get(f"/o/norte/learning/surveys/{survey.pk}/responses.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2:] == [q.text for q in questions(survey)]
    assert len(rows) == 4
    assert rows[1][2:] == ["A diario", "Novedades", "2", "", '\'=HYPERLINK("http://x")']
    assert rows[2][3] == "Eventos; Equipo"
    assert rows[2][6] == "'@SUM(A1)"
    assert rows[3][6] == "'+1 y -2, normal"


def test_it_neutralises_every_formula_start():
    from learning.people.csvutil import csv_safe

    assert [csv_safe(v) for v in ["=1", "+1", "-1", "@a", "\tx", "ok", 3, None]] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "ok", 3, "",
    ]  # fmt: skip


def test_the_export_names_the_respondent_only_on_members_only_surveys(client_for, org, editor, viewer):
    survey = make_survey(org, access="members")
    answer(survey, single="A diario", multiple=["Novedades"], scale=2, user=viewer)
    rows = list(
        csv.reader(
            io.StringIO(
                client_for(editor)
                .get(f"/o/norte/learning/surveys/{survey.pk}/responses.csv")
                .content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1][2] == viewer.username


def test_a_user_factory_member_of_two_orgs_sees_only_this_orgs_surveys(client_for, org, other_org, editor):
    factories.MembershipFactory(org=other_org, user=editor, role="editor")
    make_survey(other_org, title="Encuesta del sur")
    make_survey(org, title="Encuesta del norte")
    html = client_for(editor).get("/o/norte/learning/surveys/").content.decode()
    assert "Encuesta del norte" in html
    assert "Encuesta del sur" not in html
