"""Period reports: requested, built by a real Celery worker, kept, downloaded and e-mailed."""

import csv
import io
import time
from datetime import date, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from listening.models import MentionDaily
from listening.services.ingest import ALL_MENTIONS
from mesm.celery import app
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot, Report
from metrics.reports import monthly_reports_queue, report_build, report_request
from tests import factories

START, END = date(2025, 5, 1), date(2025, 6, 1)


def _data(org):
    for offset in range(31):
        day = START + timedelta(days=offset)
        for sentiment, count in (("positive", 3), ("neutral", 2), ("negative", 1)):
            MentionDaily.objects.create(
                org=org, day=day, query_id=ALL_MENTIONS, platform="mastodon", sentiment=sentiment, count=count
            )
    profile = factories.ProfileFactory(org=org)
    ProfileSnapshot.objects.create(org=org, profile=profile, date=START, followers=1000)
    ProfileSnapshot.objects.create(org=org, profile=profile, date=START + timedelta(days=20), followers=1100)
    objective = factories.ObjectiveFactory(org=org, title="Llegar a más vecinos")
    factories.KPIFactory(objective=objective, name="Seguidores en Mastodon")
    kpi = InstitutionalKPI.objects.create(org=org, name="Visitas", unit="visitas")
    InstitutionalValue.objects.create(org=org, kpi=kpi, period_start=START, value=900)
    MetricMapping.objects.create(org=org, metric_key="mention_volume", institutional_kpi=kpi, hypothesis="Más ruido.")


