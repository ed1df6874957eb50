"""Period reports: requested by a person (or by beat on the 1st), built by a worker, kept for download.

``report_request`` validates and queues; ``report_build`` (run by the worker) collects the data, draws the charts and
writes the PDF, the CSV of the daily series and the XLSX, then e-mails the PDF when recipients were given. It records
its progress step by step on the ``Report`` row, so the reports page can show a progress bar.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from listening.models import Sentiment, Source
from mesm.csvsafe import csv_safe
from mesm.models import Organization
from metrics import selectors
from metrics.charts import Series, dual_axis_chart, format_number, format_percent, line_chart, stacked_bar_chart
from metrics.models import Report
from metrics.progress import STATUS_LABELS, objective_status
from metrics.registry import BY_KEY
from strategy.models import Objective

logger = logging.getLogger(__name__)

MAX_DAYS = 366
SERIES_KEYS = ["mention_volume", "positive_share", "negative_share", "followers", "response_rate"]
TILE_KEYS = ["mention_volume", "net_sentiment", "followers", "response_rate", "first_response_time", "share_of_voice"]
SENTIMENT_COLOURS = {Sentiment.POSITIVE: "#1e6b32", Sentiment.NEUTRAL: "#6b7785", Sentiment.NEGATIVE: "#b42318"}


class XLSXUnavailable(RuntimeError):
    """The server lacks the openpyxl package, so no spreadsheet can be written."""


# --- request ---------------------------------------------------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    """[first day of ``day``'s month, first day of the next month)."""
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def report_title(start: date, end: date) -> str:
    """In the active language: “Report for May 2025”, or “Report from 3 May 2025 to 9 June 2025”."""
    if start.day == 1 and end == month_bounds(start)[1]:
        return _("Report for %(month)s") % {"month": date_format(start, "YEAR_MONTH_FORMAT")}
    return _("Report from %(start)s to %(end)s") % {
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(end - timedelta(days=1), "DATE_FORMAT"),
    }


def report_request(
    *, org: Organization, start: date, end: date, by=None, email_to: str | list[str] = "", language: str | None = None
) -> Report:
    """Validate the period (start before end, at most a year), save a queued report and queue its build."""
    if start >= end:
        raise ValidationError(_("The end of the period must be after its start."), code="order")
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("A report covers at most one year. Choose a shorter period."), code="too_long")
    if isinstance(email_to, str):
        email_to = [address for address in re.split(r"[,;\s]+", email_to) if address]
    for address in email_to:
        if "@" not in address:
            raise ValidationError(_("“%(address)s” is not an e-mail address.") % {"address": address}, code="bad_email")
    language = language or org.language
    with translation.override(language):
        title = report_title(start, end)
    report = Report.objects.create(
        org=org,
        title=title,
        start=start,
        end=end,
        language=language,
        email_to=", ".join(dict.fromkeys(email_to)),
        requested_by=by if by is not None and by.is_authenticated else None,
        stage="queued",
    )
    from metrics.tasks import build_report

    transaction.on_commit(lambda: build_report.delay(report.pk))
    return report


def monthly_reports_queue(today: date | None = None) -> list[Report]:
    """Queue last month's report for every organisation (run by beat on the 1st). Skips an organisation that already
    has a report of that month that is not failed, so running it twice does not duplicate."""
    today = today or timezone.localdate()
    start, end = month_bounds(today.replace(day=1) - timedelta(days=1))
    queued = []
    for org in Organization.objects.all():
        exists = (
            Report.objects.filter(org=org, start=start, end=end, requested_by__isnull=True)
            .exclude(status=Report.Status.FAILED)
            .exists()
        )
        if not exists:
            queued.append(report_request(org=org, start=start, end=end))
    return queued


# --- data ------------------------------------------------------------------------------------------------------------


@dataclass
class ReportData:
    org: Organization
    period: selectors.Period
    days: list[date]
    series: dict[str, list[float | None]]
    objectives: list[dict]
    tiles: list
    mappings: list
    by_platform: tuple[list[date], dict[str, list[float]]]
    by_sentiment: tuple[list[date], dict[str, list[float]]]
    totals: dict[str, float | None] = field(default_factory=dict)
    previous: dict[str, float | None] = field(default_factory=dict)


