import csv

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from listening import serializers as s
from listening import tasks
from listening.models import Alert, AlertRule, Mention, Query, Source
from listening.selectors import MentionFilter
from listening.services.mentions import mention_update
from mesm.api.base import OrgAPIMixin, OrgScopedViewSet
from mesm.csvsafe import csv_safe_row
from mesm.models import Role
from mesm.tenancy import scoped


class QueryViewSet(OrgScopedViewSet):
    """Listening queries: boolean expressions over words, "phrases", #hashtags and @accounts."""

    queryset = Query.objects.all()
    serializer_class = s.QuerySerializer


class SourceViewSet(OrgScopedViewSet):
    """What the workers poll. Administrators manage sources (they hold credentials); everyone reads their health."""

    queryset = Source.objects.prefetch_related("queries")
    serializer_class = s.SourceSerializer
    write_role = Role.ADMIN
    filterset_fields = ["platform", "status", "enabled"]

    @extend_schema(request=None, responses={202: inline_serializer("PollQueued", {"task_id": serializers.CharField()})})
    @action(detail=True, methods=["post"])
    def poll(self, request, *args, **kwargs):
        """Queue a poll of this source now (editors and administrators)."""
        source = self.get_object()
        result = tasks.poll_source.delay(source.pk)
        return Response({"task_id": result.id}, status=status.HTTP_202_ACCEPTED)

    def get_permissions(self):
        if self.action == "poll":
            # Polling changes no settings: editors may ask for it; checked in the action.
            self.write_role = Role.EDITOR
        return super().get_permissions()


class MentionPagination(CursorPagination):
    ordering = ("-published_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MentionViewSet(
    OrgAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Collected mentions, newest first. PATCH changes status, assignee and tags."""

    queryset = Mention.objects.all()
    serializer_class = s.MentionSerializer
    pagination_class = MentionPagination
    filterset_class = MentionFilter
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Mention.objects.none()
        return scoped(Mention.objects.all(), self.org).defer("raw", "search_vector")

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = mention_update(
            mention=serializer.instance,
            by=self.request.user,
            status=data.get("status"),
            assignee=data.get("assignee", ...),
            tags=data.get("tags"),
        )


CSV_COLUMNS = [
    "id", "platform", "published_at", "author_handle", "author_name", "author_followers", "text", "url",
    "language", "sentiment", "sentiment_score", "likes", "reposts", "replies", "status", "tags", "queries",
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def stream_mentions_csv(queryset, filename: str) -> StreamingHttpResponse:
    """Stream the rows in keyset-sized chunks so a large export never sits in memory."""
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so spreadsheet programs read UTF-8 (accents) correctly
        yield writer.writerow(CSV_COLUMNS)
        for m in queryset.order_by("-published_at", "-id").defer("raw", "search_vector").iterator(chunk_size=2000):
            yield writer.writerow(
                csv_safe_row([
                    m.pk, m.platform, timezone.localtime(m.published_at).isoformat(), m.author_handle,
                    m.author_name, m.author_followers if m.author_followers is not None else "", m.text, m.url,
                    m.language, m.sentiment, round(m.sentiment_score, 3), m.likes, m.reposts, m.replies,
                    m.status, ";".join(m.tags), ";".join(str(q) for q in m.query_ids),
                ])
            )  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class MentionExportView(OrgAPIMixin, APIView):
    """The filtered mention list as CSV (same filters as the list), streamed."""

    @extend_schema(
        parameters=[OpenApiParameter(name, OpenApiTypes.STR) for name in MentionFilter.base_filters],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, org_slug):
        filterset = MentionFilter(request.query_params, queryset=scoped(Mention.objects.all(), self.org))
        if not filterset.is_valid():
            from rest_framework.exceptions import ValidationError

            raise ValidationError(filterset.errors)
        return stream_mentions_csv(filterset.qs, f"mentions-{self.org.slug}-{timezone.localdate():%Y-%m-%d}.csv")


class AlertRuleViewSet(OrgScopedViewSet):
    """Alert rules: volume spike, negative-sentiment surge, keyword."""

    queryset = AlertRule.objects.select_related("query")
    serializer_class = s.AlertRuleSerializer


class AlertViewSet(OrgAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fired alerts, newest first."""

    queryset = Alert.objects.select_related("rule")
    serializer_class = s.AlertSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        return scoped(self.queryset, self.org)
