"""Part 1, social media inside the organisation: the activities catalogue, proposals, pilots, comments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_work import ActivityForm, CommentForm, PilotForm
from learning.models import Activity, ActivityPilot
from learning.services import internal as service
from learning.views_work.common import page_status
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped


@org_view()
def activity_list(request):
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:200]
    activities = scoped(Activity.objects.all(), request.org).annotate(
        comment_count=Count("comments", distinct=True),
        running_pilots=Count("pilots", filter=Q(pilots__status=ActivityPilot.Status.RUNNING), distinct=True),
        pilot_count=Count("pilots", distinct=True),
    )
    counts = dict(scoped(Activity.objects.all(), request.org).values_list("status").annotate(n=Count("id")).order_by())
    if status in Activity.Status.values:
        activities = activities.filter(status=status)
    else:
        status = ""
        activities = activities.exclude(status=Activity.Status.DECLINED)
    if q:
        activities = activities.filter(
            Q(name__icontains=q)
            | Q(current_tool__icontains=q)
            | Q(social_platform__icontains=q)
            | Q(purpose__icontains=q)
        )
    return render(
        request,
        "learning/activities/list.html",
        {
            "activities": activities,
            "status": status,
            "q": q,
            "statuses": Activity.Status.choices,
            "counts": counts,
            "can_edit": request.membership.can_edit,
        },
    )


@org_view(Role.VIEWER)
def activity_create(request):
    """Any member may propose an activity; an editor's entry goes straight into the catalogue."""
    form = ActivityForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            activity = service.activity_save(form.instance, membership=request.membership)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if activity.status == Activity.Status.PROPOSED:
                messages.success(
                    request, _("Thanks! “%(name)s” was proposed; an editor will review it.") % {"name": activity}
                )
            else:
                messages.success(request, _("“%(name)s” was added to the catalogue.") % {"name": activity})
            return redirect("learning-activity-detail", org_slug=request.org.slug, pk=activity.pk)
    return render(
        request, "learning/activities/form.html", {"form": form, "object": None}, status=page_status(request, form)
    )


@org_view(Role.EDITOR)
def activity_edit(request, pk):
    activity = get_scoped_or_404(Activity, request.org, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            service.activity_save(form.instance, membership=request.membership)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": activity})
            return redirect("learning-activity-detail", org_slug=request.org.slug, pk=activity.pk)
    return render(
        request, "learning/activities/form.html", {"form": form, "object": activity}, status=page_status(request, form)
    )


def _detail(request, activity, *, comment_form=None, status=200):
    activity = (
        scoped(Activity.objects.select_related("proposed_by", "reviewed_by"), request.org)
        .prefetch_related(
            Prefetch("pilots", queryset=ActivityPilot.objects.select_related("owner")),
            "comments__author",
        )
        .get(pk=activity.pk)
    )
    return render(
        request,
        "learning/activities/detail.html",
        {
            "activity": activity,
            "comment_form": comment_form or CommentForm(),
            "can_edit": request.membership.can_edit,
            "statuses": Activity.Status,
        },
        status=status,
    )


@org_view()
def activity_detail(request, pk):
    return _detail(request, get_scoped_or_404(Activity, request.org, pk=pk))


@require_POST
@org_view(Role.VIEWER)
def activity_comment(request, pk):
    """Any member may comment on an activity or a proposal."""
    activity = get_scoped_or_404(Activity, request.org, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, comment_form=form, status=400)
    service.activity_comment_add(activity, author=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("Your comment was added."))
    return redirect("learning-activity-detail", org_slug=request.org.slug, pk=activity.pk)


@require_POST
@org_view(Role.EDITOR)
def activity_review(request, pk):
    activity = get_scoped_or_404(Activity, request.org, pk=pk)
    status = request.POST.get("status", "")
    try:
        service.activity_review(activity, status=status, by=request.user)
    except ValidationError:
        messages.error(request, _("Choose a valid status."))
    else:
        if status == Activity.Status.ACCEPTED:
            messages.success(request, _("“%(name)s” is now in the catalogue.") % {"name": activity})
        elif status == Activity.Status.DECLINED:
            messages.success(
                request,
                _("“%(name)s” was declined. A comment saying why helps whoever proposed it.") % {"name": activity},
            )
        else:
            messages.success(request, _("“%(name)s” is a proposal again.") % {"name": activity})
    return redirect("learning-activity-detail", org_slug=request.org.slug, pk=activity.pk)


def _pilot_form(request, activity, pilot=None):
    pilot = pilot or ActivityPilot(activity=activity, org=request.org, owner=request.user)
    form = PilotForm(request.POST or None, instance=pilot, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            service.pilot_save(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pilot of “%(name)s” was saved.") % {"name": activity})
            return redirect("learning-activity-detail", org_slug=request.org.slug, pk=activity.pk)
    return render(
        request,
        "learning/activities/pilot_form.html",
        {"form": form, "activity": activity, "object": pilot if pilot.pk else None},
        status=page_status(request, form),
    )


@org_view(Role.EDITOR)
def pilot_create(request, pk):
    return _pilot_form(request, get_scoped_or_404(Activity, request.org, pk=pk))


@org_view(Role.EDITOR)
def pilot_edit(request, pk):
    pilot = get_scoped_or_404(ActivityPilot.objects.select_related("activity"), request.org, pk=pk)
    return _pilot_form(request, pilot.activity, pilot)