def collect(report: Report) -> ReportData:
    from metrics.engine import metric_series, metric_value

    org = report.org
    period = selectors.Period(report.start, report.end)
    # Objectives are judged as they stood on the last day of the period (or today, for a period still running).
    as_of = min(period.last_day, timezone.localdate())
    series, days = {}, []
    for key in SERIES_KEYS:
        points = metric_series(org, key, period.start, period.end, "day")
        days = [day for day, _value in points]
        series[key] = [value for _day, value in points]
    objectives, cache = [], {}
    for objective in Objective.objects.active().filter(org=org).select_related("org").prefetch_related("kpis"):
        status, kpis = objective_status(objective, today=as_of, cache=cache)
        rows = [
            {"kpi": kpi, "progress": progress, "metric": BY_KEY.get(kpi.metric_key)}
            for kpi, progress in zip(objective.kpis.all(), kpis, strict=True)
        ]
        objectives.append(
            {"objective": objective, "status": status, "status_label": STATUS_LABELS[status], "kpis": rows}
        )
    totals = {key: metric_value(org, key, period.start, period.end) for key in SERIES_KEYS}
    previous = {key: metric_value(org, key, period.previous.start, period.previous.end) for key in SERIES_KEYS}
    return ReportData(
        org=org,
        period=period,
        days=days,
        series=series,
        objectives=objectives,
        tiles=selectors.tiles(org, period, TILE_KEYS),
        mappings=selectors.mapping_views(org, as_of),
        by_platform=selectors.volume_by(org, period, "platform"),
        by_sentiment=selectors.volume_by(org, period, "sentiment"),
        totals=totals,
        previous=previous,
    )


def summary(data: ReportData) -> str:
    """One plain-language paragraph computed from the numbers, in the active language."""
    sentences = []
    volume, before = data.totals.get("mention_volume"), data.previous.get("mention_volume")
    if not volume:
        sentences.append(_("Nobody mentioned the library in this period, or no listening query was active."))
    else:
        count = int(volume)
        sentence = ngettext(
            "The library was mentioned %(n)s time in this period",
            "The library was mentioned %(n)s times in this period",
            count,
        ) % {"n": format_number(count)}
        if before:
            change = round(100 * (volume - before) / before)
            if change > 0:
                sentence += _(", %(change)s more than in the previous period of the same length") % {
                    "change": format_percent(change)
                }
            elif change < 0:
                sentence += _(", %(change)s fewer than in the previous period of the same length") % {
                    "change": format_percent(-change)
                }
            else:
                sentence += _(", as many as in the previous period of the same length")
        sentences.append(sentence + ".")
        positive, negative = data.totals.get("positive_share"), data.totals.get("negative_share")
        if positive is not None and negative is not None:
            sentences.append(
                _("%(positive)s of the mentions were positive and %(negative)s negative.")
                % {"positive": format_percent(positive, 0), "negative": format_percent(negative, 0)}
            )
        response = data.totals.get("response_rate")
        if response is not None:
            sentences.append(_("The team answered %(rate)s of them.") % {"rate": format_percent(response, 0)})
    followers = [value for value in data.series.get("followers", []) if value is not None]
    if len(followers) >= 2 and followers[0] != followers[-1]:
        sentences.append(
            _("The owned profiles went from %(first)s to %(last)s followers.")
            % {"first": format_number(followers[0]), "last": format_number(followers[-1])}
        )
    elif followers:
        sentences.append(_("The owned profiles have %(n)s followers.") % {"n": format_number(followers[-1])})
    if data.objectives:
        counts: dict[str, int] = {}
        for row in data.objectives:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        good = counts.get("on_track", 0) + counts.get("achieved", 0)
        bad = counts.get("at_risk", 0) + counts.get("off_track", 0) + counts.get("missed", 0)
        sentence = ngettext(
            "%(good)s of %(total)s objectives is on track or achieved",
            "%(good)s of %(total)s objectives are on track or achieved",
            good,
        ) % {"good": good, "total": len(data.objectives)}
        if bad:
            sentence += ngettext("; %(bad)s needs attention", "; %(bad)s need attention", bad) % {"bad": bad}
        sentences.append(sentence + ".")
    else:
        sentences.append(_("No objectives have been set yet."))
    return " ".join(sentences)


