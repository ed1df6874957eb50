"""The listening set-up pages: sources, queries, alert rules, alerts and notifications."""

from datetime import date

import pytest
from django.conf import settings
from django.utils import translation

from listening.models import AlertRule, MentionDaily, Notification, Query, Source
from listening.query import QueryError, parse
from mesm.celery import app
from tests.listening.setup_factories import (
    AlertRuleFactory,
    MentionFactory,
    NotificationFactory,
    QueryFactory,
    SourceFactory,
)

TOKEN = "mastodon-token-1234567890"


@pytest.fixture
def english(client_for):
    """A logged-in client that reads the pages in English (the organisation speaks Spanish)."""

    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def _parser_message(expression: str) -> str:
    """What the query parser says about an expression (its position counting is its own business)."""
    with translation.override("en"):
        try:
            parse(expression)
        except QueryError as error:
            return str(error.message)
    raise AssertionError(f"{expression!r} parses")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _source_data(**overrides):
    data = {
        "name": "#bibliotecas en Mastodon",
        "platform": "mastodon",
        "kind": "hashtag",
        "target": "#bibliotecas",
        "base_url": "https://mastodon.social",
        "interval_minutes": "15",
        "enabled": "on",
        "access_token": TOKEN,
    }
    data.update(overrides)
    return data


def _drain_poll_messages(source_id: int) -> list[tuple]:
    """Read (and remove) the poll tasks waiting in the test broker queue, without a worker."""
    found = []
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(settings.CELERY_TASK_DEFAULT_QUEUE)
        try:
            while True:
                try:
                    message = queue.get(timeout=1)
                except queue.Empty:
                    break
                message.ack()
                if message.headers.get("task") == "listening.tasks.poll_source":
                    found.append(tuple(message.payload[0]))
        finally:
            queue.close()
    return [args for args in found if args == (source_id,)]


