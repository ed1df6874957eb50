"""The listening API: queries, sources, mentions (filters, cursor, PATCH, CSV), alert rules, alerts."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from listening.models import Mention, MentionNote, Source
from tests.listening.factories import AlertRuleFactory, MentionFactory, QueryFactory, SourceFactory

MENTION_FIELDS = {
    "id", "platform", "external_id", "url", "text", "author_handle", "author_name", "author_followers",
    "published_at", "language", "sentiment", "sentiment_score", "likes", "reposts", "replies", "queries",
    "status", "assignee", "tags",
}  # fmt: skip


@pytest.mark.django_db
def test_it_creates_a_query_and_rejects_a_broken_expression_with_its_position(api_for, org, editor):
    api = api_for(editor)
    response = api.post(
        "/api/v1/orgs/norte/queries/",
        {"name": "Nosotros", "expression": '"biblioteca norte" OR #BibliotecaNorte', "languages": ["es", "EN"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["languages"] == ["en", "es"]
    response = api.post(
        "/api/v1/orgs/norte/queries/",
        {"name": "Rota", "expression": "(biblioteca OR libros"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["expression"][0]
    assert "position 1" in message  # the unclosed parenthesis is the first character


@pytest.mark.django_db
def test_it_keeps_credentials_write_only_and_encrypted(api_for, org, admin_user, editor):
    api = api_for(admin_user)
    response = api.post(
        "/api/v1/orgs/norte/sources/",
        {
            "name": "Mastodon #biblioteca",
            "platform": "mastodon",
            "kind": "hashtag",
            "target": "biblioteca",
            "base_url": "https://mastodon.example",
            "credentials": {"access_token": "s3cret-token"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "credentials" not in body
    assert body["has_credentials"] is True
    assert body["status"] == "never"
    source = Source.objects.get(pk=body["id"])
    assert source.credentials == {"access_token": "s3cret-token"}
    assert "s3cret-token" not in source.credentials_encrypted
    # Editors read sources but cannot change them (credentials are an administrator's matter).
    assert api_for(editor).get(f"/api/v1/orgs/norte/sources/{source.pk}/").status_code == 200
    assert api_for(editor).patch(f"/api/v1/orgs/norte/sources/{source.pk}/", {"enabled": False}).status_code == 403


@pytest.mark.django_db
def test_it_refuses_a_kind_the_platform_does_not_have(api_for, org, admin_user):
    response = api_for(admin_user).post(
        "/api/v1/orgs/norte/sources/",
        {"name": "x", "platform": "rss", "kind": "hashtag", "target": "https://example.org/feed"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["kind"] == ["RSS / Atom feed sources can be: Feed."]


@pytest.mark.django_db
def test_it_queues_a_poll_and_answers_202(api_for, org, editor):
    source = SourceFactory(org=org)
    response = api_for(editor).post(f"/api/v1/orgs/norte/sources/{source.pk}/poll/")
    assert response.status_code == 202
    assert response.json()["task_id"]


@pytest.mark.django_db
def test_it_lists_mentions_in_the_documented_shape(api_for, org, viewer):
    query = QueryFactory(org=org)
    mention = MentionFactory(org=org, query_ids=[query.pk], tags=["wifi"], likes=3)
    body = api_for(viewer).get("/api/v1/orgs/norte/mentions/").json()
    assert set(body) == {"next", "previous", "results"}
    assert set(body["results"][0]) == MENTION_FIELDS
    result = body["results"][0]
    assert result["id"] == mention.pk
    assert result["queries"] == [query.pk]
    assert result["tags"] == ["wifi"]
    assert result["status"] == "new"
    assert result["assignee"] is None


@pytest.mark.django_db
def test_it_filters_mentions(api_for, org, viewer):
    query = QueryFactory(org=org)
    day = datetime(2026, 11, 1, tzinfo=UTC)
    MentionFactory(
        org=org, text="La biblioteca cierra en agosto, qué pena", sentiment="negative", query_ids=[query.pk],
        published_at=day + timedelta(hours=9),
    )  # fmt: skip
    MentionFactory(
        org=org, text="Great storytelling at the library", language="en", platform="bluesky",
        published_at=day + timedelta(hours=11),
    )  # fmt: skip
    MentionFactory(
        org=org, text="Club de lectura los jueves", author_handle="@clubdelectura@mastodon.example",
        published_at=day + timedelta(hours=10),
    )  # fmt: skip
    api = api_for(viewer)

    def texts(params):
        response = api.get("/api/v1/orgs/norte/mentions/", params)
        assert response.status_code == 200, response.content
        return sorted(m["text"] for m in response.json()["results"])

    assert texts({"sentiment": "negative"}) == ["La biblioteca cierra en agosto, qué pena"]
    assert texts({"platform": "bluesky"}) == ["Great storytelling at the library"]
    assert texts({"language": "en"}) == ["Great storytelling at the library"]
    assert texts({"query": query.pk}) == ["La biblioteca cierra en agosto, qué pena"]
    assert texts({"author": "clubdelectura"}) == ["Club de lectura los jueves"]
    # Full text, stemmed in each mention's language: "cerrar" finds "cierra"? No — but "cierra" and
    # plural/singular forms do; English stems "storytelling" from "storytellings".
    assert texts({"q": "agosto"}) == ["La biblioteca cierra en agosto, qué pena"]
    assert texts({"q": "libraries"}) == ["Great storytelling at the library"]
    assert texts({"since": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"}) == ["Club de lectura los jueves"]


@pytest.mark.django_db
def test_it_refuses_a_malformed_date_filter_in_plain_words(api_for, org, viewer):
    response = api_for(viewer).get("/api/v1/orgs/norte/mentions/", {"since": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["since"] == ["Enter a valid date/time."]


@pytest.mark.django_db
def test_it_pages_mentions_with_a_cursor_without_gaps_or_repeats(api_for, org, viewer):
    for _ in range(120):
        MentionFactory(org=org)
    api = api_for(viewer)
    seen, url = [], "/api/v1/orgs/norte/mentions/"
    while url:
        body = api.get(url).json()
        seen += [m["id"] for m in body["results"]]
        url = body["next"]
    assert len(seen) == 120 == len(set(seen))


@pytest.mark.django_db
def test_it_lists_mentions_with_a_fixed_number_of_queries(api_for, org, viewer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    MentionFactory(org=org)
    api = api_for(viewer)
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/orgs/norte/mentions/")
    for _ in range(30):
        MentionFactory(org=org)
    with django_assert_num_queries(len(one.captured_queries)):
        api.get("/api/v1/orgs/norte/mentions/")


@pytest.mark.django_db
def test_it_patches_status_assignee_and_tags_and_records_the_first_response(api_for, org, editor, outsider):
    mention = MentionFactory(org=org)
    api = api_for(editor)
    response = api.patch(
        f"/api/v1/orgs/norte/mentions/{mention.pk}/",
        {"status": "answered", "assignee": editor.pk, "tags": ["#wifi", "quejas"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    mention.refresh_from_db()
    assert (mention.status, mention.assignee, mention.tags) == ("answered", editor, ["wifi", "quejas"])
    assert mention.first_response_at is not None
    assert MentionNote.objects.filter(mention=mention, kind="event").count() == 2
    # Someone outside the organisation cannot be assigned.
    response = api.patch(f"/api/v1/orgs/norte/mentions/{mention.pk}/", {"assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    # Fields other than the workflow ones are read-only.
    api.patch(f"/api/v1/orgs/norte/mentions/{mention.pk}/", {"text": "changed"}, format="json")
    mention.refresh_from_db()
    assert mention.text != "changed"


@pytest.mark.django_db
def test_viewers_cannot_change_mentions(api_for, org, viewer):
    mention = MentionFactory(org=org)
    assert api_for(viewer).patch(f"/api/v1/orgs/norte/mentions/{mention.pk}/", {"status": "closed"}).status_code == 403
    mention.refresh_from_db()
    assert mention.status == "new"


@pytest.mark.django_db
def test_it_exports_the_filtered_mentions_as_csv(api_for, org, viewer):
    MentionFactory(org=org, text="Negativo: el wifi no funciona", sentiment="negative")
    MentionFactory(org=org, text="Positivo")
    response = api_for(viewer).get("/api/v1/orgs/norte/mentions/export.csv", {"sentiment": "negative"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["text"] for row in rows] == ["Negativo: el wifi no funciona"]
    assert rows[0]["sentiment"] == "negative"


@pytest.mark.django_db
def test_the_export_neutralises_formulas_written_by_the_public(api_for, org, viewer):
    MentionFactory(
        org=org, text='=HYPERLINK("http://evil.example", "ver")', author_handle="@bad", sentiment="negative",
        sentiment_score=-0.75,
    )  # fmt: skip
    response = api_for(viewer).get("/api/v1/orgs/norte/mentions/export.csv")
    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert row["text"] == '\'=HYPERLINK("http://evil.example", "ver")'
    assert row["author_handle"] == "'@bad"
    assert row["sentiment_score"] == "-0.75"  # numbers stay numbers


@pytest.mark.django_db
def test_it_manages_alert_rules_and_lists_alerts(api_for, org, editor):
    api = api_for(editor)
    response = api.post(
        "/api/v1/orgs/norte/alert-rules/",
        {"name": "Quejas", "kind": "keyword", "keyword": "", "webhook_url": "http://127.0.0.1:9/hook"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["keyword"] == ["Write the keyword to watch for."]
    response = api.post(
        "/api/v1/orgs/norte/alert-rules/",
        {"name": "Pico", "kind": "volume_spike", "threshold": 3, "webhook_secret": "x"},
        format="json",
    )
    assert response.status_code == 201
    assert "webhook_secret" not in response.json()
    AlertRuleFactory(org=org)
    assert api.get("/api/v1/orgs/norte/alerts/").json()["results"] == []


@pytest.mark.django_db
def test_mentions_of_another_organisation_stay_hidden(api_for, org, other_org, editor):
    foreign = MentionFactory(org=other_org)
    api = api_for(editor)
    assert api.get(f"/api/v1/orgs/norte/mentions/{foreign.pk}/").status_code == 404
    assert api.patch(f"/api/v1/orgs/norte/mentions/{foreign.pk}/", {"status": "closed"}).status_code == 404
    assert api.get("/api/v1/orgs/norte/mentions/").json()["results"] == []
    assert Mention.objects.get(pk=foreign.pk).status == "new"