def charts(data: ReportData) -> dict:
    x_platform, by_platform = data.by_platform
    platform_names = dict(Source.Platform.choices)
    x_sentiment, by_sentiment = data.by_sentiment
    followers = _followers_points(data)
    result = {
        "platform": stacked_bar_chart(
            title=_("Mentions by platform"),
            x_labels=x_platform,
            series=[Series(str(platform_names.get(key, key)), values) for key, values in by_platform.items()],
            height=220,
        ),
        "sentiment": stacked_bar_chart(
            title=_("Sentiment of the mentions"),
            x_labels=x_sentiment,
            series=[
                Series(str(choice.label), by_sentiment.get(choice.value, [0.0] * len(x_sentiment)), color=colour)
                for choice, colour in SENTIMENT_COLOURS.items()
            ],
            height=220,
        ),
        "followers": line_chart(
            title=_("Followers of the owned profiles"),
            series=[Series(str(_("Followers")), [value for _day, value in followers])],
            x_labels=[day for day, _value in followers],
            height=220,
        ),
        "mappings": [],
    }
    for view in data.mappings:
        metric = BY_KEY[view.mapping.metric_key]
        result["mappings"].append(
            {
                "view": view,
                "chart": dual_axis_chart(
                    title=_("%(metric)s and %(kpi)s by month")
                    % {"metric": metric.label, "kpi": view.mapping.institutional_kpi.name},
                    left=Series(str(metric.label), view.social),
                    right=Series(view.mapping.institutional_kpi.name, view.institutional),
                    x_labels=view.months,
                    height=220,
                ),
            }
        )
    return result


def _followers_points(data: ReportData) -> list[tuple[date, float | None]]:
    """Daily for a month; weekly or monthly (the value at the end of each) for longer periods."""
    granularity = selectors.granularity_for(data.period)
    if granularity == "day":
        return list(zip(data.days, data.series["followers"], strict=True))
    by_day = dict(zip(data.days, data.series["followers"], strict=True))
    from metrics.engine import buckets

    return [
        (bucket.start, by_day.get(bucket.end - timedelta(days=1)))
        for bucket in buckets(data.period.start, data.period.end, granularity)
    ]


# --- files -----------------------------------------------------------------------------------------------------------


def series_header() -> list[str]:
    return [_("Date")] + [str(BY_KEY[key].label) + _unit_suffix(key) for key in SERIES_KEYS]


def _unit_suffix(key: str) -> str:
    return " (%)" if BY_KEY[key].unit == "%" else ""


COUNT_KEYS = {"mention_volume", "followers"}


def series_rows(data: ReportData) -> list[list]:
    """One row per day; counts as integers, shares as percentages, ``None`` where there is no data."""
    rows = []
    for index, day in enumerate(data.days):
        values = []
        for key in SERIES_KEYS:
            value = data.series[key][index]
            values.append(int(value) if value is not None and key in COUNT_KEYS else value)
        rows.append([day, *values])
    return rows