def _wait(report, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (Report.Status.DONE, Report.Status.FAILED):
            return report
        time.sleep(0.2)
    raise AssertionError(f"report still {report.status} at {report.progress} % ({report.stage})")


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text as a reader sees it (pypdf, so no system tool is needed)."""
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_report_and_emails_it(org, viewer):
    _data(org)
    mail.outbox.clear()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        report = report_request(
            org=org, start=START, end=END, by=viewer, email_to="director@example.org, otra@example.org", language="en"
        )
        assert report.status == Report.Status.QUEUED
        _wait(report)
    assert report.status == Report.Status.DONE, report.error
    assert report.progress == 100 and report.stage == "done" and report.finished_at
    assert report.title == "Report for May 2025"
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF")
    text = " ".join(_pdf_text(pdf).split())
    for expected in (
        "Biblioteca Norte",
        "Mentions by platform",
        "Sentiment of the mentions",
        "Followers of the owned profiles",
        "Mention volume and Visitas by month",
        "Llegar a más vecinos",
        "The library was mentioned 186 times",
    ):
        assert expected in text
    rows = list(csv.reader(io.StringIO(report.csv)))
    assert rows[0][0] == "Date" and len(rows[0]) == 6
    assert len(rows) == 1 + 31
    assert rows[1][:2] == ["2025-05-01", "6"]
    # The e-mail went through the worker thread into the shared locmem outbox.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["director@example.org", "otra@example.org"]
    assert "Biblioteca Norte" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".pdf") and mimetype == "application/pdf" and content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_xlsx_has_the_series_and_a_sheet_per_mapping(org, django_capture_on_commit_callbacks):
    openpyxl = pytest.importorskip("openpyxl")
    _data(org)
    with django_capture_on_commit_callbacks(execute=False):
        report = report_request(org=org, start=START, end=END, language="es")
    report_build(report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.error == ""
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(report.xlsx)))
    assert len(workbook.sheetnames) == 2
    series = workbook.worksheets[0]
    assert series.max_row == 32 and series["A1"].value == "Fecha"


@pytest.mark.django_db
def test_without_openpyxl_the_report_is_ready_and_says_why_there_is_no_spreadsheet(org, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name.startswith("openpyxl"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    report = Report.objects.create(org=org, title="r", start=START, end=END, language="en")
    report_build(report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.xlsx is None and "openpyxl" in report.error


@pytest.mark.django_db
def test_a_failure_is_recorded_in_plain_words(org, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("weasyprint exploded")

    monkeypatch.setattr("metrics.reports.write_pdf", boom)
    report = Report.objects.create(org=org, title="r", start=START, end=END, language="en")
    report_build(report=report)  # does not raise
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "could not be built" in report.error and "Writing the PDF" in report.error
    assert "weasyprint" not in report.error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2025, 5, 10), date(2025, 5, 1), "after its start"),
        (date(2024, 1, 1), date(2025, 6, 1), "at most one year"),
    ],
)
def test_a_bad_range_is_refused_in_plain_words(org, start, end, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        report_request(org=org, start=start, end=end, language="en")
    assert message in error.value.messages[0]
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_viewer_requests_a_report_from_the_page(org, viewer, client_for, django_capture_on_commit_callbacks):
    client = client_for(viewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("metrics-report-list", kwargs={"org_slug": org.slug}),
            {"period": "month", "month": "2025-05", "email_to": [viewer.email]},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get(org=org)
    assert (report.start, report.end, report.requested_by) == (START, END, viewer)
    assert report.email_to == viewer.email
    assert len(callbacks) == 1  # the build is queued once the request's transaction commits
    page = client.get(reverse("metrics-report-list", kwargs={"org_slug": org.slug}))
    html = page.content.decode()
    assert report.title in html and "<progress" in html and 'hx-trigger="every 2s"' in html


@pytest.mark.django_db
def test_a_bad_range_from_the_page_shows_the_error(org, viewer, client_for):
    client = client_for(viewer)
    response = client.post(
        reverse("metrics-report-list", kwargs={"org_slug": org.slug}),
        {"period": "range", "start": "2025-05-10", "end": "2025-05-01"},
    )
    assert response.status_code == 200
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_status_row_stops_polling_when_done(org, viewer, client_for):
    report = Report.objects.create(org=org, title="Informe", start=START, end=END, progress=45, stage="pdf")
    client = client_for(viewer)
    url = reverse("metrics-report-status", kwargs={"org_slug": org.slug, "pk": report.pk})
    html = client.get(url).content.decode()
    assert html.strip().startswith("<tr") and 'hx-trigger="every 2s"' in html and 'value="45"' in html
    Report.objects.filter(pk=report.pk).update(status="done", progress=100, stage="done", pdf=b"%PDF-1.7", csv="a\n")
    html = client.get(url).content.decode()
    assert "hx-trigger" not in html and "<progress" not in html
    assert reverse("metrics-report-download", kwargs={"org_slug": org.slug, "pk": report.pk, "fmt": "pdf"}) in html
    assert "report.xlsx" not in html


@pytest.mark.django_db
def test_downloads_and_isolation(org, other_org, viewer, outsider, client_for):
    report = Report.objects.create(
        org=org, title="Informe", start=START, end=END, status="done", pdf=b"%PDF-1.7 x", csv="Fecha\n2025-05-01\n"
    )
    client = client_for(viewer)
    pdf = client.get(reverse("metrics-report-download", kwargs={"org_slug": org.slug, "pk": report.pk, "fmt": "pdf"}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith('.pdf"')
    csv_response = client.get(f"/o/{org.slug}/metrics/reports/{report.pk}/report.csv")
    assert csv_response.status_code == 200 and "2025-05-01" in csv_response.content.decode("utf-8-sig")
    assert client.get(f"/o/{org.slug}/metrics/reports/{report.pk}/report.xlsx").status_code == 404  # not written
    client.force_login(outsider)
    for url in (
        f"/o/{other_org.slug}/metrics/reports/{report.pk}/report.pdf",
        f"/o/{other_org.slug}/metrics/reports/{report.pk}/status/",
        f"/o/{org.slug}/metrics/reports/{report.pk}/report.pdf",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_api_requests_lists_and_downloads(org, viewer, outsider, api_for, django_capture_on_commit_callbacks):
    api = api_for(viewer)
    base = f"/api/v1/orgs/{org.slug}/reports/"
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(base, {"start": "2025-05-01", "end": "2025-06-01"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    pk = response.json()["id"]
    bad = api.post(base, {"start": "2025-06-01", "end": "2025-05-01"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "after its start" in str(bad.json())
    Report.objects.filter(pk=pk).update(status="done", progress=100, pdf=b"%PDF-1.7 y", csv="Date\n")
    listed = api.get(base).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["id"] == pk and set(rows[0]["downloads"]) == {"pdf", "csv"}
    assert api.get(f"{base}{pk}/").json()["progress"] == 100
    download = api.get(f"{base}{pk}/download/?format=pdf")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert api.get(f"{base}{pk}/download/?format=csv").status_code == 200
    assert api.get(f"{base}{pk}/download/?format=xlsx").status_code == 404
    assert api.get(f"{base}{pk}/download/?format=doc").status_code == 400
    other = api_for(outsider)
    assert other.get(f"{base}{pk}/").status_code == 404
    assert other.get(f"/api/v1/orgs/sur/reports/{pk}/download/?format=pdf").status_code == 404


@pytest.mark.django_db
def test_monthly_reports_queue_last_month_once_per_org(org, other_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = monthly_reports_queue(today=date(2025, 6, 1))
        again = monthly_reports_queue(today=date(2025, 6, 1))
    assert {(r.org_id, r.start, r.end) for r in queued} == {(org.pk, START, END), (other_org.pk, START, END)}
    assert again == [] and len(callbacks) == 2
