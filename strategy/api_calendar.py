"""The content calendar's API: ideas, planned posts with their workflow, balance, CSV and iCalendar feed.

Views only translate HTTP: every write goes through strategy.workflow (WorkflowError becomes a 400
in the house error format), the balance through strategy.balance, the CSV through strategy.plan_csv
and the feed through strategy.ical.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mesm.api.base import OrgScopedViewSet
from mesm.models import Role
from strategy import ical, workflow
from strategy.balance import balance_compute
from strategy.forms_calendar import PeriodForm
from strategy.models import (
    ConversationIdea,
    PlannedPost,
    PostEventKind,
    PostMedia,
    PostStatus,
)
from strategy.plan_csv import PlanFilter, plan_csv_response
from strategy.serializers_calendar import (
    BalanceSerializer,
    CommentSerializer,
    IdeaSerializer,
    PlannedPostSerializer,
    PostEventSerializer,
    PostMediaSerializer,
    TransitionSerializer,
)

DELETABLE = (PostStatus.IDEA, PostStatus.DRAFT, PostStatus.REJECTED)
MAX_MEDIA = 4
REFUSED = OpenApiResponse(description='A rule said no; nothing was saved: {"error": {"code", "message", "fields"}}.')


class IdeaViewSet(OrgScopedViewSet):
    """Conversation ideas: something worth talking about before it becomes posts."""

    queryset = ConversationIdea.objects.all()
    serializer_class = IdeaSerializer
    filterset_fields = ["status", "objective", "audience"]

    def perform_create(self, serializer):
        serializer.save(org=self.org, created_by=self.request.user)


def _transition_schema(description: str):
    return extend_schema(
        request=TransitionSerializer,
        responses={200: PlannedPostSerializer, 400: REFUSED},
        description=description,
    )


def _list_only(**kwargs):
    """Sub-lists of one post (comments, history, media) are short: no paging, no list filters."""
    return {"pagination_class": None, "filter_backends": [], **kwargs}


@extend_schema_view(
    list=extend_schema(description="Planned posts, filtered by period (org time zone), status, tier, profile…"),
    create=extend_schema(
        description="Create a post (editors). It starts as a draft (or an idea); a time in the past, an "
        "experiment without hypothesis or a profile of another organisation is refused with 400.",
        responses={201: PlannedPostSerializer, 400: REFUSED},
    ),
    update=extend_schema(
        description="Edit a post. Changing the content of an approved or scheduled post sends it back to draft.",
        responses={200: PlannedPostSerializer, 400: REFUSED},
    ),
    partial_update=extend_schema(
        description="Edit some fields of a post. Content changes after approval send it back to draft.",
        responses={200: PlannedPostSerializer, 400: REFUSED},
    ),
    destroy=extend_schema(
        description="Delete a post that is an idea, a draft or rejected (editors).",
        responses={204: None, 400: REFUSED},
    ),
)
class PlannedPostViewSet(OrgScopedViewSet):
    """The content calendar's planned posts and their workflow: idea → draft → in review → approved →
    scheduled → published, or rejected. Viewers read and comment; editors write and move posts."""

    queryset = PlannedPost.objects.select_related("profile").prefetch_related(
        Prefetch("media", queryset=PostMedia.objects.order_by("position", "id"))
    )
    serializer_class = PlannedPostSerializer
    filterset_class = PlanFilter
    lookup_value_regex = "[0-9]+"

    @property
    def write_role(self):
        # Every member may comment; everything else that writes needs an editor.
        return Role.VIEWER if getattr(self, "action", None) == "comments" else Role.EDITOR

    def _fresh(self, post: PlannedPost) -> PlannedPost:
        return self.get_queryset().get(pk=post.pk)

    # --- CRUD through the workflow ---------------------------------------------------------------

    def perform_create(self, serializer):
        post = PlannedPost(org=self.org, **serializer.validated_data)
        workflow.post_save(post, user=self.request.user)
        serializer.instance = self._fresh(post)

    def perform_update(self, serializer):
        post = serializer.instance
        before = workflow.snapshot(post)
        for name, value in serializer.validated_data.items():
            if name != "status":  # unchanged: validate_status refuses any change
                setattr(post, name, value)
        workflow.post_save(post, user=self.request.user, before=before)
        serializer.instance = self._fresh(post)

    def perform_destroy(self, instance):
        if instance.status not in DELETABLE:
            raise workflow.WorkflowError(
                _("Only ideas, drafts and rejected posts can be deleted; move this post back to draft first.")
            )
        files = [media.file for media in instance.media.all()]
        instance.delete()
        transaction.on_commit(lambda: [file.delete(save=False) for file in files])

    # --- Workflow actions -------------------------------------------------------------------------

    def _move(self, request, name: str):
        post = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = workflow.post_transition(post, name, user=request.user, reason=serializer.validated_data["reason"])
        return Response(self.get_serializer(self._fresh(post)).data)

    @_transition_schema("Send a draft (or idea) for review.")
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._move(request, "submit")

    @_transition_schema(
        "Approve a post in review. Refused while it has problems (time passed, media without alt text, "
        "experiment without hypothesis, text over the platform's limit) and, when the organisation "
        "requires a second reviewer, when you wrote it or sent it to review."
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._move(request, "approve")

    @_transition_schema("Reject a post in review, approved or scheduled; `reason` is required.")
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        return self._move(request, "reject")

    @_transition_schema("Schedule an approved post (it is published at its time when the profile can publish).")
    @action(detail=True, methods=["post"])
    def schedule(self, request, *args, **kwargs):
        return self._move(request, "schedule")

    @_transition_schema("Send a post back to draft (from idea, in review, approved, scheduled or rejected).")
    @action(detail=True, methods=["post"])
    def draft(self, request, *args, **kwargs):
        return self._move(request, "draft")

    # --- Comments, history, media -----------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=PostEventSerializer(many=True), description="The post's comments.")
    @extend_schema(
        methods=["POST"],
        request=CommentSerializer,
        responses={201: PostEventSerializer, 400: REFUSED},
        description="Comment on the post (any member, viewers included).",
    )
    @action(detail=True, methods=["get", "post"], **_list_only())
    def comments(self, request, *args, **kwargs):
        post = self.get_object()
        if request.method == "POST":
            serializer = CommentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            event = workflow.post_comment(post, user=request.user, message=serializer.validated_data["message"])
            return Response(PostEventSerializer(event).data, status=status.HTTP_201_CREATED)
        events = post.events.filter(kind=PostEventKind.COMMENT).select_related("actor")
        return Response(PostEventSerializer(events, many=True).data)

    @extend_schema(responses=PostEventSerializer(many=True))
    @action(detail=True, methods=["get"], **_list_only())
    def history(self, request, *args, **kwargs):
        """Every change, status move, comment and publishing attempt of the post, oldest first."""
        post = self.get_object()
        return Response(PostEventSerializer(post.events.select_related("actor"), many=True).data)

    @extend_schema(methods=["GET"], responses=PostMediaSerializer(many=True), description="The post's media.")
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": PostMediaSerializer},
        responses={201: PostMediaSerializer, 400: REFUSED},
        description="Attach an image or video (multipart: `file`, `alt_text` required; at most 4 per post). "
        "Changing the media of an approved or scheduled post sends it back to draft.",
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[OpenApiParameter("id", int, required=True, description="The media to remove.")],
        responses={204: None, 400: REFUSED},
        description="Remove one image or video (`?id=`). On an approved or scheduled post it sends it back to draft.",
    )
    @action(
        detail=True, methods=["get", "post", "delete"], parser_classes=[MultiPartParser, FormParser], **_list_only()
    )
    def media(self, request, *args, **kwargs):
        post = self.get_object()
        if request.method == "GET":
            return Response(PostMediaSerializer(post.media.all(), many=True, context={"request": request}).data)
        if request.method == "POST":
            serializer = PostMediaSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            with transaction.atomic():
                self._check_media_change(post)
                if post.media.count() >= MAX_MEDIA:
                    raise workflow.WorkflowError(
                        {"file": [_("A post can have at most %(max)s images or videos.") % {"max": MAX_MEDIA}]}
                    )
                media = serializer.save(post=post, position=post.media.count())
                self._media_changed(post, before="", after=str(media))
            return Response(PostMediaSerializer(media, context={"request": request}).data, status=201)
        try:
            media_id = int(request.query_params.get("id", ""))
        except ValueError:
            raise workflow.WorkflowError({"id": [_("Say which image or video to remove (?id=).")]}) from None
        media = post.media.filter(pk=media_id).first()
        if media is None:
            raise Http404
        with transaction.atomic():
            self._check_media_change(post)
            name, file = str(media), media.file
            media.delete()
            self._media_changed(post, before=name, after="")
        transaction.on_commit(lambda: file.delete(save=False))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _check_media_change(post: PlannedPost) -> None:
        if post.status == PostStatus.PUBLISHED:
            raise workflow.WorkflowError(_("A published post cannot be changed."))

    def _media_changed(self, post: PlannedPost, *, before: str, after: str) -> None:
        workflow.post_media_changed(post, user=self.request.user, before=before, after=after)

    # --- Balance and CSV -----------------------------------------------------------------------

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: the 1st of this month)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included (default: end of month)."),
            OpenApiParameter("profile", int, description="Only this profile's posts."),
        ],
        responses={200: BalanceSerializer, 400: REFUSED},
    )
    @action(detail=False, methods=["get"], **_list_only())
    def balance(self, request, *args, **kwargs):
        """The 70/20/10 balance of the period: count and share per tier, whether each is within the
        organisation's tolerance, the total and one plain-words warning per tier off balance."""
        today = timezone.localdate()
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        form = PeriodForm(request.query_params, org=self.org, default_start=first, default_end=last)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        profile = form.cleaned_data.get("profile")
        result = balance_compute(
            self.org, form.cleaned_data["start"], form.cleaned_data["end"], profile_id=profile.pk if profile else None
        )
        data = {
            "start": result.start,
            "end": result.end,
            "profile": profile.pk if profile else None,
            "total": result.total,
            "tolerance": result.tolerance,
            "balanced": result.is_balanced,
            "tiers": [
                {
                    "tier": tier.tier,
                    "label": tier.label,
                    "count": tier.count,
                    "share": round(tier.share, 1),
                    "target": tier.target,
                    "deviation": round(tier.deviation, 1),
                    "within": tier.within,
                }
                for tier in result.tiers
            ],
            "warnings": result.warnings(),
        }
        return Response(BalanceSerializer(data).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.DATE if name in ("start", "end") else OpenApiTypes.STR)
            for name in PlanFilter.base_filters
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: REFUSED},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request, *args, **kwargs):
        """The filtered plan as CSV (the list's filters): id, scheduled_at (ISO 8601, org time zone),
        profile (platform:handle), status, tier, text, link, hashtags, hypothesis, objective, campaign,
        audience, owner, external_url. Cells a spreadsheet would run as formulas start with '."""
        return plan_csv_response(self.filter_queryset(self.get_queryset()), self.org)


