"""GET /api/v1/orgs/{org_slug}/trends/ — the trends page's data: input serializer → service → output serializer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mesm.api.base import OrgAPIMixin
from strategy import trends as service

MIN_BASELINE_DAYS = 7  # shorter than a week and weekdays alone make "usual" meaningless


class TrendQuerySerializer(serializers.Serializer):
    window = serializers.IntegerField(
        min_value=1,
        max_value=service.MAX_WINDOW_DAYS,
        default=7,
        help_text=_("Days of the recent window, ending today in the organisation's time zone."),
    )
    baseline = serializers.IntegerField(
        min_value=MIN_BASELINE_DAYS,
        max_value=service.MAX_BASELINE_DAYS,
        default=28,
        help_text=_("Days before the window that show what is usual."),
    )
    kind = serializers.ChoiceField(
        choices=service.KINDS, default="all", help_text=_("Hashtags, words (“term”) or both.")
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=service.MAX_LIMIT, default=20, help_text=_("How many trends, best first.")
    )


class RoundedFloatField(serializers.FloatField):
    def to_representation(self, value):
        return round(float(value), 2)


class DailyCountSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class TrendSampleSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The mention's id (see /mentions/{id}/)."))
    author = serializers.CharField(source="author_handle")
    text = serializers.CharField()
    url = serializers.CharField(help_text=_("Link to the original post."))
    published_at = serializers.DateTimeField()


class TrendSerializer(serializers.Serializer):
    term = serializers.CharField(help_text=_("The counted form: lower case, without accents; hashtags without “#”."))
    kind = serializers.ChoiceField(choices=["hashtag", "term"])
    label = serializers.CharField(help_text=_("As people write it, e.g. “#ClubDeLectura” or “programación”."))
    window_count = serializers.IntegerField(help_text=_("Mentions using it in the window."))
    baseline_average = RoundedFloatField(help_text=_("Mentions in an average window of the baseline period."))
    growth = RoundedFloatField(
        help_text=_("Window count divided by the baseline average, or by 1 when that is smaller.")
    )
    is_new = serializers.BooleanField(help_text=_("Not used at all in the baseline period."))
    daily = serializers.SerializerMethodField(help_text=_("Mentions per day over the baseline and the window."))
    samples = TrendSampleSerializer(many=True, help_text=_("Up to three recent mentions from the window."))

    @extend_schema_field(DailyCountSerializer(many=True))
    def get_daily(self, trend):
        return [{"date": day, "count": count} for day, count in trend.daily]


class TrendsView(OrgAPIMixin, APIView):
    """Rising hashtags and words in the organisation's mentions, read from the daily rollups.

    Growth = mentions in the window ÷ mentions in an average window of the baseline period (÷ 1 when
    that is smaller). A trend needs at least 3 mentions in the window, a growth of at least 1.5 and a
    rise larger than chance; ``is_new`` when the baseline period never used it.
    """

    @extend_schema(parameters=[TrendQuerySerializer], responses=TrendSerializer(many=True))
    def get(self, request, org_slug):
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = service.trends(
            self.org,
            window_days=data["window"],
            baseline_days=data["baseline"],
            kind=data["kind"],
            limit=data["limit"],
        )
        return Response(TrendSerializer(found, many=True).data)
