"""Recording metrics data: CSV imports with a preview, institutional KPIs, mappings, snapshots, API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from metrics import imports
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from tests import factories


def csv_file(text: str, *, bom: bool = False, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"), "text/csv")


@pytest.fixture
def profile(org):
    return factories.ProfileFactory(org=org, platform="mastodon", handle="@norte@mastodon.social")


@pytest.fixture
def kpi(org):
    return InstitutionalKPI.objects.create(org=org, name="Visitas", unit="visitas")


@pytest.fixture(autouse=True)
def english():
    """Reasons are written in the active language when the file is read; these tests read English."""
    with override("en"):
        yield


def messages_of(result):
    return result.messages()


# --- Parsing ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_parses_a_comma_separated_snapshot_file(org, profile):
    result = imports.parse_snapshots_csv(
        org, csv_file("date,profile,followers,following,posts\n2026-03-01,@norte@mastodon.social,1234,56,789\n")
    )
    assert result.bad_rows == []
    assert result.good_rows == [
        {
            "line": 2,
            "profile_id": profile.pk,
            "profile": "@norte@mastodon.social",
            "date": "2026-03-01",
            "followers": 1234,
            "following": 56,
            "posts": 789,
        }
    ]


@pytest.mark.django_db
def test_it_parses_a_semicolon_file_with_bom_spanish_headers_and_grouped_numbers(org, profile):
    text = "Fecha;Perfil;Seguidores;Seguidos\n01/03/2026;mastodon:@norte@mastodon.social;1.234;12\n"
    result = imports.parse_snapshots_csv(org, csv_file(text, bom=True))
    assert result.bad_rows == []
    assert result.good_rows[0]["date"] == "2026-03-01"
    assert result.good_rows[0]["followers"] == 1234
    assert "posts" not in result.good_rows[0]


@pytest.mark.django_db
def test_it_accepts_a_platform_export_for_the_profile_chosen_in_the_form(org, profile):
    text = "Date,Impressions,Followers\n2026-03-01,900,150\n2026-03-02,950,152\n"
    result = imports.parse_snapshots_csv(org, csv_file(text), profile=profile)
    assert result.bad_rows == []
    assert [(row["profile_id"], row["followers"]) for row in result.good_rows] == [(profile.pk, 150), (profile.pk, 152)]


@pytest.mark.django_db
def test_it_understands_spanish_and_english_numbers_in_institutional_values(org, kpi):
    spanish = imports.parse_institutional_csv(
        org, kpi, csv_file("periodo;valor;nota\n2026-01;1.234,5;enero\n2026-02;1.234;\n2026-03;7,25;\n", bom=True)
    )
    english = imports.parse_institutional_csv(
        org, kpi, csv_file('period,value\n2026-01-01,"1,234.5"\n01/02/2026,"1,234"\n2026-03,7.25\n')
    )
    assert spanish.bad_rows == english.bad_rows == []
    expected = [("2026-01-01", "1234.50"), ("2026-02-01", "1234.00"), ("2026-03-01", "7.25")]
    assert [(row["period_start"], row["value"]) for row in spanish.good_rows] == expected
    assert [(row["period_start"], row["value"]) for row in english.good_rows] == expected
    assert spanish.good_rows[0]["note"] == "enero"


@pytest.mark.django_db
def test_it_gives_every_bad_snapshot_row_with_its_line_and_reason(org, profile):
    factories.ProfileFactory(org=org, platform="bluesky", handle="@norte@mastodon.social")
    factories.ProfileFactory(org=factories.OrganizationFactory(), handle="@ajeno")
    text = (
        "date,profile,followers\n"
        "2026-03-01,mastodon:@norte@mastodon.social,10\n"  # 2 good
        "31/02/2026,mastodon:@norte@mastodon.social,10\n"  # 3 impossible date
        "ayer,mastodon:@norte@mastodon.social,10\n"  # 4 not a date
        "2026-03-02,@x,10\n"  # 5 unknown profile
        "2026-03-02,@ajeno,10\n"  # 6 another organisation's profile
        "2026-03-02,mastodon:@norte@mastodon.social,mucho\n"  # 7 not a number
        "2026-03-03,mastodon:@norte@mastodon.social,-3\n"  # 8 negative
        "2026-03-04,mastodon:@norte@mastodon.social,\n"  # 9 missing followers
        "\n"  # 10 blank: skipped
        "2026-03-01,mastodon:@norte@mastodon.social,11\n"  # 11 duplicate of line 2
        "2026-03-05,@norte@mastodon.social,10\n"  # 12 ambiguous handle
        ",mastodon:@norte@mastodon.social,10\n"  # 13 missing date
    )
    result = imports.parse_snapshots_csv(org, csv_file(text))
    assert [row["line"] for row in result.good_rows] == [2]
    assert messages_of(result) == [
        "line 3: the date “31/02/2026” does not exist",
        "line 4: “ayer” is not a date (write YYYY-MM-DD or DD/MM/YYYY)",
        "line 5: no owned profile “@x” — add it under Profiles first",
        "line 6: no owned profile “@ajeno” — add it under Profiles first",
        "line 7: “mucho” is not a number",
        "line 8: “-3” is not a whole number of zero or more",
        "line 9: the number of followers is missing",
        "line 11: the same profile and date are already on line 2",
        "line 12: “@norte@mastodon.social” is registered on several platforms — write it as platform:handle, "
        "e.g. bluesky:@norte@mastodon.social",
        "line 13: the date is missing",
    ]


@pytest.mark.django_db
def test_it_gives_every_bad_institutional_row_with_its_line_and_reason(org, kpi):
    text = "period;value\n2026-13;5\n2026-01;mucho\n2026-02;\n2026-01;5\n2026-03;1e5\n2026-04;3\n2026-04;4\n"
    result = imports.parse_institutional_csv(org, kpi, csv_file(text))
    assert [row["line"] for row in result.good_rows] == [5, 7]
    assert messages_of(result) == [
        "line 2: the date “2026-13” does not exist",
        "line 3: “mucho” is not a number",
        "line 4: the value is missing",
        "line 6: “1e5” is not a number",
        "line 8: the same period is already on line 7",
    ]


@pytest.mark.django_db
def test_it_names_a_missing_column_and_the_columns_it_found(org, kpi, profile):
    result = imports.parse_snapshots_csv(org, csv_file("day;cuenta;seguidores\n"))
    assert result.good_rows == []
    snapshots = imports.parse_snapshots_csv(org, csv_file("when,profile,followers\n2026-01-01,x,1\n"))
    assert messages_of(snapshots) == ["the file has no “date” column (columns found: “when”, “profile”, “followers”)"]
    values = imports.parse_institutional_csv(org, kpi, csv_file("period,amount\n2026-01,3\n"))
    assert messages_of(values) == ["the file has no “value” column (columns found: “period”, “amount”)"]
    no_profile = imports.parse_snapshots_csv(org, csv_file("Date,Followers\n2026-01-01,3\n"))
    assert messages_of(no_profile)[0].startswith(
        "the file has no “profile” column (columns found: “Date”, “Followers”)"
    )
    empty = imports.parse_snapshots_csv(org, csv_file(""))
    assert messages_of(empty) == ["the file is empty"]


# --- Committing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_commits_the_good_rows_and_a_second_import_changes_nothing(org, profile, kpi):
    snapshot_text = (
        "date,profile,followers\n2026-03-01,@norte@mastodon.social,10\n2026-03-02,@norte@mastodon.social,12\n"
    )
    assert imports.import_commit(imports.parse_snapshots_csv(org, csv_file(snapshot_text))) == 2
    value_text = "period;value\n2026-01;1.234,5\n"
    imports.import_commit(imports.parse_institutional_csv(org, kpi, csv_file(value_text)))
    before = list(ProfileSnapshot.objects.order_by("date").values("date", "followers", "origin", "org_id"))
    values_before = list(InstitutionalValue.objects.values("period_start", "value", "org_id"))

    imports.import_commit(imports.parse_snapshots_csv(org, csv_file(snapshot_text)))
    imports.import_commit(imports.parse_institutional_csv(org, kpi, csv_file(value_text)))

    assert list(ProfileSnapshot.objects.order_by("date").values("date", "followers", "origin", "org_id")) == before
    assert before[0] == {"date": date(2026, 3, 1), "followers": 10, "origin": "csv", "org_id": org.pk}
    assert list(InstitutionalValue.objects.values("period_start", "value", "org_id")) == values_before
    assert values_before == [{"period_start": date(2026, 1, 1), "value": Decimal("1234.50"), "org_id": org.pk}]


@pytest.mark.django_db
def test_it_keeps_counts_the_file_does_not_have(org, profile):
    ProfileSnapshot.objects.create(org=org, profile=profile, date=date(2026, 3, 1), followers=5, posts=40)
    result = imports.parse_snapshots_csv(org, csv_file("Fecha,Seguidores\n2026-03-01,9\n"), profile=profile)
    imports.import_commit(result)
    snapshot = ProfileSnapshot.objects.get()
    assert (snapshot.followers, snapshot.posts) == (9, 40)


# --- Import pages ------------------------------------------------------------------------------

SNAPSHOTS_WITH_ONE_BAD = "date;profile;followers\n2026-03-01;@norte@mastodon.social;10\n2026-03-02;@x;11\n"


@pytest.mark.django_db
def test_it_previews_every_bad_row_and_saves_nothing_before_confirm(client_for, editor, profile):
    client = client_for(editor)
    client.cookies["django_language"] = "en"  # pages speak the organisation's language otherwise
    url = reverse("metrics-snapshot-import", args=["norte"])
    response = client.post(url, {"file": csv_file(SNAPSHOTS_WITH_ONE_BAD)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "@x" in body and "add it under Profiles first" in body
    assert ProfileSnapshot.objects.count() == 0

    token = response.context["token"]
    response = client.post(reverse("metrics-import-confirm", args=["norte"]), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics-snapshot-list", args=["norte"])
    assert list(ProfileSnapshot.objects.values_list("date", "followers", "origin")) == [(date(2026, 3, 1), 10, "csv")]
    # The token is used up: confirming twice imports nothing more.
    response = client.post(reverse("metrics-import-confirm", args=["norte"]), {"token": token})
    assert response.status_code == 302
    assert ProfileSnapshot.objects.count() == 1


@pytest.mark.django_db
def test_it_shows_a_single_import_button_when_every_row_is_good(client_for, editor, kpi):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    url = reverse("metrics-institutional-import", args=["norte", kpi.pk])
    response = client.post(url, {"file": csv_file("period,value\n2026-01,5\n2026-02,6\n", bom=True)})
    body = response.content.decode()
    assert "Import 2 rows" in body and "good rows" not in body
    assert InstitutionalValue.objects.count() == 0
    response = client.post(reverse("metrics-import-confirm", args=["norte"]), {"token": response.context["token"]})
    assert response.status_code == 302
    assert InstitutionalValue.objects.filter(kpi=kpi).count() == 2
    follow = client.get(response["Location"])
    assert "2 rows were imported." in follow.content.decode()


@pytest.mark.django_db
def test_it_offers_to_import_only_the_good_rows(client_for, editor, profile):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("metrics-snapshot-import", args=["norte"]), {"file": csv_file(SNAPSHOTS_WITH_ONE_BAD)}
    )
    body = response.content.decode()
    assert "Import the 1 good row" in body
    assert "line 3: no owned profile “@x”" in body.replace("&ldquo;", "“").replace("&rdquo;", "”")


@pytest.mark.django_db
def test_it_refuses_a_token_of_another_organisation(client_for, editor, outsider, profile, other_org):
    client = client_for(editor)
    response = client.post(
        reverse("metrics-snapshot-import", args=["norte"]), {"file": csv_file(SNAPSHOTS_WITH_ONE_BAD)}
    )
    token = response.context["token"]
    client.force_login(outsider)
    response = client.post(reverse("metrics-import-confirm", args=["sur"]), {"token": token})
    # A fresh login has a fresh session: the token is simply unknown.
    assert response.status_code == 302
    assert ProfileSnapshot.objects.count() == 0


# --- Pages and roles ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lets_a_viewer_read_every_page(client_for, viewer, org, kpi, profile):
    InstitutionalValue.objects.create(org=org, kpi=kpi, period_start=date(2026, 1, 1), value=Decimal("1234.5"))
    MetricMapping.objects.create(org=org, metric_key="followers", institutional_kpi=kpi, hypothesis="Más seguidores.")
    ProfileSnapshot.objects.create(org=org, profile=profile, date=timezone.localdate(), followers=77)
    client = client_for(viewer)
    for name, text in [
        ("metrics-institutional-list", "1.234,5"),
        ("metrics-mapping-list", "Más seguidores."),
        ("metrics-snapshot-list", "77"),
    ]:
        response = client.get(reverse(name, args=["norte"]))
        assert response.status_code == 200, name
        assert text in response.content.decode(), name
        assert 'type="submit">Guardar' not in response.content.decode()


@pytest.mark.django_db
def test_it_forbids_a_viewer_to_write(client_for, viewer, org, kpi, profile):
    client = client_for(viewer)
    mapping = MetricMapping.objects.create(org=org, metric_key="followers", institutional_kpi=kpi, hypothesis="h")
    for name, args in [
        ("metrics-institutional-create", []),
        ("metrics-institutional-edit", [kpi.pk]),
        ("metrics-institutional-value-add", [kpi.pk]),
        ("metrics-institutional-import", [kpi.pk]),
        ("metrics-snapshot-import", []),
        ("metrics-snapshot-list", []),
        ("metrics-mapping-list", []),
        ("metrics-mapping-delete", [mapping.pk]),
        ("metrics-import-confirm", []),
    ]:
        response = client.post(reverse(name, args=["norte", *args]), {"name": "x"})
        assert response.status_code == 403, name
    assert MetricMapping.objects.count() == 1
    assert InstitutionalKPI.objects.count() == 1


@pytest.mark.django_db
def test_it_lets_an_editor_create_a_kpi_add_a_value_and_a_snapshot(client_for, editor, org, profile):
    client = client_for(editor)
    response = client.post(
        reverse("metrics-institutional-create", args=["norte"]),
        {"name": "Préstamos", "description": "", "unit": "préstamos", "frequency": "monthly"},
    )
    assert response.status_code == 302
    kpi = InstitutionalKPI.objects.get(org=org, name="Préstamos")
    response = client.post(
        reverse("metrics-institutional-create", args=["norte"]), {"name": "préstamos", "frequency": "monthly"}
    )
    assert response.status_code == 200 and InstitutionalKPI.objects.count() == 1
    url = reverse("metrics-institutional-value-add", args=["norte", kpi.pk])
    assert client.post(url, {"period_start": "2026-02-01", "value": "1.234,5"}).status_code == 302
    assert client.post(url, {"period_start": "2026-02-01", "value": "99"}).status_code == 302
    assert list(kpi.values.values_list("value", flat=True)) == [Decimal("99")]
    response = client.post(
        reverse("metrics-snapshot-list", args=["norte"]),
        {"profile": profile.pk, "date": timezone.localdate().isoformat(), "followers": "321"},
    )
    assert response.status_code == 302
    assert ProfileSnapshot.objects.get().origin == "manual"


@pytest.mark.django_db
def test_it_lets_only_administrators_create_and_delete_mappings(client_for, editor, admin_user, org, kpi):
    data = {"metric_key": "followers", "institutional_kpi": kpi.pk, "hypothesis": "Más seguidores, más visitas."}
    url = reverse("metrics-mapping-list", args=["norte"])
    assert client_for(editor).post(url, data).status_code == 403
    assert client_for(editor).get(url).status_code == 200
    client = client_for(admin_user)
    assert client.post(url, {**data, "hypothesis": ""}).status_code == 200  # the hypothesis is required
    assert client.post(url, data).status_code == 302
    mapping = MetricMapping.objects.get()
    assert (mapping.org, mapping.created_by) == (org, admin_user)
    assert client.post(url, data).status_code == 200  # no duplicate pair
    delete_url = reverse("metrics-mapping-delete", args=["norte", mapping.pk])
    assert client_for(editor).post(delete_url).status_code == 403
    assert client_for(admin_user).post(delete_url).status_code == 302
    assert not MetricMapping.objects.exists()


@pytest.mark.django_db
def test_it_hides_another_organisations_objects_from_the_pages(client_for, admin_user, other_org):
    foreign_kpi = InstitutionalKPI.objects.create(org=other_org, name="Ajeno")
    foreign_mapping = MetricMapping.objects.create(
        org=other_org, metric_key="followers", institutional_kpi=foreign_kpi, hypothesis="h"
    )
    client = client_for(admin_user)
    for name, pk in [
        ("metrics-institutional-edit", foreign_kpi.pk),
        ("metrics-institutional-value-add", foreign_kpi.pk),
        ("metrics-institutional-import", foreign_kpi.pk),
        ("metrics-mapping-delete", foreign_mapping.pk),
    ]:
        assert client.post(reverse(name, args=["norte", pk])).status_code == 404, name
    assert MetricMapping.objects.filter(pk=foreign_mapping.pk).exists()


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_serves_institutional_kpis_and_their_values(api_for, editor, viewer, org, django_assert_max_num_queries):
    api = api_for(editor)
    response = api.post(
        "/api/v1/orgs/norte/institutional-kpis/", {"name": "Visitas", "unit": "visitas", "frequency": "monthly"}
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    values_url = f"/api/v1/orgs/norte/institutional-kpis/{pk}/values/"
    assert api.post(values_url, {"period_start": "2026-01-01", "value": "1234.50"}).status_code == 201
    assert api.post(values_url, {"period_start": "2026-01-01", "value": "10"}).status_code == 200
    assert api_for(viewer).post(values_url, {"period_start": "2026-02-01", "value": "1"}).status_code == 403
    with django_assert_max_num_queries(8):
        response = api_for(viewer).get("/api/v1/orgs/norte/institutional-kpis/")
    body = response.json()
    assert body["results"][0].keys() == {"id", "name", "description", "unit", "frequency", "created_at"}
    assert api.get(values_url).json() == [
        {"id": InstitutionalValue.objects.get().pk, "period_start": "2026-01-01", "value": "10.00", "note": ""}
    ]


@pytest.mark.django_db
def test_it_lets_only_administrators_change_mappings_in_the_api(api_for, editor, admin_user, org, kpi, other_org):
    data = {"metric_key": "followers", "institutional_kpi": kpi.pk, "hypothesis": "Más seguidores, más visitas."}
    assert api_for(editor).post("/api/v1/orgs/norte/mappings/", data, format="json").status_code == 403
    response = api_for(admin_user).post("/api/v1/orgs/norte/mappings/", data, format="json")
    assert response.status_code == 201
    assert response.json().keys() == {"id", "metric_key", "institutional_kpi", "hypothesis", "created_by", "created_at"}
    foreign_kpi = InstitutionalKPI.objects.create(org=other_org, name="Ajeno")
    response = api_for(admin_user).post(
        "/api/v1/orgs/norte/mappings/", {**data, "institutional_kpi": foreign_kpi.pk}, format="json"
    )
    assert response.status_code == 400
    assert "institutional_kpi" in response.json()["error"]["fields"]
    assert api_for(editor).get("/api/v1/orgs/norte/mappings/").json()["results"][0]["metric_key"] == "followers"


@pytest.mark.django_db
def test_it_imports_snapshots_through_the_api_only_when_told_to_skip_bad_rows(api_for, editor, viewer, profile):
    api = api_for(editor)
    url = "/api/v1/orgs/norte/snapshots/import/"
    response = api.post(url, {"file": csv_file(SNAPSHOTS_WITH_ONE_BAD)}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["rows"] == ["line 3: no owned profile “@x” — add it under Profiles first"]
    assert ProfileSnapshot.objects.count() == 0

    response = api.post(url + "?confirm=1", {"file": csv_file(SNAPSHOTS_WITH_ONE_BAD)}, format="multipart")
    assert response.status_code == 200
    assert response.json()["imported"] == 1
    assert ProfileSnapshot.objects.count() == 1

    good = "date,profile,followers\n2026-03-05,@norte@mastodon.social,20\n"
    response = api.post(url, {"file": csv_file(good)}, format="multipart")
    assert (response.status_code, response.json()["imported"]) == (200, 1)
    assert api_for(viewer).post(url, {"file": csv_file(good)}, format="multipart").status_code == 403


@pytest.mark.django_db
def test_it_lists_and_creates_snapshots_in_the_api(api_for, editor, org, profile, other_org):
    api = api_for(editor)
    response = api.post("/api/v1/orgs/norte/snapshots/", {"profile": profile.pk, "date": "2026-03-01", "followers": 9})
    assert response.status_code == 201
    foreign = factories.ProfileFactory(org=other_org)
    response = api.post("/api/v1/orgs/norte/snapshots/", {"profile": foreign.pk, "date": "2026-03-01", "followers": 9})
    assert response.status_code == 400
    ProfileSnapshot.objects.create(org=other_org, profile=foreign, date=date(2026, 3, 1), followers=1)
    results = api.get("/api/v1/orgs/norte/snapshots/").json()["results"]
    assert [(row["profile"], row["followers"], row["origin"]) for row in results] == [(profile.pk, 9, "manual")]
    assert results[0].keys() == {"id", "profile", "date", "followers", "following", "posts", "origin", "created_at"}


@pytest.mark.django_db
def test_it_hides_another_organisations_objects_from_the_api(api_for, admin_user, other_org):
    foreign_kpi = InstitutionalKPI.objects.create(org=other_org, name="Ajeno")
    foreign_mapping = MetricMapping.objects.create(
        org=other_org, metric_key="followers", institutional_kpi=foreign_kpi, hypothesis="h"
    )
    api = api_for(admin_user)
    assert api.get(f"/api/v1/orgs/norte/institutional-kpis/{foreign_kpi.pk}/").status_code == 404
    assert api.get(f"/api/v1/orgs/norte/institutional-kpis/{foreign_kpi.pk}/values/").status_code == 404
    assert api.delete(f"/api/v1/orgs/norte/mappings/{foreign_mapping.pk}/").status_code == 404
    assert api.get("/api/v1/orgs/sur/snapshots/").status_code == 404
    assert MetricMapping.objects.filter(pk=foreign_mapping.pk).exists()


def test_it_keeps_dates_and_numbers_strict():
    assert imports.parse_date("2026-03-01T10:00:00") == date(2026, 3, 1)
    assert imports.parse_decimal("-1.234.567,8", decimal_comma=False) == Decimal("-1234567.8")
    assert imports.parse_decimal("12,5", decimal_comma=False) == Decimal("12.5")
    with pytest.raises(imports.RowError):
        imports.parse_decimal("1,2,3.4.5", decimal_comma=True)
    with pytest.raises(imports.RowError):
        imports.parse_date("2026-02-30") + timedelta(days=1)
