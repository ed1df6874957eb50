"""The content calendar in the browser: month, week and list views, the post page with its workflow
and history, the 70/20/10 balance, conversation ideas and the calendar settings."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped
from metrics.charts import Series, stacked_bar_chart
from strategy import workflow
from strategy.balance import balance_compute
from strategy.forms_calendar import (
    CalendarFilterForm,
    CalendarSettingsForm,
    IdeaForm,
    MediaFormSet,
    PeriodForm,
    PostForm,
    media_type_of,
)
from strategy.limits import post_length
from strategy.models import (
    TIER_TARGETS,
    ConversationIdea,
    ConversationSettings,
    IdeaStatus,
    PlannedPost,
    PostMedia,
    PostStatus,
    Tier,
)

TIER_COLOURS = {Tier.PROVEN: "#1f5f99", Tier.MODERATE: "#b26a00", Tier.RADICAL: "#8e3b8e"}


def _posts(request):
    return scoped(PlannedPost.objects.all(), request.org).select_related("profile", "owner", "campaign")


def _local_bounds(org, start: date, end: date) -> tuple[datetime, datetime]:
    zone = org.zoneinfo
    return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(
        end + timedelta(days=1), time.min, tzinfo=zone
    )


def _month(value: str | None) -> date:
    today = timezone.localdate()
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            return date(year, month, 1)
        except (TypeError, ValueError):
            pass
    return today.replace(day=1)


def _by_day(posts) -> dict[date, list[PlannedPost]]:
    days: dict[date, list[PlannedPost]] = {}
    for post in posts:
        if post.scheduled_at:
            days.setdefault(timezone.localtime(post.scheduled_at).date(), []).append(post)
    return days


def _weeks_chart(weeks, title: str):
    """Posts per tier, week by week, stacked: the rhythm of proven posts and experiments."""
    labels = [week.start for week in weeks]
    series = [
        Series(str(tier.label), [week.tiers[i].count for week in weeks], TIER_COLOURS[tier.value])
        for i, tier in enumerate(Tier)
    ]
    return stacked_bar_chart(title=title, x_labels=labels, series=series, y_label=_("Posts"), height=240)


def _calendar_context(request, start: date, end: date, view: str) -> dict:
    filters = CalendarFilterForm(request.GET or None, org=request.org)
    lower, upper = _local_bounds(request.org, start, end)
    posts = filters.apply(_posts(request).filter(scheduled_at__gte=lower, scheduled_at__lt=upper))
    profile = filters.cleaned_data.get("profile") if filters.is_valid() else None
    balance = balance_compute(request.org, start, end, profile_id=profile.pk if profile else None)
    unscheduled = filters.apply(_posts(request).filter(scheduled_at__isnull=True).exclude(status=PostStatus.REJECTED))
    return {
        "filters": filters,
        "query": filters.query_string(),
        "days": _by_day(posts),
        "balance": balance,
        "view": view,
        "unscheduled": unscheduled[:20],
        "can_edit": request.membership.can_edit,
        "today": timezone.localdate(),
    }


@org_view()
def calendar_month(request):
    first = _month(request.GET.get("month"))
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    context = _calendar_context(request, first, last, "month")
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    days = context["days"]
    context.update(
        {
            "month": first,
            "weeks": [[(day, days.get(day, []), day.month == first.month) for day in week] for week in weeks],
            "weekday_names": [weeks[0][i] for i in range(7)],
            "previous": (first - timedelta(days=1)).replace(day=1),
            "next": last + timedelta(days=1),
            "start": first,
            "end": last,
        }
    )
    return render(request, "strategy/calendar/month.html", context)


@org_view()
def calendar_week(request):
    chosen = parse_date(request.GET.get("date") or "") or timezone.localdate()
    start = chosen - timedelta(days=chosen.weekday())
    end = start + timedelta(days=6)
    context = _calendar_context(request, start, end, "week")
    days = context["days"]
    context.update(
        {
            "week": [(start + timedelta(days=i), days.get(start + timedelta(days=i), [])) for i in range(7)],
            "previous": start - timedelta(days=7),
            "next": start + timedelta(days=7),
            "start": start,
            "end": end,
        }
    )
    return render(request, "strategy/calendar/week.html", context)


@org_view()
def post_list(request):
    filters = CalendarFilterForm(request.GET or None, org=request.org)
    period = PeriodForm(
        request.GET or None,
        org=request.org,
        default_start=timezone.localdate() - timedelta(days=30),
        default_end=timezone.localdate() + timedelta(days=90),
    )
    start, end = (
        (period.cleaned_data["start"], period.cleaned_data["end"])
        if period.is_valid()
        else (period.default_start, period.default_end)
    )
    lower, upper = _local_bounds(request.org, start, end)
    posts = filters.apply(_posts(request).filter(scheduled_at__gte=lower, scheduled_at__lt=upper))
    page = Paginator(posts.order_by("scheduled_at", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "strategy/calendar/list.html",
        {
            "filters": filters,
            "period": period,
            "page": page,
            "start": start,
            "end": end,
            "query": filters.query_string(),
            "view": "list",
            "can_edit": request.membership.can_edit,
        },
    )


@org_view()
def balance_view(request):
    today = timezone.localdate()
    default_start = today.replace(day=1)
    default_end = default_start.replace(day=pycalendar.monthrange(today.year, today.month)[1])
    period = PeriodForm(request.GET or None, org=request.org, default_start=default_start, default_end=default_end)
    if period.is_valid():
        start, end, profile = period.cleaned_data["start"], period.cleaned_data["end"], period.cleaned_data["profile"]
    else:
        start, end, profile = default_start, default_end, None
    balance = balance_compute(request.org, start, end, profile_id=profile.pk if profile else None)
    # The last twelve weeks, one row per week, for a feel of the rhythm.
    weeks = []
    monday = today - timedelta(days=today.weekday())
    for offset in range(-8, 4):
        week_start = monday + timedelta(days=7 * offset)
        weeks.append(
            balance_compute(
                request.org, week_start, week_start + timedelta(days=6), profile_id=profile.pk if profile else None
            )
        )
    chart = _weeks_chart(weeks, _("Posts per tier, week by week"))
    return render(
        request,
        "strategy/calendar/balance.html",
        {"period": period, "balance": balance, "chart": chart, "weeks": weeks, "profile": profile},
    )


def _apply_idea_defaults(request, form_initial: dict) -> ConversationIdea | None:
    idea_id = request.GET.get("idea")
    if not (idea_id and idea_id.isdigit()):
        return None
    idea = scoped(ConversationIdea.objects.all(), request.org).filter(pk=idea_id).first()
    if idea:
        form_initial.update(
            {"idea": idea, "audience": idea.audience, "objective": idea.objective, "text": idea.angle or idea.title}
        )
        if idea.trend:
            form_initial["hashtags"] = idea.trend if idea.trend.startswith("#") else ""
    return idea


def _post_form(request, post: PlannedPost | None):
    creating = post is None
    initial = {}
    if creating:
        post = PlannedPost(org=request.org)
        day = parse_date(request.GET.get("date") or "")
        if day:
            initial["scheduled_at"] = datetime.combine(day, time(10, 0))
        _apply_idea_defaults(request, initial)
        for name in ("text", "tier"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        initial.setdefault("owner", request.user)
    elif post.status == PostStatus.PUBLISHED:
        messages.error(request, _("A published post cannot be changed."))
        return redirect("strategy-post-detail", org_slug=request.org.slug, pk=post.pk)
    before = None if creating else workflow.snapshot(post)
    form = PostForm(request.POST or None, instance=post, org=request.org, initial=initial)
    media = MediaFormSet(request.POST or None, request.FILES or None, instance=post, prefix="media")
    if request.method == "POST":
        form_ok, media_ok = form.is_valid(), media.is_valid()
        if form_ok and media_ok:
            try:
                with transaction.atomic():
                    saved = workflow.post_save(form.instance, user=request.user, before=before)
                    media.instance = saved
                    old_names = [str(item) for item in saved.media.all()] if not creating else []
                    media.save()
                    if not creating and media.has_changed():
                        new_names = [str(item) for item in saved.media.all()]
                        workflow.post_media_changed(
                            saved, user=request.user, before=", ".join(old_names), after=", ".join(new_names)
                        )
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("The post was saved."))
                return redirect("strategy-post-detail", org_slug=request.org.slug, pk=saved.pk)
    length, limit = (None, None)
    if post.profile_id:
        length, limit = post_length(post)
    return render(
        request,
        "strategy/calendar/post_form.html",
        {
            "form": form,
            "media": media,
            "post": None if creating else post,
            "length": length,
            "limit": limit,
            "limits": {
                str(profile.pk): {"limit": profile.effective_char_limit, "platform": profile.platform}
                for profile in form.fields["profile"].queryset
            },
        },
        status=400 if request.method == "POST" else 200,
    )


def _attach(form, error: ValidationError) -> None:
    """Put a workflow error on the form's fields (or on the form when it names none)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@org_view(Role.EDITOR)
