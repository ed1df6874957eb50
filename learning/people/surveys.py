"""Staff surveys: building them, checking and saving answers, computing results and exporting responses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.models import (
    QuestionKind,
    Survey,
    SurveyAccess,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyState,
)
from learning.models.staff import MAX_TEXT_ANSWER
from learning.people.csvutil import csv_text
from mesm.models import Membership, Organization

# --- errors the views and the API turn into plain-words pages or 4xx answers ------------------------------------------


class SurveyError(Exception):
    code = "survey_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SurveyNotOpen(SurveyError):
    code = "survey_not_open"


class SurveyClosed(SurveyError):
    code = "survey_closed"


class SurveyMembersOnly(SurveyError):
    code = "survey_members_only"


class SurveyAlreadyAnswered(SurveyError):
    code = "survey_already_answered"


class SurveyAnswersInvalid(SurveyError):
    """``errors`` maps a question id (or ``None`` for the whole form) to a message."""

    code = "invalid"

    def __init__(self, errors: dict[int | None, str]):
        super().__init__(_("Some answers need your attention."))
        self.errors = errors


# --- building ------------------------------------------------------------------------------------------------------


def question_add(*, survey: Survey, **fields) -> SurveyQuestion:
    """Append a question at the end of the survey."""
    last = survey.questions.aggregate(last=Max("position"))["last"]
    question = SurveyQuestion(org=survey.org, survey=survey, position=(last or 0) + 1, **fields)
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_move(question: SurveyQuestion, *, up: bool) -> None:
    """Swap the question with its neighbour above (``up``) or below; renumbers positions 1…n."""
    questions = list(question.survey.questions.select_for_update().order_by("position", "id"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
    for position, q in enumerate(questions, start=1):
        if q.position != position:
            SurveyQuestion.objects.filter(pk=q.pk).update(position=position)


# The ready-made survey the seed recommends: ask the staff what they would like to see on the library's
# social media. Survey content is written in the organisation's language (it is data, not interface).
TEMPLATE = {
    "es": {
        "title": "¿Qué te gustaría ver en nuestras redes sociales?",
        "intro": "Queremos que las redes sociales de la biblioteca cuenten lo que de verdad os interesa. "
        "Responder lleva unos tres minutos. Gracias por ayudarnos.",
        "thanks": "¡Gracias! Compartiremos los resultados y lo que vamos a cambiar.",
        "questions": [
            {
                "kind": "single",
                "text": "¿Con qué frecuencia miras las redes sociales de la biblioteca?",
                "options": ["A diario", "Cada semana", "De vez en cuando", "Nunca o casi nunca"],
            },
            {
                "kind": "multiple",
                "text": "¿Qué te gustaría ver en nuestras redes sociales?",
                "help_text": "Marca todas las que quieras.",
                "options": [
                    "Novedades y recomendaciones de lectura",
                    "Agenda de actividades y eventos",
                    "Servicios y recursos de la biblioteca",
                    "El equipo y el trabajo entre bastidores",
                    "Fondo local, patrimonio y archivo",
                    "Consejos para buscar información",
                    "Concursos y retos",
                ],
            },
            {
                "kind": "multiple",
                "text": "¿En qué redes sociales nos sigues o nos seguirías?",
                "options": ["Mastodon", "Bluesky", "Instagram", "Facebook", "YouTube", "TikTok", "LinkedIn", "Ninguna"],
            },
            {
                "kind": "scale",
                "text": "¿Cuánto te ayudan nuestras redes a saber lo que hace la biblioteca?",
                "scale_min": 1,
                "scale_max": 5,
                "scale_min_label": "Nada",
                "scale_max_label": "Mucho",
            },
            {
                "kind": "scale",
                "text": "¿Qué probabilidad hay de que recomiendes nuestras redes a un compañero o compañera?",
                "scale_min": 0,
                "scale_max": 10,
                "scale_min_label": "Ninguna",
                "scale_max_label": "Total",
            },
            {
                "kind": "single",
                "text": "¿Te gustaría proponer contenidos (ideas, fotos, textos)?",
                "options": ["Sí", "Quizá", "No"],
            },
            {
                "kind": "text",
                "text": "¿Qué más te gustaría ver, o qué echas en falta?",
                "required": False,
            },
        ],
    },
    "en": {
        "title": "What would you like to see on our social media?",
        "intro": "We want the library's social media to tell what really interests you. "
        "Answering takes about three minutes. Thank you for helping.",
        "thanks": "Thank you! We will share the results and what we are going to change.",
        "questions": [
            {
                "kind": "single",
                "text": "How often do you look at the library's social media?",
                "options": ["Every day", "Every week", "Now and then", "Never or hardly ever"],
            },
            {
                "kind": "multiple",
                "text": "What would you like to see on our social media?",
                "help_text": "Tick as many as you like.",
                "options": [
                    "New arrivals and reading tips",
                    "Activities and events",
                    "Library services and resources",
                    "The team and behind the scenes",
                    "Local collection, heritage and archive",
                    "Tips for finding information",
                    "Contests and challenges",
                ],
            },
            {
                "kind": "multiple",
                "text": "On which platforms do you, or would you, follow us?",
                "options": ["Mastodon", "Bluesky", "Instagram", "Facebook", "YouTube", "TikTok", "LinkedIn", "None"],
            },
            {
                "kind": "scale",
                "text": "How much do our social media help you know what the library does?",
                "scale_min": 1,
                "scale_max": 5,
                "scale_min_label": "Not at all",
                "scale_max_label": "A lot",
            },
            {
                "kind": "scale",
                "text": "How likely are you to recommend our social media to a colleague?",
                "scale_min": 0,
                "scale_max": 10,
                "scale_min_label": "Not at all likely",
                "scale_max_label": "Extremely likely",
            },
            {
                "kind": "single",
                "text": "Would you like to suggest content (ideas, photos, texts)?",
                "options": ["Yes", "Maybe", "No"],
            },
            {
                "kind": "text",
                "text": "What else would you like to see, or what do you miss?",
                "required": False,
            },
        ],
    },
}


@transaction.atomic
def survey_create_from_template(*, org: Organization, by=None, language: str | None = None, **fields) -> Survey:
    """Create the ready-made survey "What would you like to see on our social media?" in the org's language."""
    language = language if language in TEMPLATE else (org.language if org.language in TEMPLATE else "es")
    content = TEMPLATE[language]
    survey = Survey(
        org=org,
        title=content["title"],
        intro=content["intro"],
        thanks_message=content["thanks"],
        language=language,
        created_by=by,
        **fields,
    )
    survey.full_clean()
    survey.save()
    for position, spec in enumerate(content["questions"], start=1):
        question = SurveyQuestion(org=org, survey=survey, position=position, **spec)
        question.full_clean()
        question.save()
    return survey


