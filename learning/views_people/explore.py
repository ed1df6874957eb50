"""Exploring trends: the discussion group, think-tank sessions with the ideas board, and the experiment log."""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_people import (
    DiscussionGroupForm,
    ExperimentForm,
    GroupMeetingForm,
    ThinkTankIdeaForm,
    ThinkTankSessionForm,
)
from learning.models import (
    DiscussionGroup,
    Experiment,
    ExperimentTier,
    GroupMeeting,
    StaffMember,
    ThinkTankIdea,
    ThinkTankIdeaKind,
    ThinkTankIdeaStatus,
    ThinkTankSession,
    ThinkTankVote,
)
from learning.people import explore as service
from learning.people.staff import PeopleError
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped


def _form_page(request, template, form, obj, *, new_heading, list_name, detail_name, section, **extra):
    """Context of the create/edit pages: the heading, where Cancel goes, which tab is lit."""
    slug = request.org.slug
    if obj is not None and obj.pk:
        heading = _("Edit “%(name)s”") % {"name": obj}
        cancel_url = reverse(detail_name, kwargs={"org_slug": slug, "pk": obj.pk})
    else:
        heading = new_heading
        cancel_url = reverse(list_name, kwargs={"org_slug": slug})
    context = {"form": form, "object": obj, "heading": heading, "cancel_url": cancel_url, "section": section, **extra}
    return render(request, template, context)


# --- discussion groups -----------------------------------------------------------------------------------------------


@org_view()
def group_list(request):
    groups = scoped(DiscussionGroup, request.org).annotate(
        member_count=Count("members", distinct=True), meeting_count=Count("meetings", distinct=True)
    )
    groups = groups.prefetch_related(Prefetch("meetings", queryset=GroupMeeting.objects.order_by("-date", "-id")))
    sessions = scoped(ThinkTankSession.objects.select_related("group"), request.org).annotate(idea_count=Count("ideas"))
    return render(
        request,
        "learning/people/explore/group_list.html",
        {"groups": groups, "sessions": sessions[:10], "can_edit": request.membership.can_edit},
    )


def _group_form(request, group=None):
    form = DiscussionGroupForm(request.POST or None, instance=group, org=request.org)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": group})
        return redirect("learning-group-detail", org_slug=request.org.slug, pk=group.pk)
    return _form_page(
        request,
        "learning/people/explore/group_form.html",
        form,
        group,
        new_heading=_("New discussion group"),
        list_name="learning-group-list",
        detail_name="learning-group-detail",
        section="groups",
        no_staff=not StaffMember.objects.filter(org=request.org).exists(),
    )


@org_view(Role.EDITOR)
def group_create(request):
    return _group_form(request)


@org_view(Role.EDITOR)
def group_edit(request, pk):
    return _group_form(request, get_scoped_or_404(DiscussionGroup, request.org, pk=pk))


def _group_page(request, group, meeting_form=None, status=200):
    return render(
        request,
        "learning/people/explore/group_detail.html",
        {
            "group": group,
            "members": group.members.order_by("name"),
            "meetings": group.meetings.all(),
            "sessions": group.sessions.annotate(idea_count=Count("ideas")),
            "meeting_form": meeting_form or GroupMeetingForm(),
            "can_edit": request.membership.can_edit,
        },
        status=status,
    )