# --- Sources -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_stores_a_new_sources_token_encrypted_and_keeps_it_on_a_blank_edit(english, org, admin_user):
    client = english(admin_user)
    response = client.post("/o/norte/listening/sources/new/", _source_data())
    assert response.status_code == 302
    source = Source.objects.get(org=org)
    assert source.target == "bibliotecas"  # the pasted "#" is dropped
    assert source.credentials == {"access_token": TOKEN}
    assert source.credentials_encrypted and TOKEN not in source.credentials_encrypted

    page = client.get(f"/o/norte/listening/sources/{source.pk}/").content.decode()
    assert TOKEN not in page
    assert "A value is stored; leave blank to keep it." in page

    response = client.post(
        f"/o/norte/listening/sources/{source.pk}/", _source_data(access_token="", name="Hashtag bibliotecas")
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.name == "Hashtag bibliotecas"
    assert source.credentials == {"access_token": TOKEN}


@pytest.mark.django_db
def test_it_forgets_the_credentials_when_asked(english, org, admin_user):
    source = SourceFactory(org=org)
    source.credentials = {"access_token": TOKEN}
    source.save()
    english(admin_user).post(
        f"/o/norte/listening/sources/{source.pk}/", _source_data(access_token="", forget_credentials="on")
    )
    source.refresh_from_db()
    assert source.credentials == {}


@pytest.mark.django_db
def test_it_refuses_a_platform_and_kind_that_do_not_go_together(english, org, admin_user):
    response = english(admin_user).post(
        "/o/norte/listening/sources/new/", _source_data(platform="bluesky", kind="hashtag", access_token="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["Bluesky sources can be: Search."]
    assert "Bluesky sources can be: Search." in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_it_asks_for_the_credentials_a_platform_cannot_work_without(english, org, admin_user):
    response = english(admin_user).post(
        "/o/norte/listening/sources/new/",
        _source_data(platform="youtube", kind="search", target="biblioteca", access_token=""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["api_key"] == ["Required for this YouTube source."]
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_an_editor_cannot_create_a_source_but_can_poll_one_now(
    english, org, editor, django_capture_on_commit_callbacks
):
    client = english(editor)
    assert client.get("/o/norte/listening/sources/new/").status_code == 403
    assert client.post("/o/norte/listening/sources/new/", _source_data()).status_code == 403
    assert not Source.objects.exists()

    source = SourceFactory(org=org)
    _drain_poll_messages(source.pk)  # nothing left over from another test
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/o/norte/listening/sources/{source.pk}/poll/", follow=True)
    assert response.redirect_chain == [("/o/norte/listening/sources/", 302)]
    assert "Queued: the source will be polled in a moment." in _messages(response)
    assert len(callbacks) == 1
    assert _drain_poll_messages(source.pk) == [(source.pk,)]


@pytest.mark.django_db
def test_it_shows_each_sources_health_in_words(english, org, viewer):
    SourceFactory(
        org=org,
        name="Diario local",
        platform="rss",
        kind="feed",
        target="https://diario.example/feed",
        status="error",
        last_error="The feed address answered “not found” (404).",
        last_skipped=["An entry without a link or id was skipped."],
        mentions_count=1234,
    )
    SourceFactory(org=org, name="Apagada", enabled=False)
    response = english(viewer).get("/o/norte/listening/sources/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Diario local" in body and "RSS / Atom feed · Feed" in body
    assert '<span class="badge status-error">Error</span>' in body
    assert '<span class="badge status-never">Not polled yet</span>' in body
    assert "The feed address answered" in body and "is-error" in body
    assert "<details>" in body and "An entry without a link or id was skipped." in body
    assert "1,234" in body
    assert "Disabled" in body
    # Viewers see the list, not the buttons that need more rights.
    assert "Poll now" not in body and "New source" not in body


@pytest.mark.django_db
def test_an_admin_deletes_a_source_but_keeps_its_mentions(english, org, admin_user, editor):
    source = SourceFactory(org=org)
    mention = MentionFactory(org=org, source=source)
    assert english(editor).post(f"/o/norte/listening/sources/{source.pk}/delete/").status_code == 403
    assert english(admin_user).get(f"/o/norte/listening/sources/{source.pk}/delete/").status_code == 405
    response = english(admin_user).post(f"/o/norte/listening/sources/{source.pk}/delete/")
    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
    mention.refresh_from_db()
    assert mention.source_id is None


# --- Queries -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_rejects_a_query_with_unbalanced_parentheses(english, org, editor):
    response = english(editor).post(
        "/o/norte/listening/queries/new/",
        {"name": "Club", "expression": "biblioteca (club OR lectura", "role": "own"},
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["expression"]
    assert error == _parser_message("biblioteca (club OR lectura")
    assert "parenthes" in error and "position" in error
    assert not Query.objects.exists()


@pytest.mark.django_db
def test_it_saves_a_query_with_its_languages(english, org, editor):
    response = english(editor).post(
        "/o/norte/listening/queries/new/",
        {"name": "Club", "expression": '"club de lectura" OR #clubdelectura', "languages": ["es"], "role": "own"},
    )
    assert response.status_code == 302
    query = Query.objects.get(org=org)
    assert query.languages == ["es"]
    response = english(editor).post(
        "/o/norte/listening/queries/new/", {"name": "club", "expression": "otra", "role": "own"}
    )
    assert response.context["form"].errors["name"] == ["There is already a query with this name."]


@pytest.mark.django_db
def test_the_preview_shows_the_matching_stored_mentions(english, org, other_org, editor):
    match = MentionFactory(org=org, text="Nuevo club de lectura en la Biblioteca Norte")
    MentionFactory(org=org, text="Concierto en el parque")
    MentionFactory(org=other_org, text="Otra biblioteca, otra organización")
    response = english(editor).post(
        "/o/norte/listening/queries/preview/", {"expression": "biblioteca"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Matches 1 of the latest 2 mentions." in body
    assert "Nuevo club de lectura" in body and "Concierto" not in body and "Otra biblioteca" not in body
    assert f"/o/norte/listening/mentions/{match.pk}/" in body


@pytest.mark.django_db
def test_the_preview_explains_an_invalid_expression(english, org, editor):
    response = english(editor).post(
        "/o/norte/listening/queries/preview/", {"expression": "biblioteca OR"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "This expression cannot be used yet." in body
    assert "position" in body
    assert "Matches" not in body


@pytest.mark.django_db
def test_the_preview_button_works_without_javascript(english, org, editor):
    MentionFactory(org=org, text="La biblioteca abre el domingo")
    response = english(editor).post(
        "/o/norte/listening/queries/new/", {"name": "", "expression": "domingo", "role": "own", "preview": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Matches 1 of the latest 1 mention." in body
    assert "This field is required." not in body
    assert not Query.objects.exists()


@pytest.mark.django_db
def test_the_query_list_counts_matches_from_the_rollup_in_fixed_queries(
    english, org, viewer, django_assert_max_num_queries
):
    queries = [QueryFactory(org=org, name=f"Consulta {n}") for n in range(3)]
    MentionDaily.objects.create(
        org=org, day=date(2026, 5, 1), query_id=queries[0].pk, platform="rss", sentiment="neutral", count=40
    )
    MentionDaily.objects.create(
        org=org, day=date(2026, 5, 2), query_id=queries[0].pk, platform="rss", sentiment="negative", count=2
    )
    client = english(viewer)
    client.get("/o/norte/listening/queries/")  # warm the session and the caches
    with django_assert_max_num_queries(8):
        response = client.get("/o/norte/listening/queries/")
    body = response.content.decode()
    assert response.status_code == 200
    row = body[body.index("Consulta 0") :]
    assert '<td class="num">42</td>' in row[: row.index("</tr>")]
    assert "New query" not in body  # viewers read only


# --- Alert rules, alerts, notifications ----------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_keyword_rule_without_a_keyword(english, org, editor):
    data = {"name": "Wifi", "kind": "keyword", "threshold": "3", "min_mentions": "5", "baseline_days": "7"}
    response = english(editor).post("/o/norte/listening/alert-rules/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["keyword"] == ["Write the keyword to watch for."]

    response = english(editor).post("/o/norte/listening/alert-rules/new/", {**data, "keyword": '"wifi'})
    [error] = response.context["form"].errors["keyword"]
    assert "position" in error

    response = english(editor).post("/o/norte/listening/alert-rules/new/", {**data, "keyword": "wifi OR enchufes"})
    assert response.status_code == 302
    assert AlertRule.objects.get(org=org).keyword == "wifi OR enchufes"


@pytest.mark.django_db
def test_it_keeps_the_webhook_secret_when_left_blank(english, org, editor):
    rule = AlertRuleFactory(org=org, webhook_url="https://hooks.example/x", webhook_secret="s3cret-value")
    client = english(editor)
    page = client.get(f"/o/norte/listening/alert-rules/{rule.pk}/").content.decode()
    assert "s3cret-value" not in page
    response = client.post(
        f"/o/norte/listening/alert-rules/{rule.pk}/",
        {
            "name": "Pico",
            "kind": "volume_spike",
            "threshold": "4",
            "min_mentions": "5",
            "baseline_days": "7",
            "webhook_url": "https://hooks.example/x",
            "webhook_secret": "",
            "email_to": "ana@example.org; luis@example.org",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.threshold, rule.webhook_secret) == ("Pico", 4.0, "s3cret-value")
    assert rule.email_to == "ana@example.org, luis@example.org"


@pytest.mark.django_db
def test_the_rule_list_explains_each_rule_in_words(english, org, viewer):
    AlertRuleFactory(org=org, name="Pico", threshold=3, min_mentions=5, baseline_days=7, email_to="a@example.org")
    AlertRuleFactory(org=org, name="Quejas", kind="negative_surge", threshold=0.4, notify_in_app=False)
    body = english(viewer).get("/o/norte/listening/alert-rules/").content.decode()
    assert "When an hour has 3× the usual hourly mentions of the previous 7 days (and at least 5 mentions)." in body
    assert "When 40% or more of an hour&#x27;s mentions are negative" in body
    assert "E-mail to 1 address" in body


@pytest.mark.django_db
def test_viewers_read_the_lists_but_cannot_change_anything(english, org, viewer):
    client = english(viewer)
    source = SourceFactory(org=org)
    query = QueryFactory(org=org)
    rule = AlertRuleFactory(org=org)
    for url in ("sources/", "queries/", "alert-rules/", "alerts/"):
        assert client.get(f"/o/norte/listening/{url}").status_code == 200, url
    assert client.get("/o/norte/notifications/").status_code == 200
    for url in (
        "sources/new/",
        f"sources/{source.pk}/",
        f"sources/{source.pk}/poll/",
        f"sources/{source.pk}/delete/",
        "queries/new/",
        f"queries/{query.pk}/",
        f"queries/{query.pk}/delete/",
        "queries/preview/",
        "alert-rules/new/",
        f"alert-rules/{rule.pk}/",
        f"alert-rules/{rule.pk}/delete/",
    ):
        assert client.post(f"/o/norte/listening/{url}", {"name": "x"}).status_code == 403, url
    assert Source.objects.count() == Query.objects.count() == AlertRule.objects.count() == 1


@pytest.mark.django_db
def test_another_organisations_rows_are_not_found(english, org, other_org, outsider):
    source = SourceFactory(org=org)
    query = QueryFactory(org=org)
    rule = AlertRuleFactory(org=org)
    client = english(outsider)
    assert client.get("/o/norte/listening/sources/").status_code == 404
    assert client.get(f"/o/sur/listening/sources/{source.pk}/").status_code == 404
    assert client.post(f"/o/sur/listening/sources/{source.pk}/poll/").status_code == 404
    assert client.get(f"/o/sur/listening/queries/{query.pk}/").status_code == 404
    assert client.post(f"/o/sur/listening/alert-rules/{rule.pk}/delete/").status_code == 404
    assert AlertRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.django_db
def test_the_alert_list_shows_the_webhook_delivery(english, org, viewer):
    rule = AlertRuleFactory(org=org, name="Pico", webhook_url="https://hooks.example/x")
    rule.alerts.create(
        org=org,
        window_start="2026-05-04T12:00:00Z",
        summary="30 mentions this hour",
        webhook_status="failed",
        webhook_attempts=3,
        webhook_last_error="HTTP 500",
    )
    body = english(viewer).get("/o/norte/listening/alerts/").content.decode()
    assert "30 mentions this hour" in body
    assert "Not delivered after 3 attempts: HTTP 500" in body
    assert 'datetime="2026-05-04T14:00:00+02:00"' in body  # in the organisation's time zone, not UTC


@pytest.mark.django_db
def test_it_marks_only_the_users_notifications_as_read(english, org, viewer, editor):
    mine = [NotificationFactory(org=org, user=viewer, text=f"Aviso {n}") for n in range(2)]
    theirs = NotificationFactory(org=org, user=editor, text="Aviso ajeno")
    client = english(viewer)
    body = client.get("/o/norte/notifications/").content.decode()
    assert "Aviso 0" in body and "Aviso ajeno" not in body
    assert body.count('class="notification card unread"') == 2
    response = client.post("/o/norte/notifications/read/", follow=True)
    assert "2 notifications marked as read." in _messages(response)
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "unread" not in client.get("/o/norte/notifications/").content.decode().split("<main")[1]


@pytest.mark.django_db
def test_it_refuses_another_organisations_query_on_a_source_or_a_rule(english, org, other_org, admin_user):
    foreign = QueryFactory(org=other_org)
    client = english(admin_user)
    response = client.post("/o/norte/listening/sources/new/", _source_data(queries=[foreign.pk]))
    assert response.status_code == 200 and "queries" in response.context["form"].errors
    response = client.post(
        "/o/norte/listening/alert-rules/new/",
        {
            "name": "x",
            "kind": "volume_spike",
            "threshold": "3",
            "min_mentions": "5",
            "baseline_days": "7",
            "query": foreign.pk,
        },
    )
    assert response.status_code == 200 and "query" in response.context["form"].errors
    assert not Source.objects.exists() and not AlertRule.objects.exists()
