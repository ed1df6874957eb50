from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from mesm.api.base import OrgAPIMixin
from metrics.engine import GRANULARITIES, UnknownMetric, metric_series
from metrics.registry import METRICS

MAX_RANGE_DAYS = 3 * 366


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.CharField()


class SeriesQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False, help_text="exclusive")
    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="day")

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("end", today + timedelta(days=1))
        attrs.setdefault("start", attrs["end"] - timedelta(days=30))
        if attrs["start"] >= attrs["end"]:
            raise ValidationError({"end": [_("The end must be after the start.")]})
        if (attrs["end"] - attrs["start"]).days > MAX_RANGE_DAYS:
            raise ValidationError({"start": [_("Ask for at most three years at a time.")]})
        return attrs


class MetricListView(OrgAPIMixin, APIView):
    """The registry of metric keys that KPIs point to, with the definition shown to users."""

    @extend_schema(responses=MetricSerializer(many=True))
    def get(self, request, org_slug):
        return Response(
            [{"key": m.key, "label": str(m.label), "definition": str(m.definition), "unit": m.unit} for m in METRICS]
        )


class MetricSeriesView(OrgAPIMixin, APIView):
    """One metric per day, week or month over [start, end) (defaults: the last 30 days, by day)."""

    @extend_schema(
        parameters=[SeriesQuerySerializer, OpenApiParameter("key", str, OpenApiParameter.PATH)],
        responses=inline_serializer(
            "MetricSeries",
            {
                "key": serializers.CharField(),
                "granularity": serializers.CharField(),
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "points": inline_serializer(
                    "MetricPoint",
                    {"start": serializers.DateField(), "value": serializers.FloatField(allow_null=True)},
                    many=True,
                ),
            },
        ),
    )
    def get(self, request, org_slug, key):
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end, granularity = (query.validated_data[k] for k in ("start", "end", "granularity"))
        try:
            points = metric_series(self.org, key, start, end, granularity)
        except UnknownMetric as error:
            raise ValidationError({"key": [str(error)]}) from error
        return Response(
            {
                "key": key,
                "granularity": granularity,
                "start": start,
                "end": end,
                "points": [{"start": day, "value": value} for day, value in points],
            }
        )