def survey_open_now(survey: Survey) -> None:
    now = timezone.now()
    survey.opens_at = now if survey.opens_at is None or survey.opens_at > now else survey.opens_at
    if survey.closes_at and survey.closes_at <= now:
        survey.closes_at = None
    survey.save(update_fields=["opens_at", "closes_at", "updated_at"])


def survey_close_now(survey: Survey) -> None:
    now = timezone.now()
    survey.closes_at = now
    if survey.opens_at and survey.opens_at > now:
        survey.opens_at = now
    survey.save(update_fields=["opens_at", "closes_at", "updated_at"])


# --- answering -----------------------------------------------------------------------------------------------------


def check_survey_access(survey: Survey, user, *, now=None) -> None:
    """Raise the SurveyError that stops this person from answering now, if any."""
    state = survey.state(now)
    if state == SurveyState.NOT_OPEN:
        raise SurveyNotOpen(_("This survey is not open yet. It opens on %(date)s.") % {"date": _local(survey.opens_at)})
    if state == SurveyState.CLOSED:
        raise SurveyClosed(
            _("This survey closed on %(date)s and no longer takes answers.") % {"date": _local(survey.closes_at)}
        )
    if survey.access == SurveyAccess.MEMBERS:
        if user is None or not user.is_authenticated:
            raise SurveyMembersOnly(
                _("Only members of %(org)s can answer this survey. Sign in first.") % {"org": survey.org}
            )
        if not Membership.objects.filter(org=survey.org, user=user).exists():
            raise SurveyMembersOnly(_("Only members of %(org)s can answer this survey.") % {"org": survey.org})
        if SurveyResponse.objects.filter(survey=survey, respondent=user).exists():
            raise SurveyAlreadyAnswered(_("You have already answered this survey. Thank you!"))


