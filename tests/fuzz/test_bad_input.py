"""Bad input through every form and upload, and hostile text in every export and page (issue 8).

Wrong types, huge values, wrong encodings (UTF-16, binary), empty files: a clear error in plain
words, nothing half-written, never a 500. Spreadsheet formulas in any text cell of a CSV/XLSX
export come out neutralised (mesm.csvsafe), numbers stay numbers. HTML/JS typed into text fields
is escaped wherever it is shown: pages, e-mails and PDFs.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from learning.models import StaffMember, SurveyAnswer, SurveyResponse
from learning.services.lessons import lesson_digests_send, lesson_record
from listening.models import MentionDaily
from listening.services.ingest import ALL_MENTIONS
from mesm.models import Membership
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot, Report
from metrics.reports import report_build
from strategy.models import PlannedPost, PostMedia
from tests import factories
from tests.learning.test_people_factories import make_list, make_staff, make_survey, questions
from tests.listening.factories import MentionFactory
from tests.strategy.calendar_factories import PlannedPostFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil.example","ver")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1+1", "\r=1+1"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

# Files no CSV import may choke on: (name, bytes).
BAD_FILES = [
    ("empty.csv", b""),
    ("utf16.csv", "date,profile,followers\n2026-01-01,mastodon:@a,10\n".encode("utf-16")),
    ("binary.csv", PNG * 20),
    ("nul.csv", b"date,profile,followers\n2026-01-01,\x00\x00,10\n"),
    ("only-separators.csv", b",,,\n;;;\n"),
]


@pytest.fixture
def en(client_for):
    def login(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return login


def _upload(name: str, data: bytes, content_type="text/csv"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _assert_neutral(rows, planted: list[str], *, stripped=False):
    """Every planted formula is in the export, behind an apostrophe; no cell starts like a formula.

    ``stripped``: the form trimmed the text when it was saved (a leading tab is gone).
    """
    cells = [cell for row in rows[1:] for cell in row]
    for text in planted:
        text = text.strip() if stripped else text
        assert "'" + text in cells, f"{text!r} not neutralised in {cells}"
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


# --- CSV imports: wrong encodings, binary, empty, huge values --------------------------------------------------------


@pytest.mark.parametrize(("name", "data"), BAD_FILES)
def test_it_explains_a_bad_snapshot_file_and_saves_nothing(en, org, editor, name, data):
    factories.ProfileFactory(org=org, platform="mastodon", handle="@a")
    response = en(editor).post("/o/norte/metrics/snapshots/import/", {"file": _upload(name, data)})
    assert response.status_code in (200, 400)
    assert "0 rows" in response.content.decode() or "error" in response.content.decode().lower()
    assert ProfileSnapshot.objects.count() == 0


@pytest.mark.parametrize(("name", "data"), BAD_FILES)
def test_it_explains_a_bad_institutional_file_and_saves_nothing(en, org, editor, name, data):
    kpi = InstitutionalKPI.objects.create(org=org, name="Visitas")
    response = en(editor).post(f"/o/norte/metrics/institutional/{kpi.pk}/import/", {"file": _upload(name, data)})
    assert response.status_code in (200, 400)
    assert InstitutionalValue.objects.count() == 0


def test_it_refuses_huge_and_wrongly_typed_counts_row_by_row(en, org, editor):
    factories.ProfileFactory(org=org, platform="mastodon", handle="@a")
    text = (
        "date,profile,followers\n"
        "2026-01-01,mastodon:@a,99999999999999999999999999\n"
        "2026-01-02,mastodon:@a,muchos\n"
        "not a date,mastodon:@a,10\n"
        f"2026-01-03,mastodon:@a,{'9' * 5000}\n"
    )
    response = en(editor).post("/o/norte/metrics/snapshots/import/", {"file": _upload("s.csv", text.encode())})
    assert response.status_code == 200
    body = response.content.decode()
    for line in ("2", "3", "4", "5"):
        assert f"Line {line}" in body or f"line {line}" in body
    assert ProfileSnapshot.objects.count() == 0


@pytest.mark.parametrize(("name", "data"), BAD_FILES)
def test_the_api_refuses_a_bad_snapshot_file_in_the_error_format(api_for, org, editor, name, data):
    response = api_for(editor).post(
        "/api/v1/orgs/norte/snapshots/import/", {"file": _upload(name, data)}, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]) >= {"code", "message"}
    assert ProfileSnapshot.objects.count() == 0


@pytest.mark.parametrize(("name", "data"), BAD_FILES)
def test_it_explains_a_bad_plan_file_and_saves_nothing(en, org, editor, name, data):
    factories.ProfileFactory(org=org, platform="mastodon", handle="@a")
    response = en(editor).post("/o/norte/calendar/import/", {"file": _upload(name, data)})
    assert response.status_code in (200, 400)
    assert PlannedPost.objects.count() == 0


def test_a_plan_file_with_a_huge_text_and_a_bad_date_is_refused_row_by_row(en, org, editor):
    factories.ProfileFactory(org=org, platform="mastodon", handle="@a")
    text = (
        "scheduled_at,profile,text\n"
        f"2099-01-01 10:00,mastodon:@a,{'x' * 200_000}\n"
        "31/02/2099 10:00,mastodon:@a,Hola\n"
        "99999-01-01 10:00,mastodon:@a,Hola\n"
    )
    response = en(editor).post("/o/norte/calendar/import/", {"file": _upload("p.csv", text.encode())})
    assert response.status_code == 200
    assert PlannedPost.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    ["name,department\nAna,Sala\n".encode("utf-16"), PNG * 20, b"", b"name,department\nA\x00na,Sala\n"],
    ids=["utf16", "binary", "empty", "nul"],
)
def test_it_explains_a_bad_staff_file_and_saves_nothing(en, org, editor, data):
    response = en(editor).post("/o/norte/learning/staff/import/", {"file": _upload("staff.csv", data)})
    assert response.status_code == 400
    assert 'class="error' in response.content.decode()
    assert StaffMember.objects.count() == 0


def test_pasted_staff_text_with_a_nul_character_or_a_huge_name_is_refused(en, org, editor):
    client = en(editor)
    for text in ("name,department\nA\x00na,Sala\n", f"name,department\n{'A' * 5000},Sala\nBea,Sala\n"):
        response = client.post("/o/norte/learning/staff/import/", {"text": text})
        assert response.status_code == 400
    assert StaffMember.objects.count() == 0


# --- Post media -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("page.html", "image/png", b"<html><script>alert(1)</script></html>"),
        ("drawing.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("notes.txt", "text/plain", b"hola"),
        ("empty.png", "image/png", b""),
    ],
)
def test_the_api_accepts_only_real_image_or_video_names_as_post_media(api_for, org, editor, name, content_type, data):
    post = PlannedPostFactory(org=org)
    response = api_for(editor).post(
        f"/api/v1/orgs/norte/posts/{post.pk}/media/",
        {"file": _upload(name, data, content_type), "alt_text": "Cartel"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert PostMedia.objects.count() == 0


def test_the_post_form_refuses_a_web_page_disguised_as_an_image(en, org, editor):
    post = PlannedPostFactory(org=org)
    data = {
        "media-TOTAL_FORMS": "1",
        "media-INITIAL_FORMS": "0",
        "media-MIN_NUM_FORMS": "0",
        "media-MAX_NUM_FORMS": "4",
        "media-0-file": _upload("page.html", b"<script>alert(1)</script>", "image/png"),
        "media-0-alt_text": "Cartel",
    }
    response = en(editor).post(f"/o/norte/calendar/posts/{post.pk}/edit/", data)
    assert response.status_code in (200, 400)
    assert "Attach an image or a video." in response.content.decode()
    assert PostMedia.objects.count() == 0


def test_stored_media_that_is_not_an_image_is_only_ever_downloaded(client_for, org, viewer, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    post = PlannedPostFactory(org=org)
    media = PostMedia.objects.create(post=post, alt_text="x", file=_upload("page.html", b"<script>alert(1)</script>"))
    response = client_for(viewer).get(f"/o/norte/calendar/posts/{post.pk}/media/{media.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    good = PostMedia.objects.create(post=post, alt_text="x", file=_upload("cartel.png", PNG, "image/png"))
    assert client_for(viewer).get(f"/o/norte/calendar/posts/{post.pk}/media/{good.pk}/")["Content-Type"] == "image/png"


# --- Survey answers (public page) -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"scale": "mucho"},
        {"scale": "99999999999999999999999"},
        {"scale": "-1"},
        {"single": "Una opción que no existe"},
        {"text": "x" * 100_000},
        {"text": "hola\x00adiós"},
    ],
    ids=["scale-word", "scale-huge", "scale-negative", "unknown-option", "huge-text", "nul"],
)
def test_a_public_survey_refuses_wrong_answers_and_saves_nothing(client, org, values):
    survey = make_survey(org)
    q = questions(survey)
    form = {f"q{q[0].pk}": "A diario", f"q{q[1].pk}": ["Novedades"], f"q{q[2].pk}": "4", f"q{q[4].pk}": ""}
    keys = {"single": q[0].pk, "scale": q[2].pk, "text": q[4].pk}
    for key, value in values.items():
        form[f"q{keys[key]}"] = value
    client.cookies["django_language"] = "en"
    response = client.post(f"/s/{survey.token}/", form)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert SurveyResponse.objects.count() == 0 and SurveyAnswer.objects.count() == 0


def test_a_public_survey_with_an_unknown_question_id_or_no_data_is_not_a_server_error(client, org):
    survey = make_survey(org)
    assert client.post(f"/s/{survey.token}/", {"q999999": "x", "qabc": "y"}).status_code == 400
    assert client.post(f"/s/{survey.token}/", b"\xff\xfe\x00", content_type="text/plain").status_code == 400
    assert SurveyResponse.objects.count() == 0


# --- Formula injection in every CSV/XLSX export -----------------------------------------------------------------------


def test_the_mention_export_neutralises_formulas(api_for, org, viewer):
    for text in FORMULAS:
        MentionFactory(org=org, text=text, author_name=text)
    rows = _csv(api_for(viewer).get("/api/v1/orgs/norte/mentions/export.csv"))
    _assert_neutral(rows, FORMULAS)
    assert rows[1][rows[0].index("likes")] == "0"  # numbers stay numbers


def test_the_plan_export_neutralises_formulas(client_for, org, viewer):
    for text in FORMULAS:
        PlannedPostFactory(org=org, text=text, hypothesis=text)
    rows = _csv(client_for(viewer).get("/o/norte/calendar/export.csv"))
    _assert_neutral(rows, FORMULAS)


def test_the_survey_export_neutralises_formulas(client_for, org, editor):
    from tests.learning.test_people_factories import answer

    survey = make_survey(org)
    for text in FORMULAS:
        answer(survey, single="A diario", multiple=["Eventos"], scale=3, text=text)
    rows = _csv(client_for(editor).get(f"/o/norte/learning/surveys/{survey.pk}/responses.csv"))
    _assert_neutral(rows, FORMULAS, stripped=True)


def test_the_staff_list_export_neutralises_formulas(client_for, org, viewer):
    people = [
        make_staff(org, name=text, department=text, handles={"mastodon": text}, email=f"p{i}@norte.example")
        for i, text in enumerate(FORMULAS)
    ]
    staff_list = make_list(org, people=people)
    rows = _csv(client_for(viewer).get(f"/o/norte/learning/staff-lists/{staff_list.pk}/export.csv?platform=mastodon"))
    _assert_neutral(rows, FORMULAS)


def _report_data(org, hostile: str):
    start = date(2025, 5, 1)
    for offset in range(31):
        MentionDaily.objects.create(
            org=org, day=start + timedelta(days=offset), query_id=ALL_MENTIONS, platform="mastodon",
            sentiment="neutral", count=2,
        )  # fmt: skip
    objective = factories.ObjectiveFactory(org=org, title=hostile)
    factories.KPIFactory(objective=objective, name=hostile)
    kpi = InstitutionalKPI.objects.create(org=org, name=hostile, unit="")
    InstitutionalValue.objects.create(org=org, kpi=kpi, period_start=start, value=900)
    MetricMapping.objects.create(org=org, metric_key="mention_volume", institutional_kpi=kpi, hypothesis=hostile)
    report = Report.objects.create(org=org, title="Informe", start=start, end=date(2025, 6, 1), language="en")
    report_build(report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


def test_the_report_spreadsheet_keeps_a_formula_name_as_text_and_numbers_as_numbers(org):
    openpyxl = pytest.importorskip("openpyxl")
    report = _report_data(org, '=HYPERLINK("http://evil.example","ver")')
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(report.xlsx)))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
    mapping = workbook.worksheets[1]
    assert mapping["C1"].value.startswith("'=HYPERLINK")
    numbers = [row[0].value for row in mapping.iter_rows(min_row=2, min_col=3, max_col=3) if row[0].value is not None]
    assert numbers and all(isinstance(value, int | float) for value in numbers)  # numbers stay numbers
    rows = list(csv.reader(io.StringIO(report.csv)))
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


# --- HTML/JS is escaped wherever it is shown --------------------------------------------------------------------------


def test_hostile_text_is_shown_as_text_on_the_pages(client_for, org, viewer):
    post = PlannedPostFactory(org=org, text=SCRIPT + IMG, hypothesis=IMG)
    mention = MentionFactory(org=org, text=SCRIPT, author_name=IMG)
    staff_list = make_list(org, name=SCRIPT, people=[make_staff(org, name=IMG)])
    client = client_for(viewer)
    for url in (
        f"/o/norte/calendar/posts/{post.pk}/",
        f"/o/norte/listening/mentions/{mention.pk}/",
        f"/o/norte/learning/staff-lists/{staff_list.pk}/",
    ):
        html = client.get(url).content.decode()
        assert SCRIPT not in html and IMG not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x" in html, url


def test_a_policy_body_in_its_own_markup_language_cannot_inject_html(client_for, org, viewer):
    from tests.learning.test_people_factories import make_policy

    version = make_policy(org, title=SCRIPT, body=f"# {SCRIPT}\n\n- {IMG}\n\n[x](javascript:alert(1)) {IMG}")
    html = client_for(viewer).get(f"/o/norte/learning/policy/{version.pk}/").content.decode()
    assert SCRIPT not in html and IMG not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_plan_pdf_shows_hostile_text_as_text(client_for, org, viewer):
    objective = factories.ObjectiveFactory(org=org, title=SCRIPT, why=IMG)
    factories.KPIFactory(objective=objective, name=SCRIPT)
    factories.AudienceFactory(org=org, name=IMG)
    response = client_for(viewer).get("/o/norte/plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")
    assert "onerror=alert(1)>" in text.replace("\n", "")


def test_the_report_pdf_shows_hostile_text_as_text(org):
    report = _report_data(org, SCRIPT)
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(bytes(report.pdf))).pages)
    # Escaped, the tag is printed as letters; unescaped, WeasyPrint would drop it as markup.
    assert "<script>alert(1)</script>" in text.replace("\n", "")


def test_the_lesson_digest_email_escapes_hostile_titles(org, viewer):
    from learning.models import LessonDigestSubscription

    LessonDigestSubscription.objects.create(membership=Membership.objects.get(user=viewer, org=org))
    lesson_record(org, title=SCRIPT, body=IMG, source_kind="note")
    assert lesson_digests_send() == 1
    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
