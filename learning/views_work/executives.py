"""Part 3, educating executives: one programme per executive through the seed's seven steps."""

from datetime import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_work import (
    ExecutiveForm,
    ExecutiveKPIForm,
    ExecutiveMetricForm,
    ExecutivePlatformForm,
    ExecutiveProfileForm,
    ExecutiveSourceForm,
    RecurringNoteForm,
    RecurringSessionForm,
    TrainingSessionForm,
)
from learning.models import (
    Executive,
    ExecutiveKPI,
    ExecutiveMetric,
    ExecutivePlatform,
    ExecutiveProfile,
    ExecutiveSource,
    RecurringSession,
    TrainingSession,
)
from learning.selectors import STEPS, executive_progress, executives_with_counts
from learning.services import executives as service
from learning.services.recurrence import describe, occurrences
from learning.views_work.common import page_status
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped

# The rows of steps 1, 2, 3, 4 and 6 are added and removed the same way: kind → (model, form, step).
PARTS = {
    "source": (ExecutiveSource, ExecutiveSourceForm, 1),
    "platform": (ExecutivePlatform, ExecutivePlatformForm, 2),
    "kpi": (ExecutiveKPI, ExecutiveKPIForm, 3),
    "metric": (ExecutiveMetric, ExecutiveMetricForm, 4),
    "profile": (ExecutiveProfile, ExecutiveProfileForm, 6),
}


@org_view()
def executive_list(request):
    """The progress view: where each executive stands in the seven steps, and what to do next."""
    executives = list(executives_with_counts(scoped(Executive.objects.select_related("member"), request.org)))
    rows = [(executive, executive_progress(executive)) for executive in executives]
    return render(
        request,
        "learning/executives/list.html",
        {
            "rows": rows,
            "can_edit": request.membership.can_edit,
            "listening": service.listening_status(request.org),
            "steps": STEPS,
        },
    )


def _executive_form(request, executive=None):
    form = ExecutiveForm(request.POST or None, instance=executive, org=request.org)
    if request.method == "POST" and form.is_valid():
        executive = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": executive})
        return redirect("learning-executive-detail", org_slug=request.org.slug, pk=executive.pk)
    return render(
        request, "learning/executives/form.html", {"form": form, "object": executive}, status=page_status(request, form)
    )


@org_view(Role.EDITOR)
def executive_create(request):
    return _executive_form(request)


