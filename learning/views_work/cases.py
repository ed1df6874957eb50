"""Part 2, relevant cases: trusted feeds, the reader, and the case-study library."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_work import CaseStudyForm, TrustedFeedForm
from learning.models import CASE_RELATIONS, CaseStudy, FeedItem, TrustedFeed
from learning.selectors import case_studies_filtered, case_tags, feed_items_for
from learning.services import cases as case_service
from learning.services import feeds as feed_service
from learning.views_work.common import page_status, safe_back
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped

READER_PAGE = 30
CASE_PAGE = 20


# --- Trusted feeds ----------------------------------------------------------------------------


@org_view()
def feed_list(request):
    feeds = scoped(TrustedFeed.objects.all(), request.org).annotate(item_count=Count("items"))
    return render(request, "learning/feeds/list.html", {"feeds": feeds, "can_edit": request.membership.can_edit})


def _feed_form(request, feed=None):
    form = TrustedFeedForm(request.POST or None, instance=feed, org=request.org)
    if request.method == "POST" and form.is_valid():
        is_new = form.instance.pk is None
        try:
            feed = feed_service.feed_create(form.instance) if is_new else form.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if is_new:
                feed_service.feed_poll_soon(feed)
                messages.success(
                    request, _("“%(name)s” was added; its articles will appear in the reader shortly.") % {"name": feed}
                )
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": feed})
            return redirect("learning-feed-list", org_slug=request.org.slug)
    return render(
        request, "learning/feeds/form.html", {"form": form, "object": feed}, status=page_status(request, form)
    )


@org_view(Role.EDITOR)
def feed_create(request):
    return _feed_form(request)


@org_view(Role.EDITOR)
def feed_edit(request, pk):
    return _feed_form(request, get_scoped_or_404(TrustedFeed, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def feed_poll(request, pk):
    feed = get_scoped_or_404(TrustedFeed, request.org, pk=pk)
    feed_service.feed_poll_soon(feed)
    messages.success(request, _("“%(name)s” will be read in a moment.") % {"name": feed})
    return redirect("learning-feed-list", org_slug=request.org.slug)


@require_POST
@org_view(Role.EDITOR)
def feed_delete(request, pk):
    feed = get_scoped_or_404(TrustedFeed, request.org, pk=pk)
    name = feed.name
    feed.delete()
    messages.success(request, _("“%(name)s” and its articles were removed from the reader.") % {"name": name})
    return redirect("learning-feed-list", org_slug=request.org.slug)


# --- Reader -----------------------------------------------------------------------------------


def _parse_cursor(value: str):
    """``<ISO timestamp>~<id>`` of the last item shown: the keyset for "show older"."""
    stamp, sep, pk = (value or "").rpartition("~")
    try:
        return datetime.fromisoformat(stamp), int(pk)
    except (TypeError, ValueError):
        return None


@org_view()
def reader(request):
    feeds = list(scoped(TrustedFeed.objects.filter(enabled=True), request.org))
    items = feed_items_for(request.org, request.user).filter(feed__enabled=True)
    feed_id = request.GET.get("feed", "")
    feed = next((f for f in feeds if str(f.pk) == feed_id), None)
    if feed is not None:
        items = items.filter(feed=feed)
    show = request.GET.get("show", "unread")
    if show not in ("unread", "all"):
        show = "unread"
    if show == "unread":
        items = items.filter(is_read=False)
    cursor = _parse_cursor(request.GET.get("before", ""))
    if cursor:
        items = items.filter(Q(published_at__lt=cursor[0]) | Q(published_at=cursor[0], id__lt=cursor[1]))
    page = list(items.order_by("-published_at", "-id")[: READER_PAGE + 1])
    more = len(page) > READER_PAGE
    page = page[:READER_PAGE]
    next_url = ""
    if more:
        params = request.GET.copy()
        params["before"] = f"{page[-1].published_at.isoformat()}~{page[-1].pk}"
        next_url = "?" + params.urlencode()
    context = {
        "items": page,
        "feeds": feeds,
        "feed": feed,
        "show": show,
        "next_url": next_url,
        "has_feeds": bool(feeds),
        "can_edit": request.membership.can_edit,
    }
    if request.htmx and cursor:
        return render(request, "learning/reader.html#rows", context)
    return render(request, "learning/reader.html", context)


@require_POST
@org_view(Role.VIEWER)
def item_read(request, pk):
    """Mark an item read (``read=1``) or unread (``read=0``) for the member."""
    item = get_scoped_or_404(FeedItem.objects.select_related("feed"), request.org, pk=pk)
    read = request.POST.get("read", "1") == "1"
    feed_service.item_mark_read(item, request.user, read=read)
    if request.htmx:
        item.is_read = read
        return render(request, "learning/reader.html#item", {"item": item, "can_edit": request.membership.can_edit})
    back = safe_back(request, request.POST.get("next"))
    return redirect(back or "learning-reader", **({} if back else {"org_slug": request.org.slug}))


@require_POST
@org_view(Role.VIEWER)
def reader_mark_all(request):
    feed = None
    if request.POST.get("feed"):
        feed = scoped(TrustedFeed.objects.all(), request.org).filter(pk=request.POST["feed"]).first()
    count = feed_service.items_mark_all_read(request.org, request.user, feed=feed)
    messages.success(request, _("%(n)s articles marked as read.") % {"n": count})
    back = safe_back(request, request.POST.get("next"))
    return redirect(back or "learning-reader", **({} if back else {"org_slug": request.org.slug}))


# --- Case studies -----------------------------------------------------------------------------


@org_view()
def case_list(request):
    q = request.GET.get("q", "").strip()[:200]
    relation = request.GET.get("relation", "")
    relation = relation if relation in dict(CASE_RELATIONS) else ""
    tag = request.GET.get("tag", "").strip().lower()[:50]
    platform = request.GET.get("platform", "").strip()[:80]
    cases = case_studies_filtered(
        scoped(CaseStudy.objects.select_related("saved_by"), request.org),
        q=q,
        relation=relation,
        tag=tag,
        platform=platform,
    )
    page = Paginator(cases, CASE_PAGE).get_page(request.GET.get("page"))
    platforms = (
        scoped(CaseStudy.objects.exclude(platform=""), request.org)
        .values_list("platform", flat=True)
        .distinct()
        .order_by("platform")
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "cases": page.object_list,
        "q": q,
        "relation": relation,
        "tag": tag,
        "platform": platform,
        "relations": CASE_RELATIONS,
        "tags": case_tags(request.org),
        "platforms": list(platforms),
        "filtered": bool(q or relation or tag or platform),
        "query_without_page": params.urlencode(),
        "can_edit": request.membership.can_edit,
    }
    if request.htmx and request.htmx.target == "case-results":
        return render(request, "learning/cases/list.html#results", context)
    return render(request, "learning/cases/list.html", context)


def _origin(request):
    """The reader item or listening mention a new case study comes from (``item`` / ``mention``)."""
    from listening.models import Mention

    data = request.POST if request.method == "POST" else request.GET
    item = mention = None
    if data.get("item"):
        item = get_scoped_or_404(FeedItem.objects.select_related("feed"), request.org, pk=_int(data["item"]))
    elif data.get("mention"):
        mention = get_scoped_or_404(Mention, request.org, pk=_int(data["mention"]))
    return item, mention


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@org_view(Role.EDITOR)
def case_create(request):
    item, mention = _origin(request)
    initial = {}
    if item is not None:
        initial = case_service.case_prefill_from_item(item)
    elif mention is not None:
        initial = case_service.case_prefill_from_mention(mention)
    elif request.GET.get("url"):
        initial = {"url": request.GET["url"][:1000]}
    form = CaseStudyForm(request.POST or None, initial=initial, org=request.org)
    if request.method == "POST" and form.is_valid():
        case = form.instance
        case.feed_item, case.mention = item, mention
        try:
            case = case_service.case_study_save(case, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if item is not None:
                feed_service.item_mark_read(item, request.user)
            messages.success(request, _("The case study “%(title)s” was saved for the team.") % {"title": case})
            return redirect("learning-case-detail", org_slug=request.org.slug, pk=case.pk)
    return render(
        request,
        "learning/cases/form.html",
        {"form": form, "object": None, "item": item, "mention": mention},
        status=page_status(request, form),
    )


@org_view(Role.EDITOR)
def case_edit(request, pk):
    case = get_scoped_or_404(CaseStudy, request.org, pk=pk)
    form = CaseStudyForm(request.POST or None, instance=case, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            case_service.case_study_save(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case study “%(title)s” was saved for the team.") % {"title": case})
            return redirect("learning-case-detail", org_slug=request.org.slug, pk=case.pk)
    return render(
        request,
        "learning/cases/form.html",
        {"form": form, "object": case, "item": case.feed_item, "mention": case.mention},
        status=page_status(request, form),
    )


@org_view()
def case_detail(request, pk):
    case = get_scoped_or_404(
        CaseStudy.objects.select_related("saved_by", "feed_item__feed", "mention", "lesson"), request.org, pk=pk
    )
    return render(
        request,
        "learning/cases/detail.html",
        {
            "case": case,
            "can_edit": request.membership.can_edit,
            # The offer: what we could adapt is written and not yet a lesson.
            "offer_lesson": bool(case.adapt.strip()) and case.lesson_id is None,
        },
    )


@require_POST
@org_view(Role.EDITOR)
def case_lesson(request, pk):
    case = get_scoped_or_404(CaseStudy, request.org, pk=pk)
    try:
        lesson = case_service.case_study_to_lesson(case, author=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning-case-detail", org_slug=request.org.slug, pk=case.pk)
    messages.success(request, _("“What we could adapt” is now a lesson learned: “%(title)s”.") % {"title": lesson})
    return redirect("learning-case-detail", org_slug=request.org.slug, pk=case.pk)


@require_POST
@org_view(Role.EDITOR)
def case_delete(request, pk):
    case = get_scoped_or_404(CaseStudy, request.org, pk=pk)
    title = case.title
    case.delete()
    messages.success(request, _("The case study “%(title)s” was deleted.") % {"title": title})
    return redirect("learning-case-list", org_slug=request.org.slug)
