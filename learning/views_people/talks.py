"""Periodic open talks that teach colleagues to use social media at work."""

from django.contrib import messages
from django.db.models import Avg, Count, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_people import TalkForm
from learning.models import Talk
from learning.people import staff as service
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped


@org_view()
def talk_list(request):
    today = timezone.localdate()
    talks = scoped(Talk.objects.select_related("lesson"), request.org)
    year = request.GET.get("year", "")
    years = sorted({d.year for d in talks.dates("date", "year")}, reverse=True)
    if year.isdigit() and int(year) in years:
        talks = talks.filter(date__year=int(year))
    else:
        year = ""
    past = talks.filter(date__lt=today)
    totals = past.aggregate(count=Count("id"), people=Sum("attendance"), average=Avg("attendance"))
    return render(
        request,
        "learning/people/talks/list.html",
        {
            "upcoming": talks.filter(date__gte=today).order_by("date", "id"),
            "past": past,
            "totals": totals,
            "years": years,
            "year": year,
            "can_edit": request.membership.can_edit,
        },
    )


def _talk_form(request, talk=None):
    form = TalkForm(request.POST or None, instance=talk, org=request.org)
    if request.method == "POST" and form.is_valid():
        talk = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": talk})
        return redirect("learning-talk-detail", org_slug=request.org.slug, pk=talk.pk)
    return render(request, "learning/people/talks/form.html", {"form": form, "object": talk})


@org_view(Role.EDITOR)
def talk_create(request):
    return _talk_form(request)


@org_view(Role.EDITOR)
def talk_edit(request, pk):
    return _talk_form(request, get_scoped_or_404(Talk, request.org, pk=pk))


@org_view()
def talk_detail(request, pk):
    talk = get_scoped_or_404(Talk.objects.select_related("lesson"), request.org, pk=pk)
    return render(request, "learning/people/talks/detail.html", {"talk": talk, "can_edit": request.membership.can_edit})


@require_POST
@org_view(Role.EDITOR)
def talk_record_lesson(request, pk):
    talk = get_scoped_or_404(Talk, request.org, pk=pk)
    already = talk.lesson_id is not None
    try:
        service.talk_record_lesson(talk, by=request.user)
    except service.PeopleError as error:
        messages.error(request, error.message)
    else:
        if already:
            messages.info(request, _("These notes were already recorded as a lesson."))
        else:
            messages.success(request, _("The notes were recorded as a lesson learned."))
    return redirect("learning-talk-detail", org_slug=request.org.slug, pk=talk.pk)


@require_POST
@org_view(Role.EDITOR)
def talk_delete(request, pk):
    talk = get_scoped_or_404(Talk, request.org, pk=pk)
    topic = talk.topic
    talk.delete()
    messages.success(request, _("The talk “%(name)s” was deleted.") % {"name": topic})
    return redirect("learning-talk-list", org_slug=request.org.slug)