def _local(value) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def _as_list(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return [str(v).strip() for v in raw if str(v).strip()]
    text = str(raw).strip()
    return [text] if text else []


def check_answers(questions: list[SurveyQuestion], raw: dict[int, object]) -> tuple[dict[int, dict], dict[int, str]]:
    """Validate raw answers (question id → str, list of str or number) against each question's type.

    Returns (answers, errors): ``answers`` maps question id → fields of a SurveyAnswer, only for
    questions that were answered; ``errors`` maps question id → a message in plain words.
    """
    answers: dict[int, dict] = {}
    errors: dict[int, str] = {}
    for question in questions:
        value = raw.get(question.pk)
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = list(dict.fromkeys(_as_list(value)))
            if not picked:
                if question.required:
                    errors[question.pk] = (
                        _("Choose one option.")
                        if question.kind == QuestionKind.SINGLE
                        else _("Choose at least one option.")
                    )
                continue
            unknown = [p for p in picked if p not in question.options]
            if unknown:
                errors[question.pk] = _("“%(value)s” is not one of the options.") % {"value": unknown[0][:80]}
            elif question.kind == QuestionKind.SINGLE and len(picked) > 1:
                errors[question.pk] = _("Choose only one option.")
            else:
                # Keep the options' own order, whatever order they were sent in.
                answers[question.pk] = {"choices": [o for o in question.options if o in picked]}
        elif question.kind == QuestionKind.SCALE:
            items = _as_list(value)
            if not items:
                if question.required:
                    errors[question.pk] = _("Choose a value on the scale.")
                continue
            try:
                number = int(items[0])
            except (TypeError, ValueError):
                number = None
            if number is None or len(items) > 1 or not question.scale_min <= number <= question.scale_max:
                errors[question.pk] = _("Choose a whole number from %(low)s to %(high)s.") % {
                    "low": question.scale_min,
                    "high": question.scale_max,
                }
            else:
                answers[question.pk] = {"number": number}
        else:
            text = value if isinstance(value, str) else " ".join(_as_list(value))
            text = text.strip()
            if not text:
                if question.required:
                    errors[question.pk] = _("Write an answer.")
                continue
            if len(text) > MAX_TEXT_ANSWER:
                errors[question.pk] = _("Keep the answer under %(count)s characters.") % {"count": MAX_TEXT_ANSWER}
            elif "\x00" in text:  # PostgreSQL cannot store it; Django's own message, already translated
                errors[question.pk] = str(ProhibitNullCharactersValidator.message)
            else:
                answers[question.pk] = {"text": text}
    return answers, errors


def survey_answer(*, survey: Survey, raw: dict[int, object], user=None, now=None) -> SurveyResponse:
    """Save one person's answers, or raise a SurveyError and save nothing.

    ``user`` is stored as the respondent only on members-only surveys (anonymous surveys stay anonymous).
    """
    check_survey_access(survey, user, now=now)
    questions = list(survey.questions.all())
    known = {q.pk for q in questions}
    errors: dict[int | None, str] = {}
    stray = [key for key in raw if key not in known]
    if stray:
        errors[None] = _("Some answers are for questions that are not in this survey.")
    answers, question_errors = check_answers(questions, raw)
    errors.update(question_errors)
    if not errors and not answers:
        errors[None] = _("Answer at least one question before sending.")
    if errors:
        raise SurveyAnswersInvalid(errors)
    respondent = user if survey.access == SurveyAccess.MEMBERS else None
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                org=survey.org, survey=survey, respondent=respondent, submitted_at=now or timezone.now()
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question_id=qid, **fields) for qid, fields in answers.items()
            )
    except IntegrityError as error:
        # Two tabs sending at once: the unique constraint keeps one answer per person.
        raise SurveyAlreadyAnswered(_("You have already answered this survey. Thank you!")) from error
    return response