@org_view(Role.EDITOR)
def executive_edit(request, pk):
    return _executive_form(request, get_scoped_or_404(Executive, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def executive_delete(request, pk):
    """Remove an executive and their whole programme (lessons already recorded stay)."""
    executive = get_scoped_or_404(Executive, request.org, pk=pk)
    name = executive.name
    executive.delete()
    messages.success(request, _("“%(name)s” and their programme were removed.") % {"name": name})
    return redirect("learning-executive-list", org_slug=request.org.slug)


def _detail(request, executive, *, forms=None, status=200):
    executive = get_scoped_or_404(
        executives_with_counts(Executive.objects.select_related("member")), request.org, pk=executive.pk
    )
    forms = forms or {}
    tz = request.org.zoneinfo
    now = timezone.now()
    series = []
    for recurring in executive.recurring_sessions.prefetch_related("notes__author"):
        upcoming = occurrences(recurring, tz, after=now, limit=5) if recurring.active else []
        prefix = f"note{recurring.pk}"
        note_form = forms.get(prefix) or RecurringNoteForm(initial={"date": timezone.localdate()}, prefix=prefix)
        series.append(
            {"recurring": recurring, "describe": describe(recurring), "upcoming": upcoming, "note_form": note_form}
        )
    context = {
        "executive": executive,
        "progress": executive_progress(executive),
        "sources": executive.sources.all(),
        "platforms": executive.platforms.select_related("source"),
        "kpis": executive.kpis.select_related("institutional_kpi"),
        "metrics": executive.metrics.select_related("institutional_kpi"),
        "sessions": executive.sessions.select_related("lesson").order_by("starts_at", "id"),
        "profiles": executive.profiles.select_related("session"),
        "series": series,
        "listening": service.listening_status(request.org),
        "can_edit": request.membership.can_edit,
        "now": now,
    }
    if context["can_edit"]:
        for kind, (_model, form_class, _step) in PARTS.items():
            context[f"{kind}_form"] = forms.get(kind) or form_class(executive=executive, prefix=kind)
    return render(request, "learning/executives/detail.html", context, status=status)


@org_view()
def executive_detail(request, pk):
    return _detail(request, get_scoped_or_404(Executive, request.org, pk=pk))


def _part_add(request, pk, kind):
    executive = get_scoped_or_404(Executive, request.org, pk=pk)
    _model, form_class, step = PARTS[kind]
    form = form_class(request.POST, executive=executive, prefix=kind)
    if not form.is_valid():
        return _detail(request, executive, forms={kind: form}, status=400)
    form.save()
    messages.success(request, _("Saved in step %(n)s.") % {"n": step})
    url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": executive.pk})
    return redirect(f"{url}#step-{step}")


def _part_delete(request, pk, kind):
    model, _form, step = PARTS[kind]
    part = get_scoped_or_404(model.objects.select_related("executive"), request.org, pk=pk)
    executive = part.executive
    part.delete()
    messages.success(request, _("Removed from step %(n)s.") % {"n": step})
    url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": executive.pk})
    return redirect(f"{url}#step-{step}")


def _make_part_views(kind):
    @require_POST
    @org_view(Role.EDITOR)
    def add(request, pk):
        return _part_add(request, pk, kind)

    @require_POST
    @org_view(Role.EDITOR)
    def delete(request, pk):
        return _part_delete(request, pk, kind)

    add.__name__, delete.__name__ = f"executive_{kind}_add", f"executive_{kind}_delete"
    return add, delete


source_add, source_delete = _make_part_views("source")
platform_add, platform_delete = _make_part_views("platform")
kpi_add, kpi_delete = _make_part_views("kpi")
metric_add, metric_delete = _make_part_views("metric")
profile_add, profile_delete = _make_part_views("profile")


# --- Step 5: training sessions ----------------------------------------------------------------


def _session_form(request, executive, session=None):
    if session is None:
        session = TrainingSession(executive=executive, org=request.org)
    form = TrainingSessionForm(request.POST or None, instance=session, executive=executive)
    if request.method == "POST" and form.is_valid():
        try:
            service.session_save(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session “%(title)s” was saved.") % {"title": form.instance})
            url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": executive.pk})
            return redirect(f"{url}#step-5")
    return render(
        request,
        "learning/executives/session_form.html",
        {
            "form": form,
            "executive": executive,
            "object": session if session.pk else None,
            "listening": service.listening_status(request.org),
            "can_edit": request.membership.can_edit,
        },
        status=page_status(request, form),
    )


@org_view(Role.EDITOR)
def session_create(request, pk):
    return _session_form(request, get_scoped_or_404(Executive, request.org, pk=pk))


@org_view(Role.EDITOR)
def session_edit(request, pk):
    session = get_scoped_or_404(TrainingSession.objects.select_related("executive", "lesson"), request.org, pk=pk)
    return _session_form(request, session.executive, session)


@require_POST
@org_view(Role.EDITOR)
def session_lesson(request, pk):
    """Turn the session's notes into a lesson learned (source: training)."""
    session = get_scoped_or_404(TrainingSession, request.org, pk=pk)
    try:
        lesson = service.session_to_lesson(session, author=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning-training-edit", org_slug=request.org.slug, pk=session.pk)
    messages.success(request, _("The session's notes are now a lesson learned: “%(title)s”.") % {"title": lesson})
    return redirect("learning-lesson-detail", org_slug=request.org.slug, pk=lesson.pk)


@require_POST
@org_view(Role.EDITOR)
def session_delete(request, pk):
    session = get_scoped_or_404(TrainingSession.objects.select_related("executive"), request.org, pk=pk)
    executive = session.executive
    session.delete()
    messages.success(request, _("The session was deleted."))
    url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": executive.pk})
    return redirect(f"{url}#step-5")


# --- Step 7: recurring sessions ---------------------------------------------------------------


def _recurring_form(request, executive, recurring=None):
    if recurring is None:
        recurring = RecurringSession(
            executive=executive,
            org=request.org,
            title=_("Monthly social media catch-up with %(name)s") % {"name": executive.name},
            week_of_month=1,
            start_date=timezone.localdate(),
            time=time(10, 0),
        )
    form = RecurringSessionForm(request.POST or None, instance=recurring, executive=executive)
    if request.method == "POST" and form.is_valid():
        try:
            service.recurring_save(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The recurring sessions “%(title)s” were saved.") % {"title": form.instance})
            url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": executive.pk})
            return redirect(f"{url}#step-7")
    return render(
        request,
        "learning/executives/recurring_form.html",
        {"form": form, "executive": executive, "object": recurring if recurring.pk else None},
        status=page_status(request, form),
    )


@org_view(Role.EDITOR)
def recurring_create(request, pk):
    return _recurring_form(request, get_scoped_or_404(Executive, request.org, pk=pk))


@org_view(Role.EDITOR)
def recurring_edit(request, pk):
    recurring = get_scoped_or_404(RecurringSession.objects.select_related("executive"), request.org, pk=pk)
    return _recurring_form(request, recurring.executive, recurring)


@require_POST
@org_view(Role.EDITOR)
def recurring_note(request, pk):
    recurring = get_scoped_or_404(RecurringSession.objects.select_related("executive"), request.org, pk=pk)
    prefix = f"note{recurring.pk}"
    form = RecurringNoteForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _detail(request, recurring.executive, forms={prefix: form}, status=400)
    note = form.save(commit=False)
    note.recurring, note.org, note.author = recurring, request.org, request.user
    note.save()
    messages.success(request, _("The progress note was saved."))
    url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": recurring.executive_id})
    return redirect(f"{url}#step-7")


@require_POST
@org_view(Role.EDITOR)
def recurring_toggle(request, pk):
    """Pause or resume a recurring series."""
    recurring = get_scoped_or_404(RecurringSession, request.org, pk=pk)
    recurring.active = not recurring.active
    recurring.save(update_fields=["active", "updated_at"])
    if recurring.active:
        messages.success(request, _("The recurring sessions were resumed."))
    else:
        messages.success(request, _("The recurring sessions were paused."))
    url = reverse("learning-executive-detail", kwargs={"org_slug": request.org.slug, "pk": recurring.executive_id})
    return redirect(f"{url}#step-7")


@org_view()
def executive_calendar(request, pk):
    """The executive's sessions and recurring series as an iCalendar file."""
    executive = get_scoped_or_404(Executive.objects.select_related("org"), request.org, pk=pk)
    response = HttpResponse(service.executive_calendar(executive), content_type="text/calendar; charset=utf-8")
    name = slugify(executive.name) or "executive"
    response["Content-Disposition"] = f'attachment; filename="training-{name}.ics"'
    return response