def _form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors by field, as plain-words lists (``__all__`` → non_field_errors)."""
    return {
        ("non_field_errors" if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


# --- iCalendar feed -------------------------------------------------------------------------------


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class _IgnoreAccept(BaseContentNegotiation):
    """Calendar programs send all sorts of Accept headers; the feed is always iCalendar."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers_, format_suffix=None):
        return (renderers_[0], renderers_[0].media_type)


class CalendarFeedView(APIView):
    """The organisation's content calendar as iCalendar (subscribe from any calendar program).

    No login: the secret ``token`` (created by an administrator in the calendar settings) is the
    only key. An empty, unknown or revoked token answers 404."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = _IgnoreAccept

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("token", str, required=True, description="The organisation's calendar token.")],
        responses={
            (200, "text/calendar"): OpenApiTypes.STR,
            (404, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Unknown or revoked token."),
        },
    )
    def get(self, request, org_slug):
        org = ical.access_feed_org(org_slug, request.query_params.get("token", ""))
        if org is None:
            return HttpResponse(
                _("There is no calendar at this address."), status=404, content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(ical.calendar_feed(org), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{org.slug}-calendar.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response


# For the routers: (prefix, viewset, basename) under /api/v1/orgs/{org_slug}/.
ROUTES = [
    ("ideas", IdeaViewSet, "api-idea"),
    ("posts", PlannedPostViewSet, "api-post"),
]