def post_create(request):
    return _post_form(request, None)


@org_view(Role.EDITOR)
def post_edit(request, pk):
    return _post_form(request, get_scoped_or_404(PlannedPost, request.org, pk=pk))


@org_view()
def post_detail(request, pk):
    post = get_scoped_or_404(
        PlannedPost.objects.select_related(
            "profile", "owner", "objective", "campaign", "audience", "idea", "created_by", "reviewed_by"
        ),
        request.org,
        pk=pk,
    )
    return _detail(request, post)


def _detail(request, post, *, reject_error: str = "", comment_error: str = "", status: int = 200):
    events = post.events.select_related("actor")
    length, limit = post_length(post)
    problems = workflow.post_problems(post) if post.status not in (PostStatus.PUBLISHED, PostStatus.REJECTED) else {}
    actions = workflow.available_actions(post, request.membership)
    settings = ConversationSettings.for_org(request.org)
    own = request.user.pk in {post.created_by_id, post.submitted_by_id}
    return render(
        request,
        "strategy/calendar/post_detail.html",
        {
            "post": post,
            "events": events,
            "media": post.media.all(),
            "length": length,
            "limit": limit,
            "problems": problems,
            "actions": actions,
            "needs_other_reviewer": post.status == PostStatus.IN_REVIEW
            and own
            and settings.require_second_reviewer
            and request.membership.can_edit,
            "can_edit": request.membership.can_edit and post.status != PostStatus.PUBLISHED,
            "reject_error": reject_error,
            "comment_error": comment_error,
            "org": request.org,
        },
        status=status,
    )


