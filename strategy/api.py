from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as serializers_
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from mesm.api.base import OrgAPIMixin, OrgScopedViewSet
from strategy import serializers, services
from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose, Referent, ReferentInteraction
from strategy.serializers import ModelCleanMixin, OrgMemberField


class ArchiveActionsMixin:
    """Archive instead of delete: DELETE archives, POST …/restore/ brings it back."""

    def perform_destroy(self, instance):
        instance.archive()

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        instance = self.get_object()
        instance.restore()
        return Response(self.get_serializer(instance).data)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            archived = self.request.query_params.get("archived")
            return queryset.archived() if archived == "true" else queryset.active()
        return queryset


class AudienceViewSet(ArchiveActionsMixin, OrgScopedViewSet):
    """Audiences the plan addresses (students, researchers, families…). DELETE archives."""

    queryset = Audience.objects.all()
    serializer_class = serializers.AudienceSerializer


class ProfileViewSet(ArchiveActionsMixin, OrgScopedViewSet):
    """The organisation's own social profiles. DELETE archives."""

    queryset = Profile.objects.all()
    serializer_class = serializers.ProfileSerializer
    filterset_fields = ["platform"]


class ObjectiveViewSet(ArchiveActionsMixin, OrgScopedViewSet):
    """Objectives with their why, owner, audiences and KPIs. POST may include ``kpis``. DELETE archives."""

    queryset = Objective.objects.select_related("owner").prefetch_related(
        "audiences", Prefetch("kpis", queryset=KPI.objects.order_by("id"))
    )
    serializer_class = serializers.ObjectiveSerializer
    filterset_fields = ["status", "owner"]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def status(self, request, *args, **kwargs):
        """The objective's status from its KPIs (on track / at risk / off track; achieved / missed)."""
        from metrics.progress import STATUS_LABELS, objective_status

        status_key, kpis = objective_status(self.get_object())
        return Response(
            {"status": status_key, "status_label": str(STATUS_LABELS[status_key]), "kpis": [k.as_dict() for k in kpis]}
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objective = services.objective_create(org=self.org, **serializer.validated_data)
        objective = self.get_queryset().get(pk=objective.pk)
        return Response(self.get_serializer(objective).data, status=status.HTTP_201_CREATED)


class KPIViewSet(OrgScopedViewSet):
    """KPIs: how each objective is judged (metric, baseline, target, direction, deadline)."""

    queryset = KPI.objects.select_related("objective", "org")
    serializer_class = serializers.KPISerializer
    filterset_fields = ["objective", "metric_key"]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def progress(self, request, *args, **kwargs):
        """Baseline, target, current value over the last 30 days, progress and status, by a readable rule."""
        from metrics.progress import kpi_progress

        return Response(kpi_progress(self.get_object()).as_dict())


class CampaignViewSet(ArchiveActionsMixin, OrgScopedViewSet):
    """Campaigns grouping objectives, audiences and profiles over dates. DELETE archives."""

    queryset = Campaign.objects.prefetch_related("objectives", "audiences", "profiles")
    serializer_class = serializers.CampaignSerializer
    filterset_fields = ["status"]


class PurposeView(OrgAPIMixin, APIView):
    """The organisation's purpose: why it is on social media, and what for."""

    serializer_class = serializers.PurposeSerializer

    @extend_schema(responses=serializers.PurposeSerializer)
    def get(self, request, org_slug):
        purpose = Purpose.objects.filter(org=self.org).first() or Purpose(org=self.org)
        return Response(serializers.PurposeSerializer(purpose).data)

    @extend_schema(request=serializers.PurposeSerializer, responses=serializers.PurposeSerializer)
    def put(self, request, org_slug):
        serializer = serializers.PurposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purpose = services.purpose_update(org=self.org, by=request.user, **serializer.validated_data)
        return Response(serializers.PurposeSerializer(purpose).data)


# --- Referents and influencers -----------------------------------------------------------------


class ReferentInteractionSerializer(serializers_.ModelSerializer):
    class Meta:
        model = ReferentInteraction
        fields = ["id", "date", "kind", "note", "by", "created_at"]
        read_only_fields = fields


class ReferentSerializer(ModelCleanMixin, serializers_.ModelSerializer):
    owner = OrgMemberField(allow_null=True, required=False)
    interactions = ReferentInteractionSerializer(many=True, read_only=True)

    class Meta:
        model = Referent
        fields = [
            "id",
            "name",
            "kind",
            "handles",
            "topics",
            "why",
            "status",
            "owner",
            "notes",
            "interactions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_name(self, name):
        clash = Referent.objects.filter(org=self.context["request"].org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers_.ValidationError(gettext("There is already a referent with this name."))
        return name.strip()


class ReferentSuggestionSerializer(serializers_.Serializer):
    handle = serializers_.CharField()
    name = serializers_.CharField()
    platform = serializers_.CharField()
    mentions = serializers_.IntegerField()
    followers = serializers_.IntegerField()
    engagement = serializers_.FloatField(help_text="Likes + reposts + replies per mention.")
    relevance = serializers_.FloatField(help_text="Mentions over the top author's (weight 0.5).")
    reach = serializers_.FloatField(help_text="log10 of followers over the top author's (weight 0.3).")
    engagement_score = serializers_.FloatField(help_text="Engagement over the top author's (weight 0.2).")
    score = serializers_.FloatField()


class ReferentViewSet(OrgScopedViewSet):
    """Referents and influencers, with their interactions (read-only here). ``suggestions/`` ranks authors."""

    queryset = Referent.objects.select_related("owner").prefetch_related(
        Prefetch("interactions", queryset=ReferentInteraction.objects.order_by("-date", "-id"))
    )
    serializer_class = ReferentSerializer
    filterset_fields = ["status", "kind", "owner"]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Window in days (default 90)")],
        responses=ReferentSuggestionSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggestions(self, request, *args, **kwargs):
        """Authors who mentioned the organisation, by 0.5·relevance + 0.3·reach + 0.2·engagement."""
        return Response(_suggestions(self.org, request))


def _suggestions(org, request) -> list:
    from strategy.referents import referent_suggestions

    try:
        days = min(max(int(request.query_params.get("days", 90)), 1), 365)
    except ValueError:
        days = 90
    return ReferentSuggestionSerializer(referent_suggestions(org, days=days), many=True).data


class InfluencerSuggestionsView(OrgAPIMixin, APIView):
    """Authors who mentioned the organisation's queries and are not referents yet, best first:
    0.5·relevance (matching mentions, recency) + 0.3·reach (followers) + 0.2·engagement."""

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Window in days (default 90)")],
        responses=ReferentSuggestionSerializer(many=True),
    )
    def get(self, request, *args, **kwargs):
        return Response(_suggestions(self.org, request))
