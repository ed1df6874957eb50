"""API for the data the team records: institutional KPIs and values, metric mappings, snapshots."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mesm.api.base import OrgAPIMixin, OrgRelatedField, OrgScopedViewSet
from mesm.models import Role
from mesm.tenancy import scoped
from metrics import imports
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from strategy.models import Profile
from strategy.serializers import ModelCleanMixin


class InstitutionalKPISerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = InstitutionalKPI
        fields = ["id", "name", "description", "unit", "frequency", "created_at"]
        read_only_fields = ["created_at"]

    def validate_name(self, name):
        clash = InstitutionalKPI.objects.filter(org=self.context["request"].org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("There is already an institutional KPI with this name."))
        return name.strip()


class InstitutionalValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstitutionalValue
        fields = ["id", "period_start", "value", "note"]


class MetricMappingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    institutional_kpi = OrgRelatedField(queryset=InstitutionalKPI.objects.all())

    class Meta:
        model = MetricMapping
        fields = ["id", "metric_key", "institutional_kpi", "hypothesis", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        metric_key = attrs.get("metric_key", getattr(self.instance, "metric_key", None))
        kpi = attrs.get("institutional_kpi", getattr(self.instance, "institutional_kpi", None))
        clash = MetricMapping.objects.filter(
            org=self.context["request"].org, metric_key=metric_key, institutional_kpi=kpi
        )
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"metric_key": [_("This social metric is already paired with this institutional KPI.")]}
            )
        return attrs


class ProfileSnapshotSerializer(ModelCleanMixin, serializers.ModelSerializer):
    profile = OrgRelatedField(queryset=Profile.objects.all())

    class Meta:
        model = ProfileSnapshot
        fields = ["id", "profile", "date", "followers", "following", "posts", "origin", "created_at"]
        read_only_fields = ["origin", "created_at"]


class SnapshotImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file (date, profile, followers[, following, posts]).")
    profile = OrgRelatedField(
        queryset=Profile.objects.all(),
        required=False,
        allow_null=True,
        help_text="Whose counts they are, for a platform's own export without a profile column.",
    )


class InstitutionalKPIViewSet(OrgScopedViewSet):
    """Institutional KPIs (visits, loans…); their values per period under ``values/``."""

    queryset = InstitutionalKPI.objects.all()
    serializer_class = InstitutionalKPISerializer

    @extend_schema(
        methods=["get"],
        responses=InstitutionalValueSerializer(many=True),
        description="The KPI's values, oldest period first.",
    )
    @extend_schema(
        methods=["post"],
        request=InstitutionalValueSerializer,
        responses={201: InstitutionalValueSerializer, 200: InstitutionalValueSerializer},
        description="Add a value; a value for a period that already has one replaces it (200).",
    )
    @action(detail=True, methods=["get", "post"], serializer_class=InstitutionalValueSerializer, pagination_class=None)
    def values(self, request, *args, **kwargs):
        kpi = self.get_object()
        if request.method == "GET":
            values = InstitutionalValue.objects.filter(org=self.org, kpi=kpi).order_by("period_start")
            return Response(InstitutionalValueSerializer(values, many=True).data)
        serializer = InstitutionalValueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        value, created = InstitutionalValue.objects.update_or_create(
            kpi=kpi,
            period_start=data["period_start"],
            defaults={"org": self.org, "value": data["value"], "note": data.get("note", "")},
        )
        return Response(
            InstitutionalValueSerializer(value).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class MetricMappingViewSet(OrgScopedViewSet):
    """Social metrics paired with institutional KPIs, with the hypothesis. Administrators change them."""

    queryset = MetricMapping.objects.select_related("institutional_kpi")
    serializer_class = MetricMappingSerializer
    write_role = Role.ADMIN

    def perform_create(self, serializer):
        serializer.save(org=self.org, created_by=self.request.user)


class ProfileSnapshotViewSet(OrgAPIMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Daily counts of the owned profiles: list, add one, or import a CSV."""

    queryset = ProfileSnapshot.objects.all()
    serializer_class = ProfileSnapshotSerializer
    filterset_fields = ["profile", "date"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return scoped(self.queryset, self.org)

    def perform_create(self, serializer):
        serializer.save(org=self.org, origin=ProfileSnapshot.Origin.MANUAL)

    @extend_schema(
        request={"multipart/form-data": SnapshotImportSerializer},
        parameters=[
            OpenApiParameter(
                "confirm", OpenApiTypes.BOOL, description="Import the good rows even if some rows are bad."
            )
        ],
        responses={
            200: inline_serializer(
                "SnapshotImportResult",
                {
                    "imported": serializers.IntegerField(),
                    "rejected": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: OpenApiTypes.OBJECT,
        },
        description=(
            "Import a CSV of snapshots. If any row is bad, nothing is imported and the answer (400) lists every "
            "bad row in error.fields.rows, unless ?confirm=1, which imports the good rows."
        ),
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request, *args, **kwargs):
        serializer = SnapshotImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = imports.parse_snapshots_csv(
            self.org, serializer.validated_data["file"], profile=serializer.validated_data.get("profile")
        )
        confirmed = request.query_params.get("confirm") in ("1", "true", "yes")
        if result.bad_rows and (not confirmed or not result.good_rows):
            raise ValidationError({"rows": result.messages()})
        imported = imports.import_commit(result, origin=ProfileSnapshot.Origin.CSV)
        return Response({"imported": imported, "rejected": result.messages()})