@require_POST
@org_view(Role.EDITOR)
def post_action(request, pk, action):
    post = get_scoped_or_404(PlannedPost.objects.select_related("profile"), request.org, pk=pk)
    if action not in workflow.ACTIONS:
        raise Http404
    reason = request.POST.get("reason", "")
    try:
        post = workflow.post_transition(post, action, user=request.user, reason=reason)
    except ValidationError as error:
        text = " ".join(error.messages)
        if action == "reject":
            return _detail(request, post, reject_error=text, status=400)
        messages.error(request, text)
    else:
        messages.success(request, _("The post is now “%(status)s”.") % {"status": post.get_status_display()})
    return redirect("strategy-post-detail", org_slug=request.org.slug, pk=post.pk)


@require_POST
@org_view()
def post_comment(request, pk):
    post = get_scoped_or_404(PlannedPost.objects.select_related("profile"), request.org, pk=pk)
    try:
        workflow.post_comment(post, user=request.user, message=request.POST.get("message", ""))
    except ValidationError as error:
        return _detail(request, post, comment_error=" ".join(error.messages), status=400)
    messages.success(request, _("Your comment was added."))
    return redirect(reverse("strategy-post-detail", kwargs={"org_slug": request.org.slug, "pk": post.pk}) + "#history")


@require_POST
@org_view(Role.EDITOR)
def post_reschedule(request, pk):
    """Drag and drop (or the small form): move a post to another day, keeping its time of day."""
    post = get_scoped_or_404(PlannedPost, request.org, pk=pk)
    day = parse_date(request.POST.get("date") or "")
    if day is None:
        return _reschedule_reply(request, post, _("Choose a valid date."), 400)
    current = timezone.localtime(post.scheduled_at) if post.scheduled_at else None
    moment = current.timetz().replace(tzinfo=None) if current else time(10, 0)
    if request.POST.get("time"):
        try:
            moment = time.fromisoformat(request.POST["time"])
        except ValueError:
            return _reschedule_reply(request, post, _("Choose a valid time."), 400)
    when = timezone.make_aware(datetime.combine(day, moment), request.org.zoneinfo)
    try:
        workflow.post_reschedule(post, when, user=request.user)
    except ValidationError as error:
        return _reschedule_reply(request, post, " ".join(error.messages), 400)
    return _reschedule_reply(
        request, post, _("The post moved to %(date)s.") % {"date": when.strftime("%d/%m/%Y %H:%M")}, 200
    )


def _reschedule_reply(request, post, text: str, status: int):
    if request.htmx:
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect("strategy-post-detail", org_slug=request.org.slug, pk=post.pk)


