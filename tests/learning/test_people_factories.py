"""Builders for the people half's tests (no tests here): surveys with answers, staff, policy, ideas, experiments."""

from datetime import date

from learning.models import (
    DiscussionGroup,
    Experiment,
    GroupMeeting,
    PolicyVersion,
    StaffList,
    StaffMember,
    Survey,
    SurveyQuestion,
    Talk,
    ThinkTankIdea,
    ThinkTankSession,
)
from learning.people import surveys as survey_service
from learning.people.staff import policy_version_create


def make_survey(org, *, access="anyone", **fields) -> Survey:
    """A survey with one question of each kind: single, multiple, scale 1–5, scale 0–10, free text."""
    survey = Survey.objects.create(org=org, title=fields.pop("title", "Encuesta al personal"), access=access, **fields)
    survey_service.question_add(
        survey=survey, text="¿Con qué frecuencia?", kind="single", options=["A diario", "Nunca"]
    )
    survey_service.question_add(
        survey=survey, text="¿Qué te gustaría ver?", kind="multiple", options=["Novedades", "Eventos", "Equipo"]
    )
    survey_service.question_add(
        survey=survey, text="¿Cuánto te ayudan?", kind="scale", scale_min=1, scale_max=5, scale_min_label="Nada",
        scale_max_label="Mucho",
    )  # fmt: skip
    survey_service.question_add(survey=survey, text="¿Nos recomendarías?", kind="scale", scale_min=0, scale_max=10,
                                required=False)  # fmt: skip
    survey_service.question_add(survey=survey, text="¿Algo más?", kind="text", required=False)
    return survey


def questions(survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("position"))


def answer(survey, single=None, multiple=None, scale=None, nps=None, text=None, user=None):
    """Answer through the service, one value per question of make_survey (None leaves it blank)."""
    q = questions(survey)
    raw = {q[0].pk: single or "", q[1].pk: multiple or [], q[2].pk: "" if scale is None else str(scale),
           q[3].pk: "" if nps is None else str(nps), q[4].pk: text or ""}  # fmt: skip
    return survey_service.survey_answer(survey=survey, raw=raw, user=user)


def make_staff(org, name="Ana Pérez", **fields) -> StaffMember:
    fields.setdefault("department", "Referencia")
    fields.setdefault("handles", {"mastodon": "@ana@mastodon.social"})
    return StaffMember.objects.create(org=org, name=name, **fields)


def make_list(org, name="Sala de referencia", people=()) -> StaffList:
    staff_list = StaffList.objects.create(org=org, name=name)
    staff_list.members.set(people)
    return staff_list


def make_policy(org, title="Política de redes sociales", body="# Principios\n\nHabla con respeto.", **fields):
    return policy_version_create(
        org=org, title=title, body=body, effective_on=fields.pop("effective_on", date(2026, 1, 1)), **fields
    )


def make_talk(org, **fields) -> Talk:
    fields.setdefault("topic", "Mastodon para bibliotecarios")
    fields.setdefault("date", date(2026, 3, 10))
    fields.setdefault("notes", "Cómo elegir instancia. Qué publicar la primera semana.")
    return Talk.objects.create(org=org, **fields)


def make_group(org, **fields) -> DiscussionGroup:
    fields.setdefault("name", "Usuarios avanzados")
    return DiscussionGroup.objects.create(org=org, **fields)


def make_meeting(group, **fields) -> GroupMeeting:
    fields.setdefault("date", date(2026, 4, 2))
    return GroupMeeting.objects.create(org=group.org, group=group, **fields)


def make_session(org, **fields) -> ThinkTankSession:
    fields.setdefault("title", "Nuevos espacios")
    fields.setdefault("date", date(2026, 4, 9))
    return ThinkTankSession.objects.create(org=org, **fields)


def make_idea(org, **fields) -> ThinkTankIdea:
    fields.setdefault("title", "Un canal de WhatsApp para familias")
    fields.setdefault("kind", "space")
    fields.setdefault("description", "Avisos de cuentacuentos y novedades infantiles.")
    return ThinkTankIdea.objects.create(org=org, **fields)


def make_experiment(org, **fields) -> Experiment:
    fields.setdefault("title", "Hilo con encuesta en Mastodon")
    fields.setdefault("tier", "moderate")
    fields.setdefault("hypothesis", "Una encuesta en el hilo duplicará las respuestas.")
    return Experiment.objects.create(org=org, **fields)


def make_version(org, **fields) -> PolicyVersion:
    return make_policy(org, **fields)


# The people half's function views whose <pk> names a row of this model (for the tenancy walks).
PEOPLE_VIEW_MODELS = {
    "learning-survey-detail": Survey,
    "learning-survey-edit": Survey,
    "learning-survey-state": Survey,
    "learning-survey-delete": Survey,
    "learning-survey-question-create": Survey,
    "learning-survey-results": Survey,
    "learning-survey-export": Survey,
    "learning-survey-question-edit": SurveyQuestion,
    "learning-survey-question-delete": SurveyQuestion,
    "learning-survey-question-move": SurveyQuestion,
    "learning-staff-detail": StaffMember,
    "learning-staff-edit": StaffMember,
    "learning-staff-delete": StaffMember,
    "learning-staff-list-detail": StaffList,
    "learning-staff-list-edit": StaffList,
    "learning-staff-list-export": StaffList,
    "learning-staff-list-delete": StaffList,
    "learning-talk-detail": Talk,
    "learning-talk-edit": Talk,
    "learning-talk-lesson": Talk,
    "learning-talk-delete": Talk,
    "learning-policy-detail": PolicyVersion,
    "learning-policy-edit": PolicyVersion,
    "learning-policy-make-current": PolicyVersion,
    "learning-policy-acknowledge": PolicyVersion,
    "learning-policy-acknowledge-staff": PolicyVersion,
    "learning-group-detail": DiscussionGroup,
    "learning-group-edit": DiscussionGroup,
    "learning-group-delete": DiscussionGroup,
    "learning-group-meeting-add": DiscussionGroup,
    "learning-group-meeting-delete": GroupMeeting,
    "learning-session-detail": ThinkTankSession,
    "learning-session-edit": ThinkTankSession,
    "learning-idea-detail": ThinkTankIdea,
    "learning-idea-edit": ThinkTankIdea,
    "learning-idea-vote": ThinkTankIdea,
    "learning-idea-status": ThinkTankIdea,
    "learning-idea-to-conversation": ThinkTankIdea,
    "learning-idea-delete": ThinkTankIdea,
    "learning-experiment-detail": Experiment,
    "learning-experiment-edit": Experiment,
    "learning-experiment-lesson": Experiment,
    "learning-experiment-delete": Experiment,
}


def people_objects_for(org) -> dict:
    """One row of each model the people half's URLs take an id of, for the tenancy walks."""
    survey = make_survey(org)
    group = make_group(org)
    return {
        Survey: survey,
        SurveyQuestion: survey.questions.first(),
        StaffMember: make_staff(org),
        StaffList: make_list(org),
        Talk: make_talk(org),
        PolicyVersion: make_policy(org),
        DiscussionGroup: group,
        GroupMeeting: make_meeting(group),
        ThinkTankSession: make_session(org),
        ThinkTankIdea: make_idea(org),
        Experiment: make_experiment(org, lesson_learned="x"),
    }
