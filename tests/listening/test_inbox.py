"""The inbox pages: filters, search, keyset pages, detail, workflow, bulk actions, CSV."""

import pytest

from listening.models import Mention, MentionNote
from tests import factories
from tests.listening.factories import MentionFactory, QueryFactory


@pytest.mark.django_db
def test_it_explains_an_empty_inbox(client_for, org, viewer):
    body = client_for(viewer).get("/o/norte/listening/").content.decode()
    assert "añade una fuente" in body.lower() or "add a source" in body.lower()


@pytest.mark.django_db
def test_it_lists_newest_first_and_filters(client_for, org, viewer):
    query = QueryFactory(org=org, name="Wifi")
    MentionFactory(org=org, text="El wifi de la biblioteca no funciona", sentiment="negative", query_ids=[query.pk])
    MentionFactory(org=org, text="Gracias por el club de lectura")
    client = client_for(viewer)
    body = client.get("/o/norte/listening/").content.decode()
    assert body.index("Gracias por el club") < body.index("El wifi de la biblioteca")
    body = client.get("/o/norte/listening/", {"sentiment": "negative"}).content.decode()
    assert "El wifi" in body and "Gracias" not in body
    body = client.get("/o/norte/listening/", {"q": "lectura"}).content.decode()
    assert "Gracias" in body and "El wifi" not in body
    body = client.get("/o/norte/listening/", {"query": query.pk}).content.decode()
    assert "El wifi" in body and "Gracias" not in body


