"""Reports pages: the list of past reports with a request form, the polled status row, and the downloads.

Viewers (directors among them) may request and download reports: a report only reads the organisation's data.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mesm.models import Membership
from mesm.tenancy import get_scoped_or_404, org_view
from metrics.models import Report
from metrics.reports import filename, month_bounds, report_request

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_content(report: Report, fmt: str) -> bytes | None:
    """The stored file of the report in ``fmt``, or None when it was not (or not yet) written."""
    if fmt == "pdf":
        return bytes(report.pdf) if report.pdf else None
    if fmt == "csv":
        return report.csv.encode("utf-8-sig") if report.csv else None  # the BOM lets Excel read the accents
    if fmt == "xlsx":
        return bytes(report.xlsx) if report.xlsx else None
    return None


def download_response(report: Report, fmt: str) -> HttpResponse:
    content = report_content(report, fmt)
    if content is None:
        raise Http404(_("This file is not available for this report."))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(report, fmt)}"'
    return response


def report_rows(org):
    """Reports of the organisation without their files, with a flag per file that was written."""
    flags = {
        "has_pdf": Q(pdf__isnull=False),
        "has_csv": ~Q(csv=""),
        "has_xlsx": Q(xlsx__isnull=False),
    }
    return (
        Report.objects.filter(org=org)
        .defer("pdf", "csv", "xlsx")
        .select_related("requested_by")
        .annotate(
            **{name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in flags.items()}
        )
    )


class ReportRequestForm(forms.Form):
    PERIOD_CHOICES = [("month", gettext_lazy("A whole month")), ("range", gettext_lazy("Dates of my choice"))]

    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIOD_CHOICES, initial="month", widget=forms.RadioSelect
    )
    month = forms.CharField(
        label=gettext_lazy("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    email_to = forms.MultipleChoiceField(
        label=gettext_lazy("Send the PDF by e-mail to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Members of the organisation. Leave empty to only download it."),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        members = (
            Membership.objects.filter(org=org)
            .exclude(user__email="")
            .select_related("user")
            .order_by("user__first_name", "user__username")
        )
        self.fields["email_to"].choices = [
            (m.user.email, f"{m.user.get_full_name() or m.user.username} <{m.user.email}>") for m in members
        ]
        last_month = month_bounds(timezone.localdate().replace(day=1) - timedelta(days=1))[0]
        self.fields["month"].initial = f"{last_month:%Y-%m}"

    def clean(self):
        data = super().clean()
        if data.get("period") == "range":
            if not data.get("start") or not data.get("end"):
                raise ValidationError(_("Give the first and the last day of the period."))
            data["start_day"], data["end_day"] = data["start"], data["end"] + timedelta(days=1)
        else:
            try:
                year, month = (int(part) for part in (data.get("month") or "").split("-"))
                first = date(year, month, 1)
            except ValueError as error:
                raise ValidationError(_("Choose a month.")) from error
            data["start_day"], data["end_day"] = month_bounds(first)
        return data


@org_view()
def report_list(request):
    form = ReportRequestForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            report = report_request(
                org=request.org,
                start=form.cleaned_data["start_day"],
                end=form.cleaned_data["end_day"],
                by=request.user,
                email_to=form.cleaned_data["email_to"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("“%(title)s” is being prepared. It will appear as ready below.") % {"title": report.title}
            )
            return redirect("metrics-report-list", org_slug=request.org.slug)
    reports = report_rows(request.org)[:50]
    return render(request, "metrics/reports.html", {"form": form, "reports": reports})


@org_view()
def report_status(request, pk):
    """The row of one report, polled by htmx while it is queued or being built."""
    report = get_scoped_or_404(report_rows(request.org), request.org, pk=pk)
    return render(request, "metrics/reports.html#row", {"report": report})


@org_view()
def report_download(request, pk, fmt):
    if fmt not in CONTENT_TYPES:
        raise Http404
    report = get_scoped_or_404(Report.objects.select_related("org"), request.org, pk=pk)
    return download_response(report, fmt)
