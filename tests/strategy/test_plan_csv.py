"""The plan as CSV: export with the list's filters, import with a preview and a confirmation."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from strategy.models import PlannedPost, PostEvent, PostEventKind, PostStatus, Tier
from strategy.plan_csv import RowError, parse_when
from tests import factories
from tests.strategy.calendar_factories import PlannedPostFactory, in_days

pytestmark = pytest.mark.django_db

EXPORT = "/o/norte/calendar/export.csv"
IMPORT = "/o/norte/calendar/import/"
NEXT_YEAR = timezone.now().year + 1


@pytest.fixture
def profile(org):
    return factories.ProfileFactory(org=org, platform="mastodon", handle="@biblio@mastodon.social")


@pytest.fixture
def en_client(client_for):
    def login(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return login


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _upload(text: str, *, encoding="utf-8", name="plan.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


# --- Export -------------------------------------------------------------------------------------------


def test_it_exports_the_plan_with_every_column(client_for, org, viewer, profile, editor):
    objective = factories.ObjectiveFactory(org=org, title="Más jóvenes")
    campaign = factories.CampaignFactory(org=org, name="Verano")
    audience = factories.AudienceFactory(org=org, name="Familias")
    when = datetime(NEXT_YEAR, 7, 1, 10, 0, tzinfo=org.zoneinfo)
    post = PlannedPostFactory(
        org=org,
        profile=profile,
        scheduled_at=when,
        text="Cuentacuentos en el parque",
        link="https://biblio.example/verano",
        hashtags="#verano #lectura",
        tier=Tier.MODERATE,
        hypothesis="Por la tarde viene más gente",
        objective=objective,
        campaign=campaign,
        audience=audience,
        owner=editor,
        status=PostStatus.PUBLISHED,
        external_url="https://mastodon.social/@biblio/1",
    )
    rows = _rows(client_for(viewer).get(EXPORT))
    assert rows[0] == [
        "id", "scheduled_at", "profile", "status", "tier", "text", "link", "hashtags", "hypothesis",
        "objective", "campaign", "audience", "owner", "external_url",
    ]  # fmt: skip
    assert rows[1] == [
        str(post.pk),
        f"{NEXT_YEAR}-07-01T10:00:00+02:00",
        "mastodon:@biblio@mastodon.social",
        "published",
        "moderate",
        "Cuentacuentos en el parque",
        "https://biblio.example/verano",
        "#verano #lectura",
        "Por la tarde viene más gente",
        "Más jóvenes",
        "Verano",
        "Familias",
        editor.username,
        "https://mastodon.social/@biblio/1",
    ]


def test_it_neutralises_cells_a_spreadsheet_would_run(client_for, org, viewer, profile):
    texts = ['=HYPERLINK("http://malo")', "+34 600 000 000", "-2 plazas", "@alguien hola", "\tTab", "Normal"]
    for n, text in enumerate(texts):
        PlannedPostFactory(org=org, profile=profile, text=text, scheduled_at=in_days(n + 1))
    rows = _rows(client_for(viewer).get(EXPORT))
    assert [row[5] for row in rows[1:]] == [
        '\'=HYPERLINK("http://malo")',
        "'+34 600 000 000",
        "'-2 plazas",
        "'@alguien hola",
        "'\tTab",
        "Normal",
    ]


def test_the_export_applies_the_list_filters(client_for, org, viewer, profile):
    other = factories.ProfileFactory(org=org, platform="bluesky", handle="biblio.bsky.social")
    campaign = factories.CampaignFactory(org=org)
    day = in_days(10).astimezone(org.zoneinfo).date()
    at = datetime.combine(day, datetime.min.time(), org.zoneinfo) + timedelta(hours=9)
    keep = PlannedPostFactory(org=org, profile=profile, scheduled_at=at, status=PostStatus.APPROVED, campaign=campaign)
    PlannedPostFactory(org=org, profile=other, scheduled_at=at, status=PostStatus.APPROVED, campaign=campaign)
    PlannedPostFactory(org=org, profile=profile, scheduled_at=at, status=PostStatus.DRAFT, campaign=campaign)
    PlannedPostFactory(org=org, profile=profile, scheduled_at=at + timedelta(days=1), status=PostStatus.APPROVED)
    query = {
        "start": day.isoformat(),
        "end": day.isoformat(),
        "profile": profile.pk,
        "status": "approved",
        "campaign": campaign.pk,
    }
    rows = _rows(client_for(viewer).get(EXPORT, query))
    assert [row[0] for row in rows[1:]] == [str(keep.pk)]


def test_the_export_is_for_members_only(client, client_for, org, outsider, profile):
    PlannedPostFactory(org=org, profile=profile)
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(outsider).get(EXPORT).status_code == 404


def test_the_export_refuses_a_filter_of_another_organisation(client_for, org, other_org, viewer):
    foreign = factories.ProfileFactory(org=other_org)
    response = client_for(viewer).get(EXPORT, {"profile": foreign.pk})
    assert response.status_code == 400


# --- Import: reading ------------------------------------------------------------------------------------


def test_it_reads_the_two_date_formats_in_the_organisation_time_zone(org):
    zone = org.zoneinfo
    assert parse_when("2026-12-01 10:00", zone) == datetime(2026, 12, 1, 10, 0, tzinfo=zone)
    assert parse_when("01/12/2026 10:00", zone) == datetime(2026, 12, 1, 10, 0, tzinfo=zone)
    assert parse_when("2026-12-01T10:00:00+01:00", zone) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for wrong in ("mañana", "2026-12-01", "12/2026 10:00"):
        with pytest.raises(RowError):
            parse_when(wrong, zone)
    with translation.override("en"), pytest.raises(RowError, match="does not exist"):
        parse_when("31/02/2026 10:00", zone)


def test_the_import_page_is_for_editors(client_for, org, viewer, editor, outsider):
    assert client_for(viewer).get(IMPORT).status_code == 403
    assert client_for(outsider).get(IMPORT).status_code == 404
    response = client_for(editor).get(IMPORT)
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_it_previews_then_imports_the_good_rows_as_drafts(en_client, org, editor, profile):
    objective = factories.ObjectiveFactory(org=org, title="Más jóvenes")
    campaign = factories.CampaignFactory(org=org, name="Verano")
    audience = factories.AudienceFactory(org=org, name="Familias")
    text = (
        "scheduled_at,profile,text,tier,link,hashtags,hypothesis,objective,campaign,audience\n"
        f"{NEXT_YEAR}-12-01 10:00,mastodon:@biblio@mastodon.social,Club de lectura,probado,"
        "https://biblio.example,#lectura,,más jóvenes,Verano,Familias\n"
        f"02/12/{NEXT_YEAR} 18:30,@biblio@mastodon.social,Concurso de microrrelatos,moderado,,,"
        "Un concurso trae respuestas,,,\n"
    )
    client = en_client(editor)
    response = client.post(IMPORT, {"file": _upload(text)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 posts are ready to import." in body
    assert "Nothing has been saved yet." in body
    assert "Club de lectura" in body and "Concurso de microrrelatos" in body
    assert PlannedPost.objects.count() == 0
    token = response.context["token"]

    response = client.post(IMPORT, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/norte/calendar/list/"
    assert "2 posts were imported as drafts." in response.content.decode()
    first, second = PlannedPost.objects.order_by("scheduled_at")
    assert first.scheduled_at == datetime(NEXT_YEAR, 12, 1, 10, 0, tzinfo=org.zoneinfo)
    assert second.scheduled_at == datetime(NEXT_YEAR, 12, 2, 18, 30, tzinfo=org.zoneinfo)
    assert (first.org, first.profile, first.status, first.created_by, first.owner) == (
        org,
        profile,
        PostStatus.DRAFT,
        editor,
        editor,
    )
    assert (first.tier, first.link, first.hashtags) == (Tier.PROVEN, "https://biblio.example", "#lectura")
    assert (first.objective, first.campaign, first.audience) == (objective, campaign, audience)
    assert (second.tier, second.hypothesis) == (Tier.MODERATE, "Un concurso trae respuestas")
    assert PostEvent.objects.filter(kind=PostEventKind.CREATED, actor=editor).count() == 2

    # The same preview cannot be imported twice.
    response = client.post(IMPORT, {"token": token}, follow=True)
    assert "This preview has expired or was already imported." in response.content.decode()
    assert PlannedPost.objects.count() == 2


def test_it_lists_every_bad_row_with_its_line_and_reason(en_client, org, editor, profile):
    factories.ObjectiveFactory(org=org, title="Más jóvenes")
    rows = [
        "scheduled_at,profile,text,tier,hypothesis,objective,link",
        f"{NEXT_YEAR}-12-01 10:00,@biblio@mastodon.social,Buena,proven,,,",  # line 2: good
        f"{NEXT_YEAR}-12-01 10:00,@nadie@mastodon.social,Perfil desconocido,,,,",  # 3
        "el martes,@biblio@mastodon.social,Fecha rara,,,,",  # 4
        "01/01/2020 10:00,@biblio@mastodon.social,En el pasado,,,,",  # 5
        f"{NEXT_YEAR}-12-02 10:00,@biblio@mastodon.social,Experimento,radical,,,",  # 6
        f"{NEXT_YEAR}-12-02 10:00,@biblio@mastodon.social,Objetivo,,,Menos adultos,",  # 7
        f"{NEXT_YEAR}-12-02 10:00,@biblio@mastodon.social,Nivel,valiente,,,",  # 8
        f"{NEXT_YEAR}-12-02 10:00,@biblio@mastodon.social,,,,,",  # 9
        f"{NEXT_YEAR}-12-02 10:00,@biblio@mastodon.social,Enlace,,,,www sin esquema",  # 10
        f"31/02/{NEXT_YEAR} 10:00,@biblio@mastodon.social,Día imposible,,,,",  # 11
    ]
    client = en_client(editor)
    response = client.post(IMPORT, {"file": _upload("\n".join(rows) + "\n")})
    assert response.status_code == 200
    messages = response.context["bad_messages"]
    expected = [
        "line 3: there is no profile “@nadie@mastodon.social”",
        "line 4: the date “el martes” was not understood",
        "line 5: “01/01/2020 10:00” has already passed",
        "line 6: an experiment needs a hypothesis",
        "line 7: there is no objective “Menos adultos”",
        "line 8: the tier “valiente” is not known",
        "line 9: the text is missing",
        "line 10: the link “www sin esquema” is not a web address",
        f"line 11: the date “31/02/{NEXT_YEAR} 10:00” does not exist",
    ]
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), message
    body = response.content.decode()
    assert "1 post is ready to import." in body and "9 problems were found." in body
    assert [row["line"] for row in response.context["sample"]] == [2]
    assert PlannedPost.objects.count() == 0

    response = client.post(IMPORT, {"token": response.context["token"]}, follow=True)
    assert "1 post was imported as a draft. 9 rows with problems were left out." in response.content.decode()
    assert list(PlannedPost.objects.values_list("text", flat=True)) == ["Buena"]


def test_it_explains_a_file_without_the_required_columns(en_client, org, editor):
    response = en_client(editor).post(IMPORT, {"file": _upload("fecha,perfil\n2027-01-01 10:00,@x\n")})
    assert response.status_code == 200
    assert response.context["token"] is None
    assert response.context["bad_messages"] == ["the file has no “text” column (columns found: “fecha”, “perfil”)"]
    assert b'name="token"' not in response.content


def test_it_reads_utf8_with_bom_and_semicolons(en_client, org, editor, profile):
    text = f"\ufefffecha;perfil;texto;nivel;hipótesis\n01/12/{NEXT_YEAR} 10:00;@biblio@mastodon.social;Lectura, café y charla;radical;Si\n"
    client = en_client(editor)
    response = client.post(IMPORT, {"file": _upload(text)})
    assert [row["text"] for row in response.context["sample"]] == ["Lectura, café y charla"]
    assert response.context["sample"][0]["tier"] == "radical"
    assert "Windows-1252" not in response.content.decode()


def test_it_reads_windows_1252_and_says_so(en_client, org, editor, profile):
    text = f"scheduled_at;profile;text\n01/12/{NEXT_YEAR} 10:00;@biblio@mastodon.social;Presentación del libro «Año nuevo»\n"
    client = en_client(editor)
    response = client.post(IMPORT, {"file": _upload(text, encoding="cp1252")})
    assert "it was read as Windows-1252" in response.content.decode()
    client.post(IMPORT, {"token": response.context["token"]})
    assert PlannedPost.objects.get().text == "Presentación del libro «Año nuevo»"


def test_it_warns_in_the_preview_about_a_post_over_the_limit(en_client, org, editor, profile):
    text = f"scheduled_at,profile,text\n{NEXT_YEAR}-12-01 10:00,@biblio@mastodon.social,{'palabra ' * 70}\n"
    response = en_client(editor).post(IMPORT, {"file": _upload(text)})
    assert response.context["bad_messages"] == []
    assert "the limit is 500" in response.context["sample"][0]["warnings"][0]
    assert "Warning:" in response.content.decode()


def test_it_imports_nothing_when_a_profile_was_archived_meanwhile(en_client, org, editor, profile):
    other = factories.ProfileFactory(org=org, platform="bluesky", handle="biblio.bsky.social")
    text = (
        "scheduled_at,profile,text\n"
        f"{NEXT_YEAR}-12-01 10:00,mastodon:@biblio@mastodon.social,Uno\n"
        f"{NEXT_YEAR}-12-01 11:00,bluesky:biblio.bsky.social,Dos\n"
    )
    client = en_client(editor)
    response = client.post(IMPORT, {"file": _upload(text)})
    other.archive()
    response = client.post(IMPORT, {"token": response.context["token"]}, follow=True)
    body = response.content.decode()
    assert "Nothing was imported" in body and "line 3:" in body
    assert PlannedPost.objects.count() == 0
    assert PostEvent.objects.count() == 0


def test_a_preview_of_one_session_cannot_be_confirmed_by_another(client_for, org, editor, admin_user, profile):
    text = f"scheduled_at,profile,text\n{NEXT_YEAR}-12-01 10:00,@biblio@mastodon.social,Uno\n"
    token = client_for(editor).post(IMPORT, {"file": _upload(text)}).context["token"]
    client_for(admin_user).post(IMPORT, {"token": token})
    assert PlannedPost.objects.count() == 0


def test_an_exported_plan_imports_back(client_for, org, editor, profile):
    PlannedPostFactory(org=org, profile=profile, text="=1+1 no es una fórmula", scheduled_at=in_days(4))
    PlannedPostFactory(
        org=org, profile=profile, text="Radical", tier=Tier.RADICAL, hypothesis="H", scheduled_at=in_days(5)
    )
    client = client_for(editor)
    exported = client.get(EXPORT).content
    response = client.post(IMPORT, {"file": SimpleUploadedFile("plan.csv", exported, content_type="text/csv")})
    assert response.context["bad_messages"] == []
    client.post(IMPORT, {"token": response.context["token"]})
    copies = PlannedPost.objects.order_by("-id")[:2]
    assert sorted(p.text for p in copies) == ["=1+1 no es una fórmula", "Radical"]
    assert {p.status for p in copies} == {PostStatus.DRAFT}
