"""REST API of the people half: shapes, roles (viewers read, editors write, members vote/answer/acknowledge),
the public answering endpoint, and refusals in the one error format."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import (
    PolicyAcknowledgement,
    StaffMember,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    ThinkTankVote,
)
from strategy.models import ConversationIdea
from tests.learning.test_people_factories import (
    answer,
    make_experiment,
    make_group,
    make_idea,
    make_list,
    make_policy,
    make_staff,
    make_survey,
    make_talk,
    questions,
)
from tests.strategy.calendar_factories import PlannedPostFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/norte/learning"


def _answers(survey, single="A diario", multiple=("Eventos",), scale=4):
    q = questions(survey)
    return {"answers": [{"question": q[0].pk, "choices": [single]}, {"question": q[1].pk, "choices": list(multiple)},
                        {"question": q[2].pk, "value": scale}, {"question": q[4].pk, "text": "Más fotos"}]}  # fmt: skip


# --- surveys -------------------------------------------------------------------------------------------------------------


def test_it_lists_surveys_with_their_questions_in_a_fixed_number_of_queries(
    api_for, org, viewer, django_assert_max_num_queries
):
    for n in range(3):
        answer(make_survey(org, title=f"Encuesta {n}"), single="A diario", multiple=["Eventos"], scale=3)
    with django_assert_max_num_queries(8):
        response = api_for(viewer).get(f"{BASE}/surveys/")
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert set(first) == {
        "id", "title", "intro", "language", "access", "opens_at", "closes_at", "thanks_message", "token",
        "public_url", "state", "response_count", "questions", "created_at", "updated_at",
    }  # fmt: skip
    assert first["response_count"] == 1
    assert first["state"] == "open"
    assert first["public_url"].endswith(f"/s/{first['token']}/")
    assert [q["kind"] for q in first["questions"]] == ["single", "multiple", "scale", "scale", "text"]


def test_an_editor_creates_a_survey_and_its_questions_and_a_viewer_cannot(api_for, org, editor, viewer):
    response = api_for(viewer).post(f"{BASE}/surveys/", {"title": "No"}, format="json")
    assert response.status_code == 403
    api = api_for(editor)
    response = api.post(f"{BASE}/surveys/", {"title": "Canales", "language": "es"}, format="json")
    assert response.status_code == 201
    survey_id = response.json()["id"]
    response = api.post(
        f"{BASE}/survey-questions/",
        {"survey": survey_id, "text": "¿Cuál?", "kind": "single", "options": ["Mastodon", "Bluesky"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["position"] == 1
    response = api.post(
        f"{BASE}/survey-questions/",
        {"survey": survey_id, "text": "¿Cuál?", "kind": "multiple", "options": ["Solo"]},
        format="json",
    )
    assert response.status_code == 400
    assert "options" in response.json()["error"]["fields"]
    assert SurveyQuestion.objects.filter(survey_id=survey_id).count() == 1
    assert Survey.objects.get(pk=survey_id).created_by == editor


def test_it_creates_the_template_survey(api_for, org, editor):
    response = api_for(editor).post(f"{BASE}/surveys/from-template/", {"language": "en"}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == "What would you like to see on our social media?"
    assert len(response.json()["questions"]) == 7


def test_a_question_of_another_organisations_survey_is_refused(api_for, org, other_org, editor):
    foreign = make_survey(other_org)
    response = api_for(editor).post(
        f"{BASE}/survey-questions/", {"survey": foreign.pk, "text": "x", "kind": "text"}, format="json"
    )
    assert response.status_code == 400
    assert "survey" in response.json()["error"]["fields"]


def test_a_viewer_answers_a_members_only_survey_once_through_the_api(api_for, org, viewer):
    survey = make_survey(org, access="members")
    api = api_for(viewer)
    response = api.post(f"{BASE}/surveys/{survey.pk}/responses/", _answers(survey), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["respondent"] == viewer.pk
    again = api.post(f"{BASE}/surveys/{survey.pk}/responses/", _answers(survey), format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "survey_already_answered"
    assert SurveyResponse.objects.count() == 1


def test_invalid_answers_come_back_per_question_and_nothing_is_saved(api_for, org, viewer):
    survey = make_survey(org)
    q = questions(survey)
    body = {"answers": [{"question": q[0].pk, "choices": ["Siempre"]}, {"question": q[2].pk, "value": 9},
                        {"question": 999999, "text": "¿?"}]}  # fmt: skip
    response = api_for(viewer).post(f"{BASE}/surveys/{survey.pk}/responses/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields["answers"]) == {str(q[0].pk), str(q[1].pk), str(q[2].pk)}
    assert "non_field_errors" in fields
    assert SurveyResponse.objects.count() == 0


def test_a_closed_survey_refuses_answers_with_409(api_for, org, viewer):
    survey = make_survey(org, closes_at=timezone.now() - timedelta(minutes=1))
    response = api_for(viewer).post(f"{BASE}/surveys/{survey.pk}/responses/", _answers(survey), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "survey_closed"
    assert SurveyResponse.objects.count() == 0


def test_anyone_answers_through_the_public_endpoint_without_an_account(client, org):
    survey = make_survey(org)
    shown = client.get(f"/api/v1/public/surveys/{survey.token}/")
    assert shown.status_code == 200
    assert shown.json()["title"] == "Encuesta al personal"
    assert "token" not in shown.json()
    response = client.post(
        f"/api/v1/public/surveys/{survey.token}/responses/", _answers(survey), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["respondent"] is None
    assert SurveyResponse.objects.get().answers.count() == 4


def test_the_public_endpoint_needs_a_member_for_a_members_only_survey(client, api_for, org, outsider, viewer):
    survey = make_survey(org, access="members")
    url = f"/api/v1/public/surveys/{survey.token}/responses/"
    assert client.post(url, _answers(survey), content_type="application/json").status_code == 403
    assert api_for(outsider).post(url, _answers(survey), format="json").status_code == 403
    assert api_for(viewer).post(url, _answers(survey), format="json").status_code == 201
    assert client.post("/api/v1/public/surveys/nope/responses/", {}, content_type="application/json").status_code == 404


def test_results_are_computed_for_the_api(api_for, org, viewer):
    survey = make_survey(org)
    answer(survey, single="A diario", multiple=["Eventos"], scale=2)
    answer(survey, single="Nunca", multiple=["Eventos", "Equipo"], scale=5, text="Más")
    response = api_for(viewer).get(f"{BASE}/surveys/{survey.pk}/results/")
    assert response.status_code == 200
    data = response.json()
    assert data["responses"] == 2
    single, multiple, scale, _nps, text = data["questions"]
    assert single["counts"] == [{"label": "A diario", "count": 1}, {"label": "Nunca", "count": 1}]
    assert multiple["counts"][1] == {"label": "Eventos", "count": 2}
    assert scale["average"] == 3.5
    assert text["texts"] == ["Más"]
    listed = api_for(viewer).get(f"{BASE}/surveys/{survey.pk}/responses/")
    assert len(listed.json()["results"]) == 2


# --- staff, lists, talks -------------------------------------------------------------------------------------------------


def test_staff_members_and_lists_through_the_api(api_for, org, editor, viewer):
    api = api_for(editor)
    staff_list = api.post(f"{BASE}/staff-lists/", {"name": "Infantil"}, format="json").json()
    response = api.post(
        f"{BASE}/staff/",
        {
            "name": "Ana",
            "department": "Infantil",
            "handles": {"mastodon": "@ana@m.social", "bluesky": ""},
            "lists": [staff_list["id"]],
        },  # fmt: skip
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["handles"] == {"mastodon": "@ana@m.social"}
    bad = api.post(f"{BASE}/staff/", {"name": "B", "handles": {"myspace": "b"}}, format="json")
    assert bad.status_code == 400 and "handles" in bad.json()["error"]["fields"]
    rows = api_for(viewer).get(f"{BASE}/staff-lists/{staff_list['id']}/handles/?platform=mastodon")
    assert rows.json() == [{"name": "Ana", "department": "Infantil", "handle": "@ana@m.social"}]
    assert api_for(viewer).get(f"{BASE}/staff-lists/{staff_list['id']}/handles/?platform=nope").status_code == 400
    assert api_for(viewer).post(f"{BASE}/staff/", {"name": "C"}, format="json").status_code == 403
    assert StaffMember.objects.count() == 1


def test_a_talks_notes_become_a_lesson_through_the_api(api_for, org, editor, viewer):
    talk = make_talk(org)
    assert api_for(viewer).post(f"{BASE}/talks/{talk.pk}/record-lesson/").status_code == 403
    response = api_for(editor).post(f"{BASE}/talks/{talk.pk}/record-lesson/")
    assert response.status_code == 201
    assert response.json()["title"] == talk.topic
    empty = make_talk(org, notes="")
    refused = api_for(editor).post(f"{BASE}/talks/{empty.pk}/record-lesson/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "nothing_to_record"


# --- policy --------------------------------------------------------------------------------------------------------------


def test_policy_versions_and_acknowledgements_through_the_api(api_for, org, editor, viewer):
    api = api_for(editor)
    first = api.post(
        f"{BASE}/policies/",
        {"title": "Política", "label": "1", "body": "Texto", "effective_on": "2026-01-01"},
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["is_current"] is True and first.json()["number"] == 1
    second = api.post(
        f"{BASE}/policies/",
        {"title": "Política", "label": "2", "body": "Texto 2", "effective_on": "2026-06-01"},
        format="json",
    ).json()
    viewer_api = api_for(viewer)
    refused = viewer_api.post(f"{BASE}/policies/{first.json()['id']}/acknowledge/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "policy_not_current"
    assert not PolicyAcknowledgement.objects.exists()
    done = viewer_api.post(f"{BASE}/policies/{second['id']}/acknowledge/", {}, format="json")
    assert done.status_code == 201
    assert done.json()["user"] == viewer.pk
    listed = viewer_api.get(f"{BASE}/policies/{second['id']}/")
    assert listed.json()["acknowledged_by_me"] is True and listed.json()["acknowledgement_count"] == 1
    # The text of an acknowledged version is frozen, and versions are never deleted.
    assert api.patch(f"{BASE}/policies/{second['id']}/", {"body": "Cambio"}, format="json").status_code == 409
    assert api.delete(f"{BASE}/policies/{second['id']}/").status_code == 405
    assert viewer_api.post(f"{BASE}/policies/", {"title": "x"}, format="json").status_code == 403


def test_only_editors_record_acknowledgements_for_staff(api_for, org, editor, viewer):
    version = make_policy(org)
    person = make_staff(org)
    assert (
        api_for(viewer)
        .post(f"{BASE}/policies/{version.pk}/acknowledge/", {"staff_member": person.pk}, format="json")
        .status_code
        == 403
    )
    response = api_for(editor).post(
        f"{BASE}/policies/{version.pk}/acknowledge/", {"staff_member": person.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["staff_member"] == person.pk


# --- exploring trends ----------------------------------------------------------------------------------------------------


def test_any_member_votes_for_ideas_through_the_api(api_for, org, viewer, editor):
    idea = make_idea(org)
    api = api_for(viewer)
    response = api.post(f"{BASE}/ideas/{idea.pk}/vote/")
    assert response.json() == {"voted": True, "vote_count": 1}
    assert api.post(f"{BASE}/ideas/{idea.pk}/vote/").json() == {"voted": True, "vote_count": 1}
    shown = api.get(f"{BASE}/ideas/{idea.pk}/").json()
    assert shown["voted"] is True and shown["vote_count"] == 1
    assert api.delete(f"{BASE}/ideas/{idea.pk}/vote/").json() == {"voted": False, "vote_count": 0}
    assert not ThinkTankVote.objects.exists()
    assert api.patch(f"{BASE}/ideas/{idea.pk}/", {"status": "adopted"}, format="json").status_code == 403
    assert api.post(f"{BASE}/ideas/{idea.pk}/to-conversation/").status_code == 403
    made = api_for(editor).post(f"{BASE}/ideas/{idea.pk}/to-conversation/")
    assert made.status_code == 201
    assert made.json()["post_create_url"].endswith(f"?idea={made.json()['conversation_idea']}")
    assert ConversationIdea.objects.get().title == idea.title


def test_groups_meetings_and_experiments_through_the_api(api_for, org, editor, viewer):
    group = make_group(org)
    api = api_for(editor)
    meeting = api.post(
        f"{BASE}/groups/{group.pk}/meetings/", {"date": "2026-05-01", "topic": "Fediverso"}, format="json"
    )
    assert meeting.status_code == 201
    assert api_for(viewer).get(f"{BASE}/groups/{group.pk}/").json()["meetings"][0]["topic"] == "Fediverso"
    post = PlannedPostFactory(org=org, tier="moderate", hypothesis="h", likes=3, reposts=1, replies=0)
    created = api.post(
        f"{BASE}/experiments/", {"title": "Hilo", "post": post.pk, "hypothesis": "Más respuestas"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["tier"] == "moderate"
    assert created.json()["post_performance"]["likes"] == 3
    proven = PlannedPostFactory(org=org, tier="proven")
    refused = api.post(f"{BASE}/experiments/", {"title": "X", "post": proven.pk, "hypothesis": "Y"}, format="json")
    assert refused.status_code == 400 and "post" in refused.json()["error"]["fields"]
    experiment = make_experiment(org, lesson_learned="Funciona")
    assert api.post(f"{BASE}/experiments/{experiment.pk}/record-lesson/").status_code == 201


def test_lists_of_another_organisation_are_not_reachable(api_for, org, other_org, outsider):
    make_list(org)
    assert api_for(outsider).get(f"{BASE}/staff-lists/").status_code == 404
    assert api_for(outsider).get("/api/v1/orgs/sur/learning/staff-lists/").json()["results"] == []