# --- results ---------------------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0  # responses that answered this question
    counts: list[tuple[str, int]] = field(default_factory=list)  # (option or scale value label, count)
    average: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind

    def share(self, count: int) -> float | None:
        return count / self.answered if self.answered else None

    @property
    def rows(self) -> list[tuple[str, int, float | None]]:
        return [(label, count, self.share(count)) for label, count in self.counts]

    def as_dict(self) -> dict:
        return {
            "question": self.question.pk,
            "text": self.question.text,
            "kind": self.question.kind,
            "answered": self.answered,
            "counts": [{"label": label, "count": count} for label, count in self.counts],
            "average": None if self.average is None else round(self.average, 2),
            "texts": self.texts,
        }


def scale_label(question: SurveyQuestion, value: int) -> str:
    if value == question.scale_min and question.scale_min_label:
        return f"{value} · {question.scale_min_label}"
    if value == question.scale_max and question.scale_max_label:
        return f"{value} · {question.scale_max_label}"
    return str(value)


def survey_results(survey: Survey) -> tuple[int, list[QuestionResult]]:
    """(number of responses, one result per question): counts per option or scale value, averages, texts.

    Two queries whatever the number of responses: questions, then every answer's values.
    """
    questions = list(survey.questions.all())
    total = SurveyResponse.objects.filter(survey=survey).count()
    by_question: dict[int, list[dict]] = {q.pk: [] for q in questions}
    for row in SurveyAnswer.objects.filter(question__survey=survey).values("question_id", "choices", "number", "text"):
        by_question.setdefault(row["question_id"], []).append(row)
    results = []
    for question in questions:
        rows = by_question[question.pk]
        result = QuestionResult(question=question, answered=len(rows))
        if question.is_choice:
            counter = Counter(choice for row in rows for choice in (row["choices"] or []))
            result.counts = [(option, counter.pop(option, 0)) for option in question.options]
            # Answers given to options that were renamed or removed since: still counted, at the end.
            result.counts += sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        elif question.kind == QuestionKind.SCALE:
            numbers = [row["number"] for row in rows if row["number"] is not None]
            counter = Counter(numbers)
            result.counts = [(scale_label(question, v), counter.get(v, 0)) for v in question.scale_values]
            result.average = sum(numbers) / len(numbers) if numbers else None
        else:
            result.texts = [row["text"] for row in rows if row["text"]]
        results.append(result)
    return total, results


def survey_export_csv(survey: Survey) -> str:
    """One row per response, one column per question; every cell neutralised against formula injection."""
    questions = list(survey.questions.all())
    responses = SurveyResponse.objects.filter(survey=survey).select_related("respondent").prefetch_related("answers")
    header = [_("Response"), _("Submitted")]
    with_respondent = survey.access == SurveyAccess.MEMBERS
    if with_respondent:
        header.append(_("Respondent"))
    header += [q.text for q in questions]

    def rows():
        for response in responses:
            by_question = {a.question_id: a for a in response.answers.all()}
            row = [response.pk, timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")]
            if with_respondent:
                row.append(response.respondent.get_username() if response.respondent else "")
            for question in questions:
                answer = by_question.get(question.pk)
                row.append(answer.display() if answer else "")
            yield row

    return csv_text(header, rows())
