"""REST API of learning (work half): ROUTES are registered under /api/v1/orgs/<slug>/learning/.

Viewers read; editors write; any member may propose activities (and comment on them), write
lessons and mark reader items read. Views only translate HTTP: writes go through the services.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from learning import serializers_work as s
from learning.models import (
    Activity,
    ActivityPilot,
    CaseStudy,
    Executive,
    FeedItem,
    FeedItemRead,
    Lesson,
    RecurringSession,
    TrainingSession,
    TrustedFeed,
)
from learning.selectors import case_studies_filtered, executives_with_counts, fulltext_search
from learning.services import cases as case_service
from learning.services import executives as executive_service
from learning.services import feeds as feed_service
from learning.services import internal as internal_service
from learning.services.lessons import lesson_record
from mesm.api.base import OrgAPIMixin, OrgScopedViewSet
from mesm.models import Role

Q_PARAM = OpenApiParameter("q", str, description="Full-text search (Spanish, English or words as typed).")


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("status", str, enum=Activity.Status.values)]))
class ActivityViewSet(OrgScopedViewSet):
    """Intranet activities and how they would be done on a social platform. Any member may POST
    (a viewer's entry is a proposal); editors change entries and ``review`` proposals."""

    queryset = Activity.objects.prefetch_related(Prefetch("pilots", queryset=ActivityPilot.objects.all()))
    serializer_class = s.ActivitySerializer
    filterset_fields = ["status"]

    @property
    def write_role(self):
        return Role.VIEWER if self.action in ("create", "comments") else Role.EDITOR

    def perform_create(self, serializer):
        activity = Activity(**serializer.validated_data)
        serializer.instance = internal_service.activity_save(activity, membership=self.request.membership)

    def perform_update(self, serializer):
        activity = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(activity, key, value)
        serializer.instance = internal_service.activity_save(activity, membership=self.request.membership)

    @extend_schema(request=s.ActivityReviewSerializer, responses=s.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        """Accept a proposal into the catalogue, or decline it (editors)."""
        activity = self.get_object()
        serializer = s.ActivityReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        internal_service.activity_review(activity, status=serializer.validated_data["decision"], by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=s.ActivityCommentSerializer(many=True),
        operation_id="activity_comments",
    )
    @extend_schema(
        methods=["post"],
        request=s.ActivityCommentSerializer,
        responses={201: s.ActivityCommentSerializer},
        operation_id="activity_comment_add",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request, *args, **kwargs):
        """The activity's comments; any member may POST one."""
        activity = self.get_object()
        if request.method == "GET":
            comments = activity.comments.select_related("author")
            return Response(s.ActivityCommentSerializer(comments, many=True).data)
        serializer = s.ActivityCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = internal_service.activity_comment_add(
            activity, author=request.user, text=serializer.validated_data["text"]
        )
        return Response(s.ActivityCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class TrustedFeedViewSet(OrgScopedViewSet):
    """Trusted sources (RSS/Atom feeds) read on a schedule into the reader. ``poll`` reads one now."""

    queryset = TrustedFeed.objects.all()
    serializer_class = s.TrustedFeedSerializer
    filterset_fields = ["category", "enabled", "status"]

    def perform_create(self, serializer):
        feed = feed_service.feed_create(TrustedFeed(org=self.org, **serializer.validated_data))
        serializer.instance = feed
        feed_service.feed_poll_soon(feed)

    @extend_schema(request=None, responses={202: s.TrustedFeedSerializer})
    @action(detail=True, methods=["post"])
    def poll(self, request, *args, **kwargs):
        """Queue a read of the feed now."""
        feed = self.get_object()
        feed_service.feed_poll_soon(feed)
        return Response(self.get_serializer(feed).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("feed", int, description="Only this trusted source."),
            OpenApiParameter("unread", bool, description="true: only items the requesting member has not read."),
        ]
    )
)
class FeedItemViewSet(OrgAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Articles of the trusted sources, newest first, with ``is_read`` for the requesting member."""

    queryset = FeedItem.objects.all()
    serializer_class = s.FeedItemSerializer
    filter_backends = []

    @property
    def write_role(self):
        return Role.VIEWER  # marking read is personal

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FeedItem.objects.none()
        items = (
            FeedItem.objects.filter(org=self.org)
            .select_related("feed")
            .annotate(is_read=Exists(FeedItemRead.objects.filter(item=OuterRef("pk"), user=self.request.user)))
        )
        if self.action == "list":
            feed = self.request.query_params.get("feed", "")
            if feed.isdigit():
                items = items.filter(feed_id=int(feed))
            if self.request.query_params.get("unread") in ("true", "1"):
                items = items.filter(is_read=False)
        return items

    @extend_schema(request=s.MarkReadSerializer, responses=s.FeedItemSerializer)
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request, *args, **kwargs):
        """Mark the item read (or unread with ``{"read": false}``) for the requesting member."""
        item = self.get_object()
        serializer = s.MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feed_service.item_mark_read(item, request.user, read=serializer.validated_data["read"])
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            Q_PARAM,
            OpenApiParameter("relation", str, enum=["allies", "competitors", "field"]),
            OpenApiParameter("tag", str),
            OpenApiParameter("platform", str),
        ]
    )
)
class CaseStudyViewSet(OrgScopedViewSet):
    """The case-study library. ``lesson`` records "what we could adapt" as a lesson learned."""

    queryset = CaseStudy.objects.all()
    serializer_class = s.CaseStudySerializer
    filter_backends = []

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            params = self.request.query_params
            queryset = case_studies_filtered(
                queryset,
                q=params.get("q", "")[:200],
                relation=params.get("relation", ""),
                tag=params.get("tag", "").strip().lower(),
                platform=params.get("platform", ""),
            )
        return queryset

    def _save(self, serializer, case):
        for key, value in serializer.validated_data.items():
            setattr(case, key, value)
        serializer.instance = case_service.case_study_save(case, by=self.request.user)

    def perform_create(self, serializer):
        self._save(serializer, CaseStudy(org=self.org))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=None, responses={201: s.LessonSerializer})
    @action(detail=True, methods=["post"])
    def lesson(self, request, *args, **kwargs):
        """Record the case's "what we could adapt" as a lesson (returns the same lesson if already done)."""
        lesson = case_service.case_study_to_lesson(self.get_object(), author=request.user)
        return Response(s.LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


class ExecutiveViewSet(OrgScopedViewSet):
    """Executives in training, with every step's data nested (read-only) and their ``progress``."""

    queryset = Executive.objects.select_related("org", "member").prefetch_related(
        "sources",
        "platforms",
        "kpis__institutional_kpi",
        "metrics",
        "sessions",
        "profiles",
        Prefetch("recurring_sessions", queryset=RecurringSession.objects.prefetch_related("notes")),
    )
    serializer_class = s.ExecutiveSerializer

    def get_queryset(self):
        # The seven steps' counts in the same query, so the list stays at a fixed number of queries.
        return executives_with_counts(super().get_queryset())


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("executive", int)]))
class TrainingSessionViewSet(OrgScopedViewSet):
    """Personalised training sessions (step 5): at most 30 minutes, or a 400 saying so."""

    queryset = TrainingSession.objects.select_related("executive")
    serializer_class = s.TrainingSessionSerializer
    filterset_fields = ["executive", "status"]

    def _save(self, serializer, session):
        for key, value in serializer.validated_data.items():
            setattr(session, key, value)
        serializer.instance = executive_service.session_save(session)

    def perform_create(self, serializer):
        self._save(serializer, TrainingSession(org=self.org))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=None, responses={201: s.LessonSerializer})
    @action(detail=True, methods=["post"])
    def lesson(self, request, *args, **kwargs):
        """Turn the session's notes into a lesson learned (source: training)."""
        lesson = executive_service.session_to_lesson(self.get_object(), author=request.user)
        return Response(s.LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            Q_PARAM,
            OpenApiParameter("source_kind", str, enum=Lesson.SourceKind.values),
            OpenApiParameter("tag", str),
        ]
    )
)
class LessonViewSet(OrgScopedViewSet):
    """Lessons learned. Any member may POST one; its author or an editor may change or delete it."""

    queryset = Lesson.objects.all()
    serializer_class = s.LessonSerializer
    filter_backends = []

    @property
    def write_role(self):
        return Role.VIEWER  # the object-level rule is in _check_can_change

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            params = self.request.query_params
            if params.get("source_kind") in Lesson.SourceKind.values:
                queryset = queryset.filter(source_kind=params["source_kind"])
            if params.get("tag"):
                queryset = queryset.filter(tags__contains=[params["tag"].strip().lower()])
            queryset = fulltext_search(queryset, params.get("q", "")[:200])
        return queryset

    def _check_can_change(self, lesson):
        if not (self.request.membership.can_edit or lesson.author_id == self.request.user.pk):
            raise PermissionDenied

    def perform_create(self, serializer):
        data = {"source_kind": Lesson.SourceKind.NOTE, "body": "", **serializer.validated_data}
        serializer.instance = lesson_record(self.org, author=self.request.user, **data)

    def perform_update(self, serializer):
        self._check_can_change(serializer.instance)
        lesson = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(lesson, key, value)
        lesson.full_clean(exclude=["search_vector"])
        lesson.save()

    def perform_destroy(self, instance):
        self._check_can_change(instance)
        instance.delete()


ROUTES = [
    ("activities", ActivityViewSet, "api-learning-activity"),
    ("feeds", TrustedFeedViewSet, "api-learning-feed"),
    ("feed-items", FeedItemViewSet, "api-learning-feed-item"),
    ("case-studies", CaseStudyViewSet, "api-learning-case-study"),
    ("executives", ExecutiveViewSet, "api-learning-executive"),
    ("sessions", TrainingSessionViewSet, "api-learning-training-session"),
    ("lessons", LessonViewSet, "api-learning-lesson"),
]
# extra paths (not viewsets), included before the router
urlpatterns = []
