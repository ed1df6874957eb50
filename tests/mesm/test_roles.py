"""What each role may do, in pages and in the API."""

import pytest

from strategy.models import Audience, Objective
from tests import factories


@pytest.mark.django_db
def test_it_lets_a_viewer_read_the_plan_but_not_change_it(client_for, org, viewer):
    client = client_for(viewer)
    assert client.get("/o/norte/").status_code == 200
    assert client.get("/o/norte/objectives/").status_code == 200
    assert client.get("/o/norte/objectives/new/").status_code == 403
    response = client.post("/o/norte/audiences/new/", {"name": "Familias"})
    assert response.status_code == 403
    assert not Audience.objects.exists()


@pytest.mark.django_db
def test_it_hides_edit_buttons_from_viewers(client_for, org, viewer):
    factories.ObjectiveFactory(org=org, title="Más lectores jóvenes")
    body = client_for(viewer).get("/o/norte/objectives/").content.decode()
    assert "Más lectores jóvenes" in body
    assert "/o/norte/objectives/new/" not in body


@pytest.mark.django_db
def test_it_lets_an_editor_archive_and_restore(client_for, org, editor):
    audience = factories.AudienceFactory(org=org, name="Familias")
    client = client_for(editor)
    response = client.post(f"/o/norte/audience/{audience.pk}/archive/", follow=True)
    assert response.redirect_chain == [("/o/norte/audiences/", 302)]
    assert "Se ha archivado “Familias”" in response.content.decode()
    audience.refresh_from_db()
    assert audience.is_archived
    assert "Familias" not in client.get("/o/norte/audiences/").content.decode()
    assert "Familias" in client.get("/o/norte/audiences/?archived=1").content.decode()
    client.post(f"/o/norte/audience/{audience.pk}/archive/", {"restore": "1"})
    audience.refresh_from_db()
    assert not audience.is_archived


@pytest.mark.django_db
def test_it_keeps_members_and_settings_to_admins(client_for, org, editor, admin_user):
    client = client_for(editor)
    assert client.get("/o/norte/members/").status_code == 200
    assert client.post("/o/norte/members/", {"email": "x@example.org", "role": "editor"}).status_code == 403
    assert client.get("/o/norte/settings/").status_code == 403
    assert client_for(admin_user).get("/o/norte/settings/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role_fixture", "read", "write"),
    [("viewer", 200, 403), ("editor", 200, 201), ("admin_user", 200, 201)],
)
def test_it_enforces_roles_in_the_api(request, api_for, org, role_fixture, read, write):
    api = api_for(request.getfixturevalue(role_fixture))
    assert api.get("/api/v1/orgs/norte/objectives/").status_code == read
    response = api.post("/api/v1/orgs/norte/objectives/", {"title": "T", "why": "W"}, format="json")
    assert response.status_code == write
    assert Objective.objects.filter(org=org).count() == (1 if write == 201 else 0)
    if write == 403:
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_it_asks_anonymous_users_to_log_in(client, api_for, org):
    response = client.get("/o/norte/objectives/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.get("/api/v1/orgs/norte/objectives/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