@org_view()
def post_media(request, pk, media_pk):
    """Media files are served only to members of the post's organisation."""
    post = get_scoped_or_404(PlannedPost, request.org, pk=pk)
    media = PostMedia.objects.filter(post=post, pk=media_pk).first()
    if media is None or not media.file:
        raise Http404
    try:
        handle = media.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = media_type_of(media.file.name)
    if content_type is None:
        # Not an image or video by its name (an upload from before the name was checked): a download,
        # never a page of ours that could run a script.
        return FileResponse(handle, as_attachment=True, content_type="application/octet-stream")
    return FileResponse(handle, content_type=content_type)


# --- Conversation ideas --------------------------------------------------------------------


@org_view()
def idea_list(request):
    ideas = scoped(ConversationIdea.objects.all(), request.org).select_related("audience", "objective", "created_by")
    status = request.GET.get("status", "open")
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    from django.db.models import Count

    ideas = ideas.annotate(post_count=Count("posts"))
    return render(
        request,
        "strategy/calendar/idea_list.html",
        {"ideas": ideas, "status": status, "statuses": IdeaStatus.choices, "can_edit": request.membership.can_edit},
    )


def _idea_form(request, idea: ConversationIdea | None):
    initial = {}
    mention = None
    if idea is None:
        trend = (request.GET.get("trend") or "").strip()[:120]
        if trend:
            initial.update({"trend": trend, "title": _("Conversation about %(trend)s") % {"trend": trend}})
        mention_id = request.GET.get("mention", "")
        if mention_id.isdigit():
            from listening.models import Mention

            mention = scoped(Mention.objects.all(), request.org).filter(pk=mention_id).first()
            if mention:
                excerpt = " ".join(mention.text.split())[:160]
                initial.update(
                    {
                        "title": _("Answer to %(author)s") % {"author": mention.author_handle or mention.author_name},
                        "notes": excerpt,
                    }
                )
    form = IdeaForm(request.POST or None, instance=idea, org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if idea is None:
            saved.created_by = request.user
            mention_id = request.POST.get("mention", "")
            if mention_id.isdigit():
                from listening.models import Mention

                saved.mention = scoped(Mention.objects.all(), request.org).filter(pk=mention_id).first()
        saved.save()
        messages.success(request, _("The idea “%(title)s” was saved.") % {"title": saved.title})
        return redirect("strategy-idea-detail", org_slug=request.org.slug, pk=saved.pk)
    return render(
        request,
        "strategy/calendar/idea_form.html",
        {"form": form, "idea": idea, "mention": mention},
        status=400 if request.method == "POST" else 200,
    )


@org_view(Role.EDITOR)
def idea_create(request):
    return _idea_form(request, None)


@org_view(Role.EDITOR)
def idea_edit(request, pk):
    return _idea_form(request, get_scoped_or_404(ConversationIdea, request.org, pk=pk))


@org_view()
def idea_detail(request, pk):
    idea = get_scoped_or_404(
        ConversationIdea.objects.select_related("audience", "objective", "mention", "created_by"), request.org, pk=pk
    )
    return render(
        request,
        "strategy/calendar/idea_detail.html",
        {
            "idea": idea,
            "posts": idea.posts.select_related("profile").order_by("scheduled_at"),
            "can_edit": request.membership.can_edit,
        },
    )


# --- Settings ----------------------------------------------------------------------------


@org_view(Role.ADMIN)
def calendar_settings(request):
    settings = ConversationSettings.for_org(request.org)
    form = CalendarSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST":
        intent = request.POST.get("intent", "save")
        if intent == "new-token":
            settings.new_calendar_token()
            messages.success(request, _("A new calendar address was created; the old one no longer works."))
            return redirect("strategy-calendar-settings", org_slug=request.org.slug)
        if intent == "revoke-token":
            settings.revoke_calendar_token()
            messages.success(request, _("The calendar address was revoked; calendar apps can no longer read it."))
            return redirect("strategy-calendar-settings", org_slug=request.org.slug)
        if form.is_valid():
            form.save()
            messages.success(request, _("The calendar settings were saved."))
            return redirect("strategy-calendar-settings", org_slug=request.org.slug)
    feed_url = ""
    if settings.calendar_token:
        feed_url = request.build_absolute_uri(
            reverse("api-calendar-feed", kwargs={"org_slug": request.org.slug}) + f"?token={settings.calendar_token}"
        )
    return render(
        request,
        "strategy/calendar/settings.html",
        {"form": form, "settings": settings, "feed_url": feed_url, "targets": TIER_TARGETS},
        status=400 if request.method == "POST" else 200,
    )
