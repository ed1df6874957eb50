"""Lessons learned: one searchable place, the quick note from any page, the weekly digest opt-in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_work import LessonForm, QuickLessonForm
from learning.models import Lesson, LessonDigestSubscription
from learning.selectors import lesson_search, lesson_tags
from learning.services.lessons import lesson_digest_subscribe, lesson_record
from learning.views_work.common import page_status, safe_back
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped

PAGE_SIZE = 20


def _can_change(request, lesson: Lesson) -> bool:
    return request.membership.can_edit or (lesson.author_id is not None and lesson.author_id == request.user.pk)


@org_view()
def lesson_list(request):
    lessons = scoped(Lesson.objects.select_related("author"), request.org)
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    tag = request.GET.get("tag", "").strip().lower()[:50]
    if kind in Lesson.SourceKind.values:
        lessons = lessons.filter(source_kind=kind)
    else:
        kind = ""
    if tag:
        lessons = lessons.filter(tags__contains=[tag])
    lessons = lesson_search(lessons, q)
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "lessons": page.object_list,
        "q": q,
        "kind": kind,
        "tag": tag,
        "kinds": Lesson.SourceKind.choices,
        "tags": lesson_tags(request.org),
        "filtered": bool(q or kind or tag),
        "subscribed": LessonDigestSubscription.objects.filter(membership=request.membership).exists(),
        "can_edit": request.membership.can_edit,
        "query_without_page": _query_without_page(request),
    }
    if request.htmx and request.htmx.target == "lesson-results":
        return render(request, "learning/lessons/list.html#results", context)
    return render(request, "learning/lessons/list.html", context)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@org_view()
def lesson_detail(request, pk):
    lesson = get_scoped_or_404(Lesson.objects.select_related("author"), request.org, pk=pk)
    return render(
        request, "learning/lessons/detail.html", {"lesson": lesson, "can_change": _can_change(request, lesson)}
    )


@org_view(Role.VIEWER)
def lesson_create(request):
    """Any member may write a lesson; the full form (the quick note is lesson_quick)."""
    initial = {"source_kind": Lesson.SourceKind.NOTE, "source_url": safe_back(request, request.GET.get("from"))}
    form = LessonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lesson_record(request.org, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The lesson “%(title)s” was saved.") % {"title": lesson.title})
            return redirect("learning-lesson-detail", org_slug=request.org.slug, pk=lesson.pk)
    return render(
        request, "learning/lessons/form.html", {"form": form, "object": None}, status=page_status(request, form)
    )


@org_view(Role.VIEWER)
def lesson_edit(request, pk):
    lesson = get_scoped_or_404(Lesson, request.org, pk=pk)
    if not _can_change(request, lesson):
        messages.error(request, _("Only its author or an editor can change this lesson."))
        return redirect("learning-lesson-detail", org_slug=request.org.slug, pk=lesson.pk)
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The lesson “%(title)s” was saved.") % {"title": lesson.title})
        return redirect("learning-lesson-detail", org_slug=request.org.slug, pk=lesson.pk)
    return render(
        request, "learning/lessons/form.html", {"form": form, "object": lesson}, status=page_status(request, form)
    )


@require_POST
@org_view(Role.VIEWER)
def lesson_delete(request, pk):
    lesson = get_scoped_or_404(Lesson, request.org, pk=pk)
    if not _can_change(request, lesson):
        messages.error(request, _("Only its author or an editor can delete this lesson."))
        return redirect("learning-lesson-detail", org_slug=request.org.slug, pk=lesson.pk)
    title = lesson.title
    lesson.delete()
    messages.success(request, _("The lesson “%(title)s” was deleted.") % {"title": title})
    return redirect("learning-lesson-list", org_slug=request.org.slug)


@org_view(Role.VIEWER)
def lesson_quick(request):
    """A lesson in under a minute from any page: title + body; ``?from=<path>`` is where it came from
    and where the member goes back to. Inside an htmx dialog the form and its answer are fragments."""
    back = safe_back(request, request.POST.get("from") or request.GET.get("from"))
    form = QuickLessonForm(request.POST or None, initial={"source_url": back})
    template = "learning/lessons/quick.html#dialog" if request.htmx else "learning/lessons/quick.html"
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lesson_record(
                request.org,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                source_kind=Lesson.SourceKind.NOTE,
                source_label=_("Quick note"),
                source_url=safe_back(request, form.cleaned_data["source_url"]) or back,
                author=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return render(request, "learning/lessons/quick.html#saved", {"lesson": lesson})
            messages.success(
                request, _("Thanks! Your lesson “%(title)s” is now in the team's lessons.") % {"title": lesson.title}
            )
            return redirect(back or "learning-lesson-list", **({} if back else {"org_slug": request.org.slug}))
    return render(request, template, {"form": form, "back": back}, status=page_status(request, form))


@require_POST
@org_view(Role.VIEWER)
def lesson_digest_toggle(request):
    on = request.POST.get("subscribe") == "1"
    lesson_digest_subscribe(request.membership, on=on)
    if on:
        messages.success(request, _("You will receive an e-mail with the new lessons every Monday."))
    else:
        messages.success(request, _("You will no longer receive the weekly lessons e-mail."))
    back = safe_back(request, request.POST.get("next"))
    return redirect(back or "learning-lesson-list", **({} if back else {"org_slug": request.org.slug}))