@pytest.mark.django_db
def test_it_answers_htmx_with_only_the_results(client_for, org, viewer):
    MentionFactory(org=org, text="Una mención")
    response = client_for(viewer).get("/o/norte/listening/", {"q": "mención"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body


@pytest.mark.django_db
def test_it_pages_with_a_keyset_link(client_for, org, viewer):
    for n in range(55):
        MentionFactory(org=org, text=f"Mención número {n}")
    client = client_for(viewer)
    first = client.get("/o/norte/listening/")
    assert len(first.context["mentions"]) == 50
    next_url = first.context["next_url"]
    second = client.get("/o/norte/listening/" + next_url)
    assert len(second.context["mentions"]) == 5
    ids = {m.pk for m in first.context["mentions"]} | {m.pk for m in second.context["mentions"]}
    assert len(ids) == 55


@pytest.mark.django_db
def test_it_refuses_an_end_date_before_the_start(client_for, org, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.get("/o/norte/listening/", {"since": "2026-11-10", "until": "2026-11-01"})
    assert "The end date cannot be before the start date." in response.content.decode()


@pytest.mark.django_db
def test_the_inbox_uses_a_fixed_number_of_queries(client_for, org, viewer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    MentionFactory(org=org, assignee=viewer)
    client = client_for(viewer)
    with CaptureQueriesContext(connection) as one:
        client.get("/o/norte/listening/")
    for _ in range(30):
        MentionFactory(org=org, assignee=viewer, query_ids=[QueryFactory(org=org).pk])
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/o/norte/listening/")


@pytest.mark.django_db
def test_an_editor_assigns_tags_answers_and_closes(client_for, org, editor):
    mention = MentionFactory(org=org)
    client = client_for(editor)
    client.post(f"/o/norte/listening/mentions/{mention.pk}/update/", {"assignee": editor.pk, "tags": "wifi, quejas"})
    mention.refresh_from_db()
    assert (mention.assignee, mention.status, mention.tags) == (editor, "assigned", ["wifi", "quejas"])
    client.post(f"/o/norte/listening/mentions/{mention.pk}/answer/", {"text": "¡Ya está arreglado!"})
    mention.refresh_from_db()
    assert mention.status == "answered"
    assert mention.first_response_at is not None
    assert MentionNote.objects.filter(mention=mention, kind="answer", text="¡Ya está arreglado!").exists()
    page = client.get(f"/o/norte/listening/mentions/{mention.pk}/").content.decode()
    assert "¡Ya está arreglado!" in page


@pytest.mark.django_db
def test_a_viewer_may_note_but_not_change_the_workflow(client_for, org, viewer):
    mention = MentionFactory(org=org)
    client = client_for(viewer)
    assert client.post(f"/o/norte/listening/mentions/{mention.pk}/update/", {"status": "closed"}).status_code == 403
    assert client.post(f"/o/norte/listening/mentions/{mention.pk}/note/", {"text": "Ojo con esto"}).status_code == 302
    mention.refresh_from_db()
    assert mention.status == "new"
    assert mention.notes.get().text == "Ojo con esto"


@pytest.mark.django_db
def test_bulk_actions_touch_only_this_organisations_mentions(client_for, org, other_org, editor):
    mine = [MentionFactory(org=org) for _ in range(3)]
    foreign = MentionFactory(org=other_org)
    client = client_for(editor)
    ids = [m.pk for m in mine[:2]] + [foreign.pk]
    client.post("/o/norte/listening/bulk/", {"ids": ids, "action": "close"})
    assert sorted(Mention.objects.filter(status="closed").values_list("pk", flat=True)) == sorted(ids[:2])
    client.post("/o/norte/listening/bulk/", {"ids": [mine[2].pk], "action": "tag", "tag": "#evento"})
    assert Mention.objects.get(pk=mine[2].pk).tags == ["evento"]
    assert Mention.objects.get(pk=foreign.pk).status == "new"


@pytest.mark.django_db
def test_it_exports_what_the_filters_show(client_for, org, viewer):
    MentionFactory(org=org, text="Negativa", sentiment="negative")
    MentionFactory(org=org, text="Positiva")
    response = client_for(viewer).get("/o/norte/listening/export.csv", {"sentiment": "negative"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Negativa" in content and "Positiva" not in content


@pytest.mark.django_db
def test_it_filters_by_assignee(client_for, org, editor, viewer):
    MentionFactory(org=org, text="Para Editor", assignee=editor)
    MentionFactory(org=org, text="Sin asignar")
    body = client_for(viewer).get("/o/norte/listening/", {"assignee": editor.pk}).content.decode()
    assert "Para Editor" in body and "Sin asignar" not in body


@pytest.mark.django_db
def test_old_raw_payloads_expire_but_mentions_stay(org):
    from datetime import timedelta

    from django.utils import timezone

    from listening.services.mentions import raw_payloads_expire

    old = MentionFactory(org=org, raw={"id": "1"}, collected_at=timezone.now() - timedelta(days=400))
    recent = MentionFactory(org=org, raw={"id": "2"})
    assert raw_payloads_expire(older_than_days=365, batch=1) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.raw, recent.raw) == ({}, {"id": "2"})


@pytest.mark.django_db
def test_it_filters_whole_days_and_authors_like_the_api(client_for, org, viewer):
    from datetime import UTC, datetime

    MentionFactory(org=org, text="Del día 3", published_at=datetime(2026, 11, 3, 22, 30, tzinfo=UTC))  # 23:30 Madrid
    MentionFactory(org=org, text="Del día 4", published_at=datetime(2026, 11, 3, 23, 30, tzinfo=UTC))  # 00:30 Madrid
    MentionFactory(org=org, text="De Rosa", author_name="Rosa Martín", author_handle="@abuela@bsky.example")
    client = client_for(viewer)
    body = client.get("/o/norte/listening/", {"since": "2026-11-04", "until": "2026-11-04"}).content.decode()
    assert "Del día 4" in body and "Del día 3" not in body
    body = client.get("/o/norte/listening/", {"author": "rosa"}).content.decode()
    assert "De Rosa" in body and "Del día" not in body


@pytest.mark.django_db
def test_cached_rows_follow_every_change_and_a_repeat_view_runs_the_same_queries(client_for, org, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mention = MentionFactory(org=org, likes=3)
    client = client_for(editor)
    with CaptureQueriesContext(connection) as first:
        body = client.get("/o/norte/listening/").content.decode()
    assert "status-new" in body and "♥ 3" in body and f'id="sel-{mention.pk}"' in body
    with CaptureQueriesContext(connection) as repeat:
        assert client.get("/o/norte/listening/").content.decode().count("status-new") == 1
    assert len(repeat.captured_queries) == len(first.captured_queries)

    client.post(f"/o/norte/listening/mentions/{mention.pk}/update/", {"status": "closed", "tags": "wifi"})
    Mention.objects.filter(pk=mention.pk).update(likes=40)  # as a re-ingest refreshes the counts
    body = client.get("/o/norte/listening/").content.decode()
    assert "status-closed" in body and "status-new" not in body and "#wifi" in body and "♥ 40" in body
    client.cookies["django_language"] = "en"
    assert "Closed" in client.get("/o/norte/listening/").content.decode()  # rows are cached per language
    client.cookies["django_language"] = "es"
    viewer = factories.MembershipFactory(org=org, role="viewer").user
    assert f'id="sel-{mention.pk}"' not in client_for(viewer).get("/o/norte/listening/").content.decode()