def write_csv(data: ReportData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(series_header())
    for day, *values in series_rows(data):
        writer.writerow([day.isoformat(), *("" if value is None else value for value in values)])
    return buffer.getvalue()


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ and unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def write_xlsx(data: ReportData) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError as error:
        raise XLSXUnavailable from error
    workbook = Workbook()
    used: set[str] = set()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Daily series"), used)
    sheet.append(series_header())
    for row in series_rows(data):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 12
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 20
    sheet.freeze_panes = "A2"
    for view in data.mappings:
        metric = BY_KEY[view.mapping.metric_key]
        kpi = view.mapping.institutional_kpi
        mapping_sheet = workbook.create_sheet(_sheet_title(f"{metric.label} – {kpi.name}", used))
        kpi_label = csv_safe(kpi.name + (f" ({kpi.unit})" if kpi.unit else ""))  # a name like "=cmd…" stays text
        mapping_sheet.append([_("Month"), str(metric.label), kpi_label])
        for month, social, institutional in zip(view.months, view.social, view.institutional, strict=True):
            mapping_sheet.append([month, social, institutional])
        for cell in mapping_sheet[1]:
            cell.font = Font(bold=True)
        for row in mapping_sheet.iter_rows(min_row=2, max_col=1):
            row[0].number_format = "yyyy-mm"
        mapping_sheet.column_dimensions["A"].width = 12
        mapping_sheet.column_dimensions["B"].width = 24
        mapping_sheet.column_dimensions["C"].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_pdf(report: Report, data: ReportData, drawn: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "metrics/report_pdf.html",
        {
            "org": data.org,
            "report": report,
            "period": data.period,
            "objectives": data.objectives,
            "tiles": data.tiles,
            "charts": drawn,
            "summary": summary(data),
            "generated_at": timezone.localtime(),
            "status_labels": STATUS_LABELS,
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def filename(report: Report, fmt: str) -> str:
    with translation.override(report.language):
        stem = slugify(_("report"))
    return f"{stem}-{report.org.slug}-{report.start:%Y-%m-%d}.{fmt}"


def send(report: Report, data: ReportData) -> None:
    body = "\n\n".join(
        [
            _("Hello,"),
            _("Attached is the social media report of %(org)s for the period from %(start)s to %(end)s.")
            % {
                "org": report.org.name,
                "start": date_format(report.start, "DATE_FORMAT"),
                "end": date_format(data.period.last_day, "DATE_FORMAT"),
            },
            summary(data),
            _("— MESM"),
        ]
    )
    message = EmailMessage(subject=f"{report.org.name}: {report.title}", body=body, to=report.recipients)
    message.attach(filename(report, "pdf"), bytes(report.pdf), "application/pdf")
    message.send()


# --- build -----------------------------------------------------------------------------------------------------------


def _step(report: Report, stage: str, progress: int, **fields) -> None:
    """Record the stage on the row at once (outside any transaction), so the status page sees it move."""
    values = {"stage": stage, "progress": progress, **fields}
    Report.objects.filter(pk=report.pk).update(**values)
    for name, value in values.items():
        setattr(report, name, value)


def report_build(*, report: Report) -> Report:
    """Build every file of the report. Never raises: a failure is recorded on the report in plain words."""
    org = report.org
    notes: list[str] = []
    stage = "collect"
    try:
        with translation.override(report.language), timezone.override(org.zoneinfo):
            _step(report, "collect", 5, status=Report.Status.RUNNING, error="")
            data = collect(report)
            stage = "charts"
            _step(report, "charts", 30)
            drawn = charts(data)
            stage = "pdf"
            _step(report, "pdf", 45)
            pdf = write_pdf(report, data, drawn)
            stage = "csv"
            _step(report, "csv", 75, pdf=pdf)
            csv_text = write_csv(data)
            stage = "xlsx"
            _step(report, "xlsx", 85, csv=csv_text)
            try:
                xlsx = write_xlsx(data)
            except XLSXUnavailable:
                xlsx = None
                notes.append(
                    _(
                        "The spreadsheet (XLSX) was not written because the server lacks the openpyxl package. "
                        "The PDF and the CSV file are ready."
                    )
                )
            if report.recipients:
                stage = "email"
                _step(report, "email", 92, xlsx=xlsx)
                send(report, data)
            _step(
                report,
                "done",
                100,
                xlsx=xlsx,
                status=Report.Status.DONE,
                error=" ".join(notes),
                finished_at=timezone.now(),
            )
    except Exception:
        logger.exception("Report %s failed at stage %s", report.pk, stage)
        with translation.override(report.language):
            if stage == "email":
                message = _(
                    "The report was built, but the e-mail could not be sent. You can download the files here; "
                    "check the addresses and ask for the report again to send it."
                )
            else:
                message = _(
                    "The report could not be built (step: %(stage)s). Try again; if it fails again, tell the "
                    "person who looks after MESM."
                ) % {"stage": str(Report.STAGES[stage])}
        _step(report, "failed", report.progress, status=Report.Status.FAILED, error=message, finished_at=timezone.now())
    return report
