"""Survey pages for the team: list, build (questions), open/close, results with charts, CSV export."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_people import QuestionForm, SurveyForm
from learning.models import QuestionKind, Survey, SurveyQuestion, SurveyState
from learning.people import surveys as service
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped
from metrics.charts import bar_chart, format_number


def _survey_states():
    return SurveyState.choices


@org_view()
def survey_list(request):
    now = timezone.now()
    surveys = scoped(Survey, request.org).annotate(
        response_count=Count("responses", distinct=True), question_count=Count("questions", distinct=True)
    )
    state = request.GET.get("state", "")
    if state == SurveyState.OPEN:
        surveys = surveys.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now)).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )
    elif state == SurveyState.CLOSED:
        surveys = surveys.filter(closes_at__lte=now)
    elif state == SurveyState.NOT_OPEN:
        surveys = surveys.filter(opens_at__gt=now)
    else:
        state = ""
    return render(
        request,
        "learning/people/surveys/list.html",
        {
            "surveys": surveys,
            "states": _survey_states(),
            "state": state,
            "can_edit": request.membership.can_edit,
            "template_title": service.TEMPLATE.get(request.org.language, service.TEMPLATE["es"])["title"],
        },
    )


def _survey_form(request, survey=None):
    form = SurveyForm(request.POST or None, instance=survey, org=request.org)
    if request.method == "POST" and form.is_valid():
        creating = form.instance.pk is None
        if creating:
            form.instance.created_by = request.user
        survey = form.save()
        if creating:
            messages.success(request, _("The survey was created. Now add its questions."))
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": survey})
        return redirect("learning-survey-detail", org_slug=request.org.slug, pk=survey.pk)
    return render(request, "learning/people/surveys/form.html", {"form": form, "object": survey})


@org_view(Role.EDITOR)
def survey_create(request):
    return _survey_form(request)


@org_view(Role.EDITOR)
def survey_edit(request, pk):
    return _survey_form(request, get_scoped_or_404(Survey, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def survey_from_template(request):
    survey = service.survey_create_from_template(org=request.org, by=request.user)
    messages.success(
        request,
        _("The survey “%(name)s” is ready. Check the questions, then share its link.") % {"name": survey},
    )
    return redirect("learning-survey-detail", org_slug=request.org.slug, pk=survey.pk)


def _detail(request, survey, question_form=None, status=200):
    questions = list(survey.questions.all())
    response_count = survey.responses.count()
    return render(
        request,
        "learning/people/surveys/detail.html",
        {
            "survey": survey,
            "questions": questions,
            "response_count": response_count,
            "public_url": request.build_absolute_uri(reverse("learning-survey-public", args=[survey.token])),
            "question_form": question_form or QuestionForm(),
            "can_edit": request.membership.can_edit,
        },
        status=status,
    )


@org_view()
def survey_detail(request, pk):
    return _detail(request, get_scoped_or_404(Survey, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def survey_state(request, pk):
    """Open the survey now or close it now (the buttons beside its status)."""
    survey = get_scoped_or_404(Survey, request.org, pk=pk)
    if request.POST.get("action") == "open":
        service.survey_open_now(survey)
        messages.success(request, _("The survey is open: anyone with the link can answer."))
    elif request.POST.get("action") == "close":
        service.survey_close_now(survey)
        messages.success(request, _("The survey is closed: its link no longer takes answers."))
    else:
        messages.error(request, _("Choose to open or to close the survey."))
    return redirect("learning-survey-detail", org_slug=request.org.slug, pk=survey.pk)


@require_POST
@org_view(Role.EDITOR)
def survey_delete(request, pk):
    survey = get_scoped_or_404(Survey, request.org, pk=pk)
    title = survey.title
    survey.delete()
    messages.success(request, _("The survey “%(name)s” and its answers were deleted.") % {"name": title})
    return redirect("learning-survey-list", org_slug=request.org.slug)


# --- questions -------------------------------------------------------------------------------------------------------


@require_POST
@org_view(Role.EDITOR)
def question_create(request, pk):
    survey = get_scoped_or_404(Survey, request.org, pk=pk)
    form = QuestionForm(request.POST, instance=SurveyQuestion(org=request.org, survey=survey))
    if not form.is_valid():
        return _detail(request, survey, question_form=form, status=400)
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    service.question_add(survey=survey, scale_min=form.instance.scale_min, scale_max=form.instance.scale_max, **fields)
    messages.success(request, _("The question was added."))
    return redirect(reverse("learning-survey-detail", args=[request.org.slug, survey.pk]) + "#questions")


def _question(request, pk):
    return get_scoped_or_404(SurveyQuestion.objects.select_related("survey"), request.org, pk=pk)


@org_view(Role.EDITOR)
def question_edit(request, pk):
    question = _question(request, pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The question was saved."))
        return redirect(reverse("learning-survey-detail", args=[request.org.slug, question.survey_id]) + "#questions")
    return render(
        request,
        "learning/people/surveys/question_form.html",
        {"form": form, "question": question, "survey": question.survey, "answers": question.answers.count()},
    )


@require_POST
@org_view(Role.EDITOR)
def question_delete(request, pk):
    question = _question(request, pk)
    survey_id = question.survey_id
    question.delete()
    messages.success(request, _("The question and its answers were deleted."))
    return redirect(reverse("learning-survey-detail", args=[request.org.slug, survey_id]) + "#questions")


@require_POST
@org_view(Role.EDITOR)
def question_move(request, pk):
    question = _question(request, pk)
    service.question_move(question, up=request.POST.get("direction") == "up")
    survey = question.survey
    if request.htmx:
        return render(
            request,
            "learning/people/surveys/detail.html#questions",
            {"survey": survey, "questions": list(survey.questions.all()), "can_edit": True},
        )
    return redirect(reverse("learning-survey-detail", args=[request.org.slug, survey.pk]) + f"#question-{question.pk}")


# --- results ---------------------------------------------------------------------------------------------------------


def _chart(result):
    question = result.question
    if question.kind == QuestionKind.TEXT:
        return ""
    return bar_chart(
        title=question.text,
        categories=[label for label, _count in result.counts],
        values=[count for _label, count in result.counts],
        value_label=_("Answers"),
        chart_id=f"question-{question.pk}-chart",
        total=question.kind != QuestionKind.MULTIPLE,
    )


@org_view()
def survey_results(request, pk):
    survey = get_scoped_or_404(Survey, request.org, pk=pk)
    total, results = service.survey_results(survey)
    items = [
        {
            "result": result,
            "chart": _chart(result),
            "average": format_number(round(result.average, 1)) if result.average is not None else "",
        }
        for result in results
    ]
    return render(
        request,
        "learning/people/surveys/results.html",
        {"survey": survey, "total": total, "items": items, "can_edit": request.membership.can_edit},
    )


@org_view()
def survey_export(request, pk):
    survey = get_scoped_or_404(Survey, request.org, pk=pk)
    response = HttpResponse("\ufeff" + service.survey_export_csv(survey), content_type="text/csv; charset=utf-8")
    name = slugify(survey.title)[:60] or "survey"
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
