"""The stage 5 home page: the five parts of invisible learning at a glance."""

from django.db.models import Count, Q
from django.shortcuts import render

from learning.models import CaseStudy, Executive, Lesson, TrustedFeed
from learning.selectors import activities_counts, executive_progress, executives_with_counts, unread_count
from learning.services.executives import listening_status
from mesm.tenancy import org_view, scoped


def _people_counts(org) -> dict:
    """Counts of the people half (listening to staff, exploring trends), for its two tiles."""
    from learning.models import DiscussionGroup, Experiment, StaffMember, Survey, Talk, ThinkTankIdea

    return {
        key: model.objects.filter(org=org).count()
        for key, model in [
            ("surveys", Survey),
            ("staff", StaffMember),
            ("talks", Talk),
            ("groups", DiscussionGroup),
            ("ideas", ThinkTankIdea),
            ("experiments", Experiment),
        ]
    }


@org_view()
def home(request):
    org = request.org
    executives = list(executives_with_counts(scoped(Executive.objects.all(), org))[:6])
    lessons = scoped(Lesson.objects.select_related("author"), org)
    lesson_stats = lessons.aggregate(total=Count("id"), by_kind=Count("source_kind", distinct=True))
    context = {
        "activities": activities_counts(org),
        "feeds": scoped(TrustedFeed.objects.all(), org).aggregate(
            total=Count("id"), failing=Count("id", filter=Q(status=TrustedFeed.Status.ERROR, enabled=True))
        ),
        "unread": unread_count(org, request.user),
        "cases": scoped(CaseStudy.objects.all(), org).count(),
        "executives": [(executive, executive_progress(executive)) for executive in executives],
        "executive_count": scoped(Executive.objects.all(), org).count(),
        "people": _people_counts(org),
        "lesson_total": lesson_stats["total"],
        "latest_lessons": list(lessons.order_by("-created_at", "-id")[:5]),
        "listening": listening_status(org),
        "can_edit": request.membership.can_edit,
    }
    return render(request, "learning/home.html", context)