@org_view()
def group_detail(request, pk):
    return _group_page(request, get_scoped_or_404(DiscussionGroup, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def group_meeting_add(request, pk):
    group = get_scoped_or_404(DiscussionGroup, request.org, pk=pk)
    form = GroupMeetingForm(request.POST, instance=GroupMeeting(org=request.org, group=group))
    if not form.is_valid():
        return _group_page(request, group, meeting_form=form, status=400)
    form.save()
    messages.success(request, _("The meeting was recorded."))
    return redirect("learning-group-detail", org_slug=request.org.slug, pk=group.pk)


@require_POST
@org_view(Role.EDITOR)
def group_meeting_delete(request, pk):
    meeting = get_scoped_or_404(GroupMeeting, request.org, pk=pk)
    group_id = meeting.group_id
    meeting.delete()
    messages.success(request, _("The meeting was deleted."))
    return redirect("learning-group-detail", org_slug=request.org.slug, pk=group_id)


@require_POST
@org_view(Role.EDITOR)
def group_delete(request, pk):
    group = get_scoped_or_404(DiscussionGroup, request.org, pk=pk)
    name = group.name
    group.delete()
    messages.success(request, _("The group “%(name)s” was deleted.") % {"name": name})
    return redirect("learning-group-list", org_slug=request.org.slug)


# --- think-tank sessions and the ideas board ------------------------------------------------------------------------


def _ideas(request):
    voted = ThinkTankVote.objects.filter(idea=OuterRef("pk"), user=request.user)
    return scoped(
        ThinkTankIdea.objects.select_related("session", "created_by", "conversation_idea"), request.org
    ).annotate(vote_count=Count("votes", distinct=True), voted=Exists(voted))


@org_view()
def idea_list(request):
    """The ideas board: one column per status, most voted first; filters by kind and session."""
    ideas = _ideas(request)
    kind, session_id = request.GET.get("kind", ""), request.GET.get("session", "")
    if kind in ThinkTankIdeaKind.values:
        ideas = ideas.filter(kind=kind)
    else:
        kind = ""
    sessions = scoped(ThinkTankSession, request.org)
    session = sessions.filter(pk=session_id).first() if session_id.isdigit() else None
    if session:
        ideas = ideas.filter(session=session)
    ideas = list(ideas.order_by("-vote_count", "-created_at"))
    columns = [
        {"status": value, "label": label, "ideas": [i for i in ideas if i.status == value]}
        for value, label in ThinkTankIdeaStatus.choices
    ]
    return render(
        request,
        "learning/people/explore/idea_board.html",
        {
            "columns": columns,
            "total": len(ideas),
            "kinds": ThinkTankIdeaKind.choices,
            "kind": kind,
            "sessions": sessions,
            "session": session,
            "can_edit": request.membership.can_edit,
        },
    )


def _idea_form(request, idea=None):
    initial = {}
    if idea is None and request.GET.get("session", "").isdigit():
        initial["session"] = request.GET["session"]
    form = ThinkTankIdeaForm(request.POST or None, instance=idea, org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.instance.pk is None:
            form.instance.created_by = request.user
        idea = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": idea})
        return redirect("learning-idea-detail", org_slug=request.org.slug, pk=idea.pk)
    return _form_page(
        request,
        "learning/people/explore/_form_page.html",
        form,
        idea,
        new_heading=_("New idea"),
        list_name="learning-idea-list",
        detail_name="learning-idea-detail",
        section="ideas",
    )


@org_view(Role.EDITOR)
def idea_create(request):
    return _idea_form(request)


@org_view(Role.EDITOR)
def idea_edit(request, pk):
    return _idea_form(request, get_scoped_or_404(ThinkTankIdea, request.org, pk=pk))


@org_view()
def idea_detail(request, pk):
    idea = get_scoped_or_404(_ideas(request), request.org, pk=pk)
    conversation = idea.conversation_idea
    return render(
        request,
        "learning/people/explore/idea_detail.html",
        {
            "idea": idea,
            "voters": [v.user for v in idea.votes.select_related("user").order_by("created_at")],
            "statuses": ThinkTankIdeaStatus.choices,
            "conversation_url": service.conversation_idea_url(request.org.slug, conversation) if conversation else None,
            "post_url": service.post_create_url(request.org.slug, conversation) if conversation else None,
            "can_edit": request.membership.can_edit,
        },
    )


@require_POST
@org_view(Role.VIEWER)
def idea_vote(request, pk):
    """Any member votes for an idea, or takes their vote back (htmx swaps the button; without JS, a redirect)."""
    idea = get_scoped_or_404(ThinkTankIdea, request.org, pk=pk)
    voted = service.idea_vote_toggle(idea, request.user)
    if request.htmx:
        idea.vote_count = idea.votes.count()
        idea.voted = voted
        return render(request, "learning/people/explore/idea_board.html#vote", {"idea": idea})
    messages.success(request, _("Your vote was counted.") if voted else _("Your vote was taken back."))
    back = request.POST.get("next", "")
    if back.startswith(f"/o/{request.org.slug}/learning/"):
        return redirect(back)
    return redirect("learning-idea-detail", org_slug=request.org.slug, pk=idea.pk)


@require_POST
@org_view(Role.EDITOR)
def idea_status(request, pk):
    idea = get_scoped_or_404(ThinkTankIdea, request.org, pk=pk)
    status = request.POST.get("status", "")
    if status not in ThinkTankIdeaStatus.values:
        messages.error(request, _("Choose a valid status."))
    else:
        idea.status = status
        idea.save(update_fields=["status", "updated_at"])
        messages.success(
            request, _("“%(name)s” is now %(status)s.") % {"name": idea, "status": idea.get_status_display()}
        )
    return redirect("learning-idea-detail", org_slug=request.org.slug, pk=idea.pk)


@require_POST
@org_view(Role.EDITOR)
def idea_to_conversation(request, pk):
    """Turn the idea into a conversation idea (stage 3); with ``then=post``, go on to plan a post from it."""
    idea = get_scoped_or_404(ThinkTankIdea, request.org, pk=pk)
    conversation = service.idea_to_conversation(idea, by=request.user)
    if request.POST.get("then") == "post":
        url = service.post_create_url(request.org.slug, conversation)
        if url:
            return redirect(url)
    messages.success(request, _("“%(name)s” is now a conversation idea of the content plan.") % {"name": conversation})
    return redirect("learning-idea-detail", org_slug=request.org.slug, pk=idea.pk)


@require_POST
@org_view(Role.EDITOR)
def idea_delete(request, pk):
    idea = get_scoped_or_404(ThinkTankIdea, request.org, pk=pk)
    name = idea.title
    idea.delete()
    messages.success(request, _("The idea “%(name)s” was deleted.") % {"name": name})
    return redirect("learning-idea-list", org_slug=request.org.slug)


def _session_form(request, session=None):
    form = ThinkTankSessionForm(request.POST or None, instance=session, org=request.org)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": session})
        return redirect("learning-session-detail", org_slug=request.org.slug, pk=session.pk)
    return _form_page(
        request,
        "learning/people/explore/_form_page.html",
        form,
        session,
        new_heading=_("New think-tank session"),
        list_name="learning-group-list",
        detail_name="learning-session-detail",
        section="groups",
    )


@org_view(Role.EDITOR)
def session_create(request):
    return _session_form(request)


@org_view(Role.EDITOR)
def session_edit(request, pk):
    return _session_form(request, get_scoped_or_404(ThinkTankSession, request.org, pk=pk))


@org_view()
def session_detail(request, pk):
    session = get_scoped_or_404(ThinkTankSession.objects.select_related("group"), request.org, pk=pk)
    ideas = _ideas(request).filter(session=session).order_by("-vote_count", "-created_at")
    return render(
        request,
        "learning/people/explore/session_detail.html",
        {"session": session, "ideas": ideas, "can_edit": request.membership.can_edit},
    )


# --- experiment log --------------------------------------------------------------------------------------------------


@org_view()
def experiment_list(request):
    experiments = scoped(Experiment.objects.select_related("post", "lesson"), request.org)
    tier = request.GET.get("tier", "")
    if tier in ExperimentTier.values:
        experiments = experiments.filter(tier=tier)
    else:
        tier = ""
    pending = request.GET.get("pending") == "1"
    if pending:
        experiments = experiments.filter(lesson__isnull=True)
    return render(
        request,
        "learning/people/explore/experiment_list.html",
        {
            "experiments": experiments,
            "tiers": ExperimentTier.choices,
            "tier": tier,
            "pending": pending,
            "can_edit": request.membership.can_edit,
        },
    )


def _experiment_form(request, experiment=None):
    initial = {}
    if experiment is None and request.GET.get("post", "").isdigit():
        initial["post"] = request.GET["post"]
    form = ExperimentForm(request.POST or None, instance=experiment, org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.instance.pk is None:
            form.instance.created_by = request.user
        experiment = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": experiment})
        return redirect("learning-experiment-detail", org_slug=request.org.slug, pk=experiment.pk)
    return _form_page(
        request,
        "learning/people/explore/experiment_form.html",
        form,
        experiment,
        new_heading=_("New experiment"),
        list_name="learning-experiment-list",
        detail_name="learning-experiment-detail",
        section="experiments",
    )


@org_view(Role.EDITOR)
def experiment_create(request):
    return _experiment_form(request)


@org_view(Role.EDITOR)
def experiment_edit(request, pk):
    return _experiment_form(request, get_scoped_or_404(Experiment, request.org, pk=pk))


@org_view()
def experiment_detail(request, pk):
    experiment = get_scoped_or_404(
        Experiment.objects.select_related("post", "post__profile", "lesson"), request.org, pk=pk
    )
    return render(
        request,
        "learning/people/explore/experiment_detail.html",
        {"experiment": experiment, "can_edit": request.membership.can_edit},
    )


@require_POST
@org_view(Role.EDITOR)
def experiment_record_lesson(request, pk):
    experiment = get_scoped_or_404(Experiment, request.org, pk=pk)
    already = experiment.lesson_id is not None
    try:
        service.experiment_record_lesson(experiment, by=request.user)
    except PeopleError as error:
        messages.error(request, error.message)
    else:
        if already:
            messages.info(request, _("This lesson was already recorded."))
        else:
            messages.success(request, _("The lesson was recorded in the lessons learned."))
    return redirect("learning-experiment-detail", org_slug=request.org.slug, pk=experiment.pk)


@require_POST
@org_view(Role.EDITOR)
def experiment_delete(request, pk):
    experiment = get_scoped_or_404(Experiment, request.org, pk=pk)
    name = experiment.title
    experiment.delete()
    messages.success(request, _("The experiment “%(name)s” was deleted.") % {"name": name})
    return redirect("learning-experiment-list", org_slug=request.org.slug)
