"""The audit log: who changed what, readable by administrators only."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from listening.models import Source
from mesm.models import AuditEntry, Membership
from strategy.models import PlannedPost
from strategy.workflow import post_transition
from tests import factories
from tests.listening.factories import SourceFactory


@pytest.mark.django_db
def test_it_records_who_created_and_changed_an_objective(api_for, org, editor):
    api = api_for(editor)
    response = api.post("/api/v1/orgs/norte/objectives/", {"title": "Más socios", "why": "W"}, format="json")
    assert response.status_code == 201
    objective_id = response.json()["id"]
    response = api.patch(f"/api/v1/orgs/norte/objectives/{objective_id}/", {"title": "Más lectores"}, format="json")
    assert response.status_code == 200
    entries = list(AuditEntry.objects.filter(org=org, object_type="objective").order_by("id"))
    assert [(e.action, e.actor, e.object_id) for e in entries] == [
        ("create", editor, str(objective_id)),
        ("update", editor, str(objective_id)),
    ]
    assert entries[1].changes == {"title": ["Más socios", "Más lectores"]}
    assert entries[1].object_label == "Más lectores"


@pytest.mark.django_db
def test_it_records_role_changes_and_removals_of_members(client_for, org, admin_user, editor):
    client = client_for(admin_user)
    membership = Membership.objects.get(org=org, user=editor)
    client.post(f"/o/{org.slug}/members/{membership.pk}/", {"role": "viewer"})
    client.post(f"/o/{org.slug}/members/{membership.pk}/", {"remove": "1"})
    entries = AuditEntry.objects.filter(org=org, object_type="membership", actor__isnull=False).order_by("id")
    assert [(e.action, e.actor_id) for e in entries] == [("role", admin_user.pk), ("remove", admin_user.pk)]
    assert entries[0].changes == {"role": ["editor", "viewer"]}


@pytest.mark.django_db
def test_it_records_a_credential_change_without_the_secret(org):
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="biblioteca")
    source.credentials = {"access_token": "super-secreto-123"}
    source.save()
    entry = AuditEntry.objects.get(org=org, action="credentials")
    assert entry.object_type == "source" and entry.object_id == str(source.pk)
    assert entry.actor is None and entry.actor_label == ""  # no request: the system
    assert "super-secreto-123" not in str(entry.changes)
    # Polling bookkeeping does not fill the log.
    before = AuditEntry.objects.count()
    Source.objects.get(pk=source.pk).save(update_fields=["status", "last_error"])
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_it_records_post_approvals(org, editor, admin_user):
    profile = factories.ProfileFactory(org=org)
    post = PlannedPost.objects.create(
        org=org,
        profile=profile,
        text="Hola",
        status="in_review",
        created_by=editor,
        scheduled_at=timezone.now() + timedelta(days=2),
    )
    post_transition(post, "approve", user=admin_user)
    entry = AuditEntry.objects.get(org=org, object_type="plannedpost", action="transition")
    assert entry.actor == admin_user
    assert entry.changes["status"] == ["in_review", "approved"]


@pytest.mark.django_db
def test_the_page_is_for_administrators_and_filters(client_for, org, admin_user, editor, viewer):
    factories.ObjectiveFactory(org=org, title="Sin actor")
    client_for(admin_user).post(f"/o/{org.slug}/members/{Membership.objects.get(user=viewer).pk}/", {"role": "editor"})
    for user in (editor, viewer):
        assert Client().get(f"/o/{org.slug}/audit/").status_code == 302  # anonymous → login
        client = Client()
        client.force_login(user)
        assert client.get(f"/o/{org.slug}/audit/").status_code == 403
    client = Client()
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    page = client.get(f"/o/{org.slug}/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Audit log" in html and "Sin actor" in html and "the system" in html
    assert "editor → viewer" not in html and "viewer → editor" in html
    filtered = client.get(f"/o/{org.slug}/audit/", {"object_type": "membership"}).content.decode()
    assert "viewer → editor" in filtered and "Sin actor" not in filtered
    by_actor = client.get(f"/o/{org.slug}/audit/", {"actor": admin_user.pk}).content.decode()
    assert "viewer → editor" in by_actor and "Sin actor" not in by_actor
    future = client.get(f"/o/{org.slug}/audit/", {"since": "2999-01-01"}).content.decode()
    assert "No changes recorded with these filters." in future
    members = client.get(f"/o/{org.slug}/members/").content.decode()
    assert f"/o/{org.slug}/audit/" in members


@pytest.mark.django_db
def test_the_page_is_paginated(client_for, org, admin_user):
    AuditEntry.objects.filter(org=org).delete()  # the fixtures' own entries (memberships joining)
    AuditEntry.objects.bulk_create(
        [AuditEntry(org=org, action="update", object_type="objective", object_label=f"n{i}") for i in range(60)]
    )
    client = client_for(admin_user)
    first = client.get(f"/o/{org.slug}/audit/")
    second = client.get(f"/o/{org.slug}/audit/", {"page": 2})
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10


@pytest.mark.django_db
def test_the_api_lists_entries_for_administrators_only(api_for, org, other_org, admin_user, editor, outsider):
    AuditEntry.objects.create(org=org, actor=admin_user, action="update", object_type="objective", object_label="A")
    AuditEntry.objects.create(org=other_org, action="update", object_type="objective", object_label="Otra")
    response = api_for(admin_user).get("/api/v1/orgs/norte/audit/", {"object_type": "objective"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["object_label"] for r in results] == ["A"]
    assert set(results[0]) == {
        "id",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "changes",
        "created_at",
    }
    assert api_for(editor).get("/api/v1/orgs/norte/audit/").status_code == 403
    assert api_for(outsider).get("/api/v1/orgs/norte/audit/").status_code == 404
    assert api_for(admin_user).post("/api/v1/orgs/norte/audit/", {}, format="json").status_code == 405
