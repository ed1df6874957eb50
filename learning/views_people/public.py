"""The public survey page ``/s/<token>/``: answered anonymously, or by signed-in members once each.

It speaks the survey's language unless the visitor picked one with the language switcher.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from learning.models import QuestionKind, Survey, SurveyAccess
from learning.people import surveys as service


def _activate_language(request, survey):
    timezone.activate(survey.org.zoneinfo)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(survey.language)
        request.LANGUAGE_CODE = survey.language


def _raw_answers(request, questions) -> dict[int, object]:
    raw = {}
    for question in questions:
        key = f"q{question.pk}"
        if question.kind == QuestionKind.MULTIPLE:
            raw[question.pk] = request.POST.getlist(key)
        else:
            raw[question.pk] = request.POST.get(key, "")
    return raw


def _stopped(request, survey, error, status):
    # Only a refused submission needs the reassurance; a visit saved nothing anyway.
    nothing_saved = request.method == "POST" and not isinstance(error, service.SurveyAlreadyAnswered)
    return render(
        request,
        "learning/people/public/stopped.html",
        {"survey": survey, "error": error, "nothing_saved": nothing_saved},
        status=status,
    )


@never_cache
def survey_answer(request, token):
    survey = get_object_or_404(Survey.objects.select_related("org"), token=token)
    _activate_language(request, survey)
    if survey.access == SurveyAccess.MEMBERS and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        service.check_survey_access(survey, request.user)
    except service.SurveyAlreadyAnswered as error:
        return _stopped(request, survey, error, 200)
    except service.SurveyMembersOnly as error:
        return _stopped(request, survey, error, 403)
    except service.SurveyError as error:
        # Not open yet, or closed: a clear page, and nothing is saved.
        return _stopped(request, survey, error, 410 if isinstance(error, service.SurveyClosed) else 200)
    questions = list(survey.questions.all())
    if not questions:
        return _stopped(request, survey, service.SurveyNotOpen(_("This survey has no questions yet.")), 200)
    errors: dict = {}
    raw: dict = {}
    if request.method == "POST":
        raw = _raw_answers(request, questions)
        try:
            service.survey_answer(survey=survey, raw=raw, user=request.user)
        except service.SurveyAnswersInvalid as error:
            errors = error.errors
        except service.SurveyError as error:
            return _stopped(request, survey, error, 409)
        else:
            return redirect("learning-survey-thanks", token=survey.token)
    items = [
        {
            "question": q,
            "error": errors.get(q.pk, ""),
            "value": raw.get(q.pk, [] if q.kind == QuestionKind.MULTIPLE else ""),
            "scale": [str(v) for v in q.scale_values],
        }
        for q in questions
    ]
    return render(
        request,
        "learning/people/public/answer.html",
        {
            "survey": survey,
            "items": items,
            "errors": errors,
            "form_error": errors.get(None, ""),
            "error_items": [item for item in items if item["error"]],
        },
        status=400 if errors else 200,
    )


def survey_thanks(request, token):
    survey = get_object_or_404(Survey.objects.select_related("org"), token=token)
    _activate_language(request, survey)
    return render(request, "learning/people/public/thanks.html", {"survey": survey})
