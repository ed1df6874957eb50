"""Reports over the API: list, ask for one (202, built by a worker), follow its status, download its files."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from mesm.api.base import OrgAPIMixin
from mesm.models import Role
from mesm.tenancy import scoped
from metrics.models import Report
from metrics.reports import report_request
from metrics.views_reports import CONTENT_TYPES, download_response, report_rows


class ReportSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(read_only=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "title", "start", "end", "status", "progress", "stage", "stage_label", "error", "language",
            "email_to", "created_at", "finished_at", "downloads",
        ]  # fmt: skip
        read_only_fields = fields

    def get_downloads(self, report) -> dict[str, str]:
        request = self.context.get("request")
        links = {}
        for fmt in CONTENT_TYPES:
            if getattr(report, f"has_{fmt}", False):
                url = reverse("api-report-download", kwargs={"org_slug": report.org.slug, "pk": report.pk})
                links[fmt] = f"{url}?format={fmt}"
                if request is not None:
                    links[fmt] = request.build_absolute_uri(links[fmt])
        return links


class ReportRequestSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="exclusive: the day after the last day of the report")
    email_to = serializers.CharField(required=False, allow_blank=True, default="", help_text="comma-separated")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` names the file to download here, not a renderer: answer errors in JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReportViewSet(OrgAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reports of the organisation, newest first. Viewers may ask for reports: they only read data."""

    queryset = Report.objects.all()
    serializer_class = ReportSerializer
    write_role = Role.VIEWER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return scoped(report_rows(self.org).select_related("org"), self.org)

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def create(self, request, org_slug=None):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = report_request(
                org=self.org,
                start=data.validated_data["start"],
                end=data.validated_data["end"],
                by=request.user,
                email_to=data.validated_data["email_to"],
                language=data.validated_data.get("language"),
            )
        except DjangoValidationError as error:
            raise ValidationError({"non_field_errors": error.messages}) from error
        return Response({"id": report.pk, "status": report.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(CONTENT_TYPES), default="pdf")],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="the file"), 404: None},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=IgnoreFormatNegotiation)
    def download(self, request, org_slug=None, pk=None):
        fmt = request.query_params.get("format", "pdf")
        if fmt not in CONTENT_TYPES:
            raise ValidationError({"format": [_("Choose pdf, csv or xlsx, not “%(format)s”.") % {"format": fmt}]})
        report = self.get_object()
        return download_response(report, fmt)
